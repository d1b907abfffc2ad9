"""Per-answer feedback from the web widget: 👍/👎, an optional "哪里不对" comment.

Each row keeps what staff need to fix an answer: the question, the answer text, the FAQ entry
it came from, the clauses it cited, the conversation id (to open the transcript) and the time.
The FAQ entry is the one the reply named (a message `{"custom": {"faq_id": ...}}`, which the
widget sends along) when it exists, else the one whose answer text the reply carries, else the
one entry citing exactly the same clauses (the closest text among several). ID and mobile numbers in the texts are
replaced as everywhere else (bot.status.vault.scrub); the widget never sends verification
digits (it shows and sends "••••").
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.feedback_model import Feedback

RATINGS = ("up", "down")
MAX_QUESTION = 1000
MAX_ANSWER = 4000
MAX_COMMENT = 500
MAX_CLAUSES = 20
_CONVERSATION = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
_FAQ_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CITATION = re.compile(r"^依据：\S+\s+(.+)$", re.MULTILINE)


class FeedbackError(ValueError):
    """Input the API refuses; the text is shown to the client."""


@dataclass(frozen=True)
class FeedbackInput:
    conversation_id: str
    rating: str
    answer: str
    question: str | None
    comment: str | None
    faq_id: str | None = None  # as the reply named it; checked against the knowledge base


def _text(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FeedbackError(f"{key} 必须是字符串")
    value = value.strip()
    if len(value) > limit:
        raise FeedbackError(f"{key} 最长 {limit} 个字符")
    return value or None


def _required_text(body: dict[str, Any], key: str, limit: int) -> str:
    """Like `_text`, but missing, empty and blank are all refused."""
    value = _text(body, key, limit)
    if value is None:
        raise FeedbackError(f"缺少 {key}")
    return value


def parse(body: Any) -> FeedbackInput:
    """Check a request body: a JSON object with sender, rating, answer (question, comment optional)."""
    if not isinstance(body, dict):
        raise FeedbackError("请求体必须是 JSON 对象")
    sender = body.get("sender")
    if not isinstance(sender, str) or not _CONVERSATION.fullmatch(sender):
        raise FeedbackError("sender 必须是 1–128 个字母、数字或 _ . : @ -")
    rating = body.get("rating")
    if rating not in RATINGS:
        raise FeedbackError("rating 必须是 up 或 down")
    answer = _required_text(body, "answer", MAX_ANSWER)
    faq_id = body.get("faq_id")
    if faq_id is not None and not (isinstance(faq_id, str) and _FAQ_ID.fullmatch(faq_id)):
        raise FeedbackError("faq_id 必须是 1–64 个字母、数字或 _ . -")
    return FeedbackInput(conversation_id=sender, rating=rating, answer=answer,
                         question=_text(body, "question", MAX_QUESTION),
                         comment=_text(body, "comment", MAX_COMMENT), faq_id=faq_id)


def cited_clauses(answer: str) -> list[str]:
    """The clause ids of the answer's citation line (依据：京人社事业字〔2024〕96号 一、三(一)1)."""
    ids: list[str] = []
    for m in _CITATION.finditer(answer):
        ids += [c.strip() for c in m.group(1).split("、") if c.strip()]
    return [c[:32] for c in ids][:MAX_CLAUSES]


def matching_faq(*, session: Session, answer: str, named: str | None = None) -> tuple[int, str] | None:
    """(year, id) of the FAQ entry behind a reply: the one it named, else the one whose answer
    text it carries (the longest), else the only one citing the same clauses (the closest text
    when several do), else None."""
    from bot.kb import queries
    from bot.kb.models import FaqEntry
    year = queries.current_year(session=session)
    if year is None:
        return None
    if named and queries.faq_by_id(session=session, year=year, faq_id=named) is not None:
        return year, named
    entries = list(session.execute(select(FaqEntry.id, FaqEntry.answer, FaqEntry.clauses)
                                   .where(FaqEntry.year == year)))
    carried = [(len(text), faq_id) for faq_id, text, _ in entries if text and text in answer]
    if carried:
        return year, max(carried)[1]
    cited = cited_clauses(answer)
    same = [(faq_id, text) for faq_id, text, clauses in entries if cited and list(clauses or []) == cited]
    if not same:
        return None
    body = _CITATION.sub("", answer)
    return year, max(same, key=lambda e: difflib.SequenceMatcher(None, e[1], body).ratio())[0]


def record(*, session: Session, data: FeedbackInput, now: dt.datetime | None = None) -> Feedback:
    from bot.status.vault import scrub

    def clean(text: str | None) -> str | None:
        return None if text is None else scrub(text)

    found = matching_faq(session=session, answer=data.answer, named=data.faq_id)
    row = Feedback(at=now or dt.datetime.now(), conversation_id=data.conversation_id, rating=data.rating,
                   comment=clean(data.comment), question=clean(data.question), answer=scrub(data.answer),
                   faq_id=found[1] if found else None, year=found[0] if found else None,
                   clauses=cited_clauses(data.answer))
    session.add(row)
    session.flush()
    return row
