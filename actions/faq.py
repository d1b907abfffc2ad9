"""FAQ actions: answer from the knowledge base; on low confidence, retrieve and offer choices."""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.kb import kb_session
from bot import answers, clock
from bot.config import settings
from bot.kb import queries
from bot.kb.search import search
from bot.text import bad_input_reason, normalize

log = logging.getLogger(__name__)

# retrieval score (0..1) above which the top hit is answered directly, and the lead it
# needs over the second hit; below, the user chooses among the top hits
ANSWER_SCORE = 0.45
ANSWER_LEAD = 0.12
SUGGEST_SCORE = 0.12


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def _render(session, year: int, entry) -> str:
    notice = queries.notice(session=session, year=year)
    stage = queries.stage(session=session, year=year, key=entry.schedule) if entry.schedule else None
    return answers.render_faq(entry, notice_number=notice.number, stage=stage, today=clock.today())


def answer_text(session, query: str) -> tuple[Optional[str], List[Dict[str, Any]]]:
    """Answer free text by retrieval: (reply, buttons). Used when the classifier is unsure."""
    year = queries.current_year(session=session)
    if year is None:
        return answers.NOT_ANSWERABLE, []
    hits = search(query, session=session, year=year, limit=3)
    top = hits[0] if hits else None
    lead = top.score - hits[1].score if len(hits) > 1 else (top.score if top else 0)
    if top and top.score >= ANSWER_SCORE and lead >= ANSWER_LEAD:
        entry = queries.faq_by_id(session=session, year=year, faq_id=top.faq_id)
        return _render(session, year, entry), []
    suggestions = [h for h in hits if h.score >= SUGGEST_SCORE]
    queries.record_unanswered(session=session, text=query, reason="suggested" if suggestions else "no_match",
                              top_faq=top.faq_id if top else None, top_score=top.score if top else None)
    if not suggestions:
        return answers.NOT_ANSWERABLE, []
    buttons = [{"title": h.question, "payload": "/ask_faq" + json.dumps({"faq_id": h.faq_id}, ensure_ascii=False)}
               for h in suggestions]
    return answers.DID_YOU_MEAN, buttons


class ActionAnswerFaq(Action):
    """Answer the FAQ entry that the predicted intent (or a button's faq_id) names."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
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
                return []
            text, buttons = answer_text(session, normalize(tracker.latest_message.get("text")))
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class ActionFaqFallback(Action):
    """Low NLU confidence: answer by retrieval when one entry clearly fits, else offer choices."""

    def name(self) -> Text:
        return "action_faq_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        raw = tracker.latest_message.get("text")
        reason = bad_input_reason(raw, settings().max_message_chars)
        if reason:
            dispatcher.utter_message(text=answers.BAD_INPUT[reason])
            return []
        with kb_session() as session:
            text, buttons = answer_text(session, normalize(raw))
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
