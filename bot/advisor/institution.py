"""Which institution / committee handles this applicant? (二, 三(一)1, 三(二), 三(三), 五(一))

found | unverified | refer | unknown | need_info. `directory` is any iterable of entries with
the attributes of bot.advisor.directory.DirectoryEntry (e.g. find_institutions's result);
the function filters it itself, so passing the whole directory is fine.
"""
from __future__ import annotations

from collections.abc import Iterable

from bot.advisor import entities as E
from bot.advisor.directory import DirectoryEntry
from bot.advisor.entities import SeriesInfo, series_catalog
from bot.advisor.verdict import Facts, Verdict, need_info, unique
from bot.wording import say

K = "institution"


def _describe(e: DirectoryEntry) -> str:
    parts = [e.name]
    if e.committee:
        parts.append(say("institution.entry.committee", committee=e.committee))
    if e.phone:
        parts.append(say("institution.entry.phone", phone=e.phone))
    if e.address:
        parts.append(say("institution.entry.address", address=e.address))
    text = "，".join(parts)
    if not e.verified:
        text += say("institution.entry.unverified", source=e.source)
    return text


def _matches(e: DirectoryEntry, series: str, level: str, district: str | None, by_district: bool) -> bool:
    if e.series != series or (e.level is not None and e.level != level):
        return False
    if by_district:
        return e.district == district
    return e.district is None or e.district == district


def _contact_note(entries: list[DirectoryEntry]) -> list[str]:
    if any(e.phone for e in entries):
        return []
    return [say("institution.no_contact")]


def decide_institution(facts: Facts, *, directory: Iterable[DirectoryEntry],
                       catalog: dict[str, SeriesInfo] | None = None) -> Verdict:
    catalog = series_catalog() if catalog is None else catalog
    f = facts
    if not f.series:
        return need_info(K, ["series"], [say("institution.why")], ["二"])
    info = catalog.get(f.series)
    if info is not None and info.method == "职务评审":
        return Verdict(K, "refer", say("institution.elsewhere.summary", series=info.name),
                       reasons=[say("institution.elsewhere.reason")],
                       clauses=["三(二)"], next_steps=[say("institution.elsewhere.next_step")])
    if f.employer == E.SELF_EVALUATING:
        return Verdict(K, "refer", say("institution.self_evaluating.summary"),
                       reasons=[say("institution.self_evaluating.reason")],
                       clauses=["三(三)", "二"], next_steps=[say("institution.self_evaluating.next_step")])
    if not f.level:  # the directory is where to look, whatever the level turns out to be
        return need_info(K, ["level"], [say("institution.why_level")], ["二"])

    by_district = f.series == "工程技术" and f.level == "初级"
    reasons: list[str] = []
    clauses = ["二"]
    if by_district:
        clauses = ["五(一)", "二"]
        reasons.append(say("institution.by_district"))
        if not f.district:
            return need_info(K, ["district"], reasons, clauses)
        reasons.append(say("institution.your_district", district=f.district))
    else:
        reasons.append(say("institution.by_annex1"))
        if f.series == "工程技术" or f.level == "初级":  # "中级也按区报吗", "出版初级也去区里报吗"
            clauses = ["二", "五(一)"]
            reasons.append(say("institution.not_by_district", series=f.series, level=f.level))

    entries = [e for e in directory if _matches(e, f.series, f.level, f.district, by_district)]
    verified = [e for e in entries if e.verified]
    specific = [e for e in verified if e.level is not None] or verified
    steps = [say("institution.choose"), say("institution.ask")]
    clauses.append("三(一)1")
    if specific:
        reasons += [say("institution.found.entry", entry=_describe(e)) for e in specific]
        return Verdict(K, "found", say("institution.found.summary", series=f.series, level=f.level,
                                       names="、".join(e.name for e in specific)),
                       reasons=unique(reasons + _contact_note(specific)), clauses=unique(clauses),
                       next_steps=steps, institutions=specific)
    if entries:
        reasons += [say("institution.unverified.entry", entry=_describe(e)) for e in entries]
        reasons.append(say("institution.unverified.reason"))
        return Verdict(K, "unverified", say("institution.unverified.summary", series=f.series, level=f.level),
                       reasons=unique(reasons + _contact_note(entries)), clauses=unique(clauses),
                       next_steps=steps, institutions=entries)
    where = say("institution.unknown.where", district=f.district) if by_district else ""
    reasons.append(say("institution.unknown.reason", where=where, series=f.series, level=f.level))
    return Verdict(K, "unknown", say("institution.unknown.summary"),
                   reasons=unique(reasons), clauses=unique(clauses),
                   next_steps=[say("institution.unknown.next_step"), say("institution.choose")])
