"""The stages of an application (三(一)1–7 of the notice) and the status reply: pure functions.

`render_status(view, today=..., notice_number=...)` turns an ApplicationView into the text
an applicant or an agent reads: masked name, series/level/committee, the current stage in
plain words, what to do next and by when (against `today`), and the citation line.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answers import citation
from bot.calendar import CalendarUnavailable, md, nth_working_day
from bot.wording import say


@dataclass(frozen=True)
class Stage:
    """A stage: what the code decides with. Its words are templates `status.stage.<code>.*`: label
    (its name in the reply), meaning (the stage in plain words), next_step, and for a stage with a
    deadline its deadline_label, what is said when none is recorded (no_deadline) and after it has
    passed (overdue)."""

    code: str
    name: str  # the evaluation system's name of the stage (its exports and the importer use it)
    clauses: tuple[str, ...]
    has_deadline: bool = False  # a deadline applies to the applicant at this stage
    schedule_key: str | None = None  # the notice's schedule stage that gives the default deadline
    workdays: int | None = None  # deadline = this many working days from the stage start
    final: bool = False

    def _text(self, part: str) -> str:
        return say(f"status.stage.{self.code}.{part}")

    @property
    def label(self) -> str:
        """The stage as the reply names it (the template; `name` stays the system's, for imports)."""
        return self._text("label")

    @property
    def meaning(self) -> str:
        return self._text("meaning")

    @property
    def next_step(self) -> str:
        return self._text("next_step")

    @property
    def deadline_label(self) -> str | None:
        return self._text("deadline_label") if self.has_deadline else None

    @property
    def no_deadline(self) -> str | None:
        return self._text("no_deadline") if self.has_deadline else None

    @property
    def overdue(self) -> str | None:
        return self._text("overdue") if self.has_deadline else None


STAGES: tuple[Stage, ...] = (
    Stage("submitted", "个人已提交", ("三(一)2", "三(一)2第2段"), has_deadline=True, schedule_key="unit_review"),
    Stage("unit_review", "单位审核中", ("三(一)2",), has_deadline=True, schedule_key="unit_review"),
    Stage("unit_recommended", "单位已推荐", ("三(一)3",)),
    Stage("institution_review", "机构审核中", ("三(一)3",)),
    Stage("returned", "退回补正", ("三(一)3",), has_deadline=True),
    Stage("awaiting_payment", "待缴费", ("三(一)4",), has_deadline=True),
    Stage("paid", "已缴费待评审", ("三(一)4", "三(一)5")),
    Stage("defense_notified", "答辩已通知", ("三(一)5",), has_deadline=True),
    Stage("reviewed", "已评审", ("三(一)6",)),
    Stage("publicity", "公示中", ("三(一)6",), has_deadline=True, workdays=5),
    Stage("certified", "证书已核发", ("三(一)7",), final=True),
    Stage("abandoned", "视为放弃", ("三(一)3", "三(一)4"), final=True),
    Stage("failed", "未通过", ("三(一)5第2段", "四(三)"), final=True),
)

BY_CODE: dict[str, Stage] = {s.code: s for s in STAGES}
BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}


def stage_for(value: str | None) -> Stage | None:
    """The stage named by its code (`returned`) or its Chinese name (`退回补正`)."""
    v = (value or "").strip()
    return BY_CODE.get(v) or BY_CODE.get(v.lower()) or BY_NAME.get(v)


@dataclass(frozen=True)
class HistoryItem:
    stage: str  # code
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True)
class ApplicationView:
    """What a status reply may show: no factor, no full name."""

    application_id: str
    year: int
    name_masked: str
    series: str
    level: str
    committee: str
    stage: str  # code
    stage_since: dt.datetime
    deadline: dt.date | None = None
    corrections: tuple[str, ...] = ()
    reason: str | None = None
    history: tuple[HistoryItem, ...] = ()


_ITEM_SEP = re.compile(r"[；;\n\r]+")
_NUMBERING = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|[①-⑳]|[-•·*])\s*")


def split_corrections(note: str | None) -> tuple[str, ...]:
    """The correction items of a 退回补正 note: split on ；/; and newlines, numbering removed."""
    items = (_NUMBERING.sub("", part).strip(" \t。") for part in _ITEM_SEP.split(note or ""))
    return tuple(i for i in items if i)


