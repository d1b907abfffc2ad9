"""The chat in development: POST /webhooks/rest/webhook proxied to Rasa's REST channel.

The page and the chat then share one origin, as behind nginx (deploy/nginx.conf), where this
path goes to Rasa directly; the widget's code is the same in both. The body is passed on
untouched (the channel checks it); the client address goes along as X-Real-IP, taken from an
incoming X-Real-IP only when the peer is a trusted proxy (bot.clients).
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clients import client_address
from bot.config import settings
from bot.web import origins
from bot.wording import say

log = logging.getLogger("zhicheng.web")
TIMEOUT = aiohttp.ClientTimeout(total=90, connect=3)


def rasa_url() -> str:
    conf = settings()
    return f"http://{conf.host}:{conf.rasa_port}"


def blueprint() -> Blueprint:
    bp = Blueprint("chat_proxy")
    state: dict[str, aiohttp.ClientSession] = {}

    @bp.listener("before_server_start")  # type: ignore[untyped-decorator]  # sanic leaves listener() unannotated
    async def open_client(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        state["http"] = aiohttp.ClientSession(timeout=TIMEOUT)

    @bp.listener("after_server_stop")  # type: ignore[untyped-decorator]  # sanic leaves listener() unannotated
    async def close_client(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        if "http" in state:
            await state.pop("http").close()

    @bp.route("/webhooks/rest/webhook", methods=["OPTIONS"])  # type: ignore[untyped-decorator]  # sanic: Blueprint.route unannotated
    async def preflight(request: Request) -> HTTPResponse:
        return origins.preflight(request)

    @bp.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        cors = origins.cors_headers(request)
        body = request.body or b""
        if len(body) > settings().max_body_bytes:
            limit = settings().max_body_bytes // 1024
            return response.json({"error": f"请求体过大（最多 {limit} KB）"}, status=413, headers=cors)
        headers = {"Content-Type": "application/json",
                   "X-Real-IP": client_address(request.ip, request.headers.get("x-real-ip"))}
        try:
            async with state["http"].post(f"{rasa_url()}/webhooks/rest/webhook", data=body,
                                          headers=headers) as reply:
                payload = await reply.read()
                status = reply.status
                ctype = reply.headers.get("Content-Type", "application/json")
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            log.warning("chat proxy: Rasa unreachable (%s)", type(err).__name__)
            return response.json({"error": say("service.chat_unavailable")}, status=503, headers=cors)
        if status >= 500:
            return response.json({"error": say("service.chat_unavailable")}, status=503, headers=cors)
        return response.raw(payload, status=status, content_type=ctype, headers=cors)

    @bp.get("/webhooks/rest/")
    async def health(request: Request) -> HTTPResponse:
        try:
            async with state["http"].get(f"{rasa_url()}/webhooks/rest/") as reply:
                ok = reply.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            ok = False
        return response.json({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503,
                             headers=origins.cors_headers(request))

    return bp
