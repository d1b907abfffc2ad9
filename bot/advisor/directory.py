"""The institution directory (附件1) and the 脱钩 list (附件3): load, import, query.

knowledge/directory.yml (staff-edited, shipped) is validated like the other knowledge files:
any problem raises bot.kb.loader.KnowledgeError listing (file, entry, reason) and nothing
is written. Official tables are imported from CSV or XLSX:

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

Every row is validated; the Report lists rejected rows (line, reason); good rows are
upserted in the caller's transaction — the CLI commits them once, as one transaction.
Keys: (series, level, district, name) for institutions, the normalised name for associations.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.advisor.entities import LEVELS, normalize_district, normalize_level, normalize_series
from bot.advisor.models import DecoupledAssociation, Institution
from bot.config import settings
from bot.kb.loader import KnowledgeError, Problem

DIRECTORY_COLUMNS = ("series", "level", "district", "name", "committee", "phone", "address", "source", "verified")
ASSOCIATION_COLUMNS = ("name", "source", "verified")
HEADER_ALIASES = {
    "系列": "series", "系列（专业）": "series", "系列(专业)": "series", "职称系列": "series",
    "级别": "level", "层级": "level", "职称级别": "level",
    "区": "district", "所在区": "district", "区县": "district",
    "名称": "name", "机构名称": "name", "评审服务机构": "name", "评审服务机构名称": "name", "单位名称": "name",
    "协会名称": "name", "协会商会名称": "name",
    "评审委员会": "committee", "评委会": "committee", "评审委员会名称": "committee",
    "电话": "phone", "联系电话": "phone", "咨询电话": "phone",
    "地址": "address", "联系地址": "address", "办公地址": "address",
    "来源": "source", "核实": "verified", "已核实": "verified", "是否核实": "verified",
}
_PHONE = re.compile(r"^(?:(?:\(0\d{2,3}\)|0\d{2,3})-?)?\d{7,8}(?:(?:-|转|ext\.?)\d{1,6})?$"
                    r"|^1[3-9]\d{9}$|^1\d{4}$|^[48]00-?\d{3}-?\d{4}$", re.I)
_PHONE_SPLIT = re.compile(r"[、,;/]+")
_TRUE = {"true", "1", "yes", "y", "是", "已核实", "核实"}
_FALSE = {"false", "0", "no", "n", "否", "未核实"}
ALL_LEVELS = ("各级别", "全部", "所有级别")  # = an empty level
MAX_LEN = {"name": 200, "committee": 200, "phone": 100, "address": 300}


class ImportFileError(Exception):
    """The file cannot be read as a table at all; the message is one line of Chinese."""


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


@dataclass(frozen=True)
class Rejected:
    line: int  # the file's line (CSV) or row (XLSX) number, header = 1
    reason: str


@dataclass
class Report:
    file: str
    kind: str  # directory | associations
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept: int = 0  # directory.yml rows left alone because an import already holds that key
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.kept

    def lines(self) -> list[str]:
        what = "评审服务机构目录" if self.kind == "directory" else "全国性行业协会商会脱钩改革名单"
        out = [f"{what}（{self.file}）：共 {self.rows} 行，新增 {self.inserted}，更新 {self.updated}，"
               f"未变 {self.unchanged}，拒绝 {len(self.rejected)}。"]
        if self.removed:
            out.append(f"已删除 {self.removed} 条不再出现在文件中的条目。")
        if self.kept:
            out.append(f"{self.kept} 条已有导入的正式数据，保留导入数据。")
        if self.ignored_columns:
            out.append(f"忽略了未知的列：{'、'.join(self.ignored_columns)}。")
        if self.rejected:
            out.append("被拒绝的行：")
            out += [f"  第{r.line}行：{r.reason}" for r in self.rejected]
        return out


# --- cells and rows --------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    """A cell as stripped text (names keep their full-width punctuation)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _verified(raw: dict, default: bool, reasons: list) -> bool:
    """The row's `verified` cell, or `default` when empty; a bad value adds a reason."""
    if not raw.get("verified"):
        return default
    parsed = _bool(raw["verified"])
    if parsed is None:
        reasons.append(f"verified 应为 true/false（是/否）：{raw['verified']}")
        return default
    return parsed


def _bool(value: str) -> bool | None:
    v = _nfkc(value).lower()
    return True if v in _TRUE else False if v in _FALSE else None


