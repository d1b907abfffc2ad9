"""Revisions of the knowledge base: every staff change is a row (who, when, what), drafts are
published by a publisher, any earlier revision can be restored.

The live tables (bot.kb.models) always hold the *published* text: the actions read them per
message, so a publish shows in the bot's next reply. Publishing also adds a KbVersion row,
which makes retrieval (bot.kb.search) rebuild its index with the new keywords.

    rev = save_draft(session=s, year=2024, faq_id="civil_servant", data={...}, author="li")
    publish(session=s, revision_id=rev.id, publisher="wang")
    restore(session=s, revision_id=old.id, user=...)

A draft is validated exactly as `zhicheng kb check` validates faq.yml (bot.kb.loader.check_docs
on the whole knowledge base with the entry replaced), so the messages are the same.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Column, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session

from bot.base import Base
from bot.kb import exporter, loader, queries
from bot.kb.models import Clause, FaqEntry, KbVersion, ScheduleStage, Template

LOADER = "kb load"  # the author of revisions that come from knowledge/
STAFF_SOURCE = "staff:"  # KbVersion.source of a publish
FIELDS = ("id", "intent", "topic", "question", "answer", "clauses", "schedule", "keywords", "verified", "source",
          "enabled")
KINDS = {  # kind → (list in Knowledge, its key field, the fields kept, the model)
    "faq": ("faq", "id", FIELDS, FaqEntry),
    "clause": ("clauses", "id", ("id", "kind", "title", "parent", "text", "note"), Clause),
    "stage": ("stages", "key", ("key", "name", "start", "end", "end_text", "clause"), ScheduleStage),
    "wording": ("wording", "id", ("id", "text"), Template),  # a reply template (bot.wording)
}
KIND_NAMES = {"faq": "问答", "clause": "条款", "stage": "日程", "wording": "回复模板"}


class KbRevision(Base):
    __tablename__ = "kb_revision"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = Column(Integer, nullable=False)
    kind: Mapped[str] = Column(String(16), nullable=False, default="faq")
    key: Mapped[str] = Column(String(64), nullable=False, index=True)  # the FAQ entry id
    data: Mapped[dict[str, Any]] = Column(JSON, nullable=False)  # the entry in faq.yml's shape
    status: Mapped[str] = Column(String(16), nullable=False)  # draft | published | superseded
    author: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False)
    published_by = Column(String(64))
    published_at = Column(DateTime)
    note = Column(Text)


class RevisionError(ValueError):
    """A refused workflow step (not a validation problem); the text is shown."""


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


entry_data = exporter.faq_record  # a live entry in faq.yml's shape
clause_data = exporter.clause_record


def stage_data(st: ScheduleStage) -> dict[str, Any]:
    rec: dict[str, Any] = {"key": st.key, "name": st.name}
    if st.start:
        rec["start"] = st.start.isoformat()
    rec["end"] = st.end.isoformat()
    if st.end_text:
        rec["end_text"] = st.end_text
    rec["clause"] = st.clause
    return rec


def live_data(session: Session, year: int, kind: str, key: str) -> dict[str, Any] | None:
    if kind == "clause":
        clause = session.get(Clause, (year, key))
        return None if clause is None else clause_data(clause)
    if kind == "stage":
        stage = session.get(ScheduleStage, (year, key))
        return None if stage is None else stage_data(stage)
    if kind == "wording":
        template = session.get(Template, (year, key))
        return None if template is None else exporter.template_record(template)
    if kind != "faq":
        raise KeyError(kind)
    entry = session.get(FaqEntry, (year, key))
    return None if entry is None else entry_data(entry)


def validate(*, session: Session, year: int, data: dict[str, Any], kind: str = "faq") -> dict[str, Any]:
    """The record as `kb check` would accept it, or KnowledgeError with its messages."""
    attr, id_field = KINDS[kind][0], KINDS[kind][1]
    kb = exporter.export(session=session, year=year)
    items = getattr(kb, attr)
    if kind == "stage":  # weekdays follow the dates
        items = [{k: v for k, v in i.items() if not k.endswith("_weekday")} for i in items]
    key = data.get(id_field)
    others = [e for e in items if e[id_field] != key]
    position = next((i for i, e in enumerate(items) if e[id_field] == key), len(others))
    others.insert(position, data)
    setattr(kb, attr, others)
    checked = loader.check_docs(kb.as_files())
    return next(e for e in getattr(checked, attr) if e[id_field] == key)


def _published(session: Session, year: int, key: str, kind: str = "faq") -> KbRevision | None:
    found: KbRevision | None = session.scalar(select(KbRevision).where(KbRevision.year == year, KbRevision.key == key,
                                                                       KbRevision.kind == kind,
                                                                       KbRevision.status == "published")
                                              .order_by(KbRevision.id.desc()).limit(1))
    return found


def _baseline(session: Session, year: int, key: str, kind: str = "faq") -> None:
    """The live text as a published revision, before the first staff change to a record."""
    if _published(session, year, key, kind) is not None:
        return
    data = live_data(session, year, kind, key)
    if data is not None:
        session.add(KbRevision(year=year, kind=kind, key=key, data=data, status="published",
                               author=LOADER, created_at=_now(), published_by=LOADER, published_at=_now(),
                               note="从 knowledge/ 导入的文本"))
        session.flush()


def save_draft(*, session: Session, year: int, data: dict[str, Any], author: str,
               note: str | None = None, kind: str = "faq") -> KbRevision:
    """Validate and keep a record's new text as a draft (older drafts of it are superseded)."""
    key = str(data.get(KINDS[kind][1]) or "")
    clean = validate(session=session, year=year, data=data, kind=kind)
    _baseline(session, year, key, kind)
    for old in session.scalars(select(KbRevision).where(KbRevision.year == year, KbRevision.key == key,
                                                        KbRevision.kind == kind, KbRevision.status == "draft")):
        old.status = "superseded"
    rev = KbRevision(year=year, kind=kind, key=key, data=_plain(clean, kind), status="draft", author=author,
                     created_at=_now(), note=note)
    session.add(rev)
    session.flush()
    return rev


