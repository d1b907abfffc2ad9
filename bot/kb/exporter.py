"""Export: the database's knowledge of one year read back in the YAML files' shape, and written as files.

`export` returns the same `Knowledge` that bot.kb.loader.read_knowledge returns, so load -> export
round-trips; the *_record functions give one row in its file's shape (what a revision stores).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.loader import WEEKDAYS, Knowledge
from bot.kb.models import Clause, FaqEntry, Notice, ScheduleStage, Series, Template


def faq_record(entry: FaqEntry) -> dict[str, Any]:
    """A live entry in faq.yml's shape (what `kb export` writes, what a revision stores)."""
    rec: dict[str, Any] = {"id": entry.id}
    if entry.intent:
        rec["intent"] = entry.intent
    rec.update(topic=entry.topic, question=entry.question, answer=entry.answer, clauses=list(entry.clauses))
    if entry.schedule:
        rec["schedule"] = entry.schedule
    if entry.keywords:
        rec["keywords"] = list(entry.keywords)
    if not entry.verified:
        rec["verified"] = False
    if entry.source:
        rec["source"] = entry.source
    if entry.enabled is False:
        rec["enabled"] = False
    return rec


def clause_record(c: Clause) -> dict[str, Any]:
    """A clause in notice.yml's shape."""
    rec: dict[str, Any] = {"id": c.id, "kind": c.kind, "title": c.title}
    if c.parent:
        rec["parent"] = c.parent
    rec["text"] = c.text
    if c.note:
        rec["note"] = c.note
    return rec


def template_record(t: Template) -> dict[str, Any]:
    """A reply template as a revision stores it."""
    return {"id": t.id, "text": t.text}


def export(*, session: Session, year: int) -> Knowledge:
    """Read one year's knowledge back from the database in the YAML files' shape."""
    notice = session.get(Notice, year)
    if notice is None:
        raise LookupError(f"数据库中没有 {year} 年度的知识库")
    clauses = [clause_record(c) for c in notice.clauses]
    stages = []
    for s in session.scalars(select(ScheduleStage).where(ScheduleStage.year == year).order_by(ScheduleStage.position)):
        rec = {"key": s.key, "name": s.name}
        if s.start:
            rec["start"] = s.start
            rec["start_weekday"] = WEEKDAYS[s.start.weekday()]
        rec["end"] = s.end
        rec["end_weekday"] = WEEKDAYS[s.end.weekday()]
        if s.end_text:
            rec["end_text"] = s.end_text
        rec["clause"] = s.clause
        stages.append(rec)
    faq = [faq_record(e) for e in
           session.scalars(select(FaqEntry).where(FaqEntry.year == year).order_by(FaqEntry.position))]
    series = []
    for s in session.scalars(select(Series).where(Series.year == year).order_by(Series.position)):
        series.append({"name": s.name, "method": s.method, "clause": s.clause, "aliases": list(s.aliases),
                       **{k: v for k, v in (s.flags or {}).items()}})
    wording = [template_record(t) for t in
               session.scalars(select(Template).where(Template.year == year).order_by(Template.position))]
    return Knowledge(
        notice={"number": notice.number, "year": notice.year, "published": notice.published, "issuer": notice.issuer},
        clauses=clauses, faq=faq, stages=stages, series=series, wording=wording)


def write_files(knowledge: Knowledge, directory: Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in knowledge.as_files().items():
        path = directory / name
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        written.append(path)
    return written
