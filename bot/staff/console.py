"""What the 12333 agent console shows, as plain data (the web pages only lay it out).

- `search(q)`: FAQ entries (the bot's normalisation and BM25 retrieval, bot.kb.search) with
  the answer exactly as the bot renders it, and notice clauses with their full text;
- `advise(form)`: the advisor's pure decision functions on the facts picked in a form;
- `transcript(code)`: the conversation behind a hand-over code, read from Rasa's SQL tracker
  store read-only (factors never reach it: the channel seals them before Rasa).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from bot import answers, handover, wording
from bot.advisor.decisions import (
    decide_deadline,
    decide_eligibility,
    decide_entrustment,
    decide_institution,
    render_verdict,
)
from bot.advisor.directory import all_institutions
from bot.advisor.entities import DISTRICTS, EMPLOYERS, IDENTITIES, LEVELS, series_catalog
from bot.advisor.verdict import FACT_LABELS, Facts
from bot.config import settings
from bot.kb import queries
from bot.kb.models import Clause
from bot.kb.search import search as search_faq
from bot.kb.search import search_clauses
from bot.text import normalize

MAX_QUERY = 200
TOPICS = {"eligibility": "能不能报（申报条件）", "entrustment": "要不要开委托函", "institution": "找哪个评审服务机构",
          "deadline": "现在还能报吗（时间）"}


def search(*, session: Session, query: str, today: dt.date, limit: int = 5) -> dict[str, Any]:
    q = normalize(query or "")[:MAX_QUERY].strip()
    year = queries.current_year(session=session)
    if not q or year is None:
        return {"query": q, "faq": [], "clauses": []}
    wording.sync(session=session)  # the answers read exactly as the bot's
    notice = queries.notice(session=session, year=year)
    if notice is None:  # the latest year is a notice's: only a concurrent delete gets here
        return {"query": q, "faq": [], "clauses": []}
    hits = search_faq(q, session=session, year=year, limit=limit)
    entries = {e.id: e for e in queries.faqs_by_ids(session=session, year=year, faq_ids=[h.faq_id for h in hits])}
    stages = {s.key: s for s in queries.schedule(session=session, year=year)}
    clause_rows = {c.id: c for c in notice.clauses}
    faq = []
    for hit in hits:
        entry = entries.get(hit.faq_id)
        if entry is None:
            continue
        faq.append({
            "id": entry.id, "question": entry.question, "score": hit.score,
            "answer": answers.render_faq(entry, notice_number=notice.number,
                                         stage=stages.get(entry.schedule) if entry.schedule else None, today=today),
            "clauses": [_clause(clause_rows.get(cid), cid) for cid in entry.clauses],
        })
    clauses = [_clause(clause_rows.get(h.faq_id), h.faq_id) | {"score": h.score}
               for h in search_clauses(q, session=session, year=year, limit=3)]
    return {"query": q, "notice": notice.number, "faq": faq, "clauses": clauses}


def _clause(row: Clause | None, clause_id: str) -> dict[str, Any]:
    if row is None:
        return {"id": clause_id, "title": "", "text": ""}
    return {"id": row.id, "title": row.title, "text": row.text}


# -- advisors ---------------------------------------------------------------------------------

def choices() -> dict[str, Any]:
    return {"topics": TOPICS, "series": list(series_catalog()), "levels": LEVELS, "employers": EMPLOYERS,
            "districts": DISTRICTS, "identities": IDENTITIES}


@dataclass(frozen=True)
class Advice:
    topic: str
    decision: str
    summary: str
    reasons: list[str]
    next_steps: list[str]
    missing: list[str]
    clauses: list[dict[str, Any]]
    text: str  # the whole verdict as the bot would say it


def read_facts(form: dict[str, str]) -> tuple[str, Facts]:
    """The topic and facts of the advisor form; values outside the lists are refused."""
    topic = form.get("topic") or "eligibility"
    if topic not in TOPICS:
        raise ValueError("请选择要判断的问题")
    opts = choices()
    facts: dict[str, Any] = {}
    for field, allowed in (("series", opts["series"]), ("level", LEVELS), ("employer", EMPLOYERS),
                           ("district", DISTRICTS), ("identity", IDENTITIES)):
        value = (form.get(field) or "").strip()
        if value:
            if value not in allowed:
                raise ValueError(f"{FACT_LABELS.get(field, field)}：没有“{value[:20]}”这一项")
            facts[field] = value
    for field in ("insured_in_beijing", "is_civil_servant"):
        value = form.get(field) or ""
        if value in ("yes", "no"):
            facts[field] = value == "yes"
        elif value:
            raise ValueError(f"{FACT_LABELS[field]}：请选是、否或不清楚")
    return topic, Facts.from_dict(facts)


def advise(*, session: Session, form: dict[str, str], today: dt.date) -> Advice:
    topic, facts = read_facts(form)
    year = queries.current_year(session=session)
    if year is None:
        raise ValueError("知识库还没有导入")
    wording.sync(session=session)
    if topic == "eligibility":
        verdict = decide_eligibility(facts)
    elif topic == "entrustment":
        verdict = decide_entrustment(facts)
    elif topic == "institution":
        verdict = decide_institution(facts, directory=all_institutions(session=session))
    else:
        verdict = decide_deadline(queries.schedule(session=session, year=year), today=today)
    notice = queries.notice(session=session, year=year)
    if notice is None:  # the latest year is a notice's: only a concurrent delete gets here
        raise ValueError("知识库还没有导入")
    rows = {c.id: c for c in notice.clauses}
    return Advice(topic=topic, decision=verdict.decision, summary=verdict.summary, reasons=list(verdict.reasons),
                  next_steps=list(verdict.next_steps), missing=[FACT_LABELS.get(m, m) for m in verdict.missing],
                  clauses=[_clause(rows.get(c), c) for c in verdict.clauses],
                  text=render_verdict(verdict, notice_number=notice.number))


# -- hand-over transcripts ----------------------------------------------------------------------

def tracker_store_url() -> URL | None:
    from bot.trackerstore import tracker_url
    path = settings().endpoints
    return tracker_url(path) if path.exists() else None


def store_exists(url: URL | None) -> bool:
    """Whether there is a tracker store to read: a configured one, and for SQLite a file (an
    in-memory store, `sqlite://`, belongs to the Rasa process alone)."""
    if url is None:
        return False
    return not url.drivername.startswith("sqlite") or (bool(url.database) and Path(str(url.database)).exists())


def _read_only(url: URL) -> Engine:
    if url.drivername.startswith("sqlite"):
        # a read-only connection: the console can never change a conversation
        return create_engine(f"sqlite:///file:{url.database}?mode=ro&uri=true", future=True)
    return create_engine(url, future=True, execution_options={"postgresql_readonly": True})


@dataclass(frozen=True)
class Line:
    who: str  # 用户 | 助手
    text: str
    at: dt.datetime | None


def transcript(*, url: URL | None, conversation_id: str, limit: int = 200) -> list[Line] | None:
    """The conversation's user and bot messages in order, or None when the store is not there."""
    if url is None or not store_exists(url):
        return None
    engine = _read_only(url)
    try:
        if not inspect(engine).has_table("events"):
            return None
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT type_name, data FROM events WHERE sender_id = :s "
                                     "AND type_name IN ('user', 'bot') ORDER BY id"), {"s": conversation_id}).all()
    finally:
        engine.dispose()
    lines = []
    for kind, data in rows[-limit:]:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            continue
        body = event.get("text") or ""
        if not body and kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            body = "［按钮］" + "／".join(b.get("title", "") for b in buttons) if buttons else ""
        if not body:
            continue
        at = dt.datetime.fromtimestamp(event["timestamp"]) if event.get("timestamp") else None
        lines.append(Line("用户" if kind == "user" else "助手", body, at))
    return lines


def find_handover(*, session: Session, code: str) -> handover.Handover | None:
    return handover.find(session=session, code=code)
