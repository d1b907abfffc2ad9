"""REST and socket.io channels that check every message at the edge before Rasa sees it.

They keep Rasa's names ("rest", "socketio"), so the URLs stay the same:
POST /webhooks/rest/webhook and /socket.io. On top of Rasa's own channels they
- refuse malformed input with a clear 4xx: a body that is not a JSON object, a `message`
  that is not a string, a missing or unsafe sender id (bodies above the size limit are
  refused by Sanic itself, see bot.runner);
- seal or drop verification digits (bot.status.vault.protect), off the event loop and with a
  short database timeout; when the vault cannot be reached a message that holds digits is
  answered "please try again" and never passed on in clear (fail closed);
- never answer with silence: when Rasa produced no reply (e.g. the action server is down)
  the user gets a polite message with 12333;
- pass the client address (X-Real-IP from a trusted proxy, else the peer) to the vault, so the
  status limits key on it;
- socket.io: browser origins limited to ZHICHENG_ALLOWED_ORIGINS; a session id is issued and
  signed by the server, so a client cannot join another conversation's room by naming it.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import answers
from bot.clients import client_address
from bot.config import settings
from bot.db import session_factory
from bot.status import vault

log = logging.getLogger(__name__)

_SAFE_SENDER = re.compile(r"[A-Za-z0-9_.:@-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # half an emoji: no database or encoder takes it


class BadInput(ValueError):
    """A request the channel refuses; the text is shown to the client."""


class VaultUnavailable(RuntimeError):
    pass


def clean_text(text: Any, max_chars: int) -> str:
    """The message as Rasa may take it: a string, control characters removed, cut past the limit.

    One character more than the limit is kept, so the NLU still sees that it was too long.
    """
    if not isinstance(text, str):
        raise BadInput("message 必须是字符串")
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text[: max_chars * 4]))[: max_chars + 1]


def clean_sender(sender: Any) -> str:
    conf = settings()
    if not isinstance(sender, str) or not sender:
        raise BadInput("sender 必须是非空字符串（会话编号）")
    if len(sender) > conf.max_sender_chars or not _SAFE_SENDER.fullmatch(sender):
        raise BadInput(f"sender 最长 {conf.max_sender_chars} 个字符，只能含字母、数字和 _ . : @ -")
    return sender


def _protect_sync(text: str, sender_id: str, client: str) -> str:
    conf = settings()
    factory = session_factory(busy_timeout=max(conf.guard_timeout / 2, 0.1))
    with factory() as session, session.begin():
        return vault.protect(text, session=session, sender_id=sender_id, now=dt.datetime.now(), client=client)


async def guard(text: str, sender_id: str, client: str) -> str:
    """`vault.protect` off the event loop; raise VaultUnavailable when it cannot decide in time
    and the message holds digits (a message without digits passes, scrubbed). A message the vault
    would pass unchanged in any case (no digits) does not wait for a thread and the database."""
    if vault.untouched(text):
        return text
    try:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(None, _protect_sync, text, sender_id, client),
                                      timeout=settings().guard_timeout)
    except Exception as err:  # database locked or down, timeout
        log.warning("factor vault unavailable (%s)", type(err).__name__)
        if text.startswith("/") or vault.might_hold_a_factor(text):
            raise VaultUnavailable() from err
        return vault.scrub(text)


def fallback_reply(text: str | None) -> str:
    """What the user gets when Rasa said nothing: a restart is confirmed, anything else is a fault."""
    if text and text.split("{", 1)[0] in ("/restart", "/session_start"):
        return answers.NEW_CONVERSATION
    return answers.UNAVAILABLE


class SecureRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("custom_webhook_SecureRestInput", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            conf = settings()
            try:
                try:
                    body = json.loads(request.body or b"")
                except (ValueError, RecursionError) as err:
                    raise BadInput("请求体必须是 JSON 对象") from err
                if not isinstance(body, dict):
                    raise BadInput("请求体必须是 JSON 对象")
                sender = clean_sender(body.get("sender"))
                text = clean_text(body.get("message"), conf.max_message_chars)
            except BadInput as err:
                return response.json({"error": str(err)}, status=400)
            client = client_address(request.ip, request.headers.get("x-real-ip"))
            try:
                text = await guard(text, sender, client)
            except VaultUnavailable:
                return response.json([{"recipient_id": sender, "text": answers.TRY_AGAIN}])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            except Exception as err:  # never the text or the tracker in the log
                log.error("message handling failed for a rest message (%s)", type(err).__name__)
            messages = collector.messages or [{"recipient_id": sender, "text": fallback_reply(text)}]
            return response.json(messages)

        return webhook


class _CountingOutput(SocketIOOutput):
    sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


def _session_secret() -> bytes:
    from bot.config import secret_value
    return secret_value("ZHICHENG_SOCKET_SECRET", "socket_secret").encode("ascii")


def new_session_id(secret: bytes) -> str:
    raw = uuid.uuid4().hex
    return f"{raw}.{hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()[:24]}"


def valid_session_id(session_id: Any, secret: bytes) -> bool:
    if not isinstance(session_id, str) or session_id.count(".") != 1 or len(session_id) > 80:
        return False
    raw, sig = session_id.split(".")
    expected = hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()[:24]
    return bool(re.fullmatch(r"[0-9a-f]{32}", raw)) and hmac.compare_digest(sig, expected)


class SecureSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        conf = settings()
        secret = _session_secret()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(conf.allowed_origins))
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            client = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_REAL_IP"))
            await sio.save_session(sid, {"client": client}, namespace=self.namespace)
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            session_id = wanted if valid_session_id(wanted, secret) else new_session_id(secret)
            state = await sio.get_session(sid, namespace=self.namespace)
            state["session_id"] = session_id
            await sio.save_session(sid, state, namespace=self.namespace)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            state = await sio.get_session(sid, namespace=self.namespace)
            session_id = state.get("session_id")
            out = _CountingOutput(sio, self.bot_message_evt)
            if not session_id:  # no session_request first: nothing to answer into
                await sio.emit("error_message", {"error": "请先发送 session_request"}, room=sid,
                               namespace=self.namespace)
                return
            try:
                text = clean_text((data or {}).get("message") if isinstance(data, dict) else None,
                                  settings().max_message_chars)
                text = await guard(text, session_id, state.get("client", "unknown"))
            except BadInput as err:
                await sio.emit("error_message", {"error": str(err)}, room=sid, namespace=self.namespace)
                return
            except VaultUnavailable:
                await out.send_text_message(session_id, answers.TRY_AGAIN)
                return
            try:
                await on_new_message(UserMessage(text, out, session_id, input_channel=self.name()))
            except Exception as err:
                log.error("message handling failed for a socket.io message (%s)", type(err).__name__)
            if not out.sent:
                await out.send_text_message(session_id, fallback_reply(text))

        return bp
