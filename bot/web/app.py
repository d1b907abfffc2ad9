"""Routes of the web app (see bot/web/__init__.py); pages are Jinja2 templates."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import feedback
from bot.config import HOTLINE, settings
from bot.db import session_factory
from bot.kb import queries
from bot.kb.models import Clause, Notice, ScheduleStage
from bot.web import chat, origins, staff

log = logging.getLogger("zhicheng.web")
HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
MAX_BODY = 32 * 1024  # feedback carries an answer of up to 4,000 characters
MAX_UPLOAD = 4 * 1024 * 1024  # the workbench's import files (附件1/附件3 tables); every other path keeps MAX_BODY
UPLOAD_PATHS = ("/admin/import",)
MAX_CLAUSE_ID = 32
WIDGET_MAX_CHARS = "__ZC_MAX_MESSAGE_CHARS__"  # the placeholder in static/widget.js
WEEKDAYS = "一二三四五六日"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'")


def _asset_version() -> str:
    digest = hashlib.sha1()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@lru_cache(maxsize=4)
def widget_script(max_chars: int) -> str:
    """static/widget.js with the message limit written in (its input takes no more)."""
    return (STATIC / "widget.js").read_text(encoding="utf-8").replace(WIDGET_MAX_CHARS, str(max_chars))


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(hotline=HOTLINE, v=_asset_version(), clause_url=clause_url)
    return env


def clause_url(clause_id: str) -> str:
    return "/clause/" + quote(clause_id, safe="")


def date_text(day: dt.date | None) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）" if day else ""


def stage_period(stage: ScheduleStage) -> str:
    if stage.start and stage.end:
        return f"{date_text(stage.start)}—{date_text(stage.end)}"
    return stage.end_text or date_text(stage.end)


def _clause_id(raw: str) -> str | None:
    clause_id = unquote(raw).strip()
    return clause_id if 0 < len(clause_id) <= MAX_CLAUSE_ID else None


PUBLISH_CHECK_SECONDS = 300


def create_app() -> Sanic:
    app = Sanic("zhicheng_web", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_UPLOAD
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # the publish confirmation page asks the bot the whole development set (836 questions, about a
    # minute on 2 shared cores): Sanic's default 60 s would cut it off with a 503
    app.config.RESPONSE_TIMEOUT = PUBLISH_CHECK_SECONDS
    templates = _templates()
    db = session_factory()
    write_db = session_factory(busy_timeout=2)
    app.blueprint(chat.blueprint())
    app.static("/static", str(STATIC), name="static")

    def page(name: str, status: int = 200, **context: Any) -> HTTPResponse:  # any template variables
        html = templates.get_template(name).render(**context)
        return response.html(html, status=status, headers={"Content-Security-Policy": CSP})

    def find_clause(clause_id: str) -> tuple[Clause | None, Notice | None, Clause | None]:
        """(clause, notice) of the current year, or (None, notice)."""
        with db() as s:
            year = queries.current_year(session=s)
            notice = queries.notice(session=s, year=year) if year else None
            found = queries.clause(session=s, year=year, clause_id=clause_id) if year else None
            parent = queries.clause(session=s, year=year, clause_id=found.parent) if year and found and found.parent else None
            return found, notice, parent

    app.blueprint(staff.blueprint(page))

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/")
    async def index(_: Request) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            notice = queries.notice(session=s, year=year) if year else None
            stages = [{"name": st.name, "period": stage_period(st), "clause": st.clause}
                      for st in queries.schedule(session=s, year=year)] if year else []
        return page("index.html", notice=notice, stages=stages)

    @app.get("/widget.js")
    async def widget(_: Request) -> HTTPResponse:
        return response.text(widget_script(settings().max_message_chars),
                             content_type="application/javascript; charset=utf-8",
                             headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})

    @app.get("/clause/<raw_id>")
    async def clause_page(_: Request, raw_id: str) -> HTTPResponse:
        clause_id = _clause_id(raw_id)
        found, notice, parent = find_clause(clause_id) if clause_id else (None, None, None)
        if found is None:
            return page("not_found.html", status=404, what=f"条款“{clause_id or ''}”")
        return page("clause.html", clause=found, notice=notice, parent=parent,
                    paragraphs=[p for p in found.text.split("\n") if p.strip()])

    @app.route("/api/clause/<raw_id>", methods=["GET", "OPTIONS"])
    async def clause_api(request: Request, raw_id: str) -> HTTPResponse:
        cors = origins.cors_headers(request, public=True, preflight=request.method == "OPTIONS")
        if request.method == "OPTIONS":
            return response.empty(status=204, headers=cors)
        clause_id = _clause_id(raw_id)
        found, notice, _ = find_clause(clause_id) if clause_id else (None, None, None)
        if found is None or notice is None:  # a clause is found only in a loaded notice
            return response.json({"error": "没有这个条款", "id": clause_id}, status=404, headers=cors)
        return response.json({
            "id": found.id, "title": found.title, "text": found.text, "parent": found.parent,
            "notice": {"number": notice.number, "year": notice.year, "issuer": notice.issuer},
            "url": clause_url(found.id),
        }, headers={**cors, "Cache-Control": "public, max-age=300"})

    @app.route("/api/feedback", methods=["OPTIONS"])
    async def feedback_preflight(request: Request) -> HTTPResponse:
        return origins.preflight(request)

    @app.post("/api/feedback")
    async def feedback_api(request: Request) -> HTTPResponse:
        cors = origins.cors_headers(request)
        if not origins.allowed(request):
            return response.json({"error": "不接受来自这个网站（Origin）的请求"}, status=403)
        if not origins.is_json(request):
            return response.json({"error": "请求必须是 JSON（Content-Type: application/json）"}, status=415,
                                 headers=cors)
        try:
            data = feedback.parse(json.loads(request.body or b""))
        except (ValueError, RecursionError) as err:  # FeedbackError is a ValueError
            message = str(err) if isinstance(err, feedback.FeedbackError) else "请求体必须是 JSON 对象"
            return response.json({"error": message}, status=400, headers=cors)

        def store() -> int:
            with write_db() as s, s.begin():
                return feedback.record(session=s, data=data).id

        try:
            row_id = await asyncio.get_running_loop().run_in_executor(None, store)
        except Exception as err:  # database locked or down: the user can try again
            log.warning("feedback not stored (%s)", type(err).__name__)
            return response.json({"error": "暂时无法保存反馈，请稍后再试"}, status=503, headers=cors)
        return response.json({"ok": True, "id": row_id}, status=201, headers=cors)

    @app.on_request  # type: ignore[untyped-decorator]  # sanic leaves on_request unannotated
    async def body_limit(request: Request) -> HTTPResponse | None:
        """Only the import page takes large bodies (after login); everything else keeps MAX_BODY."""
        size = request.headers.get("content-length")
        if size and size.isdigit() and int(size) > MAX_BODY and not request.path.startswith(UPLOAD_PATHS):
            return response.json({"error": "请求体过大"}, status=413)
        if request.body and len(request.body) > MAX_BODY and not request.path.startswith(UPLOAD_PATHS):
            return response.json({"error": "请求体过大"}, status=413)
        return None

    @app.on_response  # type: ignore[untyped-decorator]  # sanic leaves on_response unannotated
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")

    @app.exception(Exception)  # type: ignore[untyped-decorator, no-untyped-call]  # sanic leaves exception() unannotated
    async def on_error(request: Request, err: Exception) -> HTTPResponse:
        status = err.status_code if isinstance(err, SanicException) else 500
        if status >= 500:
            log.error("web app error on %s: %s", request.path[:80], type(err).__name__)
        wants_json = request.path.startswith(("/api/", "/webhooks/")) or request.method != "GET"
        if isinstance(err, NotFound) and not wants_json:
            return page("not_found.html", status=404, what="这个页面")
        messages = {404: "没有这个地址", 405: "不支持这种请求方式", 413: "请求体过大"}
        return response.json({"error": messages.get(status, "服务器出错了，请稍后再试")},
                             status=status if status < 500 else 500)

    return app