def _date(day: dt.date, today: dt.date) -> str:
    return md(day) if day.year == today.year else f"{day.year}年{md(day)}"


def deadline_text(stage: Stage, *, deadline: dt.date | None, since: dt.date | None, today: dt.date,
                  schedule: Mapping[str, dt.date] | None = None) -> str | None:
    """The deadline line of a stage against today, or None when no deadline applies.

    The application's own deadline wins; else the notice's schedule date (`schedule_key`);
    else a period of working days from the stage start (公示); else the stage's `no_deadline`.
    """
    if stage.deadline_label is None:
        return None
    label = stage.deadline_label
    if deadline is None and stage.schedule_key and schedule and schedule.get(stage.schedule_key):
        deadline, label = schedule[stage.schedule_key], say("status.deadline.by_notice", label=label)
    if deadline is None and stage.workdays and since is not None:
        start = _date(since, today)
        try:
            end = nth_working_day(since, stage.workdays)
        except CalendarUnavailable:  # no official holiday data for that year: no guessed date
            return say("status.deadline.workdays_unknown", label=label, since=start, workdays=stage.workdays)
        values = dict(label=label, end=_date(end, today), since=start, workdays=stage.workdays)
        if today > end:
            return say("status.deadline.workdays_over", **values, overdue=stage.overdue or "")
        if today == end:
            return say("status.deadline.workdays_today", **values)
        return say("status.deadline.workdays_left", **values, days=(end - today).days + 1)
    if deadline is None:
        return stage.no_deadline
    when = _date(deadline, today)
    if today > deadline:
        return say("status.deadline.past", label=label, when=when, overdue=stage.overdue or "")
    days = (deadline - today).days
    if stage.code == "defense_notified":
        if days == 0:
            return say("status.deadline.defense_today", label=label, when=when)
        return say("status.deadline.defense_days", label=label, when=when, days=days)
    tail = say(f"status.deadline.tail.{stage.code}") if stage.code in _TAILS else ""
    if days == 0:
        return say("status.deadline.today", label=label, when=when, tail=tail)
    return say("status.deadline.left", label=label, when=when, days=days + 1, tail=tail)


_TAILS = ("returned", "awaiting_payment")  # stages whose deadline line says what missing it costs


def abandon_clauses(reason: str | None) -> tuple[str, ...]:
    """视为放弃 cites 三(一)4 for late payment, 三(一)3 for late correction, both when unclear."""
    r = reason or ""
    if "缴费" in r and "补正" not in r:
        return ("三(一)4",)
    if "补正" in r and "缴费" not in r:
        return ("三(一)3",)
    return ("三(一)3", "三(一)4")


def clauses_for(view: ApplicationView) -> tuple[str, ...]:
    stage = BY_CODE[view.stage]
    return abandon_clauses(view.reason) if stage.code == "abandoned" else stage.clauses


def render_status(view: ApplicationView, *, today: dt.date, notice_number: str,
                  schedule: Mapping[str, dt.date] | None = None) -> str:
    """The status reply. `schedule` maps the notice's schedule keys (e.g. unit_review) to end dates."""
    stage = BY_CODE[view.stage]
    since = view.stage_since.date() if view.stage_since else None
    lines = [
        say("status.line.applicant", name=view.name_masked, application_id=view.application_id, app_year=view.year),
        say("status.line.series", series=view.series, level=view.level, committee=view.committee),
        say("status.line.stage_since", stage=stage.label, since=_date(since, today)) if since
        else say("status.line.stage", stage=stage.label),
        stage.meaning,
    ]
    if stage.code == "returned":
        if view.corrections:
            lines.append(say("status.line.corrections"))
            lines += [f"{i}. {item}" for i, item in enumerate(view.corrections, 1)]
        else:
            lines.append(say("status.line.no_corrections"))
    if stage.code == "abandoned":
        lines.append(say("status.line.reason", reason=view.reason) if view.reason else say("status.line.no_reason"))
    lines.append(say("status.line.next_step", step=stage.next_step))
    due = deadline_text(stage, deadline=view.deadline, since=since, today=today, schedule=schedule)
    if due:
        lines.append(due)
    lines.append(citation(notice_number, list(clauses_for(view))))
    return "\n".join(lines)