def valid_phone(text: str) -> bool:
    parts = [p.strip().replace(" ", "") for p in _PHONE_SPLIT.split(_nfkc(text))]
    return bool(parts) and all(p and _PHONE.match(p) for p in parts)


def validate_institution(raw: dict[str, str], *, default_source: str,
                         default_verified: bool) -> tuple[dict[str, Any] | None, list[str]]:
    """A normalised row, or None and every reason it is rejected."""
    reasons: list[str] = []
    raw = {k: _cell(v) for k, v in raw.items()}
    series = normalize_series(raw.get("series")) if raw.get("series") else None
    if not raw.get("series"):
        reasons.append("系列 series 为空")
    elif series is None:
        reasons.append(f"未知的系列：{raw['series']}")
    level = None
    if raw.get("level") and raw["level"] not in ALL_LEVELS:
        level = normalize_level(raw["level"])
        if level not in LEVELS:
            reasons.append(f"级别无效：{raw['level']}（应为{'、'.join(LEVELS)}或留空）")
            level = None
    district = None
    if raw.get("district"):
        district = normalize_district(raw["district"])
        if district is None:
            reasons.append(f"未知的区：{raw['district']}")
    if series == "工程技术" and level == "初级" and not raw.get("district"):
        reasons.append("工程技术系列初级按参保单位所在区组织（五(一)），须填写区 district")
    name = raw.get("name", "")
    if not name:
        reasons.append("机构名称 name 为空")
    phone = _nfkc(raw.get("phone") or "") or None
    if phone and not valid_phone(phone):
        reasons.append(f"电话格式不正确：{phone}")
    verified = _verified(raw, default_verified, reasons)
    for key, limit in MAX_LEN.items():
        if len(raw.get(key) or "") > limit:
            reasons.append(f"{key} 超过 {limit} 个字符")
    if reasons:
        return None, reasons
    return {"series": series, "level": level, "district": district, "name": name,
            "committee": raw.get("committee") or None, "phone": phone, "address": raw.get("address") or None,
            "verified": verified, "source": raw.get("source") or default_source}, []


def _key(row: dict[str, Any]) -> tuple:
    return row["series"], row["level"], row["district"], row["name"]


def name_key(name: str) -> str:
    """An association name as compared: NFKC, simplified, no spaces, lower case."""
    from bot.text import to_simplified
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"\s+", "", to_simplified(text)).lower()


# --- reading files ---------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码：请把 CSV 保存为 UTF-8 或 GBK 编码")


def _csv_rows(path: Path) -> Iterable[tuple[int, list[Any]]]:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        raise ImportFileError(f"{path.name} 不是有效的 CSV 文本文件")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None


def _xlsx_rows(path: Path) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"{path.name} 不是有效的 XLSX 文件（{type(exc).__name__}）") from None
    try:
        sheet = wb.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        wb.close()


def read_table(path: Path, columns: tuple[str, ...], required: tuple[str, ...]
               ) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The data rows of a CSV/XLSX file as (line, {column: text}), and the ignored column names."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"找不到文件：{path}")
    if not path.is_file():
        raise ImportFileError(f"不是文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv")
    else:
        raise ImportFileError(f"不支持的文件类型“{suffix or '无扩展名'}”：请提供 .csv 或 .xlsx 文件")
    header: list[str | None] | None = None
    ignored: list[str] = []
    out: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        texts = [_cell(c) for c in cells]
        if not any(texts):
            continue
        if header is None:
            header = []
            for t in texts:
                name = HEADER_ALIASES.get(_nfkc(t), _nfkc(t).lower())
                if name in columns and name not in header:
                    header.append(name)
                else:
                    header.append(None)
                    if t:
                        ignored.append(t)
            missing = [c for c in required if c not in header]
            if missing:
                raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第一行应为表头：{', '.join(columns)}）")
            continue
        out.append((line, {col: texts[i] if i < len(texts) else "" for i, col in enumerate(header) if col}))
    if header is None:
        raise ImportFileError(f"{path.name} 是空文件")
    if not out:
        raise ImportFileError(f"{path.name} 只有表头，没有数据行")
    return out, ignored


# --- writing ---------------------------------------------------------------------------------------
def _find(session: Session, row: dict[str, Any]) -> Institution | None:
    conds = [Institution.series == row["series"], Institution.name == row["name"]]
    for col in ("level", "district"):
        attr = getattr(Institution, col)
        conds.append(attr.is_(None) if row[col] is None else attr == row[col])
    return session.scalars(select(Institution).where(*conds)).first()


