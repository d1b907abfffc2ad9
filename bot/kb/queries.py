"""Query functions over the knowledge base. Every one takes a keyword-only session.

The FAQ queries return only enabled entries: they are what the bot and the console answer with."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import settings
from bot.kb.models import Clause, FaqEntry, KbVersion, Notice, ScheduleStage, UnansweredQuestion

# Session.info keys: a session opened for one message's reads (actions.kb.kb_session) asks the
# knowledge version once; retrieval, the wording and the rest reuse the answer
ONE_VERSION = "zc_one_kb_version"
_VERSION = "zc_kb_version"


def kb_version(*, session: Session) -> int:
    """The latest knowledge version (a staff load or publish adds one)."""
    if _VERSION in session.info:
        cached: int = session.info[_VERSION]
        return cached
    latest: int | None = session.scalar(select(func.max(KbVersion.id)))
    version = latest or 0
    if session.info.get(ONE_VERSION):
        session.info[_VERSION] = version
    return version


def current_year(*, session: Session) -> int | None:
    year: int | None = session.scalar(select(func.max(Notice.year)))
    return year


def notice(*, session: Session, year: int) -> Notice | None:
    return session.get(Notice, year)


def notice_number(*, session: Session, year: int) -> str:
    """The number of the loaded notice of `year` (a year from `current_year` always has one)."""
    found = notice(session=session, year=year)
    if found is None:
        raise LookupError(f"no notice of {year} in the knowledge base")
    return found.number


def faq_by_intent(*, session: Session, year: int, intent: str) -> FaqEntry | None:
    entry: FaqEntry | None = session.scalar(select(FaqEntry).where(
        FaqEntry.year == year, FaqEntry.intent == intent, FaqEntry.enabled.is_(True)))
    return entry


def faqs_by_intents(*, session: Session, year: int, intents: list[str]) -> list[FaqEntry]:
    if not intents:
        return []
    return list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.intent.in_(intents),
                                                       FaqEntry.enabled.is_(True))))


def faqs_by_ids(*, session: Session, year: int, faq_ids: list[str]) -> list[FaqEntry]:
    if not faq_ids:
        return []
    return list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.id.in_(faq_ids),
                                                       FaqEntry.enabled.is_(True))))


def dated_faqs(*, session: Session, year: int) -> list[FaqEntry]:
    """The entries whose answer gives a date window (a schedule stage)."""
    return list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.schedule.is_not(None))))


def steps(*, session: Session, year: int, parent: str) -> list[tuple[str, list[FaqEntry]]]:
    """The numbered paragraphs under `parent` (the procedure's steps), in the notice's order, each with
    the enabled entries resting on it alone (on the step or a paragraph of it, nothing else)."""
    ids = list(session.scalars(select(Clause.id).where(Clause.year == year, Clause.parent == parent)
                               .order_by(Clause.position)))
    entries = list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.enabled.is_(True))
                                   .order_by(FaqEntry.position)))
    return [(step, [e for e in entries if e.clauses and all(c == step or c.startswith(step + "第") for c in e.clauses)])
            for step in ids]


def faq_by_id(*, session: Session, year: int, faq_id: str) -> FaqEntry | None:
    """An entry the bot may answer with (a disabled one is None, as if it did not exist)."""
    entry = session.get(FaqEntry, (year, faq_id))
    return entry if entry is not None and entry.enabled is not False else None


def stage(*, session: Session, year: int, key: str) -> ScheduleStage | None:
    return session.get(ScheduleStage, (year, key))


def clause(*, session: Session, year: int, clause_id: str) -> Clause | None:
    return session.get(Clause, (year, clause_id))


def schedule(*, session: Session, year: int) -> list[ScheduleStage]:
    """The year's stages in the notice's order."""
    return list(session.scalars(select(ScheduleStage).where(ScheduleStage.year == year)
                                .order_by(ScheduleStage.position)))


_DIGITS = re.compile(r"\d(?:[ .\-]?\d){3,}")  # 4+ digits, spaced or not: factors, IDs, phones


def record_unanswered(*, session: Session, text: str, reason: str, top_faq: str | None = None,
                      top_score: float | None = None) -> None:
    """Keep a question the bot could not answer, for staff; runs of 4+ digits are masked."""
    masked = _DIGITS.sub(lambda m: "*" * len(m.group()), text)[:settings().max_message_chars]
    session.add(UnansweredQuestion(text=masked, reason=reason, top_faq=top_faq,
                                   top_score=None if top_score is None else f"{top_score:.3f}"))
