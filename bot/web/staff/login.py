"""Login and logout: the login form has its own signed token cookie; a refused login counts."""
from __future__ import annotations

import logging
import secrets

from itsdangerous import BadSignature
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff import accounts
from bot.web.staff.gate import COOKIE, HOME, LOGIN_COOKIE, SESSION_HOURS, Gate

log = logging.getLogger("zhicheng.web.staff")


def register(bp: Blueprint, gate: Gate) -> None:
    page, signer, write_db, off_loop = gate.page, gate.signer, gate.write_db, gate.off_loop
    set_cookie, current_user, csrf_ok, forbidden = gate.set_cookie, gate.current_user, gate.csrf_ok, gate.forbidden

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


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (never //host or a scheme)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) < 200:
        return value
    return None
