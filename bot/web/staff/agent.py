"""The 12333 agent console (/agent): search, advice, status lookup, handover, feedback."""
from __future__ import annotations

import datetime as dt
import json

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock, feedback
from bot.staff import console
from bot.status import service as status_service
from bot.web.staff.gate import Gate


def register(bp: Blueprint, gate: Gate) -> None:
    db, write_db, off_loop, requires, render = gate.db, gate.write_db, gate.off_loop, gate.requires, gate.render
    tracker_url = gate.tracker_url

    @bp.get("/agent")
    @requires("agent")
    async def agent_home(request: Request) -> HTTPResponse:
        return render(request, "agent.html", opts=console.choices(), form={}, advice=None, error=None,
                      lookup=None, transcript=None, code=None)

    @bp.get("/agent/api/search")
    @requires("agent")
    async def agent_search(request: Request) -> HTTPResponse:
        query = request.args.get("q") or ""
        with db() as s:
            result = console.search(session=s, query=query, today=clock.today())
        return response.json(result)

    @bp.post("/agent/advise")
    @requires("agent")
    async def agent_advise(request: Request) -> HTTPResponse:
        form = {k: request.form.get(k) for k in ("topic", "series", "level", "employer", "district", "identity",
                                                    "insured_in_beijing", "is_civil_servant")}
        try:
            with db() as s:
                advice = console.advise(session=s, form=form, today=clock.today())
            error = None
        except ValueError as err:
            advice, error = None, str(err)
        return render(request, "agent.html", status=400 if error else 200, opts=console.choices(), form=form,
                      advice=advice, error=error, lookup=None, transcript=None, code=None, panel="advisor")

    @bp.post("/agent/status")
    @requires("agent")
    async def agent_status(request: Request) -> HTTPResponse:
        application_id = (request.form.get("application_id") or "").strip()[:64]
        if not application_id:
            return render(request, "agent.html", status=400, opts=console.choices(), form={}, advice=None,
                          error="请输入申报编号", lookup=None, transcript=None, code=None, panel="status")
        agent = request.ctx.user.name

        def look():
            with write_db() as s, s.begin():
                result = status_service.agent_lookup(session=s, application_id=application_id, agent=agent,
                                                     channel="agent_console", now=dt.datetime.now())
                return result.ok, status_service.render_result(result, session=s, today=clock.today())

        ok, text = await off_loop(look)
        return render(request, "agent.html", opts=console.choices(), form={}, advice=None, error=None,
                      lookup={"ok": ok, "text": text, "id": application_id}, transcript=None, code=None,
                      panel="status")

    @bp.post("/agent/handover")
    @requires("agent")
    async def agent_handover(request: Request) -> HTTPResponse:
        code = (request.form.get("code") or "").strip()[:16]
        with db() as s:
            row = console.find_handover(session=s, code=code)
            conversation = row.conversation_id if row else None
        lines = console.transcript(url=tracker_url, conversation_id=conversation) if conversation else None
        error = None
        if row is None:
            error = "没有这个转接码，或已过期（24 小时）、已结束。请与来电人核对。"
        elif lines is None:
            error = "找不到对话记录（对话存储不可用）。"
        return render(request, "agent.html", status=404 if row is None else 200, opts=console.choices(), form={},
                      advice=None, error=error, lookup=None, transcript=lines or [], code=handover_code(code),
                      panel="handover")

    @bp.post("/agent/api/feedback")
    @requires("agent")
    async def agent_feedback(request: Request) -> HTTPResponse:
        try:
            body = json.loads(request.body or b"")
            if not isinstance(body, dict):
                raise ValueError
            data = feedback.parse({**body, "sender": f"agent:{request.ctx.user.name}", "rating": "down"})
        except (ValueError, RecursionError) as err:
            msg = str(err) if isinstance(err, feedback.FeedbackError) else "请求体必须是 JSON 对象"
            return response.json({"error": msg}, status=400)

        def store():
            with write_db() as s, s.begin():
                return feedback.record(session=s, data=data).id
        return response.json({"ok": True, "id": await off_loop(store)}, status=201)


def handover_code(code: str) -> str:
    from bot.handover import normalize
    return normalize(code)[:8]