def _plain(data: dict[str, Any], kind: str = "faq") -> dict[str, Any]:
    out = {}
    for k in KINDS[kind][2]:
        if k in data and data[k] is not None:
            value = data[k]
            out[k] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _gone(kind: str, key: str) -> RevisionError:
    """A clause, sentence or date is edited, never created, by a revision: one that a later import
    removed cannot be published (a new FAQ entry can: `_apply` adds it)."""
    return RevisionError(f"{KIND_NAMES[kind]} {key} 已不在知识库中（可能已被重新导入删除），不能发布这份草稿。")


def _apply(session: Session, year: int, data: dict[str, Any], kind: str = "faq") -> None:
    if kind == "clause":
        clause = session.get(Clause, (year, data["id"]))
        if clause is None:
            raise _gone(kind, data["id"])
        clause.title, clause.text, clause.note = data["title"], data["text"], data.get("note")
        return
    if kind == "wording":
        template = session.get(Template, (year, data["id"]))
        if template is None:
            raise _gone(kind, data["id"])
        template.text = data["text"]
        return
    if kind == "stage":
        stage = session.get(ScheduleStage, (year, data["key"]))
        if stage is None:
            raise _gone(kind, data["key"])
        stage.name, stage.clause, stage.end_text = data["name"], data["clause"], data.get("end_text")
        stage.start = dt.date.fromisoformat(data["start"]) if data.get("start") else None
        stage.end = dt.date.fromisoformat(data["end"])
        return
    entry = session.get(FaqEntry, (year, data["id"]))
    if entry is None:
        position = (session.scalar(select(FaqEntry.position).where(FaqEntry.year == year)
                                   .order_by(FaqEntry.position.desc()).limit(1)) or 0) + 1
        entry = FaqEntry(year=year, id=data["id"], position=position)
        session.add(entry)
    entry.intent = data.get("intent")
    entry.topic, entry.question, entry.answer = data["topic"], data["question"], data["answer"]
    entry.clauses = list(data["clauses"])
    entry.keywords = list(data.get("keywords", []))
    entry.schedule = data.get("schedule")
    entry.verified = data.get("verified", True)
    entry.source = data.get("source")
    entry.enabled = data.get("enabled", True)


def publish(*, session: Session, revision_id: int, publisher: str) -> KbRevision:
    """Make a draft the live text (validated again: the rest may have changed since)."""
    rev = session.get(KbRevision, revision_id)
    if rev is None or rev.status != "draft":
        raise RevisionError("只能发布待发布的草稿（这份草稿可能已被发布或被更新的草稿取代）。")
    validate(session=session, year=rev.year, data=dict(rev.data), kind=rev.kind)
    old = _published(session, rev.year, rev.key, rev.kind)
    if old is not None:
        old.status = "superseded"
    _apply(session, rev.year, rev.data, rev.kind)
    rev.status, rev.published_by, rev.published_at = "published", publisher, _now()
    summary = {"year": rev.year, "revision": rev.id, "kind": rev.kind, "key": rev.key}
    if rev.kind == "faq":
        summary["faq"] = rev.key
    session.add(KbVersion(source=f"{STAFF_SOURCE}{publisher}", loaded_at=dt.datetime.utcnow(), summary=summary))
    session.flush()
    return rev


