"""The answering actions. Rasa's rules name three (an FAQ intent → action_answer_faq, low NLU
confidence → action_faq_fallback, an advisor intent or a fact → action_advise); all three do
the same: gather the inputs, ask the one router (bot.router.route) where the message goes,
and render that. No action calls another.

Inside the status form, a message Rasa could not place is handed back to the form when it
fills the slot being asked (a typed "手机号后四位"), else answered and the form's question
repeated; the user's turn is then reverted so the policies never loop on it.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import advisor, faq
from actions.kb import kb_session
from bot import answers, handover, router
from bot.advisor import dialogue
from bot.advisor.series_catalog import position_series
from bot.config import PROBE_PREFIX, settings
from bot.kb import queries, revisions
from bot.kb.models import FaqEntry
from bot.misuse import misuse
from bot.routing.inputs import Candidate, Context
from bot.routing.scores import plausible, supported
from bot.routing.shape import elliptical, questions_in
from bot.routing.steps import asks_next
from bot.status.prompts import STATUS_PROMPTS, factor_kind_buttons, factor_prompt
from bot.text import bad_input_of, has_subject, is_question, question_part, readable
from bot.wording import say

log = logging.getLogger("zhicheng.router")
INTEGRITY_INTENT = "faq_integrity"
MAX_MORE = 2  # further questions of one message answered besides the first
PERSON_FACTS = ("employer", "identity")  # who the person is: read along with a terse follow-up


def _context(tracker: Tracker, session, text: str) -> Context:
    message = tracker.latest_message
    top = message.get("intent") or {}
    unsure = top.get("name") == "nlu_fallback"
    intent = tracker.get_intent_of_latest_message(skip_fallback_intent=True) if unsure else top.get("name")
    ranked = faq.ranking(tracker)
    confidence = ranked.get(intent or "", float(top.get("confidence") or 0))
    known = dict(tracker.get_slot("adv_facts") or {})
    return Context(intent=intent, unsure=unsure, intent_confidence=confidence,
                   out_of_scope=ranked.get("out_of_scope", 0.0),
                   asking=tracker.get_slot("adv_asking"), topic=tracker.get_slot("adv_topic"), facts=known,
                   decidable=advisor.decidable_topics(session, known, text),
                   last_faq=faq.last_answer(tracker), after_status=faq.after_status(tracker),
                   before=next(iter(faq.earlier_questions(tracker, 1)), ""), refused=faq.refused(tracker),
                   position_series=position_series())


def _scores(candidates, top: int = 5) -> str:
    return " ".join(f"{c.faq_id}:{c.score:.2f}" for c in sorted(candidates, key=lambda c: c.score, reverse=True)[:top])


def _unanswered_before(tracker: Tracker) -> bool:
    """Whether the bot's last reply before this message was an honest "I cannot answer"."""
    return any((e.get("text") or "").startswith((answers.NOT_ANSWERABLE, answers.OUT_OF_SCOPE))
               for e in faq.previous_reply(tracker))


def _end_turn(events: list[EventType]) -> list[EventType]:
    """The reply is complete: listen next. Without this, a message whose intent no rule covers
    (the core fallback's action) would be answered again and again, up to ten times in one reply."""
    if any(e.get("event") in ("followup", "rewind") for e in events):
        return events
    return events + [FollowupAction("action_listen")]


def _in_form(tracker: Tracker) -> str | None:
    return tracker.active_loop.get("name") if tracker.active_loop else None


