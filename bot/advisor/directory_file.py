"""knowledge/directory.yml (staff-edited, shipped): validated like the other knowledge files, loaded into the directory.

Any problem raises bot.kb.loader.KnowledgeError listing (file, entry, reason) and nothing is
written. Its rows are upserted with origin "yaml"; a key already held by an imported official
row keeps the imported data.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.advisor.directory_import import DIRECTORY, _upsert
from bot.advisor.directory_rows import DIRECTORY_COLUMNS, _key, validate_institution
from bot.advisor.models import Institution
from bot.config import settings
from bot.kb.loader import KnowledgeError, Problem
from bot.tables import ImportReport, cell_text


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
    entries: list[dict[str, Any]] = []
    seen: dict[tuple[str, str | None, str | None, str], int] = {}  # row key → its item number
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
        if not cell_text(item.get("source")):
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


def load_directory_file(path: Path | None = None, *, session: Session) -> ImportReport:
    """Load directory.yml in the caller's transaction.

    Its rows are upserted (origin "yaml"); yaml rows no longer in the file are removed; a key
    already held by an imported official row keeps the imported data.
    """
    path = Path(path or settings().knowledge_file("directory.yml"))
    entries = read_directory_file(path)
    report = ImportReport(what=DIRECTORY, file=path.name, rows=len(entries))
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
