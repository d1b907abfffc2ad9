"""Importing the official tables into the directory: the institutions (附件1) and the 脱钩 list (附件3).

Official tables are imported from CSV or XLSX (read by bot.tables, as every import is):

  directory  (zhicheng kb import-directory FILE), one institution per row, header row first:
    series     系列 (a name or alias of knowledge/series.yml)             required
    level      初级 | 中级 | 副高级 | 正高级 (or 助理/副高/正高…); empty or 各级别 = every level
    district   the 16 districts or 经开区 (short names like 朝阳, 亦庄 accepted);
               required for 工程技术 初级 (五(一)), else optional
    name       机构名称                                                   required
    committee  评审委员会                                                 optional
    phone      联系电话, e.g. 010-12345678, 12345678, 13812345678; several
               separated by 、 , ; or /                                   optional
    address    地址                                                      optional
    source     来源; empty = "导入：<file name>"                           optional
    verified   true/false (是/否); empty = true (an official table)        optional
  associations (zhicheng kb import-list associations FILE):
    name (单位名称), source, verified as above.
  Chinese headers are accepted too (系列, 级别, 区, 机构名称, 评审委员会, 联系电话, 地址, 来源, 已核实).

Every row is validated; the ImportReport lists rejected rows (line, reason); good rows are
upserted in the caller's transaction — the CLI commits them once, as one transaction.
Keys: (series, level, district, name) for institutions, the normalised name for associations.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.advisor.directory_rows import (
    ASSOCIATION_COLUMNS,
    DIRECTORY_COLUMNS,
    HEADER_ALIASES,
    _key,
    _verified,
    name_key,
    validate_institution,
)
from bot.advisor.models import DecoupledAssociation, Institution
from bot.tables import Columns, ImportReport, Rejected, Table, read_table

DIRECTORY = "评审服务机构目录"
ASSOCIATIONS = "全国性行业协会商会脱钩改革名单"
DIRECTORY_TABLE = Columns(DIRECTORY_COLUMNS, ("series", "name"), HEADER_ALIASES)
ASSOCIATION_TABLE = Columns(ASSOCIATION_COLUMNS, ("name",), HEADER_ALIASES)


def _find(session: Session, row: dict[str, Any]) -> Institution | None:
    conds = [Institution.series == row["series"], Institution.name == row["name"]]
    for col in ("level", "district"):
        attr = getattr(Institution, col)
        conds.append(attr.is_(None) if row[col] is None else attr == row[col])
    return session.scalars(select(Institution).where(*conds)).first()


_FIELDS = ("committee", "phone", "address", "verified", "source")


def _upsert(session: Session, row: dict[str, Any], origin: str, report: ImportReport, now: dt.datetime) -> None:
    existing = _find(session, row)
    if existing is None:
        session.add(Institution(**row, origin=origin, updated_at=now))
        report.added += 1
        return
    if origin == "yaml" and existing.origin == "import":
        report.kept += 1
        return
    if all(getattr(existing, f) == row[f] for f in _FIELDS) and existing.origin == origin:
        report.unchanged += 1
        return
    for f in _FIELDS:
        setattr(existing, f, row[f])
    existing.origin = origin
    existing.updated_at = now
    report.updated += 1


def _report(what: str, path: Path, table: Table) -> ImportReport:
    return ImportReport(what=what, file=path.name, rows=len(table.rows) + len(table.rejected),
                        rejected=list(table.rejected), ignored_columns=table.ignored)


def import_directory(path: Path, *, session: Session) -> ImportReport:
    """Validate a CSV/XLSX institution table and upsert its good rows (caller's transaction)."""
    path = Path(path)
    table = read_table(path, DIRECTORY_TABLE)
    report = _report(DIRECTORY, path, table)
    seen: dict[tuple[str, str | None, str | None, str], int] = {}
    good = []
    for line, raw in table.rows:
        row, reasons = validate_institution(raw, default_source=f"导入：{path.name}", default_verified=True)
        if row is not None and _key(row) in seen:
            reasons = [f"与第{seen[_key(row)]}行重复"]
            row = None
        if row is None:
            report.rejected.append(Rejected(line, "；".join(reasons)))
            continue
        seen[_key(row)] = line
        good.append(row)
    now = dt.datetime.now()
    for row in good:
        _upsert(session, row, "import", report, now)
    session.flush()
    report.rejected.sort(key=lambda r: r.line)
    return report


def import_associations(path: Path, *, session: Session) -> ImportReport:
    """Validate a CSV/XLSX list of 附件3 units and upsert its good rows (caller's transaction)."""
    path = Path(path)
    table = read_table(path, ASSOCIATION_TABLE)
    report = _report(ASSOCIATIONS, path, table)
    seen: dict[str, int] = {}
    now = dt.datetime.now()
    for line, raw in table.rows:
        name = raw.get("name", "")
        reasons = []
        if not name:
            reasons.append("名称 name 为空")
        elif len(name) > 200:
            reasons.append("名称超过 200 个字符")
        verified = _verified(raw, True, reasons)
        key = name_key(name)
        if not reasons and key in seen:
            reasons.append(f"与第{seen[key]}行重复")
        if reasons:
            report.rejected.append(Rejected(line, "；".join(reasons)))
            continue
        seen[key] = line
        source = raw.get("source") or f"导入：{path.name}"
        existing = session.scalars(select(DecoupledAssociation).where(DecoupledAssociation.key == key)).first()
        if existing is None:
            session.add(DecoupledAssociation(name=name, key=key, verified=verified, source=source, updated_at=now))
            report.added += 1
        elif (existing.name, existing.verified, existing.source) == (name, verified, source):
            report.unchanged += 1
        else:
            existing.name, existing.verified, existing.source, existing.updated_at = name, verified, source, now
            report.updated += 1
    session.flush()
    report.rejected.sort(key=lambda r: r.line)
    return report
