"""SQLAlchemy models of the knowledge base."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, relationship

from bot.base import Base


class Notice(Base):
    __tablename__ = "notice"
    year: Mapped[int] = Column(Integer, primary_key=True)
    number: Mapped[str] = Column(String(64), nullable=False)
    issuer: Mapped[str] = Column(String(64), nullable=False)
    published: Mapped[dt.date] = Column(Date, nullable=False)
    clauses: Mapped[list[Clause]] = relationship("Clause", back_populates="notice", cascade="all, delete-orphan",
                           order_by="Clause.position")


class Clause(Base):
    __tablename__ = "clause"
    year: Mapped[int] = Column(Integer, ForeignKey("notice.year", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = Column(String(32), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False)
    kind: Mapped[str] = Column(String(16), nullable=False)
    title: Mapped[str] = Column(String(128), nullable=False)
    parent = Column(String(32))
    text: Mapped[str] = Column(Text, nullable=False)
    note = Column(Text)
    notice: Mapped[Notice] = relationship("Notice", back_populates="clauses")


class FaqEntry(Base):
    __tablename__ = "faq"
    year: Mapped[int] = Column(Integer, primary_key=True)
    id: Mapped[str] = Column(String(64), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False)
    intent = Column(String(64), index=True)
    topic: Mapped[str] = Column(String(32), nullable=False)
    question: Mapped[str] = Column(Text, nullable=False)
    answer: Mapped[str] = Column(Text, nullable=False)
    clauses: Mapped[list[str]] = Column(JSON, nullable=False)
    keywords: Mapped[list[str]] = Column(JSON, nullable=False, default=list)
    schedule = Column(String(32))
    verified: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    source = Column(Text)
    # a disabled entry stays in the database and its history, but the bot never answers with it,
    # and neither retrieval nor the console finds it (bot.kb.queries, bot.kb.search); added to an
    # older database at start by bot.db.add_missing_columns
    enabled: Mapped[bool] = Column(Boolean, nullable=False, default=True, server_default=true())


class ScheduleStage(Base):
    __tablename__ = "schedule_stage"
    year: Mapped[int] = Column(Integer, primary_key=True)
    key: Mapped[str] = Column(String(32), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False)
    name: Mapped[str] = Column(String(64), nullable=False)
    start = Column(Date)
    end: Mapped[dt.date] = Column(Date, nullable=False)  # kb check refuses a stage without one
    end_text = Column(String(32))
    clause: Mapped[str] = Column(String(32), nullable=False)


class Series(Base):
    __tablename__ = "series"
    year: Mapped[int] = Column(Integer, primary_key=True)
    name: Mapped[str] = Column(String(32), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False)
    method: Mapped[str] = Column(String(16), nullable=False)
    clause: Mapped[str] = Column(String(32), nullable=False)
    aliases: Mapped[list[str]] = Column(JSON, nullable=False, default=list)
    flags: Mapped[dict[str, bool]] = Column(JSON, nullable=False, default=dict)


class Template(Base):
    """A reply sentence (knowledge/wording.yml): `id` is "group.name", `text` a str.format template
    with named placeholders (bot.wording)."""

    __tablename__ = "wording"
    year: Mapped[int] = Column(Integer, primary_key=True)
    id: Mapped[str] = Column(String(96), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)


class KbVersion(Base):
    """One row per successful load; retrieval caches key on the latest id."""

    __tablename__ = "kb_version"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    loaded_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    source: Mapped[str] = Column(Text, nullable=False)
    summary: Mapped[dict[str, Any]] = Column(JSON, nullable=False)


class UnansweredQuestion(Base):
    """Questions the bot could not answer confidently, for staff to review."""

    __tablename__ = "unanswered"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    asked_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    text: Mapped[str] = Column(Text, nullable=False)
    reason: Mapped[str] = Column(String(32), nullable=False)
    top_faq = Column(String(64))
    top_score = Column(String(16))
