"""The notice's clauses, the schedule's dates and the reply templates: their lists, one item's page, its draft."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import or_, select

from bot.kb import queries, revisions
from bot.kb.loader import KnowledgeError
from bot.kb.models import Template
from bot.web.staff.gate import Gate
from bot.wording import check as wording_check
from bot.wording import spec as wording_spec

EDIT = {
    "clause": ("条款", [("title", "标题", "text"), ("text", "正文", "textarea"), ("note", "备注（可不填）", "text")]),
    "stage": ("日程", [("name", "阶段名称", "text"), ("start", "开始日期（YYYY-MM-DD，可不填）", "text"),
                       ("end", "截止日期（YYYY-MM-DD）", "text"), ("end_text", "截止的说法（可不填，如“另行通知”）", "text")]),
    "wording": ("回复模板", [("text", "模板（{名字} 处由程序填入）", "textarea")]),
}
BACK = {"clause": ("/admin/notice", "通知条款和日程"), "stage": ("/admin/notice", "通知条款和日程"),
        "wording": ("/admin/wording", "回复模板")}


def item_url(kind: str, key: str) -> str:
    return f"/admin/{kind}/{quote(key, safe='')}" if kind != "faq" else f"/admin/faq/{quote(key)}"


def register(bp: Blueprint, gate: Gate) -> None:
    db, write_db, off_loop, requires, render = gate.db, gate.write_db, gate.off_loop, gate.requires, gate.render

    @bp.get("/admin/notice")
    @requires("staff")
    async def admin_notice(request: Request) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            notice = queries.notice(session=s, year=year) if year else None
            clauses = [c for c in notice.clauses if c.kind == "paragraph"] if notice else []
            stages = queries.schedule(session=s, year=year) if year else []
        return render(request, "notice.html", notice=notice, clauses=clauses, stages=stages)

    def item_page(request: Request, kind: str, key: str, data=None, problems=(), status: int = 200):
        with db() as s:
            year = queries.current_year(session=s)
            live = revisions.live_data(s, year, kind, key) if year else None
            if live is None:
                return render(request, "staff_error.html", status=404, title="没有这一项",
                              message=f"没有{EDIT[kind][0]}“{key}”。")
            draft = next((r for r in revisions.drafts(session=s, year=year) if r.kind == kind and r.key == key), None)
            history = []
            for rev in revisions.history(session=s, year=year, key=key, kind=kind):
                before = revisions.previous(session=s, rev=rev)
                history.append({"rev": rev, "diff": revisions.diff(before.data if before else None, rev.data)})
        shown = data if data is not None else (dict(draft.data) if draft else live)
        return render(request, "item.html", status=status, heading=f"{EDIT[kind][0]} {key}", data=shown, live=live,
                      draft=draft, problems=list(problems), saved=request.args.get("saved"), history=history,
                      fields=EDIT[kind][1], action=item_url(kind, key), back=BACK[kind],
                      placeholders=wording_check.usable(key) if kind == "wording" else None,
                      about=wording_spec.GROUPS.get(key.partition(".")[0], ("",))[0] if kind == "wording" else None)

    async def item_save(request: Request, kind: str, key: str) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            live = revisions.live_data(s, year, kind, key) if year else None
        if live is None:
            return item_page(request, kind, key)
        data = dict(live)
        for name, _, _ in EDIT[kind][1]:
            value = (request.form.get(name) or "").replace("\r\n", "\n").strip()
            data.pop(name, None)
            if value:
                data[name] = value
        author = request.ctx.user.name

        def save():
            with write_db() as s, s.begin():
                return revisions.save_draft(session=s, year=year, data=data, author=author, kind=kind).id
        try:
            rev_id = await off_loop(save)
        except KnowledgeError as err:
            return item_page(request, kind, key, data=data, problems=[str(p) for p in err.problems], status=400)
        return response.redirect(item_url(kind, key) + f"?saved={rev_id}")

    def item_routes(kind: str, key_chars: int) -> None:
        """The page of one clause, date stage or reply template, and its draft's save."""
        @bp.get(f"/admin/{kind}/<raw>", name=f"admin_{kind}_item")
        @requires("staff")
        async def page(request: Request, raw: str) -> HTTPResponse:
            return item_page(request, kind, unquote(raw)[:key_chars])

        @bp.post(f"/admin/{kind}/<raw>", name=f"admin_{kind}_item_save")
        @requires("edit")
        async def save(request: Request, raw: str) -> HTTPResponse:
            return await item_save(request, kind, unquote(raw)[:key_chars])

    for kind, key_chars in (("clause", 32), ("stage", 32), ("wording", 96)):
        item_routes(kind, key_chars)

    # -- reply templates: every sentence the bot says (bot.wording) ----------------------------
    @bp.get("/admin/wording")
    @requires("staff")
    async def admin_wording(request: Request) -> HTTPResponse:
        q = (request.args.get("q") or "").strip()[:100]
        with db() as s:
            year = queries.current_year(session=s)
            stmt = select(Template).where(Template.year == year).order_by(Template.position)
            if q:
                like = f"%{q}%"
                stmt = stmt.where(or_(Template.id.like(like), Template.text.like(like)))
            rows = list(s.scalars(stmt)) if year else []
            pending = {r.key for r in revisions.drafts(session=s, year=year) if r.kind == "wording"} if year else set()
        groups: dict[str, dict[str, Any]] = {}
        for row in rows:
            group = row.id.partition(".")[0]
            about = wording_spec.GROUPS.get(group, ("",))[0]
            title = wording_spec.TITLES.get(group, group)
            groups.setdefault(group, {"title": title, "about": about, "rows": []})["rows"].append(row)
        return render(request, "wording.html", groups=groups, q=q, pending=pending, count=len(rows))
