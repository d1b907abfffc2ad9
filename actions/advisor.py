"""Advisor glue (no actions here; actions/respond.py routes to it): 能不能报 / 要不要委托函 /
找哪个机构 / 现在还能报吗 over bot.advisor.dialogue. Facts live in the slot `adv_facts`, the topic
in `adv_topic`, the fact being asked in `adv_asking`; every verdict is rendered from the
decision function's output."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.kb import kb_session
from bot import answers, clock
from bot.advisor import dialogue
from bot.advisor.associations import association_facts
from bot.advisor.decisions import decide_deadline, decide_eligibility, decide_entrustment, decide_institution
from bot.advisor.directory import all_institutions
from bot.advisor.entities import series_catalog
from bot.advisor.verdict import Facts, render_verdict
from bot.kb import queries
from bot.text import is_question, normalize
from bot.wording import say

MAX_MISSES = 2  # unclear answers to one question before the way out is offered


def ask_events(dispatcher: CollectingDispatcher, fact: str, *, again: bool = False) -> None:
    text, buttons = dialogue.question(fact)
    dispatcher.utter_message(text=say("advisor.again", question=text) if again else text,
                             buttons=[{"title": t, "payload": p} for t, p in buttons])


def _decider(session, topic: str):
    if topic == "eligibility":
        return decide_eligibility
    if topic == "entrustment":
        return decide_entrustment
    if topic == "institution":
        # read only when a decision gets as far as the directory (series and level known): most
        # messages are checked for what they could decide without ever needing it
        loaded: list[Any] = []

        def directory():
            if not loaded:
                loaded.append(all_institutions(session=session))
            yield from loaded[0]
        return lambda facts: decide_institution(facts, directory=directory())
    raise ValueError(topic)


def _evaluated_elsewhere(facts: dict[str, Any]) -> bool:
    """Whether the person's series is one whose evaluation follows its own authority's notice."""
    info = series_catalog().get(facts.get("series") or "")
    return bool(info and info.method == "职务评审")


def _with_list(session, facts: dict[str, Any], text: str) -> dict[str, Any]:
    """The facts with what the imported 附件3 list says about an association the text names."""
    if session is not None and text and not text.startswith("/"):
        facts.update(association_facts(session=session, text=text))
    return facts


def facts_after(known: dict[str, Any], text: str, session=None) -> dict[str, Any]:
    """The case's facts once this message's are added (kept when an FAQ answer opens a topic)."""
    return _with_list(session, dialogue.merge(known, text, asking=None, answer=None), text)


def decidable_topics(session, known: dict[str, Any], text: str) -> frozenset:
    """The topics whose decision needs nothing more once this message's facts are added."""
    facts = _with_list(session, dialogue.merge(known, text, asking=None, answer=None), text)
    if not dialogue.understood(known, facts) and not dialogue.understood({}, known):
        return frozenset()  # no facts at all: nothing to decide on
    out = set()
    for topic in ("eligibility", "entrustment", "institution"):
        if dialogue.next_turn(dict(facts), _decider(session, topic)).ask is None:
            out.add(topic)
    return frozenset(out)


def _before_citation(reply: str, notes: list[str]) -> str:
    """The reply with `notes` inserted above its citation line: every answer ends with its source."""
    if not notes:
        return reply
    lines = reply.split("\n")
    at = max((i for i, line in enumerate(lines) if line.startswith("依据：")), default=len(lines))
    return "\n".join(lines[:at] + notes + lines[at:])


def advise(dispatcher: CollectingDispatcher, tracker: Tracker, *, topic: str, intent: str | None) -> list[EventType]:
    """One advisor turn on `topic` (the router chose it): merge the message's facts, decide, ask."""
    tapped = next(tracker.get_latest_entity_values("fact_text"), None)
    text = normalize(tapped) if tapped else (tracker.latest_message.get("zc_full_text")
                                             or normalize(tracker.latest_message.get("text")))
    asking: str | None = tracker.get_slot("adv_asking")
    known: dict[str, Any] = dict(tracker.get_slot("adv_facts") or {})
    # 是/不是 answers a yes/no question only; to "哪个系列？" it is no answer
    answer = None if asking in dialogue.QUESTIONS else {"affirm": True, "deny": False}.get(intent or "")
    # a yes/no right after a verdict that assumed a fact ("以上按您在北京正常参保来判断") answers that
    confirms = (known.get(dialogue.ASSUMED_KEY) or [None])[0] if not asking and answer is not None else None
    facts = dialogue.merge(known, text if not text.startswith("/") else "", asking=asking or confirms,
                           answer=answer, skip=intent == "skip")
    facts.pop(dialogue.ASSUMED_KEY, None)
    with kb_session() as session:
        facts = _with_list(session, facts, text)
        year = queries.current_year(session=session)
        if year is None:  # nothing loaded: the respond action answers so before it gets here
            dispatcher.utter_message(text=answers.NOT_ANSWERABLE)
            return []
        notice_number = queries.notice_number(session=session, year=year)
        if topic != "eligibility" and decide_eligibility(Facts.from_dict(facts)).decision == "no":
            topic = "eligibility"  # "我是公务员，还能报吗": a fact that rules the person out comes before any other topic
        if topic == "deadline" and not _evaluated_elsewhere(facts):
            stages = queries.schedule(session=session, year=year)
            verdict = decide_deadline(stages, today=clock.today())
            dispatcher.utter_message(text=render_verdict(verdict, notice_number=notice_number))
            return [SlotSet("adv_topic", topic), SlotSet("adv_asking", None)]
        if topic == "deadline":  # "卫生系列的呢": that series' dates are not this notice's (三(二))
            topic = "eligibility"
        if asking and intent not in ("skip",) and answer is None and not dialogue.understood(known, facts) \
                and not is_question(text):  # a question of its own is no failed answer
            misses = int(known.get("_misses", 0)) + 1
            facts["_misses"] = misses
            if misses >= MAX_MISSES:
                dispatcher.utter_message(text=say("advisor.miss_again"))
            else:
                dispatcher.utter_message(text=say("advisor.miss"))
            ask_events(dispatcher, asking)
            return [SlotSet("adv_facts", facts)]
        facts.pop("_misses", None)
        turn = dialogue.next_turn(facts, _decider(session, topic))
    notes = []
    if turn.assumed and not turn.ask:
        notes.append(" ".join(dialogue.ASSUMPTION_NOTES[a] for a in turn.assumed))
        facts[dialogue.ASSUMED_KEY] = list(turn.assumed)
    note = dialogue.reading_note(facts)
    if note:
        notes.append(note)
    dispatcher.utter_message(text=_before_citation(render_verdict(turn.verdict, notice_number=notice_number), notes))
    if turn.ask:
        ask_events(dispatcher, turn.ask)
    return [SlotSet("adv_topic", topic), SlotSet("adv_facts", facts), SlotSet("adv_asking", turn.ask)]