def restore(*, session: Session, revision_id: int, author: str, can_publish: bool) -> KbRevision:
    """A new draft holding an earlier revision's text; published at once by someone who may."""
    old = session.get(KbRevision, revision_id)
    if old is None:
        raise RevisionError("没有这个修订。")
    rev = save_draft(session=session, year=old.year, data=dict(old.data), author=author,
                     note=f"恢复为修订 #{old.id}", kind=old.kind)
    return publish(session=session, revision_id=rev.id, publisher=author) if can_publish else rev


def current_revision(*, session: Session, year: int, key: str, kind: str = "faq") -> int | None:
    """The id of the published revision a reply is rendered from (None: the text of the first
    import, before any revision was recorded)."""
    # every publish adds a knowledge version: a message's session keeps the answer for the version
    found: int | None = queries.per_version(session, ("revision", year, key, kind), lambda: session.scalar(
        select(KbRevision.id).where(KbRevision.year == year, KbRevision.key == key, KbRevision.kind == kind,
                                    KbRevision.status == "published").order_by(KbRevision.id.desc()).limit(1)))
    return found


def history(*, session: Session, year: int, key: str, kind: str = "faq") -> list[KbRevision]:
    return list(session.scalars(select(KbRevision).where(KbRevision.year == year, KbRevision.key == key,
                                                         KbRevision.kind == kind)
                                .order_by(KbRevision.id.desc())))


def drafts(*, session: Session, year: int) -> list[KbRevision]:
    return list(session.scalars(select(KbRevision).where(KbRevision.year == year, KbRevision.status == "draft")
                                .order_by(KbRevision.id.desc())))


def as_text(data: dict[str, Any] | None) -> list[str]:
    if not data:
        return []
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=60).splitlines()


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What changed, as unified-diff lines of the entry's YAML."""
    return list(difflib.unified_diff(as_text(before), as_text(after), "之前", "之后", lineterm="", n=1))


def previous(*, session: Session, rev: KbRevision) -> KbRevision | None:
    """The revision this one is compared with: the latest published one before it."""
    found: KbRevision | None = session.scalar(select(KbRevision).where(KbRevision.year == rev.year, KbRevision.key == rev.key,
                                                                       KbRevision.kind == rev.kind, KbRevision.id < rev.id,
                                                                       KbRevision.status.in_(("published", "superseded")),
                                                                       KbRevision.published_at.is_not(None))
                                              .order_by(KbRevision.id.desc()).limit(1))
    return found


# -- kb load: import knowledge/ only when it changed, never over newer staff edits -------------

def files_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (*loader.FILES, "directory.yml"):
        path = Path(directory) / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return digest.hexdigest()


def last_import(*, session: Session) -> KbVersion | None:
    found: KbVersion | None = session.scalar(select(KbVersion).where(~KbVersion.source.startswith(STAFF_SOURCE))
                                             .order_by(KbVersion.id.desc()).limit(1))
    return found


def staff_edits_since_import(*, session: Session, year: int) -> list[str]:
    """Entries published by staff after the last import of knowledge/ (by the versions' order)."""
    last = last_import(session=session)
    query = select(KbVersion).where(KbVersion.source.startswith(STAFF_SOURCE))
    if last is not None:
        query = query.where(KbVersion.id > last.id)
    keys = [v.summary.get("key") or v.summary.get("faq") for v in session.scalars(query.order_by(KbVersion.id))
            if v.summary.get("year") == year]
    return list(dict.fromkeys(k for k in keys if k))


def record_import(*, session: Session, knowledge: loader.Knowledge) -> list[str]:
    """Before a load: a published revision (author kb load) for every FAQ entry and reply template
    whose text changes, so their history shows the import too."""
    year = knowledge.year
    changed = []
    for kind, items in (("faq", knowledge.faq), ("wording", knowledge.wording)):
        for data in items:
            key = data["id"]
            if live_data(session, year, kind, key) == _plain(data, kind):
                continue
            _baseline(session, year, key, kind)
            for old in session.scalars(select(KbRevision).where(KbRevision.year == year, KbRevision.key == key,
                                                                KbRevision.kind == kind,
                                                                KbRevision.status == "published")):
                old.status = "superseded"
            session.add(KbRevision(year=year, kind=kind, key=key, data=_plain(data, kind), status="published",
                                   author=LOADER, created_at=_now(), published_by=LOADER, published_at=_now(),
                                   note="从 knowledge/ 导入"))
            changed.append(key)
    session.flush()
    return changed
