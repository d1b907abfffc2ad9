"""Read, validate and load knowledge/*.yml into the database.

`read_knowledge` parses and validates every file and returns a `Knowledge` (plain dicts)
or raises `KnowledgeError` listing every problem as (file, entry, reason). `load` writes a
validated `Knowledge` in one transaction: on any error the database keeps its content.
bot.kb.exporter reads the database back into the same dict shape, so load -> export round-trips.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.kb.models import Clause, FaqEntry, KbVersion, Notice, ScheduleStage, Series, Template
from bot.wording import check as wording_check

FILES = ("notice.yml", "faq.yml", "schedule.yml", "series.yml", "wording.yml")
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
CLAUSE_KINDS = ("paragraph", "heading")
METHODS = ("资格评审", "职务评审")


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.entry}]" if self.entry else "")
        return f"{where}: {self.reason}"


class KnowledgeError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Knowledge:
    notice: dict[str, Any]
    clauses: list[dict[str, Any]]
    faq: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    series: list[dict[str, Any]]
    wording: list[dict[str, Any]] = field(default_factory=list)  # {"id": "group.name", "text": …}

    @property
    def year(self) -> int:
        return self.notice["year"]

    def as_files(self) -> dict[str, dict[str, Any]]:
        """The content of each YAML file, in the shape staff edit."""
        return {
            "notice.yml": {"notice": self.notice, "clauses": self.clauses},
            "faq.yml": {"year": self.year, "faq": self.faq},
            "schedule.yml": {"year": self.year, "stages": self.stages},
            "series.yml": {"year": self.year, "series": self.series},
            "wording.yml": {"year": self.year, "groups": wording_check.as_groups(self.wording)},
        }


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, entry: Any, reason: str) -> None:
        self.problems.append(Problem(file, None if entry is None else str(entry), reason))


def _read_yaml(path: Path, chk: _Checker) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        chk.add(path.name, None, "文件不存在")
    except UnicodeDecodeError:
        chk.add(path.name, None, "不是 UTF-8 编码")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        chk.add(path.name, None, f"YAML 语法错误 {where}: {getattr(exc, 'problem', exc)}")
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list_of_str(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    return None


def _entries(doc: Any, key: str, file: str, chk: _Checker) -> list[dict]:
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        chk.add(file, None, f"缺少列表字段 {key}")
        return []
    out = []
    for i, item in enumerate(doc[key], start=1):
        if isinstance(item, dict):
            out.append(item)
        else:
            chk.add(file, f"第{i}条", "条目必须是键值对")
    return out


def _check_notice(doc: Any, chk: _Checker) -> tuple[dict, list[dict]]:
    f = "notice.yml"
    head = doc.get("notice") if isinstance(doc, dict) else None
    notice: dict[str, Any] = {}
    if not isinstance(head, dict):
        chk.add(f, None, "缺少 notice 段")
    else:
        notice["number"] = _text(head.get("number"))
        if not notice["number"]:
            chk.add(f, "notice", "缺少文号 number")
        year = head.get("year")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            chk.add(f, "notice", f"年份无效: {year!r}")
        notice["year"] = year
        published = _date(head.get("published"))
        if published is None:
            chk.add(f, "notice", f"发布日期无效: {head.get('published')!r}")
        notice["published"] = published
        notice["issuer"] = _text(head.get("issuer"))
        if not notice["issuer"]:
            chk.add(f, "notice", "缺少发文机关 issuer")
    clauses, seen = [], set()
    raw = _entries(doc, "clauses", f, chk)
    for item in raw:
        cid = _text(item.get("id"))
        if not cid:
            chk.add(f, item.get("title"), "条款缺少 id")
            continue
        if cid in seen:
            chk.add(f, cid, "条款 id 重复")
            continue
        seen.add(cid)
        rec = {"id": cid, "kind": item.get("kind", "paragraph"), "title": _text(item.get("title")),
               "text": _text(item.get("text"))}
        if rec["kind"] not in CLAUSE_KINDS:
            chk.add(f, cid, f"kind 必须是 {'/'.join(CLAUSE_KINDS)}")
        if not rec["title"]:
            chk.add(f, cid, "缺少标题 title")
        if not rec["text"]:
            chk.add(f, cid, "条款正文为空")
        if item.get("parent") is not None:
            rec["parent"] = _text(item.get("parent"))
        if item.get("note") is not None:
            rec["note"] = _text(item.get("note"))
        clauses.append(rec)
    for rec in clauses:
        if rec.get("parent") and rec["parent"] not in seen:
            chk.add(f, rec["id"], f"上级条款 {rec['parent']} 不存在")
    return notice, clauses


def _check_year(doc: Any, file: str, year: Any, chk: _Checker) -> None:
    if isinstance(doc, dict) and doc.get("year") != year:
        chk.add(file, None, f"year {doc.get('year')!r} 与通知年份 {year!r} 不一致")


def _check_stages(doc: Any, clause_ids: set[str], chk: _Checker) -> list[dict]:
    f = "schedule.yml"
    stages, seen = [], set()
    for item in _entries(doc, "stages", f, chk):
        key = _text(item.get("key"))
        if not key or key in seen:
            chk.add(f, key or item.get("name"), "阶段 key 缺失或重复")
            continue
        seen.add(key)
        rec: dict[str, Any] = {"key": key, "name": _text(item.get("name"))}
        if not rec["name"]:
            chk.add(f, key, "缺少阶段名称 name")
        for edge in ("start", "end"):
            if item.get(edge) is None:
                continue
            day = _date(item.get(edge))
            if day is None:
                chk.add(f, key, f"{edge} 日期无效: {item.get(edge)!r}")
                continue
            rec[edge] = day
            wd = item.get(f"{edge}_weekday")
            if wd is not None and wd != WEEKDAYS[day.weekday()]:
                chk.add(f, key, f"{edge} {day} 是{WEEKDAYS[day.weekday()]}，不是{wd}")
            rec[f"{edge}_weekday"] = WEEKDAYS[day.weekday()]
        if "end" not in rec:
            chk.add(f, key, "缺少截止日期 end")
        if "start" in rec and "end" in rec and rec["start"] > rec["end"]:
            chk.add(f, key, "开始日期晚于截止日期")
        if item.get("end_text") is not None:
            rec["end_text"] = _text(item.get("end_text"))
        rec["clause"] = _text(item.get("clause"))
        if rec["clause"] not in clause_ids:
            chk.add(f, key, f"引用了不存在的条款 {rec['clause']!r}")
        stages.append(rec)
    return stages


def _check_faq(doc: Any, clause_ids: set[str], stage_keys: set[str], chk: _Checker) -> list[dict]:
    f = "faq.yml"
    entries, seen, intents = [], set(), {}
    for item in _entries(doc, "faq", f, chk):
        fid = _text(item.get("id"))
        if not fid:
            chk.add(f, item.get("question"), "问答缺少 id")
            continue
        if fid in seen:
            chk.add(f, fid, "问答 id 重复")
            continue
        seen.add(fid)
        rec: dict[str, Any] = {"id": fid}
        if item.get("intent") is not None:
            rec["intent"] = _text(item.get("intent"))
            if rec["intent"] in intents:
                chk.add(f, fid, f"intent {rec['intent']} 已被 {intents[rec['intent']]} 使用")
            intents[rec["intent"]] = fid
        for key in ("topic", "question", "answer"):
            rec[key] = _text(item.get(key))
            if not rec[key]:
                chk.add(f, fid, f"{key} 为空")
        clauses = _list_of_str(item.get("clauses"))
        if not clauses:
            chk.add(f, fid, "必须引用至少一个条款 clauses")
            clauses = []
        for cid in clauses:
            if cid not in clause_ids:
                chk.add(f, fid, f"引用了不存在的条款 {cid!r}")
        rec["clauses"] = clauses
        keywords = _list_of_str(item.get("keywords"))
        if keywords is None:
            chk.add(f, fid, "keywords 必须是非空字符串列表")
        elif keywords:
            rec["keywords"] = keywords
        if item.get("schedule") is not None:
            rec["schedule"] = _text(item.get("schedule"))
            if rec["schedule"] not in stage_keys:
                chk.add(f, fid, f"schedule 引用了不存在的阶段 {rec['schedule']!r}")
        if item.get("verified") is not None:
            if not isinstance(item["verified"], bool):
                chk.add(f, fid, "verified 必须是 true 或 false")
            rec["verified"] = bool(item["verified"])
        if item.get("source") is not None:
            rec["source"] = _text(item.get("source"))
        if item.get("enabled") is not None:
            if not isinstance(item["enabled"], bool):
                chk.add(f, fid, "enabled 必须是 true 或 false")
            elif item["enabled"] is False:
                rec["enabled"] = False
        if rec.get("verified") is False and not rec.get("source"):
            chk.add(f, fid, "未核实（verified: false）的条目必须写明来源 source")
        entries.append(rec)
    return entries


def _check_series(doc: Any, clause_ids: set[str], chk: _Checker) -> list[dict]:
    f = "series.yml"
    out, seen = [], set()
    for item in _entries(doc, "series", f, chk):
        name = _text(item.get("name"))
        if not name or name in seen:
            chk.add(f, name or None, "系列名称缺失或重复")
            continue
        seen.add(name)
        rec: dict[str, Any] = {"name": name, "method": item.get("method"), "clause": _text(item.get("clause"))}
        if rec["method"] not in METHODS:
            chk.add(f, name, f"method 必须是 {'/'.join(METHODS)}")
        if rec["clause"] not in clause_ids:
            chk.add(f, name, f"引用了不存在的条款 {rec['clause']!r}")
        aliases = _list_of_str(item.get("aliases"))
        if aliases is None:
            chk.add(f, name, "aliases 必须是字符串列表")
        rec["aliases"] = aliases or []
        for flag in ("high_skill", "freelancer", "exam_for_deputy_senior"):
            if item.get(flag) is not None:
                if not isinstance(item[flag], bool):
                    chk.add(f, name, f"{flag} 必须是 true 或 false")
                rec[flag] = bool(item[flag])
        out.append(rec)
    return out


def _check_wording(doc: Any, chk: _Checker) -> list[dict]:
    """Every template the code uses, each with only the placeholders the code supplies (bot.wording.check)."""
    templates, problems = wording_check.check_file(doc)
    for entry, reason in problems:
        chk.add("wording.yml", entry, reason)
    return templates


def read_knowledge(directory: Path) -> Knowledge:
    """Parse and validate every knowledge file; raise KnowledgeError listing all problems."""
    chk = _Checker()
    docs = {name: _read_yaml(Path(directory) / name, chk) for name in FILES}
    return check_docs(docs, chk)


def check_docs(docs: dict[str, Any], chk: _Checker | None = None) -> Knowledge:
    """Validate parsed files (name → document, None when unreadable): the checks of `kb check`,
    also used by the staff workbench on an edited copy, so both give the same messages."""
    chk = chk or _Checker()
    notice, clauses = _check_notice(docs["notice.yml"], chk)
    year = notice.get("year")
    clause_ids = {c["id"] for c in clauses}
    for name in FILES[1:]:
        if docs[name] is not None:
            _check_year(docs[name], name, year, chk)
    stages = _check_stages(docs["schedule.yml"], clause_ids, chk) if docs["schedule.yml"] is not None else []
    stage_keys = {s["key"] for s in stages}
    faq = _check_faq(docs["faq.yml"], clause_ids, stage_keys, chk) if docs["faq.yml"] is not None else []
    series = _check_series(docs["series.yml"], clause_ids, chk) if docs["series.yml"] is not None else []
    wording = _check_wording(docs["wording.yml"], chk) if docs["wording.yml"] is not None else []
    if chk.problems:
        raise KnowledgeError(chk.problems)
    return Knowledge(notice=notice, clauses=clauses, faq=faq, stages=stages, series=series, wording=wording)


_SERIES_FLAGS = ("high_skill", "freelancer", "exam_for_deputy_senior")


def load(knowledge: Knowledge, *, session: Session, source: str) -> KbVersion:
    """Replace the year's knowledge in the database, in the caller's transaction."""
    year = knowledge.year
    for model in (FaqEntry, ScheduleStage, Series, Template, Clause, Notice):
        session.execute(delete(model).where(model.year == year))
    session.add(Notice(year=year, number=knowledge.notice["number"], issuer=knowledge.notice["issuer"],
                       published=knowledge.notice["published"]))
    for pos, c in enumerate(knowledge.clauses):
        session.add(Clause(year=year, position=pos, id=c["id"], kind=c["kind"], title=c["title"],
                           parent=c.get("parent"), text=c["text"], note=c.get("note")))
    for pos, s in enumerate(knowledge.stages):
        session.add(ScheduleStage(year=year, position=pos, key=s["key"], name=s["name"], start=s.get("start"),
                                  end=s["end"], end_text=s.get("end_text"), clause=s["clause"]))
    for pos, e in enumerate(knowledge.faq):
        session.add(FaqEntry(year=year, position=pos, id=e["id"], intent=e.get("intent"), topic=e["topic"],
                             question=e["question"], answer=e["answer"], clauses=e["clauses"],
                             keywords=e.get("keywords", []), schedule=e.get("schedule"),
                             verified=e.get("verified", True), source=e.get("source"),
                             enabled=e.get("enabled", True)))
    for pos, s in enumerate(knowledge.series):
        session.add(Series(year=year, position=pos, name=s["name"], method=s["method"], clause=s["clause"],
                           aliases=s["aliases"], flags={k: s[k] for k in _SERIES_FLAGS if k in s}))
    for pos, t in enumerate(knowledge.wording):
        session.add(Template(year=year, position=pos, id=t["id"], text=t["text"]))
    version = KbVersion(source=source, summary={"year": year, "clauses": len(knowledge.clauses),
                                                "faq": len(knowledge.faq), "stages": len(knowledge.stages),
                                                "series": len(knowledge.series), "wording": len(knowledge.wording)})
    session.add(version)
    session.flush()
    return version
