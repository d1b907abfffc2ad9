"""Can I still apply? The personal-application window (三(一)1) against today, as a Verdict."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.advisor.verdict import Verdict, unique
from bot.calendar import Stage, StageStatus, md, schedule_states, ymd
from bot.wording import say

K = "deadline"


def decide_deadline(stages: Iterable[Stage], *, today: dt.date, key: str = "personal_apply") -> Verdict:
    """not_open | open | closed | unknown for stage `key`, with every stage's state as reasons."""
    states: list[StageStatus] = schedule_states(stages, today)
    current = next((s for s in states if s.key == key), None)
    if current is None:
        return Verdict(K, "unknown", say("deadline.no_stage.summary"), reasons=[say("deadline.no_stage.reason")],
                       clauses=["三(一)1"], next_steps=[say("deadline.no_stage.next_step")])
    others = [s for s in states if s is not current and s.state == "open"]
    if current.state == "not_open":
        assert current.start is not None  # a stage is "not_open" only before a known start
        return Verdict(K, "not_open", say("deadline.not_open.summary", stage=current.name, start=md(current.start)),
                       reasons=[current.text], clauses=[current.clause],
                       next_steps=[say("deadline.not_open.next_step", start=md(current.start))])
    if current.state == "open":
        return Verdict(K, "open", say("deadline.open.summary", end=md(current.end), days=current.days),
                       reasons=unique([current.text] + [s.text for s in others]),
                       clauses=unique([current.clause] + [s.clause for s in others]),
                       next_steps=[say("common.apply_step"), say("deadline.open.next_step", end=md(current.end))])
    year = current.end.year
    reasons = [current.text]
    reasons += [say("deadline.closed.also_open", text=s.text) for s in others]
    steps = [say("deadline.closed.later_year", today_year=today.year)] if today.year > year else \
        [say("deadline.closed.next_step", stage_year=year)]
    return Verdict(K, "closed", say("deadline.closed.summary", stage_year=year, stage=current.name,
                                    end=ymd(current.end)),
                   reasons=unique(reasons), clauses=unique([current.clause] + [s.clause for s in others]),
                   next_steps=steps)
