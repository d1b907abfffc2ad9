"""Hand-over to a person: a short code the user reads to a 12333 agent.

The user asks for a person ("转人工", or the widget's button); the bot answers with a code such
as `K7Q3` and the hotline number. The agent types the code into the console, which finds the
conversation id here and opens that conversation's transcript from Rasa's tracker store. Only
the conversation id, the reason and the times are stored: nothing the user typed.

    code = create(session=s, conversation_id=tracker.sender_id, reason="user_request")
    text = render(code)
    row = find(session=s, code="k7q3")   # None when unknown, expired or closed

A code is unique among the open (unexpired, not closed) ones; a conversation that already
holds an open code gets the same code again, so asking twice does not confuse the agent.
"""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, Column, DateTime, Integer, String, and_, select
from sqlalchemy.orm import Mapped, Session
from sqlalchemy.sql.elements import ColumnElement

from bot.base import Base
from bot.wording import say

# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: nothing a caller could read out two ways over the phone.
ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
LENGTH = 4
VALID_FOR = dt.timedelta(hours=24)
REASONS = ("user_request", "unanswered", "other")
_ATTEMPTS = 50


class Handover(Base):
    __tablename__ = "handover"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = Column(String(8), nullable=False, index=True)
    conversation_id: Mapped[str] = Column(String(128), nullable=False, index=True)  # Rasa's sender id
    reason: Mapped[str] = Column(String(16), nullable=False)  # one of REASONS
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)  # set by the agent console when the call is done


def _now() -> dt.datetime:
    return dt.datetime.now()


def _open(now: dt.datetime) -> ColumnElement[Boolean]:
    return and_(Handover.closed_at.is_(None), Handover.expires_at > now)


def normalize(code: str) -> str:
    """What a person types for a code: any case, spaces and dashes ignored."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\u3000")


def create(*, session: Session, conversation_id: str, reason: str = "user_request",
           now: dt.datetime | None = None) -> str:
    """An open code for this conversation (the existing one, or a new one valid for 24 hours)."""
    if not conversation_id or len(conversation_id) > 128:
        raise ValueError("conversation_id must be 1–128 characters")
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}")
    now = now or _now()
    existing: Handover | None = session.scalar(select(Handover).where(Handover.conversation_id == conversation_id, _open(now))
                              .order_by(Handover.created_at.desc()).limit(1))
    if existing is not None:
        return existing.code
    for _ in range(_ATTEMPTS):
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        taken = session.scalar(select(Handover.id).where(Handover.code == code, _open(now)).limit(1))
        if taken is None:
            session.add(Handover(code=code, conversation_id=conversation_id, reason=reason,
                                 created_at=now, expires_at=now + VALID_FOR))
            session.flush()
            return code
    raise RuntimeError("no free hand-over code")  # 23^4 = 279,841 codes: only with that many open


def find(*, session: Session, code: str, now: dt.datetime | None = None) -> Handover | None:
    """The open hand-over with this code, or None (unknown, expired or closed)."""
    wanted = normalize(code)
    if len(wanted) != LENGTH:
        return None
    row: Handover | None = session.scalar(select(Handover).where(Handover.code == wanted, _open(now or _now()))
                                          .order_by(Handover.created_at.desc()).limit(1))
    return row


def close(*, session: Session, code: str, now: dt.datetime | None = None) -> bool:
    """Mark a code done (the agent finished the call); False when there was no open code."""
    now = now or _now()
    row = find(session=session, code=code, now=now)
    if row is None:
        return False
    row.closed_at = now
    return True


def render(code: str) -> str:
    """The reply that hands the code to the user."""
    hours = int(VALID_FOR.total_seconds() // 3600)
    return say("service.handover", code=code, hours=hours)
