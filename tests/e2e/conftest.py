"""Real servers for end-to-end tests: the trained model, a private database and tracker store."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT

MODEL = ROOT / "models" / "zhicheng.tar.gz"
RASA_PORT = int(os.environ.get("ZHICHENG_E2E_RASA_PORT", "15005"))
ACTIONS_PORT = int(os.environ.get("ZHICHENG_E2E_ACTIONS_PORT", "15055"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def servers(_private_var, tmp_path_factory):
    from bot import cli
    from bot.runner import Servers

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make test` (or `rasa train --fixed-model-name zhicheng`) first")
    var = _private_var
    assert cli.main(["kb", "load"]) == 0
    assert cli.main(["status", "demo"]) == 0
    endpoints = var / "endpoints.yml"  # the runner adds the action server's port and token
    endpoints.write_text(yaml.safe_dump({
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(var / "tracker.db")},
    }), encoding="utf-8")
    env = {k: os.environ[k] for k in ("DATABASE_URL", "ZHICHENG_VAR_DIR", "ZHICHENG_TODAY")}
    srv = Servers(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints, model=MODEL,
                  env=env, log_dir=var / "logs")
    try:
        srv.start(timeout=300)
    except Exception:
        srv.stop()
        for log in (var / "logs").glob("*.log"):
            print(log.read_text(errors="replace")[-3000:])
        raise
    yield srv
    srv.stop()


def tracker_events(sender: str) -> list[dict]:
    """A conversation's events, read from the tracker store file (Rasa's HTTP API is off)."""
    var = Path(os.environ["ZHICHENG_VAR_DIR"])
    con = sqlite3.connect(var / "tracker.db")
    try:
        rows = con.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    finally:
        con.close()
    return [json.loads(r[0]) for r in rows]
