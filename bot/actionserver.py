"""The action server `zhicheng run` starts: rasa_sdk's executor behind a locked-down Sanic app.

Differences from `rasa run actions` (which still works for Rasa's CLI defaults):
- binds to ZHICHENG_HOST (127.0.0.1 by default);
- every call but /health needs the shared token in the X-Action-Token header, which Rasa sends
  from the endpoints file the runner writes (`action_endpoint.headers`);
- bodies above 4 MB are refused (Rasa posts the tracker, which is bounded by session expiry);
- an exception in an action never reaches Rasa as a 500 carrying the tracker: the user gets a
  polite reply with a short error id, and the log gets that id, the action's name and the
  exception's type and place, never the tracker or the user's text.

    python -m bot.actionserver --port 5055
"""
from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import secrets
import traceback
import zlib
from typing import Any

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot import answers, wording
from bot.config import secret_value, secure_var_dir, settings
from bot.db import session_factory
from bot.kb import queries

log = logging.getLogger("zhicheng.actions")
TOKEN_HEADER = "X-Action-Token"
TOKEN_ENV = "ZHICHENG_ACTION_TOKEN"
MAX_BODY = 4 * 1024 * 1024


def action_token() -> str:
    return secret_value(TOKEN_ENV, "action_token")


def _where(err: BaseException) -> str:
    """file:line of the innermost frame of the project's own code (no values, no locals)."""
    frames = traceback.extract_tb(err.__traceback__)
    own = [f for f in frames if "/site-packages/" not in f.filename] or frames
    return f"{own[-1].filename.rsplit('/', 1)[-1]}:{own[-1].lineno}" if own else "?"


def error_reply(error_id: str) -> dict[str, Any]:
    return {"events": [], "responses": [{"text": answers.action_error(error_id)}]}


def sync_wording() -> int | None:
    """The reply templates of the current knowledge version, before any action of this call speaks
    (a reply given before the action opens its session, e.g. "the message is empty", too); that
    version, which the call's reads then use (queries.CALL_VERSION), or None."""
    try:
        with session_factory()() as session:
            session.info[queries.ONE_VERSION] = True
            wording.sync(session=session)
            return queries.kb_version(session=session)  # asked by the sync: no second query
    except SQLAlchemyError as err:  # the database is down: keep the wording we have
        log.warning("wording not synced (%s)", type(err).__name__)
        return None


KEEP_ALIVE_SECONDS = 75


def create_app(package: str = "actions", token: str | None = None) -> Sanic:
    app = Sanic("zhicheng_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    # Rasa keeps its connections here idle for 2 s (bot.rasaserver) and closes them then; Sanic's own
    # 5 s let it close one the Rasa worker was about to reuse when a burst of messages delayed that
    # worker's event loop by seconds (tests/scale, 200 conversations at once on loaded cores: "Cannot
    # write to closing transport", the turn's action lost). The client closes first, always.
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_SECONDS
    executor = ActionExecutor()
    executor.register_package(package)
    expected = (token or action_token()).encode("utf-8")

    def authorised(request: Request) -> bool:
        given = (request.headers.get(TOKEN_HEADER) or "").encode("utf-8")
        return hmac.compare_digest(given, expected)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(request: Request) -> HTTPResponse:
        if not authorised(request):
            return response.json({"error": "unauthorised"}, status=401)
        return response.json([{"name": k} for k in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        if not authorised(request):
            return response.json({"error": "unauthorised"}, status=401)
        try:
            body = request.body or b""
            if request.headers.get("Content-Encoding") == "deflate":
                body = zlib.decompressobj().decompress(body, MAX_BODY * 8)
            call = json.loads(body)
            if not isinstance(call, dict) or not isinstance(call.get("tracker"), dict):
                raise ValueError("not an action call")
        except (ValueError, zlib.error, RecursionError):
            return response.json({"error": "invalid body"}, status=400)
        name = str(call.get("next_action") or "")[:64]
        version = queries.CALL_VERSION.set(sync_wording())
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as e:  # a form's slot was rejected: Rasa's normal flow
            return response.json({"error": e.message, "action_name": e.action_name}, status=400)
        except ActionNotFoundException as e:
            return response.json({"error": e.message, "action_name": e.action_name}, status=404)
        except Exception as err:  # noqa: BLE001 - any fault ends in a polite reply
            error_id = secrets.token_hex(3).upper()
            log.error("action %s failed: error id %s, %s at %s", name, error_id, type(err).__name__, _where(err))
            return response.json(error_reply(error_id))
        finally:
            queries.CALL_VERSION.reset(version)
        return response.json(result or {"events": [], "responses": []})

    @app.exception(Exception)  # type: ignore[untyped-decorator, no-untyped-call]  # sanic leaves exception() unannotated
    async def on_error(request: Request, err: Exception) -> HTTPResponse:
        status = getattr(err, "status_code", 500)
        if status >= 500:
            log.error("action server error: %s", type(err).__name__)
        return response.json({"error": type(err).__name__}, status=status if status < 500 else 500)

    return app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="职称咨询助手的动作服务器")
    p.add_argument("--port", type=int, default=settings().actions_port)
    p.add_argument("--actions", default="actions")
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    # ZHICHENG_ROUTE_LOG=DEBUG: the router's inputs (intents, candidates' ids and scores; no text) per message
    logging.getLogger("zhicheng.router").setLevel(os.environ.get("ZHICHENG_ROUTE_LOG", "INFO").upper())
    secure_var_dir()
    app = create_app(args.actions)
    app.run(host=settings().host, port=args.port, workers=args.workers, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
