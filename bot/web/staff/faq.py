"""The workbench's home (/admin) and the FAQ entries: list, new entry, edit, save as a draft."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.kb import queries, revisions
from bot.kb.loader import KnowledgeError
from bot.kb.models import FaqEntry, UnansweredQuestion
from bot.staff import inbox
from bot.web.staff.gate import Gate


def _split(text: str) -> list[str]:
    """A list typed in a form: one per line, or separated by 、，, ;"""
    out = []
    for line in (text or "").replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").splitlines():
        out += [part.strip() for part in line.split(",") if part.strip()]
    return out


def _entry_and_draft(s: Session, year: int | None, faq_id: str
                     ) -> tuple[FaqEntry | None, revisions.KbRevision | None]:
    """The live entry and its pending draft (either may be missing: a new entry is only a draft)."""
    if not year:
        return None, None
    draft = next((r for r in revisions.drafts(session=s, year=year) if r.kind == "faq" and r.key == faq_id), None)
    return s.get(FaqEntry, (year, faq_id)), draft


def register(bp: Blueprint, gate: Gate) -> None:
    db, write_db, off_loop, requires, render = gate.db, gate.write_db, gate.off_loop, gate.requires, gate.render

    @bp.get("/admin")
    @requires("staff")
    async def admin_home(request: Request) -> HTTPResponse:
        q = (request.args.get("q") or "").strip()[:100]
        with db() as s:
            year = queries.current_year(session=s)
            stmt = select(FaqEntry).where(FaqEntry.year == year).order_by(FaqEntry.position)
            if q:
                like = f"%{q}%"
                stmt = stmt.where(or_(FaqEntry.id.like(like), FaqEntry.question.like(like),
                                      FaqEntry.answer.like(like)))
            entries = list(s.scalars(stmt)) if year else []
            pending = revisions.drafts(session=s, year=year) if year else []
            open_questions = s.scalar(select(func.count(UnansweredQuestion.id))) or 0
        return render(request, "admin.html", entries=entries, q=q, drafts=pending, unanswered=open_questions)

    def entry_context(s: Session, year: int, faq_id: str) -> dict[str, Any]:
        history = revisions.history(session=s, year=year, key=faq_id)
        items = []
        for rev in history:
            before = revisions.previous(session=s, rev=rev)
            items.append({"rev": rev, "diff": revisions.diff(before.data if before else None, rev.data)})
        stages = queries.schedule(session=s, year=year)
        return {"history": items, "stages": stages}

    @bp.get("/admin/faq/new")
    @requires("edit")
    async def admin_new_entry(request: Request) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            stages = queries.schedule(session=s, year=year) if year else []
        data: dict[str, Any] = {"question": (request.args.get("question") or "")[:200], "clauses": [], "keywords": []}
        return render(request, "new_entry.html", data=data, ids=(request.args.get("ids") or "")[:20000],
                      stages=stages, problems=[])

    @bp.post("/admin/faq/new")
    @requires("edit")
    async def admin_create_entry(request: Request) -> HTTPResponse:
        f = request.form
        user, ids = request.ctx.user, (f.get("ids") or "")[:20000]
        data: dict[str, Any] = {"id": (f.get("id") or "").strip()[:64], "topic": (f.get("topic") or "").strip(),
                "question": (f.get("question") or "").strip(), "answer": (f.get("answer") or "").replace("\r\n", "\n").strip(),
                "clauses": _split(f.get("clauses") or "")}
        if _split(f.get("keywords") or ""):
            data["keywords"] = _split(f.get("keywords") or "")
        if (f.get("schedule") or "").strip():
            data["schedule"] = f.get("schedule").strip()

        def run() -> int:
            with write_db() as s, s.begin():
                return inbox.create_entry(session=s, ids=ids, data=data, by=user.name, can_publish=user.can("publish")).id
        try:
            rev_id = await off_loop(run)
        except (ValueError, KnowledgeError) as err:
            problems = [str(p) for p in err.problems] if isinstance(err, KnowledgeError) else [str(err)]
            with db() as s:
                year = queries.current_year(session=s)
                stages = queries.schedule(session=s, year=year) if year else []
            return render(request, "new_entry.html", status=400, data=data, ids=ids, stages=stages, problems=problems)
        return response.redirect(f"/admin/faq/{quote(data['id'])}?saved={rev_id}")

    @bp.get("/admin/faq/<faq_id>")
    @requires("staff")
    async def admin_entry(request: Request, faq_id: str) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            entry, draft = _entry_and_draft(s, year, faq_id[:64])
            if entry is not None:
                data = revisions.entry_data(entry)
            elif draft is not None:  # a new entry: only a draft
                data = dict(draft.data)
            if year is None or (entry is None and draft is None):
                return render(request, "staff_error.html", status=404, title="没有这个条目",
                              message=f"没有问答条目“{faq_id[:64]}”。")
            ctx = entry_context(s, year, faq_id[:64])
        return render(request, "entry.html", data=dict(draft.data) if draft else data, live=data, draft=draft,
                      problems=[], saved=request.args.get("saved"), **ctx)

    @bp.post("/admin/faq/<faq_id>")
    @requires("edit")
    async def admin_save(request: Request, faq_id: str) -> HTTPResponse:
        f = request.form
        with db() as s:
            year = queries.current_year(session=s)
            entry, draft = _entry_and_draft(s, year, faq_id[:64])
        if entry is not None:
            live = revisions.entry_data(entry)
        elif draft is not None:
            live = dict(draft.data)
        if year is None or (entry is None and draft is None):
            return render(request, "staff_error.html", status=404, title="没有这个条目", message="没有这个问答条目。")
        data = dict(live)
        data.update(question=f.get("question") or "", answer=(f.get("answer") or "").replace("\r\n", "\n"),
                    topic=f.get("topic") or "", clauses=_split(f.get("clauses") or ""))
        keywords = _split(f.get("keywords") or "")
        data.pop("keywords", None)
        if keywords:
            data["keywords"] = keywords
        data.pop("schedule", None)
        if (f.get("schedule") or "").strip():
            data["schedule"] = f.get("schedule").strip()
        data.pop("enabled", None)
        if f.get("enabled") != "1":  # an unticked box is not sent: the form always carries it
            data["enabled"] = False
        author = request.ctx.user.name

        def save() -> int:
            with write_db() as s, s.begin():
                return revisions.save_draft(session=s, year=year, data=data, author=author).id
        try:
            rev_id = await off_loop(save)
        except KnowledgeError as err:
            with db() as s:
                ctx = entry_context(s, year, faq_id)
            return render(request, "entry.html", status=400, data=data, live=live,
                          draft=None, problems=[str(p) for p in err.problems], saved=None, **ctx)
        return response.redirect(f"/admin/faq/{quote(faq_id)}?saved={rev_id}")
