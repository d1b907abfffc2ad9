"""SQLAlchemy models of the advisor: the institution directory (附件1) and the 脱钩 list (附件3).

Rows come from knowledge/directory.yml (origin "yaml") or from staff imports of the official
tables (origin "import"). A fact that is not in the notice keeps its source and verified=False.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped

from bot.base import Base


class Institution(Base):
    """Who handles a series and level (and, for 工程技术 初级, a district: 五(一))."""

    __tablename__ = "advisor_institution"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    series: Mapped[str] = Column(String(32), nullable=False, index=True)  # canonical series name
    level = Column(String(16))  # 初级 | 中级 | 副高级 | 正高级; None: every level
    district = Column(String(16))  # canonical district; None: not district-specific
    name: Mapped[str] = Column(String(200), nullable=False)
    committee = Column(String(200))
    phone = Column(String(100))
    address = Column(String(300))
    verified: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    source: Mapped[str] = Column(Text, nullable=False)
    origin: Mapped[str] = Column(String(16), nullable=False, default="import")  # yaml | import
    updated_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.now)


class DecoupledAssociation(Base):
    """One unit of 《全国性行业协会商会脱钩改革名单》 (附件3)."""

    __tablename__ = "advisor_decoupled_association"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = Column(String(200), nullable=False)
    key: Mapped[str] = Column(String(200), nullable=False, unique=True)  # the name normalised for matching
    verified: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    source: Mapped[str] = Column(Text, nullable=False)
    updated_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.now)
