"""Engine and session factory. One engine per URL, created on first use, never at import."""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.config import database_url


def get_engine(url: str | None = None, *, busy_timeout: float = 30) -> Engine:
    """The engine for `url` (default: DATABASE_URL), created once per URL and busy timeout.

    `busy_timeout` is how long an SQLite statement waits for another writer's lock; the chat
    channel uses a short one so a long write elsewhere never stalls a reply.
    """
    return _engine(url or database_url(), busy_timeout)


@lru_cache(maxsize=8)
def _engine(url: str, busy_timeout: float = 30) -> Engine:
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout}
        if path and path != ":memory:":
            # SQLAlchemy 1.4 opens a new SQLite file connection per session (NullPool): with
            # the pragmas that was a third of the action server's CPU. Keep connections.
            kwargs["poolclass"] = QueuePool
    engine: Engine = create_engine(url, **kwargs)  # future=True arrives in kwargs: the stubs cannot pick an overload
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    # the registry of every model, imported on first use (never at import time)
    from bot.models import metadata

    metadata.create_all(engine)
    add_missing_columns(engine)
    return engine


# Columns added after a release, with the SQL that adds them. The project has no migration tool:
# create_all makes missing tables but never alters an existing one, so a database made before a
# column existed (SQLite or PostgreSQL) gets it here, at start, once; the default fills old rows.
ADDED_COLUMNS = {("faq", "enabled"): {"sqlite": "BOOLEAN NOT NULL DEFAULT 1", "default": "BOOLEAN NOT NULL DEFAULT TRUE"}}


def add_missing_columns(engine: Engine) -> list[str]:
    added = []
    for (table, column), types in ADDED_COLUMNS.items():
        inspector = inspect(engine)
        if not inspector.has_table(table) or column in {c["name"] for c in inspector.get_columns(table)}:
            continue
        ddl = types.get(engine.dialect.name, types["default"])
        try:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))  # names from the dict above
            added.append(f"{table}.{column}")
        except Exception:  # another process added it first: fine if it is there now
            if column not in {c["name"] for c in inspect(engine).get_columns(table)}:
                raise
    return added


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def session_factory(url: str | None = None, *, busy_timeout: float = 30) -> sessionmaker[Session]:
    return _factory(url or database_url(), busy_timeout)


@lru_cache(maxsize=16)
def _factory(url: str, busy_timeout: float) -> sessionmaker[Session]:
    # one per engine: a sessionmaker costs more to build than the session it opens
    return sessionmaker(get_engine(url, busy_timeout=busy_timeout), future=True, expire_on_commit=False)


def new_session(url: str | None = None) -> Session:
    return session_factory(url)()
