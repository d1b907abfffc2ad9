"""FAQ actions: answer from the knowledge base; on low confidence, retrieve and offer choices."""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.kb import kb_session
from bot import answers, clock
from bot.config import settings
from bot.db import session_factory
from bot.kb import queries
from bot.kb.search import search
from bot.text import bad_input_reason, normalize

log = logging.getLogger(__name__)

# Low NLU confidence: each FAQ entry scores its NLU confidence plus its retrieval score
# (both 0..1). The best is answered when it is good enough and clearly ahead; otherwise the
# user picks among the top entries; with nothing plausible, the bot says it cannot answer.
ANSWER_SCORE = 0.6
ANSWER_LEAD = 0.15
SUGGEST_SCORE = 0.2


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def _render(session, year: int, entry) -> str:
    notice = queries.notice(session=session, year=year)
    stage = queries.stage(session=session, year=year, key=entry.schedule) if entry.schedule else None
    return answers.render_faq(entry, notice_number=notice.number, stage=stage, today=clock.today())


def _ranking(tracker: Tracker) -> Dict[str, float]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    return {r["name"]: float(r.get("confidence") or 0) for r in ranking if r.get("name")}


def answer_text(session, query: str, intents: Dict[str, float]) -> tuple[str, List[Dict[str, Any]]]:
    """Answer free text when the classifier is unsure: (reply, buttons)."""
    year = queries.current_year(session=session)
    if year is None:
        return answers.NOT_ANSWERABLE, []
    scores: Dict[str, float] = {}
    questions: Dict[str, str] = {}
    for entry in queries.faqs_by_intents(session=session, year=year, intents=list(intents)):
        scores[entry.id] = intents[entry.intent]
        questions[entry.id] = entry.question
    for hit in search(query, session=session, year=year, limit=5):
        scores[hit.faq_id] = scores.get(hit.faq_id, 0.0) + hit.score
        questions[hit.faq_id] = hit.question
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_id, best = ranked[0] if ranked else (None, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_id and best >= ANSWER_SCORE and best - second >= ANSWER_LEAD:
        entry = queries.faq_by_id(session=session, year=year, faq_id=best_id)
        return _render(session, year, entry), []
    suggestions = [fid for fid, score in ranked[:3] if score >= SUGGEST_SCORE]
    log_unanswered(text=query, reason="suggested" if suggestions else "no_match",
                   top_faq=best_id, top_score=best if best_id else None)
    if not suggestions:
        return answers.NOT_ANSWERABLE, []
    buttons = [{"title": questions[fid], "payload": "/ask_faq" + json.dumps({"faq_id": fid}, ensure_ascii=False)}
               for fid in suggestions]
    return answers.DID_YOU_MEAN, buttons


def log_unanswered(**fields: Any) -> None:
    """Best effort, in its own short transaction: a busy database never delays the reply."""
    try:
        with session_factory(busy_timeout=0.5)() as session, session.begin():
            queries.record_unanswered(session=session, **fields)
    except (SQLAlchemyError, UnicodeError, ValueError) as err:
        log.warning("unanswered question not recorded (%s)", type(err).__name__)


def _resume_advisor(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After a digression, repeat the advisor's open question (if any)."""
    asking = tracker.get_slot("adv_asking")
    if asking:
        from actions.advisor import ask_events
        ask_events(dispatcher, asking, again=True)


class ActionAnswerFaq(Action):
    """Answer the FAQ entry that the predicted intent (or a button's faq_id) names."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        from actions.advisor import ActionAdvise, answers_open_question
        if answers_open_question(tracker):  # "三级单位" answers the advisor's question, it is no FAQ
            return await ActionAdvise().run(dispatcher, tracker, domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        faq_id = _entity(tracker, "faq_id")
        with kb_session() as session:
            year = queries.current_year(session=session)
            entry = None
            if year is not None:
                if faq_id:
                    entry = queries.faq_by_id(session=session, year=year, faq_id=str(faq_id))
                elif intent:
                    entry = queries.faq_by_intent(session=session, year=year, intent=intent)
            if entry is not None:
                dispatcher.utter_message(text=_render(session, year, entry))
                _resume_advisor(dispatcher, tracker)
                return []
            text, buttons = answer_text(session, normalize(tracker.latest_message.get("text")), _ranking(tracker))
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class ActionFaqFallback(Action):
    """Low NLU confidence: answer by retrieval when one entry clearly fits, else offer choices."""

    def name(self) -> Text:
        return "action_faq_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        from actions.advisor import TOPIC_OF_INTENT, ActionAdvise
        best_guess = tracker.get_intent_of_latest_message(skip_fallback_intent=True)
        from bot.advisor.dialogue import merge, topic_in, understood
        text = normalize(tracker.latest_message.get("text"))
        about_my_case = (best_guess in TOPIC_OF_INTENT or best_guess == "inform") and topic_in(text) \
            and understood({}, merge({}, text, asking=None, answer=None))
        if tracker.get_slot("adv_asking") or about_my_case:
            # an unclear answer to the advisor's question, or an unsure "要不要开委托函" with my facts
            return await ActionAdvise().run(dispatcher, tracker, domain)
        raw = tracker.latest_message.get("text")
        reason = bad_input_reason(raw, settings().max_message_chars)
        if reason:
            dispatcher.utter_message(text=answers.BAD_INPUT[reason])
            return []
        with kb_session() as session:
            text, buttons = answer_text(session, normalize(raw), _ranking(tracker))
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class ActionInvalidInput(Action):
    """Explain why a message could not be read (empty, too long, markup, no text)."""

    def name(self) -> Text:
        return "action_invalid_input"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reason = bad_input_reason(tracker.latest_message.get("text"), settings().max_message_chars) or "no_text"
        dispatcher.utter_message(text=answers.BAD_INPUT[reason])
        return []
