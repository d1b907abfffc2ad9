"""Application status: a form asks for the 申报编号, the factor kind and the factor, then answers.

The factor itself never reaches Rasa: the channel seals it (bot.status.vault) and the form
receives only a token, which this action unseals once. Wrong id and wrong factor get the
same neutral message; repeated failures lock the lookup (bot.status.service).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq import previous_reply, procedure
from actions.kb import kb_session
from bot import answers, clock
from bot.kb import queries
from bot.misuse import misuse
from bot.routing.steps import step_entry
from bot.status import security, service, vault
from bot.status.prompts import FACTOR_NAMES, STATUS_PROMPTS, factor_kind_buttons, factor_prompt
from bot.status.stages import BY_CODE
from bot.text import has_subject, is_question, normalize
from bot.wording import say

SLOTS = ("status_application_id", "status_factor_kind", "status_factor_ref")
# the words that leave the lookup: "算了不查了，…" (what is left may ask something else)
_LEAVING = re.compile(r"算了|不查了|不用查了|不查|不用了|不要了|退出|取消|先不|停止|stop|cancel|never\s*mind", re.I)


def _now() -> dt.datetime:
    """The real time: lock-outs and the factor vault never follow the injectable business date."""
    return dt.datetime.now()


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS]


def _refused(value: Any, dispatcher: CollectingDispatcher) -> bool:
    """A typed answer that asks for someone's data or other misuse gets a refusal, not a slot."""
    kind = misuse(normalize(str(value or "")))
    if kind:
        dispatcher.utter_message(text=answers.refusal(kind))
    return kind is not None


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    def validate_status_application_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        if _refused(value, dispatcher):
            return {"status_application_id": None}
        candidate = security.normalize(str(value or "")).replace(" ", "")
        if not security.is_application_id(candidate):
            dispatcher.utter_message(text=say("status.prompt.not_an_id"))
            return {"status_application_id": None}
        return {"status_application_id": candidate}

    def validate_status_factor_kind(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        if value in FACTOR_NAMES:
            kind: str | None = str(value)
        elif _refused(value, dispatcher):  # "你直接把手机号告诉我吧" names the phone, but chooses nothing
            return {"status_factor_kind": None}
        else:
            typed = normalize(str(value or ""))  # typed instead of tapped
            kind = vault.factor_kind_named(typed) or ("id4" if typed.strip() == "id" else None)
        if kind is None:
            dispatcher.utter_message(text=say("status.prompt.choose_factor"))
            return {"status_factor_kind": None}
        kept = tracker.get_slot("status_factor_ref")
        if kept and kept not in VERDICTS and "status_factor_ref" not in tracker.slots_to_validate():
            # the 4 digits came first ("9012", then "手机号"): they were kept sealed until now
            return {"status_factor_kind": kind, **_lookup(kept, kind, dispatcher, tracker)}
        return {"status_factor_kind": kind}

    def validate_status_factor_ref(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        kind = tracker.get_slot("status_factor_kind")
        if not kind:
            # four digits typed while asked which verification: kept sealed (the slot holds only the
            # token) until the user says whose digits they are; the form asks for the kind next
            dispatcher.utter_message(text=say("status.prompt.kind_first"))
            return {"status_factor_ref": str(value or "") or None}
        return _lookup(str(value or ""), kind, dispatcher, tracker)


VERDICTS = ("ok", "locked")  # what status_factor_ref holds once the lookup is done (else: a sealed token)


def _lookup(token: str, kind: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Unseal the factor once, look the application up, say the result: the slots it leaves."""
    now = _now()
    with kb_session() as session:
        sealed = vault.unseal(token, session=session, sender_id=tracker.sender_id, now=now)
        vault.clear_pending(session=session, sender_id=tracker.sender_id)
        result = service.lookup(session=session, application_id=tracker.get_slot("status_application_id"),
                                factor_kind=kind, factor=sealed.factor if sealed else None,
                                client=sealed.client_key if sealed else None,
                                channel="chat", conversation_id=tracker.sender_id, now=now)
        reply = service.render_result(result, session=session, today=clock.today())
        context = _stage_entry(session, result.view.stage) if result.ok and result.view else None
    # the entry on the application's stage travels with the reply: "下一步呢" / "在哪交" after it
    # are read in its light (actions.faq.last_answer)
    dispatcher.utter_message(text=reply, json_message={"status_stage": result.view.stage, "context_faq": context}
                             if context and result.view else None)
    if result.verdict == "no_match":
        dispatcher.utter_message(text=say("status.prompt.id_again"))
        return {"status_factor_ref": None, "status_application_id": None}
    return {"status_factor_ref": result.verdict}  # ok / locked: the form is done


def _stage_entry(session, stage_code: str) -> str | None:
    """The knowledge-base entry on the step of the procedure an application's stage is at."""
    stage = BY_CODE.get(stage_code)
    year = queries.current_year(session=session)
    if stage is None or year is None or not stage.clauses:
        return None
    steps = procedure(session, year)
    # the latest step the stage rests on: 已缴费待评审 (三(一)4, 三(一)5) waits for the defense, 视为放弃
    # (三(一)3, 三(一)4) was a payment missed
    found = next((step_entry(c, steps) for c in reversed(stage.clauses) if c in dict(steps)), None)
    return found.faq_id if found else None


class ActionAskStatusApplicationId(Action):
    def name(self) -> str:
        return "action_ask_status_application_id"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        again = any(STATUS_PROMPTS["status_application_id"] in (e.get("text") or "")
                    for e in previous_reply(tracker))
        start = "" if again else say("status.prompt.start")
        dispatcher.utter_message(text=start + STATUS_PROMPTS["status_application_id"])
        return []


class ActionAskStatusFactorKind(Action):
    def name(self) -> str:
        return "action_ask_status_factor_kind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        with kb_session() as session:  # "手机号后四位9001" answers this and the next question at once: sealed
            vault.mark_pending(session=session, sender_id=tracker.sender_id,
                               application_id=tracker.get_slot("status_application_id"), now=_now())
        dispatcher.utter_message(text=STATUS_PROMPTS["status_factor_kind"], buttons=factor_kind_buttons())
        return []


class ActionAskStatusFactorRef(Action):
    """Ask for the factor, and tell the channel to seal the next message that carries one."""

    def name(self) -> str:
        return "action_ask_status_factor_ref"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        with kb_session() as session:
            vault.mark_pending(session=session, sender_id=tracker.sender_id,
                               application_id=tracker.get_slot("status_application_id"), now=_now())
        # json_message: the web widget turns its input into a masked 4-digit field for this answer
        dispatcher.utter_message(text=factor_prompt(tracker.get_slot("status_factor_kind")),
                                 json_message={"input": "factor"})
        return []


class ActionStatusDone(Action):
    """After the form: forget the lookup's slots."""

    def name(self) -> str:
        return "action_status_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return _reset()


class ActionStatusStop(Action):
    """The user leaves the lookup ("算了")."""

    def name(self) -> str:
        return "action_status_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        with kb_session() as session:
            vault.clear_pending(session=session, sender_id=tracker.sender_id)
        dispatcher.utter_message(text=say("status.prompt.stopped"))
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None), *_reset()]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        rest = _LEAVING.sub("", normalize(tracker.latest_message.get("text") or ""))
        if intent == "stop" and has_subject(rest) and is_question(rest):
            # "算了不查了，委托函模板在哪": leaving the lookup to ask something else — answered now
            events.append(FollowupAction("action_respond"))
        return events


class ActionStatusChangeId(Action):
    """"换一个编号": ask for the 申报编号 again."""

    def name(self) -> str:
        return "action_status_change_id"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        with kb_session() as session:
            vault.clear_pending(session=session, sender_id=tracker.sender_id)
        return [SlotSet("status_application_id", None), SlotSet("status_factor_ref", None)]
