"""SQLAlchemy models of the knowledge base."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import relationship

from bot.base import Base


class Notice(Base):
    __tablename__ = "notice"
    year = Column(Integer, primary_key=True)
    number = Column(String(64), nullable=False)
    issuer = Column(String(64), nullable=False)
    published = Column(Date, nullable=False)
    clauses = relationship("Clause", back_populates="notice", cascade="all, delete-orphan",
                           order_by="Clause.position")


class Clause(Base):
    __tablename__ = "clause"
    year = Column(Integer, ForeignKey("notice.year", ondelete="CASCADE"), primary_key=True)
    id = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False)
    kind = Column(String(16), nullable=False)
    title = Column(String(128), nullable=False)
    parent = Column(String(32))
    text = Column(Text, nullable=False)
    note = Column(Text)
    notice = relationship("Notice", back_populates="clauses")


class FaqEntry(Base):
    __tablename__ = "faq"
    year = Column(Integer, primary_key=True)
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    intent = Column(String(64), index=True)
    topic = Column(String(32), nullable=False)
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    clauses = Column(JSON, nullable=False)
    keywords = Column(JSON, nullable=False, default=list)
    schedule = Column(String(32))
    verified = Column(Boolean, nullable=False, default=True)
    source = Column(Text)
    # a disabled entry stays in the database and its history, but the bot never answers with it,
    # and neither retrieval nor the console finds it (bot.kb.queries, bot.kb.search); added to an
    # older database at start by bot.db.add_missing_columns
    enabled = Column(Boolean, nullable=False, default=True, server_default=true())


class ScheduleStage(Base):
    __tablename__ = "schedule_stage"
    year = Column(Integer, primary_key=True)
    key = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False)
    name = Column(String(64), nullable=False)
    start = Column(Date)
    end = Column(Date)
    end_text = Column(String(32))
    clause = Column(String(32), nullable=False)


class Series(Base):
    __tablename__ = "series"
    year = Column(Integer, primary_key=True)
    name = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False)
    method = Column(String(16), nullable=False)
    clause = Column(String(32), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    flags = Column(JSON, nullable=False, default=dict)


class Template(Base):
    """A reply sentence (knowledge/wording.yml): `id` is "group.name", `text` a str.format template
    with named placeholders (bot.wording)."""

    __tablename__ = "wording"
    year = Column(Integer, primary_key=True)
    id = Column(String(96), primary_key=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class KbVersion(Base):
    """One row per successful load; retrieval caches key on the latest id."""

    __tablename__ = "kb_version"
    id = Column(Integer, primary_key=True, autoincrement=True)
    loaded_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    source = Column(Text, nullable=False)
    summary = Column(JSON, nullable=False)


class UnansweredQuestion(Base):
    """Questions the bot could not answer confidently, for staff to review."""

    __tablename__ = "unanswered"
    id = Column(Integer, primary_key=True, autoincrement=True)
    asked_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    text = Column(Text, nullable=False)
    reason = Column(String(32), nullable=False)
    top_faq = Column(String(64))
    top_score = Column(String(16))
