"""The router's inputs and its output: knowledge-base candidates, the conversation's context, the route."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    faq_id: str
    score: float
    question: str
    clauses: tuple[str, ...] = ()
    dated: bool = False  # the entry's answer gives a date window (its schedule)


@dataclass(frozen=True)
class Context:
    intent: str | None  # the classifier's best intent (its best guess when it was unsure)
    unsure: bool = False  # the classifier's top was nlu_fallback
    intent_confidence: float = 0.0
    out_of_scope: float = 0.0  # the classifier's confidence that the message is out of scope
    asking: str | None = None  # the advisor's open question
    topic: str | None = None  # the conversation's last topic (advisor's, or the last FAQ answer's)
    facts: Mapping[str, Any] = field(default_factory=dict)
    # advisor topics that could give a final verdict on the known facts plus this message's,
    # without asking anything more (the action works it out with the decision functions)
    decidable: frozenset[str] = frozenset()
    last_faq: str | None = None  # the entry the reply before this message answered from, if any
    after_status: bool = False  # that reply was an application's status (last_faq: its stage's entry)
    before: str = ""  # the user's message before this one (typed, not a button), if any
    refused: bool = False  # the reply to it refused to help (misuse)


@dataclass(frozen=True)
class Route:
    kind: str  # advisor | faq | refuse | ack | weekday | clarify | noted | cannot_answer
    topic: str | None = None
    faq_id: str | None = None
    also: tuple[Candidate, ...] = ()
    reason: str = ""
    date: tuple[int, int] | None = None  # (month, day) for `weekday`
    # `faq`: the entry is only the nearest the notice comes to the question (a follow-up asking
    # beyond the answer just given): the reply says so and points to 12333
    beyond: bool = False
