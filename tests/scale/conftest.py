"""Scale mode under test: 2 Rasa workers behind nginx, the action server with 2 workers, the
RedisLockStore on the real Redis and the tracker store and knowledge base on the real
PostgreSQL (127.0.0.1:5432 and :6379; `make test` installs and starts them when missing).

Other users of those servers are left alone: the tests use their own database
(zhicheng_scale_test, dropped and re-created at the start), their own Redis database number
(ZHICHENG_TEST_REDIS_URL, db 9 by default) and a key prefix of their own, whose keys are
deleted at the end.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import MODEL, ROOT, start_or_show_logs

PG_URL = os.environ.get("ZHICHENG_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/zhicheng_scale_test")
REDIS_URL = os.environ.get("ZHICHENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("ZHICHENG_E2E_SCALE_PORT", "15105"))  # nginx; workers on the next ports
ACTIONS_PORT = PORT + 50


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def fresh_database(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(u.database)
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def scale_servers(_private_var, knowledge):
    from bot.advisor.directory_file import load_directory_file
    from bot.db import session_factory
    from bot.kb.loader import load
    from bot.scale import ScaleServers

    pg, redis_ = make_url(PG_URL), make_url(REDIS_URL)
    for what, host, port in (("PostgreSQL", pg.host, pg.port or 5432), ("Redis", redis_.host, redis_.port or 6379)):
        if not _reachable(host, port):
            pytest.fail(f"{what} is not running on {host}:{port}: run `make scale-deps` (as root it installs and starts it)")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` first")
    fresh_database(PG_URL)
    with session_factory(PG_URL)() as s, s.begin():  # what `zhicheng kb load` does, into PostgreSQL
        load(knowledge, session=s, source="tests")
        load_directory_file(ROOT / "knowledge" / "directory.yml", session=s)
    var = _private_var / "scale"
    var.mkdir()
    endpoints = var / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({}), encoding="utf-8")
    prefix = "zhichengtest" + secrets.token_hex(4)
    env = {"ZHICHENG_VAR_DIR": os.environ["ZHICHENG_VAR_DIR"], "ZHICHENG_TODAY": os.environ["ZHICHENG_TODAY"]}
    srv = ScaleServers(rasa_port=PORT, actions_port=ACTIONS_PORT, web_port=None, endpoints=endpoints, model=MODEL,
                       env=env, log_dir=var / "logs", rasa_workers=2, action_workers=2, database_url=PG_URL,
                       redis_url=REDIS_URL, redis_prefix=prefix)
    start_or_show_logs(srv, var / "logs")
    yield srv
    srv.stop()
    import redis
    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(f"{prefix}:*"))
    if keys:
        r.delete(*keys)


def pg_events(sender: str) -> list[dict]:
    """A conversation's events as the tracker store holds them, in stored order."""
    engine = create_engine(PG_URL, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
            return [json.loads(r[0]) for r in rows]
    finally:
        engine.dispose()


def upstreams(srv) -> dict[str, int]:
    """How many chat requests each worker answered, from the load balancer's log."""
    log = Path(srv.scale_dir()) / f"nginx.{srv.rasa_port}.access.log"
    counts: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if "/webhooks/rest/webhook" in line:
            for addr in line.split(" ", 1)[0].split(","):
                counts[addr.strip()] = counts.get(addr.strip(), 0) + 1
    return counts
