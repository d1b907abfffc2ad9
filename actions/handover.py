"""Hand-over to a person: glue around bot.handover (a code the user reads to a 12333 agent)."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.kb import kb_session
from bot import handover


class ActionHandover(Action):
    def name(self) -> str:
        return "action_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        with kb_session() as session:
            code = handover.create(session=session, conversation_id=tracker.sender_id, reason="user_request")
        dispatcher.utter_message(text=handover.render(code))
        return []