class ActionRespond(Action):
    """Route the message and answer it."""

    def name(self) -> str:
        return "action_respond"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if _in_form(tracker) == "status_form":
            return await self._inside_status_form(dispatcher, tracker, domain)
        return _end_turn(await self._answer_turn(dispatcher, tracker))

    async def _answer_turn(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        events = await self._respond(dispatcher, tracker)
        known = tracker.get_slot("adv_facts") or {}
        if dialogue.ASSUMED_KEY in known and not any(isinstance(e, dict) and e.get("name") == "adv_facts"
                                                     for e in events):
            # what the last verdict assumed can be confirmed only right after it
            events.append(SlotSet("adv_facts", {k: v for k, v in known.items() if k != dialogue.ASSUMED_KEY}))
        return events

    async def _respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        raw = tracker.latest_message.get("text") or ""
        reason = bad_input_of(tracker.latest_message, settings().max_message_chars)
        if reason and not raw.startswith("/"):
            dispatcher.utter_message(text=answers.BAD_INPUT[reason])
            return []
        text = faq.message_text(tracker)
        tapped = faq.entity(tracker, "faq_id")
        with kb_session() as session:
            year = queries.current_year(session=session)
            if year is None:
                dispatcher.utter_message(text=answers.NOT_ANSWERABLE)
                return []
            ctx = _context(tracker, session, text)
            if tapped:  # a "您可能还想问" button names its entry
                entry = queries.faq_by_id(session=session, year=year, faq_id=str(tapped))
                if entry is not None:
                    return self._answer(dispatcher, tracker, session, year, entry, ())
            part = question_part(text)
            hits = faq.retrieved(session, year, part)
            options = faq.candidates(session, year, part, faq.ranking(tracker), hits)
            followups = self._followups(tracker, session, year, text, ctx)
            if ctx.intent and ctx.intent.startswith("faq_") and not ctx.unsure:
                entry = queries.faq_by_intent(session=session, year=year, intent=ctx.intent)
                found = hits.get(entry.id, 0.0) if entry is not None else 0.0
                elsewhere = any(entry is None or faq_id != entry.id for faq_id in hits)
                if entry is not None and supported(ctx.intent_confidence, found, elsewhere):
                    options = [faq.candidate(entry, 2.0)] + \
                              [o for o in options if o.faq_id != entry.id]  # the classifier is sure: its entry leads
                elif entry is not None:  # sure of an entry that shares nothing with the question: not sure
                    options = [o for o in options if o.faq_id != entry.id]
                    ctx = replace(ctx, unsure=True)
            steps = faq.procedure(session, year) if asks_next(text) else []
            decision = router.route(text, ctx, options, followups, steps)
            if decision.kind == "cannot_answer" and part != text:
                # a story whose question part alone finds nothing ("……交3800元包过，还能帮我代报名……这靠谱吗"):
                # what the whole message tells may name the entry; still only an answer the router finds plausible
                retry = router.route(text, ctx, faq.candidates(session, year, text, faq.ranking(tracker)),
                                     followups, steps)
                if retry.kind != "cannot_answer":
                    decision = retry
            # no text: what was decided and why is enough to follow a conversation in the log
            log.info("route %s %s (%s; intent %s)", decision.kind, decision.faq_id or decision.topic or "-",
                     decision.reason, ctx.intent)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("inputs: intent %s %.2f unsure=%s oos %.2f topic %s last %s; candidates %s; followups %s",
                          ctx.intent, ctx.intent_confidence, ctx.unsure, ctx.out_of_scope, ctx.topic, ctx.last_faq,
                          _scores(options), _scores(followups))
            if decision.kind == "advisor":
                pass  # rendered below, outside this session
            elif decision.kind == "refuse":
                return self._refuse(dispatcher, tracker, session, year, decision.reason)
            elif decision.kind == "faq":
                entry = queries.faq_by_id(session=session, year=year, faq_id=decision.faq_id) \
                    if decision.faq_id else None
                if entry is None:  # disabled or removed since it was ranked: nothing to answer with
                    dispatcher.utter_message(text=answers.NOT_ANSWERABLE)
                    return []
                more = self._other_questions(session, year, text, entry.id)
                if decision.beyond:
                    dispatcher.utter_message(text=say("reply.beyond_last"))
                return self._answer(dispatcher, tracker, session, year, entry, decision.also, more)
            elif decision.kind == "noted":  # facts first: keep them for the question to come
                known = dict(tracker.get_slot("adv_facts") or {})
                facts = advisor.facts_after(known, text, session)
                dispatcher.utter_message(text=answers.noted(dialogue.summary(facts)))
                return [SlotSet("adv_facts", facts)]
            elif decision.kind == "ack":
                dispatcher.utter_message(text=answers.OK)
                return [SlotSet("adv_asking", None)]
            elif decision.kind == "weekday" and decision.date:
                number = queries.notice_number(session=session, year=year)
                try:
                    day = dt.date(year, *decision.date)
                except ValueError:
                    dispatcher.utter_message(text=answers.NOT_ANSWERABLE)
                    return []
                dispatcher.utter_message(text=answers.weekday_reply(day, queries.schedule(session=session, year=year),
                                                                    number))
                return []
            elif decision.kind == "clarify":
                dispatcher.utter_message(text=answers.CLARIFY, buttons=[{"title": t, "payload": p}
                                                                        for t, p in answers.CLARIFY_BUTTONS])
                return []
            else:
                if not tracker.sender_id.startswith(PROBE_PREFIX):  # the publish-time check is no user
                    faq.log_unanswered(text=text, reason="no_match", top_faq=options[0].faq_id if options else None,
                                       top_score=options[0].score if options else None)
                honest = answers.OUT_OF_SCOPE if decision.reason == "out of scope" else answers.NOT_ANSWERABLE
                dispatcher.utter_message(text=honest,
                                         buttons=faq.buttons(decision.also) if len(decision.also) >= 2 else None)
                if _unanswered_before(tracker):  # the second in a row: hand over to a person
                    code = handover.create(session=session, conversation_id=tracker.sender_id, reason="unanswered")
                    dispatcher.utter_message(text=handover.render(code))
                return []
        return advisor.advise(dispatcher, tracker, topic=decision.topic or "eligibility", intent=ctx.intent)

    @staticmethod
    def _other_questions(session, year: int, text: str, answered: str) -> list[FaqEntry]:
        """"个人申报截止是哪天？单位推荐截止又是哪天？": each further question of the message whose own
        best entry is clear by retrieval, and another than the one answered."""
        out: list[FaqEntry] = []
        for sentence in questions_in(text)[1:]:
            hits = faq.candidates(session, year, sentence, {})
            if hits and plausible(hits) and hits[0].faq_id not in {answered, *(e.id for e in out)}:
                entry = queries.faq_by_id(session=session, year=year, faq_id=hits[0].faq_id)
                if entry is not None:
                    out.append(entry)
        return out[:MAX_MORE]

    @staticmethod
    def _followups(tracker: Tracker, session, year: int, text: str, ctx: Context) -> list[Candidate]:
        """For a terse follow-up: the entries the questions before it (and the person's own facts)
        were about — "那谁来推荐我" after a freelancer's question is about the freelancers'
        recommendation. The router weighs them against the follow-up's own candidates."""
        earlier = faq.earlier_questions(tracker)
        if not earlier or not elliptical(text):
            return []
        person = " ".join(str(ctx.facts[k]) for k in PERSON_FACTS if ctx.facts.get(k))
        query = question_part(" ".join(reversed(earlier))) + (" " + person if person else "")
        found = faq.candidates(session, year, query, {})  # retrieval only: what the earlier questions were about
        last = queries.faq_by_id(session=session, year=year, faq_id=ctx.last_faq) if ctx.last_faq else None
        if last is not None:
            if all(c.faq_id != last.id for c in found):  # the entry just answered stays in the running
                found.append(faq.candidate(last, 0.0))
            if not last.schedule:  # and the dated entries on its clause, for "最晚什么时候"
                found += [faq.candidate(e, 0.0) for e in queries.dated_faqs(session=session, year=year)
                          if set(e.clauses) & set(last.clauses) and all(c.faq_id != e.id for c in found)]
        return found

    def _refuse(self, dispatcher, tracker, session, year, kind: str) -> list[EventType]:
        """No help with misuse; where the notice says what it costs (四(一)), say that too. The
        refusal is marked (`refused`), so a next message pressing on is read with it."""
        mark = {"refused": kind}
        if kind in ("fraud", "bribery"):
            dispatcher.utter_message(text=answers.REFUSE_BRIBERY if kind == "bribery" else answers.REFUSE,
                                     json_message=mark)
            entry = queries.faq_by_intent(session=session, year=year, intent=INTEGRITY_INTENT)
            return self._answer(dispatcher, tracker, session, year, entry, ()) if entry else []
        if kind == "role":
            number = queries.notice_number(session=session, year=year)
            dispatcher.utter_message(text=answers.REFUSE_ROLE + "\n" +
                                     answers.citation(number, answers.REFUSE_ROLE_CLAUSES), json_message=mark)
        else:
            dispatcher.utter_message(text=answers.REFUSE_PRIVACY if kind == "privacy" else answers.REFUSE_SYSTEM,
                                     json_message=mark)
        return []

    def _answer(self, dispatcher, tracker, session, year, entry, also, more=()) -> list[EventType]:
        # the entry's id and the revision of its text travel with the answer (and stay in the tracker
        # store), so a 👍/👎 or an audit names exactly what was read
        for shown in (entry, *more):  # `more`: the other questions of the same message
            revision = revisions.current_revision(session=session, year=year, key=shown.id)
            dispatcher.utter_message(text=faq.render(session, year, shown),
                                     json_message={"faq_id": shown.id, "revision": revision})
        also = tuple(c for c in also if all(c.faq_id != m.id for m in more))
        if also:
            dispatcher.utter_message(text=say("reply.also"), buttons=faq.buttons(also))
        asking = tracker.get_slot("adv_asking")
        if asking:  # a digression while the advisor waits: repeat its question
            advisor.ask_events(dispatcher, asking, again=True)
            return []
        topic = router.topic_of_clauses(list(entry.clauses))
        # the facts the question gave stay with the person: "初级工程师去哪报" then "单位在亦庄";
        # "我是自由职业者" (answered from the freelancers' entry), then "要谁推荐"
        known = dict(tracker.get_slot("adv_facts") or {})
        facts = advisor.facts_after(known, faq.message_text(tracker), session)
        kept = [SlotSet("adv_facts", facts)] if facts != known else []
        if not topic:  # the conversation has moved on from the last advisor topic
            return ([SlotSet("adv_topic", None)] if tracker.get_slot("adv_topic") else []) + kept
        return [SlotSet("adv_topic", topic)] + kept

    async def _inside_status_form(self, dispatcher, tracker, domain) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        text = faq.message_text(tracker)
        fills = faq.entity(tracker, "application_id") or faq.entity(tracker, "factor_kind") \
            or not is_question(text)
        if requested in ("status_application_id", "status_factor_kind") and fills:
            return [FollowupAction("status_form")]  # the form takes the text and validates it
        prompt = factor_prompt(tracker.get_slot("status_factor_kind")) if requested == "status_factor_ref" \
            else STATUS_PROMPTS.get(requested or "", STATUS_PROMPTS["status_application_id"])
        if requested == "status_factor_ref" and not is_question(text) and not misuse(text):
            # neither the 4 characters nor a question ("手机号"): ask for exactly what is needed
            dispatcher.utter_message(text=say("status.prompt.no_factor_yet", prompt=prompt),
                                     json_message={"input": "factor"})
            return [UserUtteranceReverted()]
        # a question in the middle of the lookup: answer it, then ask the form's question again
        await self._respond(dispatcher, tracker)
        dispatcher.utter_message(text=say("status.prompt.back", prompt=prompt),
                                 buttons=factor_kind_buttons() if requested == "status_factor_kind" else None)
        return [UserUtteranceReverted()]


class ActionAnswerFaq(ActionRespond):
    def name(self) -> str:
        return "action_answer_faq"


class ActionFaqFallback(ActionRespond):
    def name(self) -> str:
        return "action_faq_fallback"


class ActionAdvise(ActionRespond):
    def name(self) -> str:
        return "action_advise"


class ActionInvalidInput(ActionRespond):
    """Explain why a message could not be read (empty, too long, markup only, no text). A message
    the classifier took for noise but that has readable words is routed like any other: it is
    never "unreadable"."""

    def name(self) -> str:
        return "action_invalid_input"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        reason = bad_input_of(tracker.latest_message, settings().max_message_chars)
        if reason is None and _in_form(tracker) is None and (readable(faq.message_text(tracker))
                                                             or tracker.get_slot("adv_asking")):
            # readable words are routed; so is noise ("嗯嗯嗯") while the advisor waits for an
            # answer: a failed answer, which it asks again, offering a way out after the second
            return await super().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=answers.BAD_INPUT[reason or "no_text"])
        return [] if _in_form(tracker) else _end_turn([])  # in a form, the form asks again


class ActionSmallTalk(ActionRespond):
    """Greetings, thanks, goodbyes, "are you a bot": their response — unless the message also says
    something of the domain, which the router answers (a classifier that took "在经开区" for a
    greeting must not lose the district)."""

    RESPONSES = ("greet", "thank", "goodbye", "bot_challenge")  # templates smalltalk.<intent>

    def name(self) -> str:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = faq.message_text(tracker)
        if _in_form(tracker) is None and (has_subject(text) or dialogue.understood({}, advisor.facts_after({}, text))):
            return await super().run(dispatcher, tracker, domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        intent = intent if intent in self.RESPONSES else "greet"
        buttons = [{"title": t, "payload": p} for t, p in answers.CLARIFY_BUTTONS] if intent == "greet" else None
        dispatcher.utter_message(text=say(f"smalltalk.{intent}"), buttons=buttons)
        return [] if _in_form(tracker) else _end_turn([])  # in a form, the form asks again
