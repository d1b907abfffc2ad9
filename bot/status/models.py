"""SQLAlchemy models of application status: records, stage history, lookup audit, failures.

Personal data is kept to what a status reply needs: the name only masked (张*明), the
verification factors only as salted keyed hashes (bot.status.security), never an ID number.
Datetimes are naive Beijing time.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from bot.base import Base


class Application(Base):
    __tablename__ = "status_application"
    application_id: Mapped[str] = Column(String(40), primary_key=True)  # 申报编号
    year: Mapped[int] = Column(Integer, nullable=False)
    name_masked: Mapped[str] = Column(String(32), nullable=False)
    salt: Mapped[str] = Column(String(32), nullable=False)
    id4_hash: Mapped[str] = Column(String(64), nullable=False)
    phone4_hash = Column(String(64))  # None: the export had no phone number
    series: Mapped[str] = Column(String(64), nullable=False)
    level: Mapped[str] = Column(String(32), nullable=False)
    committee: Mapped[str] = Column(String(128), nullable=False)
    # the current stage: a copy of the latest StageEvent, kept for quick reads
    stage: Mapped[str] = Column(String(32), nullable=False)
    stage_since: Mapped[dt.datetime] = Column(DateTime, nullable=False)
    deadline = Column(Date)
    note = Column(Text)
    reason = Column(Text)
    updated_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.now)
    history: Mapped[list[StageEvent]] = relationship("StageEvent", back_populates="application", cascade="all, delete-orphan",
                           order_by="[StageEvent.at, StageEvent.id]")


class StageEvent(Base):
    """One stage reached at one time. Appended, never overwritten: (application, stage, at) is unique."""

    __tablename__ = "status_stage_event"
    __table_args__ = (UniqueConstraint("application_id", "stage", "at", name="uq_status_event"),)
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = Column(String(40), ForeignKey("status_application.application_id", ondelete="CASCADE"),
                            nullable=False, index=True)
    stage: Mapped[str] = Column(String(32), nullable=False)
    at: Mapped[dt.datetime] = Column(DateTime, nullable=False)
    deadline = Column(Date)
    note = Column(Text)
    reason = Column(Text)
    source = Column(String(200))
    recorded_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.now)
    application: Mapped[Application] = relationship("Application", back_populates="history")


class LookupAudit(Base):
    """Every lookup, by a user or an agent. Never the factor, never an ID number."""

    __tablename__ = "status_lookup_audit"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = Column(DateTime, nullable=False, index=True)
    channel: Mapped[str] = Column(String(32), nullable=False)
    conversation_id = Column(String(128))  # redacted (bot.status.security.redact)
    agent = Column(String(64))
    application_id = Column(String(40), index=True)  # set only when such an application exists
    supplied_id = Column(String(64))  # what was typed, redacted, when no application matched
    factor_kind = Column(String(8))  # id4 | phone4 | None for agents
    result: Mapped[str] = Column(String(16), nullable=False)  # ok | no_match | locked
    detail = Column(String(32))  # unknown_id | wrong_factor | bad_factor | agent_verified | conversation | application


class LookupFailure(Base):
    """A failed lookup, counted per key for rate limiting; rows older than the window are purged."""

    __tablename__ = "status_lookup_failure"
    __table_args__ = (Index("ix_status_failure_key_at", "key", "at"),)
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = Column(String(80), nullable=False)  # "conversation:", "client:" or "application:" + digest
    client = Column(String(64))  # digest of the client address the failure came from
    at: Mapped[dt.datetime] = Column(DateTime, nullable=False, index=True)


class PendingFactor(Base):
    """A conversation that was just asked for its verification factor (keyed pseudonymously)."""

    __tablename__ = "status_pending_factor"
    sender_key: Mapped[str] = Column(String(64), primary_key=True)
    application_id = Column(String(40))
    expires_at: Mapped[dt.datetime] = Column(DateTime, nullable=False)


class SealedFactor(Base):
    """A typed factor, encrypted with the server secret, kept until the action reads it (once)."""

    __tablename__ = "status_sealed_factor"
    token: Mapped[str] = Column(String(32), primary_key=True)
    sender_key: Mapped[str] = Column(String(64), nullable=False)
    client_key = Column(String(64))  # digest of the client address that typed it (rate limits)
    ciphertext: Mapped[str] = Column(Text, nullable=False)
    expires_at: Mapped[dt.datetime] = Column(DateTime, nullable=False)


class SecretCheck(Base):
    """A keyed digest of a fixed text: proves every process (and host) uses the same status secret."""

    __tablename__ = "status_secret_check"
    id: Mapped[int] = Column(Integer, primary_key=True)
    digest: Mapped[str] = Column(String(64), nullable=False)
