"""Pages behind login: the 12333 agent console (/agent) and the staff workbench (/admin).

Sessions are signed cookies (itsdangerous, key in var/web_secret generated once, 0600) holding
the account id, the account's session epoch (logout and disabling bump it, so old cookies stop
working) and a CSRF token. Every POST must carry that token (form field `csrf` or header
`X-CSRF-Token`), else 403. The login form has its own signed token cookie. Every page checks
the role (accounts.CAN): a page the role may not use answers 403.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote, unquote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import func, or_, select

from bot import clock, feedback
from bot.config import secret_value
from bot.db import session_factory
from bot.kb import queries, revisions
from bot.kb.loader import KnowledgeError
from bot.kb.models import FaqEntry, Template, UnansweredQuestion
from bot.staff import accounts, console, inbox, precheck
from bot.status import service as status_service
from bot.web import chat
from bot.wording import check as wording_check
from bot.wording import spec as wording_spec

log = logging.getLogger("zhicheng.web.staff")
COOKIE = "zc_staff"
LOGIN_COOKIE = "zc_login"
SESSION_HOURS = 10  # one shift
ROLE_NAMES = {"agent": "话务员", "editor": "编辑", "publisher": "发布人", "admin": "管理员"}
HOME = {"agent": "/agent", "editor": "/admin", "publisher": "/admin", "admin": "/admin"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_value("ZHICHENG_WEB_SECRET", "web_secret"), salt="zhicheng-staff")


def _split(text: str) -> list[str]:
    """A list typed in a form: one per line, or separated by 、，, ;"""
    out = []
    for line in (text or "").replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").splitlines():
        out += [part.strip() for part in line.split(",") if part.strip()]
    return out


def blueprint(page: Callable[..., HTTPResponse]) -> Blueprint:
    bp = Blueprint("staff")
    signer = _serializer()
    db = session_factory()
    write_db = session_factory(busy_timeout=5)
    tracker_url = console.tracker_store_url()

    async def off_loop(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    # -- sessions ----------------------------------------------------------------------------
    def read_session(request: Request) -> dict | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = signer.loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def current_user(request: Request) -> tuple[accounts.StaffUser | None, str | None]:
        data = read_session(request)
        if not data:
            return None, None
        with db() as s:
            user = s.get(accounts.StaffUser, data.get("u"))
            if user is None or user.disabled or (user.epoch or 0) != data.get("e"):
                return None, None
            return user, data.get("c")

    def secure(request: Request) -> bool:
        from bot.web.origins import own_origin
        return own_origin(request).startswith("https:")

    def set_cookie(request: Request, resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = max_age
        if secure(request):
            cookie["secure"] = True

    def csrf_ok(request: Request, expected: str | None) -> bool:
        given = request.headers.get("x-csrf-token") or (request.form.get("csrf") if request.form else None) or ""
        return bool(expected) and hmac.compare_digest(str(given), str(expected))

    def forbidden(request: Request, why: str) -> HTTPResponse:
        if request.path.startswith(("/agent/api/", "/admin/api/")):
            return response.json({"error": why}, status=403)
        return page("staff_error.html", status=403, title="没有权限", message=why, user=None)

    def requires(what: str):
        """Login, the role, and for a POST the CSRF token."""
        def wrap(handler):
            @wraps(handler)
            async def inner(request: Request, *args, **kwargs):
                user, csrf = current_user(request)
                if user is None:
                    if request.method == "GET" and not request.path.startswith(("/agent/api/", "/admin/api/")):
                        return response.redirect("/login?next=" + quote(request.path, safe="/"))
                    return response.json({"error": "请先登录"}, status=401)
                if not user.can(what):
                    return forbidden(request, f"您的角色（{ROLE_NAMES.get(user.role, user.role)}）不能使用这个功能。")
                if request.method == "POST" and not csrf_ok(request, csrf):
                    return forbidden(request, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
                request.ctx.user, request.ctx.csrf = user, csrf
                return await handler(request, *args, **kwargs)
            return inner
        return wrap

    def render(request: Request, name: str, status: int = 200, **context) -> HTTPResponse:
        return page(name, status=status, user=request.ctx.user, csrf=request.ctx.csrf,
                    role_name=ROLE_NAMES.get(request.ctx.user.role), **context)

    # -- login / logout ------------------------------------------------------------------------
    def login_page(request: Request, error: str | None = None, status: int = 200) -> HTTPResponse:
        token = secrets.token_urlsafe(24)
        wanted = request.args.get("next") or (request.form.get("next") if request.method == "POST" else None)
        resp = page("login.html", status=status, csrf=token, error=error, user=None, next=_safe_next(wanted))
        set_cookie(request, resp, LOGIN_COOKIE, signer.dumps({"l": token}), 3600)
        return resp

    @bp.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        user, _ = current_user(request)
        if user is not None:
            return response.redirect(HOME[user.role])
        return login_page(request)

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        try:
            expected = signer.loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=3600).get("l")
        except (BadSignature, AttributeError):
            expected = None
        if not csrf_ok(request, expected):
            return page("staff_error.html", status=403, title="没有权限", user=None,
                        message="登录表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
        name = (request.form.get("name") or "").strip()[:64]
        password = (request.form.get("password") or "")[:256]

        def check():
            with write_db() as s, s.begin():  # a refusal commits too: the failure count must stick
                try:
                    user = accounts.authenticate(session=s, name=name, password=password)
                except accounts.LoginError as err:
                    return None, str(err)
                return (user.id, user.epoch or 0, user.role), None

        found, error = await off_loop(check)
        if found is None:
            log.info("staff login refused")
            return login_page(request, error=error, status=401)
        uid, epoch, role = found
        resp = response.redirect(_safe_next(request.form.get("next")) or HOME[role])
        set_cookie(request, resp, COOKIE, signer.dumps({"u": uid, "e": epoch, "c": secrets.token_urlsafe(24)}),
                   SESSION_HOURS * 3600)
        del resp.cookies[LOGIN_COOKIE]
        return resp

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        user, csrf = current_user(request)
        if user is not None:
            if not csrf_ok(request, csrf):
                return forbidden(request, "CSRF 校验失败，请刷新页面后重试。")

            def bump():
                with write_db() as s, s.begin():
                    s.get(accounts.StaffUser, user.id).epoch = (user.epoch or 0) + 1
            await off_loop(bump)
        resp = response.redirect("/login")
        del resp.cookies[COOKIE]
        return resp

    # -- agent console --------------------------------------------------------------------------
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

    # -- staff workbench --------------------------------------------------------------------------
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

    def entry_context(s, year: int, faq_id: str) -> dict[str, Any]:
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
        data = {"question": (request.args.get("question") or "")[:200], "clauses": [], "keywords": []}
        return render(request, "new_entry.html", data=data, ids=(request.args.get("ids") or "")[:20000],
                      stages=stages, problems=[])

    @bp.post("/admin/faq/new")
    @requires("edit")
    async def admin_create_entry(request: Request) -> HTTPResponse:
        f = request.form
        user, ids = request.ctx.user, (f.get("ids") or "")[:20000]
        data = {"id": (f.get("id") or "").strip()[:64], "topic": (f.get("topic") or "").strip(),
                "question": (f.get("question") or "").strip(), "answer": (f.get("answer") or "").replace("\r\n", "\n").strip(),
                "clauses": _split(f.get("clauses") or "")}
        if _split(f.get("keywords") or ""):
            data["keywords"] = _split(f.get("keywords") or "")
        if (f.get("schedule") or "").strip():
            data["schedule"] = f.get("schedule").strip()

        def run():
            with write_db() as s, s.begin():
                return inbox.create_entry(session=s, ids=ids, data=data, by=user.name, can_publish=user.can("publish")).id
        try:
            rev_id = await off_loop(run)
        except (ValueError, KnowledgeError) as err:
            problems = [str(p) for p in err.problems] if isinstance(err, KnowledgeError) else [str(err)]
            with db() as s:
                stages = queries.schedule(session=s, year=queries.current_year(session=s))
            return render(request, "new_entry.html", status=400, data=data, ids=ids, stages=stages, problems=problems)
        return response.redirect(f"/admin/faq/{quote(data['id'])}?saved={rev_id}")

    @bp.get("/admin/faq/<faq_id>")
    @requires("staff")
    async def admin_entry(request: Request, faq_id: str) -> HTTPResponse:
        with db() as s:
            year = queries.current_year(session=s)
            entry = s.get(FaqEntry, (year, faq_id[:64])) if year else None
            draft = next((r for r in revisions.drafts(session=s, year=year) if r.kind == "faq"
                          and r.key == faq_id[:64]), None) if year else None
            if entry is None and draft is None:
                return render(request, "staff_error.html", status=404, title="没有这个条目",
                              message=f"没有问答条目“{faq_id[:64]}”。")
            data = revisions.entry_data(entry) if entry is not None else dict(draft.data)  # a new entry: only a draft
            ctx = entry_context(s, year, faq_id[:64])
        return render(request, "entry.html", data=dict(draft.data) if draft else data, live=data, draft=draft,
                      problems=[], saved=request.args.get("saved"), **ctx)

    @bp.post("/admin/faq/<faq_id>")
    @requires("edit")
    async def admin_save(request: Request, faq_id: str) -> HTTPResponse:
        f = request.form
        with db() as s:
            year = queries.current_year(session=s)
            entry = s.get(FaqEntry, (year, faq_id[:64])) if year else None
            draft = next((r for r in revisions.drafts(session=s, year=year) if r.kind == "faq"
                          and r.key == faq_id[:64]), None) if year else None
        if entry is None and draft is None:
            return render(request, "staff_error.html", status=404, title="没有这个条目", message="没有这个问答条目。")
        live = revisions.entry_data(entry) if entry is not None else dict(draft.data)
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

        def save():
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

    @bp.get("/admin/revision/<rev_id:int>/publish")
    @requires("publish")
    async def admin_publish_check(request: Request, rev_id: int) -> HTTPResponse:
        """The confirmation page: the diff, and what the draft does to the development question set."""
        def run():
            with db() as s:
                rev = s.get(revisions.KbRevision, rev_id)
                if rev is None or rev.status != "draft":
                    return None
                live = revisions.live_data(s, rev.year, rev.kind, rev.key)
                before = revisions.previous(session=s, rev=rev)
                plan = precheck.plan(session=s, year=rev.year, kind=rev.kind, draft=dict(rev.data), live=live,
                                     today=clock.today())
                diff = revisions.diff(before.data if before else live, rev.data)
                s.expunge(rev)
            report = precheck.check_draft(plan, rasa_url=chat.rasa_url(), tracker_url=tracker_url)
            return rev, diff, report
        found = await off_loop(run)
        if found is None:
            return render(request, "staff_error.html", status=409, title="不能发布",
                          message="只能发布待发布的草稿（这份草稿可能已被发布或被更新的草稿取代）。")
        rev, diff, report = found
        return render(request, "publish.html", rev=rev, diff=diff, report=report, back=item_url(rev.kind, rev.key),
                      kind_name=revisions.KIND_NAMES.get(rev.kind, rev.kind))

    @bp.post("/admin/revision/<rev_id:int>/publish")
    @requires("publish")
    async def admin_publish(request: Request, rev_id: int) -> HTTPResponse:
        if request.form.get("confirm") != "1":  # publishing goes through the confirmation page
            return response.redirect(f"/admin/revision/{rev_id}/publish", status=303)
        who = request.ctx.user.name

        def run():
            with write_db() as s, s.begin():
                rev = revisions.publish(session=s, revision_id=rev_id, publisher=who)
                return rev.kind, rev.key
        try:
            kind, key = await off_loop(run)
        except (revisions.RevisionError, KnowledgeError) as err:
            return render(request, "staff_error.html", status=409, title="不能发布", message=str(err))
        return response.redirect(item_url(kind, key))

    @bp.post("/admin/revision/<rev_id:int>/restore")
    @requires("edit")
    async def admin_restore(request: Request, rev_id: int) -> HTTPResponse:
        user = request.ctx.user

        def run():
            with write_db() as s, s.begin():
                rev = revisions.restore(session=s, revision_id=rev_id, author=user.name,
                                        can_publish=user.can("publish"))
                return rev.kind, rev.key
        try:
            kind, key = await off_loop(run)
        except (revisions.RevisionError, KnowledgeError) as err:
            return render(request, "staff_error.html", status=409, title="不能恢复", message=str(err))
        return response.redirect(item_url(kind, key))

    # -- notice clauses and schedule dates ----------------------------------------------------
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

    @bp.get("/admin/inbox")
    @requires("staff")
    async def admin_inbox(request: Request) -> HTTPResponse:
        with db() as s:
            found = inbox.groups(session=s)
            year = queries.current_year(session=s)
            entries = list(s.execute(select(FaqEntry.id, FaqEntry.question).where(FaqEntry.year == year)
                                     .order_by(FaqEntry.position))) if year else []
        return render(request, "inbox.html", groups=found, entries=entries, done=request.args.get("done"),
                      error=None)

    async def inbox_action(request: Request, fn) -> HTTPResponse:
        try:
            message = await off_loop(fn)
        except (ValueError, revisions.RevisionError) as err:  # KnowledgeError is not a ValueError
            return render(request, "staff_error.html", status=400, title="没有处理", message=str(err))
        except KnowledgeError as err:
            return render(request, "staff_error.html", status=400, title="没有处理",
                          message="；".join(str(p) for p in err.problems))
        return response.redirect("/admin/inbox?done=" + quote(message))

    @bp.post("/admin/inbox/link")
    @requires("edit")
    async def admin_inbox_link(request: Request) -> HTTPResponse:
        user, ids, faq_id = request.ctx.user, request.form.get("ids") or "", (request.form.get("faq_id") or "")[:64]

        def run():
            with write_db() as s, s.begin():
                rev = inbox.link(session=s, ids=ids, faq_id=faq_id, by=user.name, can_publish=user.can("publish"))
                state = "已发布" if rev.status == "published" else "已存为草稿，等待发布"
                return f"已把这组问题加为 {faq_id} 的检索关键词（修订 #{rev.id}，{state}）"
        return await inbox_action(request, run)

    @bp.post("/admin/inbox/dismiss")
    @requires("edit")
    async def admin_inbox_dismiss(request: Request) -> HTTPResponse:
        user, ids = request.ctx.user, request.form.get("ids") or ""

        def run():
            with write_db() as s, s.begin():
                return f"已忽略 {inbox.dismiss(session=s, ids=ids, by=user.name)} 个问题"
        return await inbox_action(request, run)

    # -- importers: the institution directory (附件1) and the association list (附件3) ---------
    IMPORTERS = {"directory": "评审服务机构目录（附件1）", "associations": "全国性行业协会商会脱钩改革名单（附件3）"}

    @bp.get("/admin/import")
    @requires("staff")
    async def admin_import_form(request: Request) -> HTTPResponse:
        return render(request, "import.html", importers=IMPORTERS, report=None, error=None)

    @bp.post("/admin/import")
    @requires("publish")  # imported rows are used at once: a publisher's decision
    async def admin_import(request: Request) -> HTTPResponse:
        import tempfile
        from pathlib import Path

        from sqlalchemy.exc import SQLAlchemyError

        from bot.advisor.directory import ImportFileError, import_associations, import_directory
        kind = request.form.get("kind") or ""
        upload = request.files.get("file") if request.files else None
        if kind not in IMPORTERS or upload is None or not upload.body:
            return render(request, "import.html", status=400, importers=IMPORTERS, report=None,
                          error="请选择要导入的表和文件（.csv 或 .xlsx）。")
        suffix = Path(upload.name or "").suffix.lower()[:8]
        importer = import_directory if kind == "directory" else import_associations

        def run():
            with tempfile.TemporaryDirectory(prefix="zc-import-") as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(upload.body)
                with write_db() as s, s.begin():
                    report = importer(path, session=s)
                report.file = upload.name or path.name
                return report

        try:
            report = await off_loop(run)
        except ImportFileError as err:
            message = str(err).replace(str(Path(tempfile.gettempdir())), "")
            return render(request, "import.html", status=400, importers=IMPORTERS, report=None,
                          error=f"无法导入：{message}")
        except SQLAlchemyError:
            return render(request, "import.html", status=503, importers=IMPORTERS, report=None,
                          error="数据库暂时不可用，未做任何修改，请稍后再试。")
        log.info("import %s by %s: %d rows, %d rejected", kind, request.ctx.user.name, report.rows,
                 len(report.rejected))
        return render(request, "import.html", importers=IMPORTERS, report=report, error=None)

    @bp.get("/admin/dashboard")
    @requires("staff")
    async def admin_dashboard(request: Request) -> HTTPResponse:
        from bot.staff import dashboard
        with db() as s:
            figures = dashboard.figures(session=s, tracker_url=tracker_url, today=dt.date.today())
            stale = dashboard.stale_answers(session=s, tracker_url=tracker_url)
        return render(request, "dashboard.html", figures=figures, stale=stale)

    @bp.get("/admin/feedback")
    @requires("staff")
    async def admin_feedback(request: Request) -> HTTPResponse:
        with db() as s:
            rows = list(s.scalars(select(feedback.Feedback).where(feedback.Feedback.rating == "down")
                                  .order_by(feedback.Feedback.at.desc()).limit(200)))
        return render(request, "feedback.html", rows=rows)

    return bp


def handover_code(code: str) -> str:
    from bot.handover import normalize
    return normalize(code)[:8]


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (never //host or a scheme)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) < 200:
        return value
    return None
