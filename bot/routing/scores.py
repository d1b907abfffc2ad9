"""How knowledge-base candidates are weighed: when a score is worth answering, when the classifier's
sure entry may lead, and entries written for others than this person."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.advisor.entities import SEVERAL_SERIES
from bot.advisor.series_catalog import POSITION_REVIEW
from bot.routing.inputs import Candidate

PLAUSIBLE = 0.35  # combined score (NLU confidence + retrieval, each 0..1) worth answering
CLEAR_LEAD = 1.8  # or a lower score this many times the runner-up's (the classifier leans one way)
FLOOR = 0.18  # below this nothing is answered
SURE_ALONE = 0.7  # the classifier's confidence that leads even when retrieval finds nothing of its entry


def supported(confidence: float, retrieval: float, elsewhere: bool = False) -> bool:
    """Whether the classifier's sure entry may lead: found by retrieval too, or — when retrieval
    found nothing at all (`elsewhere` False) — confident enough on its own. An entry that shares
    nothing with the question while retrieval finds others was a wrong guess in every such case of
    the development and fresh sets (8 of 8, at confidences 0.5–0.81: "单位写的推荐意见有啥用" is
    not about 委托函, "材料被退回来了…评审机构会告诉我吗" not about 高技能人才)."""
    return retrieval > 0.0 or confidence >= SURE_ALONE and not elsewhere


def plausible(ranked: Sequence[Candidate]) -> bool:
    """Whether the best candidate is worth answering: good enough, or clearly ahead."""
    best = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return best >= PLAUSIBLE or best >= FLOOR and best >= CLEAR_LEAD * second


def leading(candidate: Candidate) -> Candidate:
    """The candidate, scored at least as worth answering (it was chosen by what it is, not its score)."""
    return replace(candidate, score=max(candidate.score, PLAUSIBLE))


# clauses written for others than this person: a freelancer has no 参保单位 to recommend them
# (三(一)2 is the unit's review; 三(一)2第2段 the freelancers' way, by an association)
_NOT_FOR = {"自由职业": ("三(一)2",)}
NOT_FOR_WEIGHT = 0.5
NOT_FOR_CAP = 0.34  # under PLAUSIBLE: an entry for others leads only when nothing else is plausible
# and clauses written for this person: the freelancers' own way (一第3段, 三(一)2第2段)
_FOR = {"自由职业": ("一第3段", "三(一)2第2段")}
FOR_WEIGHT = 1.25


# a series evaluated by 职务评审 follows its 行业主管部门 (三(二)), not this notice's procedure (三(一)…)
PROCEDURE = "三(一)"


def for_this_person(candidates: Sequence[Candidate], facts: Mapping[str, Any],
                    position_series: Collection[str] = ()) -> list[Candidate]:
    """The candidates, with those resting only on clauses written for others weighed down, and those
    written for this person weighed up. `position_series`: the series evaluated by 职务评审 (a doctor
    asking "也是7月2号开始报吗" is answered by 三(二), not by the application window)."""
    employer = str(facts.get("employer") or "")
    other, own = set(_NOT_FOR.get(employer, ())), set(_FOR.get(employer, ()))
    position = facts.get("series") in position_series and not facts.get(SEVERAL_SERIES)

    def for_others(clauses: tuple[str, ...]) -> bool:
        return bool(clauses) and (set(clauses) <= other or position and all(c.startswith(PROCEDURE) for c in clauses))

    def for_them(clauses: tuple[str, ...]) -> bool:
        return bool(set(clauses) & own) or position and POSITION_REVIEW in clauses

    out = [replace(c, score=min(c.score * NOT_FOR_WEIGHT, NOT_FOR_CAP)) if for_others(c.clauses)
           else replace(c, score=c.score * FOR_WEIGHT) if for_them(c.clauses) else c
           for c in candidates]
    # the question plainly asked about a step that is not theirs ("没单位谁给我推荐" read as the unit's
    # review): their own way of that step answers it, however few of its words they used
    if any(for_others(c.clauses) and c.score >= PLAUSIBLE for c in candidates):
        own_best = max((c for c in out if for_them(c.clauses)), key=lambda c: c.score, default=None)
        if own_best is not None:
            out = [leading(c) if c is own_best else c for c in out]
    return out
