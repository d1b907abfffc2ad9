"""Working days (chinese_calendar: statutory holidays and 调休 make-up days) and the state of
each schedule stage against today. Pure functions; `today` is always passed in (bot.clock).

The notice counts working days for publicity: 参保单位…进行不少于5个工作日公示 (三(一)2) and the
results publicity 不少于5个工作日 (三(一)6). chinese_calendar knows the State Council's
holiday arrangements for a range of years only; outside it CalendarUnavailable is raised and
the state text leaves the working days out rather than guessing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import chinese_calendar

from bot.wording import say

if TYPE_CHECKING:
    from bot.kb.models import ScheduleStage

# a stage as the database holds it, or as schedule.yml does (a dict with the same names)
Stage: TypeAlias = "ScheduleStage | dict[str, Any]"

PUBLICITY_WORKING_DAYS = {"三(一)2": 5}  # clause -> 不少于N个工作日公示


class CalendarUnavailable(ValueError):
    """chinese_calendar has no holiday data for the year asked."""


def is_working_day(day: dt.date) -> bool:
    try:
        workday: bool = chinese_calendar.is_workday(day)
        return workday
    except NotImplementedError:
        raise CalendarUnavailable(f"没有{day.year}年的法定节假日安排数据，无法计算工作日") from None


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n < 0 goes back; n == 0 is start."""
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the closed range [start, end]; 0 when end is before start."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def nth_working_day(start: dt.date, n: int) -> dt.date:
    """The n-th working day counting `start` itself when it is one (n >= 1): the last day of an
    n-working-day publicity that starts on `start`."""
    if n < 1:
        raise ValueError("n 必须大于等于 1")
    first = start if is_working_day(start) else add_working_days(start, 1)
    return add_working_days(first, n - 1)


def latest_start(deadline: dt.date, n: int) -> dt.date:
    """The latest day an n-working-day period can start and still end by `deadline` (inclusive)."""
    last = deadline if is_working_day(deadline) else add_working_days(deadline, -1)
    return add_working_days(last, -(n - 1))


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class StageStatus:
    key: str
    name: str
    state: str  # not_open | open | closed
    days: int | None  # not_open: days until it opens; open: days left including today; closed: None
    working_days: int | None  # open: working days left including today (None if unknown)
    text: str
    clause: str
    start: dt.date | None
    end: dt.date


def _get(stage: Stage, name: str, default: Any = None) -> Any:
    if isinstance(stage, dict):
        return stage.get(name, default)
    return getattr(stage, name, default)


def _publicity_note(end: dt.date, today: dt.date, n: int) -> str:
    try:
        if_today = nth_working_day(today, n)
        last_start = latest_start(end, n)
    except CalendarUnavailable:
        return ""
    values = dict(workdays=n, if_today=md(if_today), end=md(end), last_start=md(last_start))
    note = say("schedule.publicity", **values)
    if today > last_start:
        note += say("schedule.publicity_late", **values)
    return note


def stage_status(stage: Stage, today: dt.date, *, year: int | None = None) -> StageStatus:
    """The state of one stage (a ScheduleStage row or a schedule.yml dict) on `today`."""
    key, name, clause = _get(stage, "key"), _get(stage, "name"), _get(stage, "clause")
    start, end, end_text = _get(stage, "start"), _get(stage, "end"), _get(stage, "end_text")
    year = year or _get(stage, "year") or end.year
    if start is not None and today < start:
        days = (start - today).days
        text = say("schedule.not_open", stage=name, start=md(start), end=end_text or md(end), days=days)
        return StageStatus(key, name, "not_open", days, None, text, clause, start, end)
    if today <= end:
        days = (end - today).days + 1
        try:
            work = working_days_between(today, end)
        except CalendarUnavailable:
            work = None
        if start is None:  # only a deadline is known (答辩评审: 11月底前)
            text = say("schedule.due", stage=name, end=end_text or say("schedule.before", date=md(end)), days=days)
        elif end_text:
            text = say("schedule.open_until", stage=name, end=end_text, days=days)
        elif today == end:
            text = say("schedule.closes_today", stage=name, end=md(end))
        elif work is None:
            text = say("schedule.open", stage=name, end=md(end), days=days)
        else:
            text = say("schedule.open_workdays", stage=name, end=md(end), days=days, workdays=work)
        n = PUBLICITY_WORKING_DAYS.get(clause)
        if n:
            text += _publicity_note(end, today, n)
        return StageStatus(key, name, "open", days, work, text, clause, start, end)
    if end_text:
        text = say("schedule.passed", stage=name, stage_year=year, end=end_text)
    else:
        text = say("schedule.closed", stage=name, end=ymd(end))
    if today.year > year:
        text += say("schedule.later_year", today_year=today.year)
    return StageStatus(key, name, "closed", None, None, text, clause, start, end)


def as_of(today: dt.date) -> str:
    """The prefix that makes a deadline sentence say which day it was computed for."""
    return say("schedule.as_of", date=ymd(today))


def schedule_states(stages: Iterable[Stage], today: dt.date) -> list[StageStatus]:
    """The state of every stage on `today`, in the given order."""
    return [stage_status(s, today) for s in stages]
