"""The institution directory (附件1) and the 脱钩 list (附件3): queries.

The rows come from knowledge/directory.yml (bot.advisor.directory_file) and from the official
tables staff import (bot.advisor.directory_import, read by bot.tables and checked
by bot.advisor.directory_rows).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.advisor.entities import normalize_district, normalize_level, normalize_series
from bot.advisor.models import Institution


@dataclass(frozen=True)
class DirectoryEntry:
    """One institution, detached from the database."""

    series: str
    level: str | None
    district: str | None
    name: str
    committee: str | None = None
    phone: str | None = None
    address: str | None = None
    verified: bool = False
    source: str = ""


def _entry(inst: Institution) -> DirectoryEntry:
    return DirectoryEntry(series=inst.series, level=inst.level, district=inst.district, name=inst.name,
                          committee=inst.committee, phone=inst.phone, address=inst.address,
                          verified=bool(inst.verified), source=inst.source)


def find_institutions(*, session: Session, series: str, level: str | None, district: str | None = None
                      ) -> list[DirectoryEntry]:
    """Institutions for a series and level (rows for every level included); with a district,
    rows of that district or of none; without one, every district. Verified and specific rows first."""
    s = normalize_series(series) or series
    query = select(Institution).where(Institution.series == s)
    if level:
        lv = normalize_level(level) or level
        query = query.where(or_(Institution.level == lv, Institution.level.is_(None)))
    if district:
        d = normalize_district(district) or district
        query = query.where(or_(Institution.district == d, Institution.district.is_(None)))
    rows = session.scalars(query).all()
    rows = sorted(rows, key=lambda r: (not r.verified, r.level is None, r.district is None, r.district or "",
                                       r.name))
    return [_entry(r) for r in rows]


def all_institutions(*, session: Session) -> list[DirectoryEntry]:
    rows = session.scalars(select(Institution).order_by(Institution.series, Institution.level,
                                                        Institution.district, Institution.name)).all()
    return [_entry(r) for r in rows]

