"""Rasa's SQL tracker store, seen from outside Rasa: where it is, and purging old conversations.

Conversations idle longer than the retention period (ZHICHENG_TRACKER_RETENTION_DAYS, 90 by
default; 0 keeps them) are deleted whole: `zhicheng tracker purge --older-than DAYS`, and at
every `zhicheng run`. Long conversations continue in a fresh session (bot.sessionstore).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from bot.config import ROOT, settings

STORE_CLASS = "bot.sessionstore.TrimmingSQLTrackerStore"  # Rasa's SQL store, sessions trimmed


def tracker_url(endpoints: Path | None = None) -> URL | None:
    """The SQLAlchemy URL of the SQL tracker store configured in `endpoints` (default: the
    settings' endpoints file, ZHICHENG_ENDPOINTS), None if not SQL."""
    endpoints = endpoints or settings().endpoints
    config = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
    return tracker_url_of(config)


def tracker_url_of(config: dict[str, Any]) -> URL | None:
    """The SQLAlchemy URL of a `tracker_store` section, None if it is not an SQL store."""
    if str(config.get("type", "")).upper() != "SQL" and config.get("type") != STORE_CLASS:
        return None
    dialect = config.get("dialect", "sqlite")
    db = config.get("db", "rasa.db")
    if dialect == "sqlite":
        path = Path(db) if Path(db).is_absolute() else ROOT / db
        return URL.create("sqlite", database=str(path))
    return URL.create(dialect, username=config.get("username"), password=config.get("password"),
                      host=config.get("url"), port=config.get("port"), database=db)


def purge(url: URL, *, older_than_days: float, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than the cutoff; returns how many."""
    cutoff = (now if now is not None else time.time()) - older_than_days * 86400
    engine = create_engine(url, future=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as conn:
            old = [r[0] for r in conn.execute(text(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": cutoff})]
            for i in range(0, len(old), 500):
                chunk = old[i:i + 500]
                params = {f"s{j}": s for j, s in enumerate(chunk)}
                conn.execute(text(f"DELETE FROM events WHERE sender_id IN ({', '.join(':' + k for k in params)})"),
                             params)
        return len(old)
    finally:
        engine.dispose()

