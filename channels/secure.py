"""REST and socket.io channels whose incoming text passes through bot.status.vault.protect first.

They keep Rasa's names ("rest", "socketio"), so the webhook URLs stay the same:
POST /webhooks/rest/webhook and /socket.io.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.request import Request

from bot.db import session_factory
from bot.status.vault import protect, scrub

log = logging.getLogger(__name__)


def guard(text: Optional[Text], sender_id: Optional[Text]) -> Optional[Text]:
    try:
        with session_factory()() as session, session.begin():
            return protect(text, session=session, sender_id=sender_id, now=dt.datetime.now())
    except Exception:  # the database is down: never let digits through, never fail the message
        log.exception("could not check for a pending verification factor")
        return scrub(text) if text else text


class SecureRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        body = req.json if isinstance(req.json, dict) else {}
        sender = body.get("sender")
        return guard(text, str(sender) if sender is not None else None)


class SecureSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            message.text = guard(message.text, message.sender_id)
            await on_new_message(message)

        return super().blueprint(guarded)
