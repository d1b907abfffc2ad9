"""The table of per-answer feedback (bot.feedback checks and records it).

A module of its own so that the model registry (bot.models) imports only the table, not the
recording logic, which reaches bot.status.vault and from there the database session.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped

from bot.base import Base

MAX_CONVERSATION = 128


class Feedback(Base):
    __tablename__ = "answer_feedback"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = Column(DateTime, nullable=False, index=True)
    conversation_id: Mapped[str] = Column(String(MAX_CONVERSATION), nullable=False, index=True)
    rating: Mapped[str] = Column(String(8), nullable=False)  # up | down
    comment = Column(Text)  # "哪里不对", optional
    question = Column(Text)  # the user's message the answer replied to
    answer: Mapped[str] = Column(Text, nullable=False)
    faq_id = Column(String(64))  # the FAQ entry the answer renders, when one matches
    year = Column(Integer)  # the notice year of faq_id
    clauses: Mapped[list[str]] = Column(JSON, nullable=False, default=list)  # cited clause ids
