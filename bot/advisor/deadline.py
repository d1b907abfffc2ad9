"""Can I still apply? The personal-application window (三(一)1) against today, as a Verdict."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bot.advisor.eligibility import APPLY_STEP
from bot.advisor.verdict import Verdict, unique
from bot.calendar import StageStatus, md, schedule_states, ymd
from bot.config import HOTLINE

K = "deadline"


def decide_deadline(stages: Iterable[Any], *, today: dt.date, key: str = "personal_apply") -> Verdict:
    """not_open | open | closed | unknown for stage `key`, with every stage's state as reasons."""
    states: list[StageStatus] = schedule_states(stages, today)
    current = next((s for s in states if s.key == key), None)
    if current is None:
        return Verdict(K, "unknown", "日程里没有找到这个阶段。", reasons=["知识库中没有这个阶段的日期。"],
                       clauses=["三(一)1"], next_steps=[f"请拨打{HOTLINE}咨询。"])
    others = [s for s in states if s is not current and s.state == "open"]
    if current.state == "not_open":
        return Verdict(K, "not_open", f"{current.name}还没开始，{md(current.start)}开始。",
                       reasons=[current.text], clauses=[current.clause],
                       next_steps=[f"{md(current.start)}起{APPLY_STEP}"])
    if current.state == "open":
        return Verdict(K, "open", f"现在可以申报，{md(current.end)}截止，还有{current.days}天（含今天）。",
                       reasons=unique([current.text] + [s.text for s in others]),
                       clauses=unique([current.clause] + [s.clause for s in others]),
                       next_steps=[APPLY_STEP, f"请在{md(current.end)}前完成系统提交。"])
    year = current.end.year
    reasons = [current.text]
    reasons += [f"已经提交申报的请留意：{s.text}" for s in others]
    steps = [f"{today.year}年度的安排以当年发布的通知为准；有疑问请拨打{HOTLINE}。"] if today.year > year else \
        [f"{year}年度已不能再提交个人申报；请关注下一年度的通知，有疑问请拨打{HOTLINE}。"]
    return Verdict(K, "closed", f"{year}年度{current.name}已于{ymd(current.end)}截止，现在不能再申报。",
                   reasons=unique(reasons), clauses=unique([current.clause] + [s.clause for s in others]),
                   next_steps=steps)
