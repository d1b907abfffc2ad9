"""Deadline state of a schedule stage against a given day: a pure function."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StageState:
    key: str
    name: str
    state: str  # not_open | open | closed
    days: int | None  # days until it opens (not_open) or days left including today (open)
    text: str
    clause: str


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def stage_state(*, key: str, name: str, start: dt.date | None, end: dt.date, clause: str,
                year: int, today: dt.date, end_text: str | None = None) -> StageState:
    end_label = end_text or md(end)
    if start is not None and today < start:
        days = (start - today).days
        text = f"按今天（{today.year}年{md(today)}）计算：{year}年度{name}还没开始，{md(start)}开始，还有{days}天。"
        return StageState(key, name, "not_open", days, text, clause)
    if today <= end:
        days = (end - today).days + 1
        text = f"按今天（{today.year}年{md(today)}）计算：{year}年度{name}正在进行，{end_label}截止，还剩{days}天（含今天）。"
        return StageState(key, name, "open", days, text, clause)
    text = f"按今天（{today.year}年{md(today)}）计算：{year}年度{name}已于{year}年{end_label}结束。"
    if today.year > year:
        text += f"{today.year}年度的安排以当年发布的通知为准，可拨打12333咨询。"
    return StageState(key, name, "closed", None, text, clause)
