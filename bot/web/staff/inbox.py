"""The inbox of questions the bot could not answer: link a group to an entry, or dismiss it."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from bot.kb import queries, revisions
from bot.kb.loader import KnowledgeError
from bot.kb.models import FaqEntry
from bot.staff import inbox
from bot.web.staff.gate import Gate


def register(bp: Blueprint, gate: Gate) -> None:
    db, write_db, off_loop, requires, render = gate.db, gate.write_db, gate.off_loop, gate.requires, gate.render

    @bp.get("/admin/inbox")
    @requires("staff")
    async def admin_inbox(request: Request) -> HTTPResponse:
        number = request.args.get("page") or "1"
        with db() as s:
            found = inbox.page(session=s, number=int(number) if number.isdigit() and len(number) < 7 else 1,
                               query=request.args.get("q") or "")
            year = queries.current_year(session=s)
            entries = list(s.execute(select(FaqEntry.id, FaqEntry.question).where(FaqEntry.year == year)
                                     .order_by(FaqEntry.position))) if year else []
        return render(request, "inbox.html", page=found, entries=entries,
                      done=request.args.get("done"), error=None)

    async def inbox_action(request: Request, fn: Callable[[], str]) -> HTTPResponse:
        try:
            message = await off_loop(fn)
        except (ValueError, revisions.RevisionError) as err:  # KnowledgeError is not a ValueError
            return render(request, "staff_error.html", status=400, title="没有处理", message=str(err))
        except KnowledgeError as err:
            return render(request, "staff_error.html", status=400, title="没有处理",
                          message="；".join(str(p) for p in err.problems))
        back = {k: (request.form.get(k) or "")[:100] for k in ("q", "page")}  # the page the staff member was on
        extra = "".join(f"&{k}={quote(v)}" for k, v in back.items() if v)
        return response.redirect("/admin/inbox?done=" + quote(message) + extra)

    @bp.post("/admin/inbox/link")
    @requires("edit")
    async def admin_inbox_link(request: Request) -> HTTPResponse:
        user, ids, faq_id = request.ctx.user, request.form.get("ids") or "", (request.form.get("faq_id") or "")[:64]

        def run() -> str:
            with write_db() as s, s.begin():
                rev = inbox.link(session=s, ids=ids, faq_id=faq_id, by=user.name, can_publish=user.can("publish"))
                state = "已发布" if rev.status == "published" else "已存为草稿，等待发布"
                return f"已把这组问题加为 {faq_id} 的检索关键词（修订 #{rev.id}，{state}）"
        return await inbox_action(request, run)

    @bp.post("/admin/inbox/dismiss")
    @requires("edit")
    async def admin_inbox_dismiss(request: Request) -> HTTPResponse:
        user, ids = request.ctx.user, request.form.get("ids") or ""

        def run() -> str:
            with write_db() as s, s.begin():
                return f"已忽略 {inbox.dismiss(session=s, ids=ids, by=user.name)} 个问题"
        return await inbox_action(request, run)
