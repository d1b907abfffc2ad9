"""Render replies from knowledge-base records. Pure functions: data in, text out.

The words are templates (bot.wording, knowledge/wording.yml). The former constants
(`answers.NOT_ANSWERABLE`, `answers.BAD_INPUT[...]` …) still read as before: each is rendered
from the current wording when it is read, so a staff edit shows in the next reply.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.calendar import as_of, stage_status, ymd
from bot.kb.models import FaqEntry, ScheduleStage
from bot.wording import Phrases, say


def citation(notice_number: str, clause_ids: list[str]) -> str:
    # a fixed format, not a template: the feedback API, the advisor and the question sets read it
    return f"依据：{notice_number} {'、'.join(clause_ids)}"


def render_faq(entry: FaqEntry, *, notice_number: str, stage: ScheduleStage | None = None,
               today: dt.date | None = None) -> str:
    lines = [entry.answer]
    if stage is not None and today is not None:
        lines.append(as_of(today) + stage_status(stage, today).text)
    if not entry.verified:
        lines.append(say("reply.unverified", source=entry.source))
    lines.append(citation(notice_number, list(entry.clauses)))
    return "\n".join(lines)


BAD_INPUT = Phrases({"empty": "reply.bad_input.empty", "too_long": "reply.bad_input.too_long",
                     "markup": "reply.bad_input.markup", "no_text": "reply.bad_input.no_text"})
REFUSE_ROLE_CLAUSES = ["三(一)5第2段", "三(一)6"]

# the names replies were once constants under, each read from its template when used
_NAMED = {
    "NOT_ANSWERABLE": "reply.not_answerable",
    "OUT_OF_SCOPE": "reply.out_of_scope",
    "REFUSE": "reply.refuse.fraud",
    "REFUSE_BRIBERY": "reply.refuse.bribery",
    "REFUSE_ROLE": "reply.refuse.role",
    "REFUSE_SYSTEM": "reply.refuse.system",
    "REFUSE_SHORT": "reply.refuse.short",
    "REFUSE_PRIVACY": "reply.refuse.privacy",
    "OK": "reply.ok",
    "CLARIFY": "reply.clarify",
    # service replies the channel or the action server gives (the knowledge base may be down:
    # then they come from knowledge/ itself, bot.wording.current)
    "TRY_AGAIN": "service.try_again",
    "NEW_CONVERSATION": "service.new_conversation",
    "UNAVAILABLE": "service.unavailable",
}
_CLARIFY_BUTTONS = (("reply.clarify.apply_window", "/faq_apply_window"),
                    ("reply.clarify.who_can_apply", "/faq_who_can_apply"),
                    ("reply.clarify.entrustment_needed", "/faq_entrustment_needed"),
                    ("reply.clarify.process_overview", "/faq_process_overview"))


if TYPE_CHECKING:  # what __getattr__ gives, for the type checker
    NOT_ANSWERABLE: str
    OUT_OF_SCOPE: str
    REFUSE: str
    REFUSE_BRIBERY: str
    REFUSE_ROLE: str
    REFUSE_SYSTEM: str
    REFUSE_SHORT: str
    REFUSE_PRIVACY: str
    OK: str
    CLARIFY: str
    TRY_AGAIN: str
    NEW_CONVERSATION: str
    UNAVAILABLE: str
    CLARIFY_BUTTONS: tuple[tuple[str, str], ...]


def __getattr__(name: str) -> object:
    if name in _NAMED:
        return say(_NAMED[name])
    if name == "CLARIFY_BUTTONS":
        return tuple((say(title), payload) for title, payload in _CLARIFY_BUTTONS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def noted(facts: str) -> str:
    """Facts told before any question: what was noted, and what one may ask."""
    return say("reply.noted", facts=facts)


def action_error(error_id: str) -> str:
    return say("service.action_error", error_id=error_id)


WEEKDAYS = "一二三四五六日"


def weekday_reply(day: dt.date, stages: list[ScheduleStage], notice_number: str) -> str:
    """What day of the week a date is, and which of the notice's windows starts or ends on it."""
    lines = [say("reply.weekday.day", date=ymd(day), weekday=WEEKDAYS[day.weekday()])]
    clauses = []
    for stage in stages:
        if stage.start == day:
            lines.append(say("reply.weekday.start", stage=stage.name))
            clauses.append(stage.clause)
        if stage.end == day:
            lines.append(say("reply.weekday.end", stage=stage.name))
            clauses.append(stage.clause)
    if clauses:
        lines.append(citation(notice_number, sorted(set(clauses), key=clauses.index)))
    else:
        lines.append(say("reply.weekday.nothing"))
    return "\n".join(lines)


def refusal(kind: str) -> str:
    """A refusal that stands alone (inside the status lookup, where no FAQ answer follows)."""
    return say({"privacy": "reply.refuse.privacy", "system": "reply.refuse.system",
                "role": "reply.refuse.role"}.get(kind, "reply.refuse.short"))
