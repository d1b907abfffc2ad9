"""Shared fixtures: a private database per test session, loaded from knowledge/."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _private_var(tmp_path_factory):
    """Every test session gets its own var/ and database: nothing touches the developer's."""
    var = tmp_path_factory.mktemp("var")
    os.environ["ZHICHENG_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'zhicheng.db'}"
    os.environ.setdefault("ZHICHENG_TODAY", "2026-11-24")
    os.environ["ZHICHENG_DEMO"] = "1"  # a private test database may hold the demo applications
    yield var


@pytest.fixture(autouse=True)
def _wording_of_knowledge():
    """Each test starts with the wording of knowledge/: a test that syncs from a database whose
    templates it edited leaves no trace in the next test's replies (bot.wording keeps one per process)."""
    from bot import wording
    wording.reset()
    yield
    wording.reset()


@pytest.fixture
def kb_dir(tmp_path) -> Path:
    """A writable copy of knowledge/ that a test may break or edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


@pytest.fixture(scope="session")
def knowledge():
    from bot.kb.loader import read_knowledge
    return read_knowledge(ROOT / "knowledge")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture
def session(db_url, knowledge):
    """A session on a fresh database holding the shipped knowledge."""
    from bot.db import session_factory
    from bot.kb.loader import load
    factory = session_factory(db_url)
    with factory() as s, s.begin():
        load(knowledge, session=s, source="tests")
    with factory() as s:
        yield s


@pytest.fixture(scope="session")
def loaded_default_db(_private_var, knowledge):
    """The session-wide DATABASE_URL database, loaded once (used by action tests)."""
    from bot.advisor.directory_file import load_directory_file
    from bot.db import session_factory
    from bot.kb.loader import load
    with session_factory()() as s, s.begin():  # what `zhicheng kb load` does
        load(knowledge, session=s, source="tests")
        load_directory_file(ROOT / "knowledge" / "directory.yml", session=s)
    return os.environ["DATABASE_URL"]


# -- real servers (end-to-end and security tests) ---------------------------------------------
MODEL = ROOT / "models" / "zhicheng.tar.gz"
RASA_PORT = int(os.environ.get("ZHICHENG_E2E_RASA_PORT", "15005"))
ACTIONS_PORT = int(os.environ.get("ZHICHENG_E2E_ACTIONS_PORT", "15055"))
WEB_PORT = int(os.environ.get("ZHICHENG_E2E_WEB_PORT", "15080"))


@pytest.fixture(scope="session")
def servers(_private_var, tmp_path_factory):
    from bot import cli
    from bot.runner import Servers
    from bot.trackerstore import STORE_CLASS

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make test` (or `rasa train --fixed-model-name zhicheng`) first")
    var = _private_var
    assert cli.main(["kb", "load"]) == 0
    assert cli.main(["status", "demo"]) == 0
    endpoints = var / "endpoints.yml"  # the runner adds the action server's port and token
    endpoints.write_text(yaml.safe_dump({
        "tracker_store": {"type": STORE_CLASS, "dialect": "sqlite", "db": str(var / "tracker.db")},
    }), encoding="utf-8")
    env = {k: os.environ[k] for k in ("DATABASE_URL", "ZHICHENG_VAR_DIR", "ZHICHENG_TODAY")}
    srv = Servers(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, web_port=WEB_PORT, endpoints=endpoints,
                  model=MODEL, env=env, log_dir=var / "logs")
    start_or_show_logs(srv, var / "logs")
    yield srv
    srv.stop()


def start_or_show_logs(srv, log_dir) -> None:
    """Start the servers; if they do not come up, stop them and print the end of each log."""
    try:
        srv.start(timeout=300)
    except Exception:
        srv.stop()
        for log in log_dir.glob("*.log"):
            print(log.read_text(errors="replace")[-3000:])
        raise


def unlike_questions(n: int) -> list[str]:
    """n questions no two of which the inbox groups together (three unrelated characters each)."""
    return [f"{chr(0x4e00 + 37 * i)}{chr(0x5e00 + 53 * i)}{chr(0x6e00 + 71 * i)}问什么" for i in range(n)]


def tracker_events(sender: str) -> list[dict]:
    """A conversation's events, read from the tracker store file (Rasa's HTTP API is off)."""
    var = Path(os.environ["ZHICHENG_VAR_DIR"])
    con = sqlite3.connect(var / "tracker.db")
    try:
        rows = con.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    finally:
        con.close()
    return [json.loads(r[0]) for r in rows]
