"""Findings 9 and 11: the status secret is never silently regenerated, private files are private,
old conversations are purged, telemetry is off, and demo data only goes into a demo database."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.config import ROOT, secure_var_dir
from bot.db import new_session
from bot.runner import Servers
from bot.status import security
from bot.status.models import Application


@pytest.fixture
def private_env(monkeypatch, tmp_path):
    """A var dir and database of its own, with no secret in the environment."""
    var = tmp_path / "var"
    monkeypatch.setenv("ZHICHENG_VAR_DIR", str(var))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'own.db'}")
    monkeypatch.delenv("ZHICHENG_STATUS_SECRET", raising=False)
    monkeypatch.setenv("ZHICHENG_DEMO", "1")
    return var


def test_a_lost_secret_is_not_regenerated_when_hashes_exist(private_env, capsys):
    assert cli.main(["status", "demo"]) == 0
    (private_env / security.SECRET_FILE).unlink()
    with pytest.raises(security.SecretMismatch, match="不会自动生成新密钥"):
        security.server_secret()
    assert not (private_env / security.SECRET_FILE).exists()
    assert cli.main(["run"]) == 1  # refuses to start, and says why
    assert "无法启动" in capsys.readouterr().err


def test_a_different_secret_on_another_host_is_refused(private_env, monkeypatch, capsys):
    assert cli.main(["status", "demo"]) == 0
    assert cli.preflight() is None  # records the secret's fingerprint
    monkeypatch.setenv("ZHICHENG_STATUS_SECRET", "another-host-secret")
    assert "密钥与数据库中已有的哈希不符" in cli.preflight()


def test_var_dir_and_its_files_are_private(private_env):
    private_env.mkdir(parents=True)
    (private_env / "zhicheng.db").write_bytes(b"")
    (private_env / "zhicheng.db").chmod(0o644)
    secure_var_dir(private_env)
    assert oct(private_env.stat().st_mode & 0o777) == "0o700"
    assert oct((private_env / "zhicheng.db").stat().st_mode & 0o777) == "0o600"


def test_the_running_servers_files_are_private(servers):
    var = Path(servers.endpoints_file()).parent
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    for name in ("zhicheng.db", "status_secret", "action_token"):
        path = var / name
        if path.exists():
            assert oct(path.stat().st_mode & 0o077) == "0o0", name


def test_telemetry_is_off_for_every_server(private_env):
    assert Servers()._child_env()["RASA_TELEMETRY_ENABLED"] == "false"
    assert "export RASA_TELEMETRY_ENABLED := false" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_demo_applications_go_only_into_a_demo_database(private_env, monkeypatch, capsys):
    monkeypatch.delenv("ZHICHENG_DEMO")
    assert cli.main(["status", "demo"]) == 1
    assert cli.main(["status", "demo", "--if-demo-db"]) == 0
    assert "跳过演示申报" in capsys.readouterr().out
    with new_session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 0


def _tracker(path: Path, conversations: dict[str, float]) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
                " intent_name TEXT, action_name TEXT, data TEXT)")
    for sender, last in conversations.items():
        for ts in (last - 3600, last):
            con.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                        (sender, ts))
    con.commit()
    con.close()


def test_tracker_purge_deletes_only_conversations_idle_longer_than_the_retention(tmp_path, capsys):
    now = time.time()
    db = tmp_path / "tracker.db"
    _tracker(db, {"old": now - 100 * 86400, "recent": now - 5 * 86400, "today": now})
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n", encoding="utf-8")
    assert cli.main(["tracker", "purge", "--older-than", "30", "--endpoints", str(endpoints)]) == 0
    assert "已删除 1 个" in capsys.readouterr().out
    con = sqlite3.connect(db)
    senders = {r[0] for r in con.execute("SELECT DISTINCT sender_id FROM events")}
    con.close()
    assert senders == {"recent", "today"}
