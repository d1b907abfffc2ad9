"""FAQ glue (no actions here): score the knowledge base's entries for a message and render one."""
from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError

from bot import answers, clock
from bot.db import session_factory
from bot.kb import queries
from bot.kb.search import search
from bot.routing.inputs import Candidate
from bot.routing.shape import elliptical
from bot.routing.steps import PROCESS
from bot.text import normalize

log = logging.getLogger(__name__)


def message_text(tracker: Tracker) -> str:
    """The whole latest message, normalised (the NLU may have classified only its question part)."""
    message = tracker.latest_message
    return message.get("zc_full_text") or normalize(message.get("text"))


def earlier_questions(tracker: Tracker, limit: int = 2) -> list[str]:
    """The user's typed messages before the latest one, newest first: the one before, and the one
    before that too when the one before was itself a terse follow-up ("在哪交" after "评审费交多少")."""
    out: list[str] = []
    users = [e for e in tracker.events if e.get("event") == "user"][:-1]
    for event in reversed(users):
        data = event.get("parse_data") or {}
        text = data.get("zc_full_text") or normalize(event.get("text"))
        if not text or text.startswith("/"):
            continue  # a button: the question is further back
        out.append(text)
        if len(out) >= limit or not elliptical(text):
            break
    return out


def previous_reply(tracker: Tracker, back: int = 1) -> list[dict[str, Any]]:
    """The bot's messages after the user's `back`-th message before the latest one."""
    out: list[dict[str, Any]] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users > back:
                break
        elif users >= 1 and event.get("event") == "bot":
            out.append(event)
    return list(reversed(out))


def last_answer(tracker: Tracker) -> str | None:
    """The entry the bot's last reply before the latest message answered from, if any; a tapped
    button ("/affirm") in between is looked past, as the questions are."""
    users = [e for e in tracker.events if e.get("event") == "user"][:-1]
    taps = 0
    for event in reversed(users):
        if not str(event.get("text") or "").startswith("/"):
            break
        taps += 1
    customs = [((e.get("data") or {}).get("custom") or {}) for e in previous_reply(tracker, 1 + taps)]
    ids = [c.get("faq_id") or c.get("context_faq") for c in customs]
    return next((i for i in reversed(ids) if i), None)


def refused(tracker: Tracker) -> bool:
    """Whether the bot's last reply refused to help (misuse of any kind)."""
    return any(((e.get("data") or {}).get("custom") or {}).get("refused") for e in previous_reply(tracker, 1))


def after_status(tracker: Tracker) -> bool:
    """Whether the bot's last reply was an application's status."""
    return any(((e.get("data") or {}).get("custom") or {}).get("status_stage") for e in previous_reply(tracker, 1))


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def render(session, year: int, entry) -> str:
    stage = queries.stage(session=session, year=year, key=entry.schedule) if entry.schedule else None
    return answers.render_faq(entry, notice_number=queries.notice_number(session=session, year=year), stage=stage,
                              today=clock.today())


def ranking(tracker: Tracker) -> dict[str, float]:
    ranked = tracker.latest_message.get("intent_ranking") or []
    return {r["name"]: float(r.get("confidence") or 0) for r in ranked if r.get("name")}


def retrieved(session, year: int, query: str) -> dict[str, float]:
    """The entries retrieval finds for the question, by score."""
    return {hit.faq_id: hit.score for hit in search(query, session=session, year=year, limit=5)}


def candidates(session, year: int, query: str, intents: dict[str, float],
               hits: dict[str, float] | None = None) -> list[Candidate]:
    """Every FAQ entry the classifier or retrieval thinks of: NLU confidence + retrieval score
    (`hits`: retrieval's, when already asked)."""
    scores: dict[str, float] = {}
    entries = {e.id: e for e in queries.faqs_by_intents(session=session, year=year, intents=list(intents))}
    for entry in entries.values():
        scores[entry.id] = intents[entry.intent] if entry.intent is not None else 0.0  # found by its intent
    for faq_id, score in (retrieved(session, year, query) if hits is None else hits).items():
        scores[faq_id] = scores.get(faq_id, 0.0) + score
    missing = [faq_id for faq_id in scores if faq_id not in entries]  # found by retrieval only: one query
    entries.update((e.id, e) for e in queries.faqs_by_ids(session=session, year=year, faq_ids=missing))
    out = [candidate(entries[faq_id], score) for faq_id, score in scores.items() if faq_id in entries]
    return sorted(out, key=lambda c: c.score, reverse=True)


def procedure(session, year: int) -> list[tuple[str, list[Candidate]]]:
    """The procedure's steps in the notice's order, each with the entries resting on it, all equal
    (the router chooses among them by what they are, not by a score)."""
    return [(step, [candidate(e, 1.0) for e in entries])
            for step, entries in queries.steps(session=session, year=year, parent=PROCESS)]


def candidate(entry, score: float) -> Candidate:
    return Candidate(entry.id, score, entry.question, tuple(entry.clauses), dated=bool(entry.schedule))


def buttons(options) -> list[dict[str, Any]]:
    return [{"title": c.question, "payload": "/ask_faq" + json.dumps({"faq_id": c.faq_id}, ensure_ascii=False)}
            for c in options]


def log_unanswered(**fields: Any) -> None:
    """Best effort, in its own short transaction: a busy database never delays the reply."""
    try:
        with session_factory(busy_timeout=0.5)() as session, session.begin():
            queries.record_unanswered(session=session, **fields)
    except (SQLAlchemyError, UnicodeError, ValueError) as err:
        log.warning("unanswered question not recorded (%s)", type(err).__name__)
