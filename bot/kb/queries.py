"""Query functions over the knowledge base. Every one takes a keyword-only session.

The FAQ queries return only enabled entries: they are what the bot and the console answer with.

A session opened for one message's reads (actions.kb.kb_session, marked ONE_VERSION) answers the
read queries below from a snapshot of the knowledge base kept in this process for the knowledge
version: the version is asked once per message, the rest (≈ 10 small queries a message, each a
network round trip on PostgreSQL) only when the version changed. Every change of the knowledge
base adds a version (a `kb load`, a staff publish: bot.kb.revisions.publish), so a published edit
shows in the next reply. Other sessions (the web app, staff edits, tests) query as before. What a
snapshot hands out is detached from the session and read only."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import settings
from bot.kb.models import Clause, FaqEntry, KbVersion, Notice, ScheduleStage, UnansweredQuestion

# Session.info keys: a session opened for one message's reads (actions.kb.kb_session) asks the
# knowledge version once; retrieval, the wording and the rest reuse the answer
ONE_VERSION = "zc_one_kb_version"
_LATEST_VERSION = f"SELECT max(id) FROM {KbVersion.__tablename__}"
_VERSION = "zc_kb_version"


# the knowledge version an action call started with (bot.actionserver asks it once per call):
# every one-message session of the call reads that version without asking again
CALL_VERSION: ContextVar[int | None] = ContextVar("zc_call_kb_version", default=None)


def kb_version(*, session: Session) -> int:
    """The latest knowledge version (a staff load or publish adds one)."""
    if _VERSION in session.info:
        cached: int = session.info[_VERSION]
        return cached
    call = CALL_VERSION.get()
    if call is not None and session.info.get(ONE_VERSION):
        session.info[_VERSION] = call
        return call
    # the one query of every message: plain SQL (the ORM's select costs 5× the round trip)
    latest: int | None = session.connection().exec_driver_sql(_LATEST_VERSION).scalar()
    version = latest or 0
    if session.info.get(ONE_VERSION):
        session.info[_VERSION] = version
    return version


# -- the snapshot of one knowledge version (sessions marked ONE_VERSION) ---------------------------
_T = TypeVar("_T")
_snapshot_lock = threading.Lock()
_snapshot: dict[str, Any] = {"key": None, "values": {}}
_SNAPSHOT_MAX = 4096  # values kept per version (a tapped button names any id it likes: bounded)


def per_version(session: Session, key: tuple[Any, ...], load: Callable[[], _T]) -> _T:
    """`load()`'s value, kept for this database and knowledge version when the session reads for
    one message; the ORM objects in it are detached from the session (read only)."""
    if not session.info.get(ONE_VERSION):
        return load()
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine  # a session bound to a connection: its engine
    version = (str(engine.url), kb_version(session=session))
    with _snapshot_lock:
        if _snapshot["key"] != version:
            _snapshot["key"], _snapshot["values"] = version, {}
        values = _snapshot["values"]
        if key in values:
            kept: _T = values[key]
            return kept
    value = load()
    for obj in _orm_objects(value):
        if obj in session:
            session.expunge(obj)
    with _snapshot_lock:
        if _snapshot["key"] == version:
            if len(values) >= _SNAPSHOT_MAX:
                values.clear()
            values[key] = value
    return value


def _orm_objects(value: Any) -> Iterator[Any]:
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _orm_objects(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _orm_objects(v)
    elif value is not None and hasattr(value, "_sa_instance_state"):
        yield value


def _enabled(session: Session, year: int) -> list[FaqEntry]:
    """The year's enabled entries in the notice's order."""
    return per_version(session, ("enabled", year), lambda: list(session.scalars(
        select(FaqEntry).where(FaqEntry.year == year, FaqEntry.enabled.is_(True)).order_by(FaqEntry.position))))


def current_year(*, session: Session) -> int | None:
    year: int | None = per_version(session, ("year",), lambda: session.scalar(select(func.max(Notice.year))))
    return year


def notice(*, session: Session, year: int) -> Notice | None:
    return per_version(session, ("notice", year), lambda: session.get(Notice, year))


def notice_number(*, session: Session, year: int) -> str:
    """The number of the loaded notice of `year` (a year from `current_year` always has one)."""
    found = notice(session=session, year=year)
    if found is None:
        raise LookupError(f"no notice of {year} in the knowledge base")
    return found.number


def faq_by_intent(*, session: Session, year: int, intent: str) -> FaqEntry | None:
    if session.info.get(ONE_VERSION):
        return next((e for e in _enabled(session, year) if e.intent == intent), None)
    entry: FaqEntry | None = session.scalar(select(FaqEntry).where(
        FaqEntry.year == year, FaqEntry.intent == intent, FaqEntry.enabled.is_(True)))
    return entry


def faqs_by_intents(*, session: Session, year: int, intents: list[str]) -> list[FaqEntry]:
    if not intents:
        return []
    if session.info.get(ONE_VERSION):
        wanted = set(intents)
        return [e for e in _enabled(session, year) if e.intent in wanted]
    return list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.intent.in_(intents),
                                                       FaqEntry.enabled.is_(True))))


def faqs_by_ids(*, session: Session, year: int, faq_ids: list[str]) -> list[FaqEntry]:
    if not faq_ids:
        return []
    if session.info.get(ONE_VERSION):
        wanted = set(faq_ids)
        return [e for e in _enabled(session, year) if e.id in wanted]
    return list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.id.in_(faq_ids),
                                                       FaqEntry.enabled.is_(True))))


def dated_faqs(*, session: Session, year: int) -> list[FaqEntry]:
    """The entries whose answer gives a date window (a schedule stage)."""
    return list(per_version(session, ("dated", year), lambda: list(session.scalars(
        select(FaqEntry).where(FaqEntry.year == year, FaqEntry.schedule.is_not(None))))))


def steps(*, session: Session, year: int, parent: str) -> list[tuple[str, list[FaqEntry]]]:
    """The numbered paragraphs under `parent` (the procedure's steps), in the notice's order, each with
    the enabled entries resting on it alone (on the step or a paragraph of it, nothing else)."""
    ids = per_version(session, ("steps", year, parent), lambda: list(session.scalars(
        select(Clause.id).where(Clause.year == year, Clause.parent == parent).order_by(Clause.position))))
    entries = _enabled(session, year) if session.info.get(ONE_VERSION) else list(session.scalars(
        select(FaqEntry).where(FaqEntry.year == year, FaqEntry.enabled.is_(True)).order_by(FaqEntry.position)))
    return [(step, [e for e in entries if e.clauses and all(c == step or c.startswith(step + "第") for c in e.clauses)])
            for step in ids]


def faq_by_id(*, session: Session, year: int, faq_id: str) -> FaqEntry | None:
    """An entry the bot may answer with (a disabled one is None, as if it did not exist)."""
    entry = per_version(session, ("faq", year, faq_id), lambda: session.get(FaqEntry, (year, faq_id)))
    return entry if entry is not None and entry.enabled is not False else None


def stage(*, session: Session, year: int, key: str) -> ScheduleStage | None:
    return per_version(session, ("stage", year, key), lambda: session.get(ScheduleStage, (year, key)))


def clause(*, session: Session, year: int, clause_id: str) -> Clause | None:
    return per_version(session, ("clause", year, clause_id), lambda: session.get(Clause, (year, clause_id)))


def schedule(*, session: Session, year: int) -> list[ScheduleStage]:
    """The year's stages in the notice's order."""
    return list(per_version(session, ("schedule", year), lambda: list(session.scalars(
        select(ScheduleStage).where(ScheduleStage.year == year).order_by(ScheduleStage.position)))))


_DIGITS = re.compile(r"\d(?:[ .\-]?\d){3,}")  # 4+ digits, spaced or not: factors, IDs, phones


def record_unanswered(*, session: Session, text: str, reason: str, top_faq: str | None = None,
                      top_score: float | None = None) -> None:
    """Keep a question the bot could not answer, for staff; runs of 4+ digits are masked."""
    masked = _DIGITS.sub(lambda m: "*" * len(m.group()), text)[:settings().max_message_chars]
    session.add(UnansweredQuestion(text=masked, reason=reason, top_faq=top_faq,
                                   top_score=None if top_score is None else f"{top_score:.3f}"))
