"""The unanswered-question inbox: what the bot could not answer, grouped by similarity.

Questions come from bot.kb.queries.record_unanswered (digits already masked). A group is the
questions whose character bigrams overlap enough (Jaccard ≥ SIMILAR) with the group's first
question; each group shows its count, first and last dates and the entry retrieval thought of
most. A staff member links a group to an existing entry — its questions become that entry's
retrieval keywords (a revision: a draft, published at once by someone who may publish) — or
dismisses it. Handled questions leave the inbox; the questions themselves are kept.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session

from bot.base import Base
from bot.kb import revisions
from bot.kb.models import FaqEntry, UnansweredQuestion
from bot.text import normalize

SIMILAR = 0.34
MAX_KEYWORD = 40
MAX_OPEN = 2000  # newest open questions grouped per page view
PER_PAGE = 25  # groups on one page of the inbox


class InboxDecision(Base):
    __tablename__ = "unanswered_decision"
    question_id: Mapped[int] = Column(Integer, ForeignKey("unanswered.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = Column(String(16), nullable=False)  # linked | dismissed
    faq_id = Column(String(64))
    by: Mapped[str] = Column(String(64), nullable=False)
    at: Mapped[dt.datetime] = Column(DateTime, nullable=False)


@dataclass
class Group:
    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    suggested: str | None = None
    _grams: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def key(self) -> str:
        return ",".join(str(i) for i in sorted(self.ids))


def _grams(text: str) -> set[str]:
    chars = [c for c in normalize(text) if c.isalnum()]
    return {"".join(chars[i:i + 2]) for i in range(len(chars) - 1)} or set(chars)


def groups(*, session: Session) -> list[Group]:
    """Open questions grouped by similarity, the largest (then the newest) group first."""
    handled = select(InboxDecision.question_id)
    rows = list(session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.not_in(handled))
                                .order_by(UnansweredQuestion.id.desc()).limit(MAX_OPEN)))
    out: list[Group] = []
    tops: dict[int, Counter[str]] = {}
    for row in reversed(rows):  # oldest first: a group is named by its first question
        grams = _grams(row.text)
        best, best_score = None, 0.0
        for i, g in enumerate(out):
            score = len(grams & g._grams) / (len(grams | g._grams) or 1)
            if score > best_score:
                best, best_score = i, score
        if best is None or best_score < SIMILAR:
            out.append(Group(_grams=grams))
            best = len(out) - 1
        g = out[best]
        g.ids.append(row.id)
        if row.text not in g.texts:
            g.texts.append(row.text)
        g.first = min(g.first or row.asked_at, row.asked_at)
        g.last = max(g.last or row.asked_at, row.asked_at)
        if row.top_faq:
            tops.setdefault(best, Counter())[row.top_faq] += 1
    for i, g in enumerate(out):
        if i in tops:
            g.suggested = tops[i].most_common(1)[0][0]
    return sorted(out, key=lambda g: (g.count, g.last), reverse=True)


@dataclass
class Page:
    """One page of the inbox: its groups, and what the whole (searched) inbox holds."""
    groups: list[Group]
    number: int
    pages: int
    total_groups: int
    total_questions: int
    query: str


def page(*, session: Session, number: int = 1, query: str = "") -> Page:
    """Page `number` of the groups, PER_PAGE at a time, in `groups`' order; with `query`, only the
    groups with a question that contains it (compared normalised: simplified, half-width, case)."""
    found = groups(session=session)
    query = query.strip()[:100]
    wanted = normalize(query).strip().lower()
    if wanted:
        found = [g for g in found if any(wanted in normalize(t).lower() for t in g.texts)]
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    number = min(max(1, number), pages)
    return Page(groups=found[(number - 1) * PER_PAGE:number * PER_PAGE], number=number, pages=pages,
                total_groups=len(found), total_questions=sum(g.count for g in found), query=query)


def _ids(raw: str) -> list[int]:
    try:
        ids = sorted({int(x) for x in (raw or "").split(",") if x.strip()})
    except ValueError:
        raise ValueError("问题编号无效") from None
    if not ids or len(ids) > MAX_OPEN:
        raise ValueError("没有选中问题")
    return ids


def _open_questions(session: Session, ids: list[int]) -> list[UnansweredQuestion]:
    handled = select(InboxDecision.question_id)
    rows = list(session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids),
                                                                 UnansweredQuestion.id.not_in(handled))))
    if not rows:
        raise ValueError("这些问题已经处理过了")
    return rows


def dismiss(*, session: Session, ids: str, by: str) -> int:
    rows = _open_questions(session, _ids(ids))
    now = dt.datetime.now()
    session.add_all([InboxDecision(question_id=r.id, action="dismissed", by=by, at=now) for r in rows])
    return len(rows)


def link(*, session: Session, ids: str, faq_id: str, by: str, can_publish: bool) -> revisions.KbRevision:
    """The group's questions become the entry's retrieval keywords (a validated revision)."""
    if not faq_id:
        raise ValueError("请先选择要关联的条目")
    rows = _open_questions(session, _ids(ids))
    year = session.scalar(select(FaqEntry.year).where(FaqEntry.id == faq_id).order_by(FaqEntry.year.desc()).limit(1))
    entry = session.get(FaqEntry, (year, faq_id)) if year else None
    if entry is None:
        raise ValueError(f"没有问答条目“{faq_id[:64]}”")
    data = revisions.entry_data(entry)
    keywords = list(data.get("keywords", []))
    for r in rows:
        text = normalize(r.text).strip()[:MAX_KEYWORD]
        if text and "*" not in text and text not in keywords:
            keywords.append(text)
    data["keywords"] = keywords
    rev = revisions.save_draft(session=session, year=year, data=data, author=by,
                               note=f"收件箱：{len(rows)} 个没能回答的问题加为检索关键词")
    if can_publish:
        revisions.publish(session=session, revision_id=rev.id, publisher=by)
    now = dt.datetime.now()
    session.add_all([InboxDecision(question_id=r.id, action="linked", faq_id=faq_id, by=by, at=now) for r in rows])
    return rev


NEW_ID = __import__("re").compile(r"[a-z][a-z0-9_]{1,63}")


def create_entry(*, session: Session, ids: str, data: dict[str, Any], by: str, can_publish: bool) -> revisions.KbRevision:
    """A new FAQ entry from a group: its questions become the entry's keywords (validated like kb check)."""
    rows = _open_questions(session, _ids(ids)) if ids else []
    faq_id = str(data.get("id") or "")
    if not NEW_ID.fullmatch(faq_id):
        raise ValueError("条目 id 必须是 2–64 个小写字母、数字或下划线，以字母开头")
    year = session.scalar(select(func.max(FaqEntry.year)))
    if year is None or session.get(FaqEntry, (year, faq_id)) is not None:
        raise ValueError(f"条目 id {faq_id} 已存在，请换一个")
    keywords = list(data.get("keywords") or [])
    for r in rows:
        text = normalize(r.text).strip()[:MAX_KEYWORD]
        if text and "*" not in text and text not in keywords:
            keywords.append(text)
    if keywords:
        data = {**data, "keywords": keywords}
    rev = revisions.save_draft(session=session, year=year, data=data, author=by,
                               note=f"新条目（收件箱：{len(rows)} 个问题）" if rows else "新条目")
    if can_publish:
        revisions.publish(session=session, revision_id=rev.id, publisher=by)
    now = dt.datetime.now()
    session.add_all([InboxDecision(question_id=r.id, action="linked", faq_id=faq_id, by=by, at=now) for r in rows])
    return rev
