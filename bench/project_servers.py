"""The project's servers for bench/bench.py (and bench/profile.py): single mode on a private SQLite
database, and scale mode on a fresh PostgreSQL database with a Redis key prefix of its own."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import yaml
from loadgen import run_servers

from bot.runner import Servers

ROOT = Path(__file__).resolve().parent.parent


def private_env(tmp: Path) -> tuple[dict, Path]:
    """A private SQLite database holding the knowledge base, and an endpoints file for it."""
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'zhicheng.db'}", "ZHICHENG_VAR_DIR": str(tmp)}
    os.environ.update(env)
    from bot import cli
    assert cli.main(["kb", "load"]) == 0
    endpoints = tmp / "endpoints.yml"
    from bot.trackerstore import STORE_CLASS
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": STORE_CLASS, "dialect": "sqlite",
                                                           "db": str(tmp / "tracker.db")}}), encoding="utf-8")
    return env, endpoints


def project_single(base: int, messages: int, tmp: Path) -> dict:
    env, endpoints = private_env(tmp)
    srv = Servers(rasa_port=base + 5, actions_port=base + 55, web_port=None, endpoints=endpoints,
                  model=ROOT / "models" / "zhicheng.tar.gz", env=env, log_dir=tmp / "logs")
    return run_servers(srv, "project (single)", messages)


def scale_servers(base: int, tmp: Path):
    """`zhicheng run --scale`'s servers on a fresh PostgreSQL database holding the knowledge base
    (ZHICHENG_BENCH_PG_URL) and a Redis key prefix of their own (ZHICHENG_BENCH_REDIS_URL), with
    ScaleServers' worker counts unless ZHICHENG_BENCH_RASA_WORKERS / ZHICHENG_BENCH_ACTION_WORKERS say; returns them and a function that removes their Redis keys."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.advisor.directory_file import load_directory_file
    from bot.db import session_factory
    from bot.kb.loader import load, read_knowledge
    from bot.scale import ScaleServers

    url = os.environ.get("ZHICHENG_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/zhicheng_bench")
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        name = conn.dialect.identifier_preparer.quote(u.database)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    with session_factory(url)() as s, s.begin():
        load(read_knowledge(ROOT / "knowledge"), session=s, source="bench")
        load_directory_file(ROOT / "knowledge" / "directory.yml", session=s)
    endpoints = tmp / "endpoints-scale.yml"
    endpoints.write_text("{}", encoding="utf-8")
    prefix = "zhichengbench" + uuid.uuid4().hex[:6]
    workers = {k: int(os.environ[v]) for k, v in (("rasa_workers", "ZHICHENG_BENCH_RASA_WORKERS"),
                                                  ("action_workers", "ZHICHENG_BENCH_ACTION_WORKERS")) if os.environ.get(v)}
    srv = ScaleServers(rasa_port=base + 105, actions_port=base + 155, web_port=None, endpoints=endpoints, **workers,
                       model=ROOT / "models" / "zhicheng.tar.gz", env={"ZHICHENG_VAR_DIR": str(tmp)},
                       log_dir=tmp / "scale-logs", database_url=url, redis_prefix=prefix,
                       redis_url=os.environ.get("ZHICHENG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))

    def cleanup() -> None:
        import redis
        r = redis.Redis.from_url(srv.redis_url)
        keys = list(r.scan_iter(f"{prefix}:*"))
        if keys:
            r.delete(*keys)

    return srv, cleanup


def project_scale(base: int, messages: int, tmp: Path) -> dict:
    srv, cleanup = scale_servers(base, tmp)
    try:
        return run_servers(srv, "project (scale: 2 Rasa workers + nginx, Redis, PostgreSQL, 2 action workers)",
                           messages)
    finally:
        cleanup()
