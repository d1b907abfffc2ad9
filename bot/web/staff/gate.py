"""What every staff page shares: the databases, the session cookie, the login, role and CSRF checks, rendering.

Sessions are signed cookies (itsdangerous, key in var/web_secret generated once, 0600) holding
the account id, the account's session epoch (logout and disabling bump it, so old cookies stop
working) and a CSRF token. Every POST must carry that token (form field `csrf` or header
`X-CSRF-Token`), else 403. Every page checks the role (accounts.CAN): a page the role may not use
answers 403.
"""
from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import secret_value
from bot.db import session_factory
from bot.staff import accounts, console

COOKIE = "zc_staff"
LOGIN_COOKIE = "zc_login"
SESSION_HOURS = 10  # one shift
ROLE_NAMES = {"agent": "话务员", "editor": "编辑", "publisher": "发布人", "admin": "管理员"}
HOME = {"agent": "/agent", "editor": "/admin", "publisher": "/admin", "admin": "/admin"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_value("ZHICHENG_WEB_SECRET", "web_secret"), salt="zhicheng-staff")


class Gate:
    """Built once per blueprint: `page` renders a template (bot.web.app)."""

    def __init__(self, page: Callable[..., HTTPResponse]):
        self.page = page
        self.signer = _serializer()
        self.db = session_factory()
        self.write_db = session_factory(busy_timeout=5)
        self.tracker_url = console.tracker_store_url()

    async def off_loop(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def read_session(self, request: Request) -> dict | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self.signer.loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def current_user(self, request: Request) -> tuple[accounts.StaffUser | None, str | None]:
        data = self.read_session(request)
        if not data:
            return None, None
        with self.db() as s:
            user = s.get(accounts.StaffUser, data.get("u"))
            if user is None or user.disabled or (user.epoch or 0) != data.get("e"):
                return None, None
            return user, data.get("c")

    def secure(self, request: Request) -> bool:
        from bot.web.origins import own_origin
        return own_origin(request).startswith("https:")

    def set_cookie(self, request: Request, resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = max_age
        if self.secure(request):
            cookie["secure"] = True

    def csrf_ok(self, request: Request, expected: str | None) -> bool:
        given = request.headers.get("x-csrf-token") or (request.form.get("csrf") if request.form else None) or ""
        return bool(expected) and hmac.compare_digest(str(given), str(expected))

    def forbidden(self, request: Request, why: str) -> HTTPResponse:
        if request.path.startswith(("/agent/api/", "/admin/api/")):
            return response.json({"error": why}, status=403)
        return self.page("staff_error.html", status=403, title="没有权限", message=why, user=None)

    def requires(self, what: str):
        """Login, the role, and for a POST the CSRF token."""
        def wrap(handler):
            @wraps(handler)
            async def inner(request: Request, *args, **kwargs):
                user, csrf = self.current_user(request)
                if user is None:
                    if request.method == "GET" and not request.path.startswith(("/agent/api/", "/admin/api/")):
                        return response.redirect("/login?next=" + quote(request.path, safe="/"))
                    return response.json({"error": "请先登录"}, status=401)
                if not user.can(what):
                    return self.forbidden(request, f"您的角色（{ROLE_NAMES.get(user.role, user.role)}）不能使用这个功能。")
                if request.method == "POST" and not self.csrf_ok(request, csrf):
                    return self.forbidden(request, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
                request.ctx.user, request.ctx.csrf = user, csrf
                return await handler(request, *args, **kwargs)
            return inner
        return wrap

    def render(self, request: Request, name: str, status: int = 200, **context) -> HTTPResponse:
        return self.page(name, status=status, user=request.ctx.user, csrf=request.ctx.csrf,
                         role_name=ROLE_NAMES.get(request.ctx.user.role), **context)