_FIELDS = ("committee", "phone", "address", "verified", "source")


def _upsert(session: Session, row: dict[str, Any], origin: str, report: Report, now: dt.datetime) -> None:
    existing = _find(session, row)
    if existing is None:
        session.add(Institution(**row, origin=origin, updated_at=now))
        report.inserted += 1
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


def import_directory(path: Path, *, session: Session) -> Report:
    """Validate a CSV/XLSX institution table and upsert its good rows (caller's transaction)."""
    path = Path(path)
    rows, ignored = read_table(path, DIRECTORY_COLUMNS, ("series", "name"))
    report = Report(file=path.name, kind="directory", rows=len(rows), ignored_columns=ignored)
    seen: dict[tuple, int] = {}
    good = []
    for line, raw in rows:
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
    return report


def import_associations(path: Path, *, session: Session) -> Report:
    """Validate a CSV/XLSX list of 附件3 units and upsert its good rows (caller's transaction)."""
    path = Path(path)
    rows, ignored = read_table(path, ASSOCIATION_COLUMNS, ("name",))
    report = Report(file=path.name, kind="associations", rows=len(rows), ignored_columns=ignored)
    seen: dict[str, int] = {}
    now = dt.datetime.now()
    for line, raw in rows:
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
            report.inserted += 1
        elif (existing.name, existing.verified, existing.source) == (name, verified, source):
            report.unchanged += 1
        else:
            existing.name, existing.verified, existing.source, existing.updated_at = name, verified, source, now
            report.updated += 1
    session.flush()
    return report


# --- directory.yml ---------------------------------------------------------------------------------
def read_directory_file(path: Path | None = None) -> list[dict[str, Any]]:
    """Validated entries of directory.yml; KnowledgeError lists every problem as (file, entry, reason)."""
    path = Path(path or settings().knowledge_file("directory.yml"))
    fname = path.name
    problems: list[Problem] = []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError([Problem(fname, None, "文件不存在")]) from None
    except UnicodeDecodeError:
        raise KnowledgeError([Problem(fname, None, "不是 UTF-8 编码")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise KnowledgeError([Problem(fname, None, f"YAML 语法错误 {where}: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("institutions"), list):
        raise KnowledgeError([Problem(fname, None, "缺少列表字段 institutions")])
    entries, seen = [], {}
    for i, item in enumerate(doc["institutions"], start=1):
        label = f"第{i}条"
        if not isinstance(item, dict):
            problems.append(Problem(fname, label, "条目必须是键值对"))
            continue
        if item.get("name"):
            label = f"第{i}条 {item['name']}"
        unknown = sorted(set(item) - set(DIRECTORY_COLUMNS))
        if unknown:
            problems.append(Problem(fname, label, f"未知的字段：{', '.join(map(str, unknown))}"))
        if not isinstance(item.get("verified", False), bool):
            problems.append(Problem(fname, label, "verified 必须是 true 或 false"))
        if not _cell(item.get("source")):
            problems.append(Problem(fname, label, "必须写明来源 source"))
        raw = {k: item.get(k) for k in DIRECTORY_COLUMNS if k != "verified"}
        row, reasons = validate_institution(raw, default_source="", default_verified=False)
        problems += [Problem(fname, label, r) for r in reasons]
        if row is None:
            continue
        row["verified"] = item.get("verified", False) is True
        if _key(row) in seen:
            problems.append(Problem(fname, label, f"与第{seen[_key(row)]}条重复"))
            continue
        seen[_key(row)] = i
        entries.append(row)
    if problems:
        raise KnowledgeError(problems)
    return entries


def load_directory_file(path: Path | None = None, *, session: Session) -> Report:
    """Load directory.yml in the caller's transaction.

    Its rows are upserted (origin "yaml"); yaml rows no longer in the file are removed; a key
    already held by an imported official row keeps the imported data.
    """
    path = Path(path or settings().knowledge_file("directory.yml"))
    entries = read_directory_file(path)
    report = Report(file=path.name, kind="directory", rows=len(entries))
    keys = {_key(e) for e in entries}
    for inst in session.scalars(select(Institution).where(Institution.origin == "yaml")).all():
        if (inst.series, inst.level, inst.district, inst.name) not in keys:
            session.delete(inst)
            report.removed += 1
    session.flush()
    now = dt.datetime.now()
    for row in entries:
        _upsert(session, row, "yaml", report, now)
    session.flush()
    return report


# --- queries ---------------------------------------------------------------------------------------
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
