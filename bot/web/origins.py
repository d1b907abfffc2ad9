"""Which browser origins may call the web app, and the CORS headers they get.

The widget is public, so there is no login to protect; what the checks stop is another site
posting into the feedback table from its visitors' browsers (CSRF) or reading replies
cross-origin. The rules:
- a write (`POST /api/feedback`) must be JSON (`Content-Type: application/json`, which a plain
  HTML form cannot send, and which makes a browser ask first with a CORS preflight), and when
  the request carries an `Origin` it must be this site's own origin or one listed in
  ZHICHENG_ALLOWED_ORIGINS; otherwise 403. A request without Origin (curl, a server) is not a
  browser acting for a user and passes;
- CORS headers are sent only to listed origins (same-origin pages need none), so pages on
  other sites can embed the widget only when their origin is listed;
- clause texts are public (the notice itself): any origin may read them.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import settings

PREFLIGHT_MAX_AGE = "600"


def own_origin(request: Request) -> str:
    """This site as the browser sees it: the Host header, and the scheme nginx reports (when the
    peer is a trusted proxy) or the connection's own."""
    scheme = request.scheme
    if request.ip in settings().trusted_proxies:
        scheme = (request.headers.get("x-forwarded-proto") or scheme).split(",")[0].strip() or scheme
    return f"{scheme}://{request.host}".lower()


def _normal(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else origin.strip().lower()


def listed(origin: str | None) -> bool:
    return origin is not None and origin != "" and _normal(origin) in {_normal(o) for o in settings().allowed_origins}


def allowed(request: Request) -> bool:
    """No Origin (not a browser), this site's own origin, or a listed one."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return _normal(origin) == own_origin(request) or listed(origin)


def is_json(request: Request) -> bool:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower() == "application/json"


def cors_headers(request: Request, *, public: bool = False, preflight: bool = False) -> dict[str, str]:
    """Headers for a cross-origin caller: every origin for public reads, listed origins otherwise."""
    origin = request.headers.get("origin")
    if not origin or (not public and not listed(origin)):
        return {}
    headers = {"Access-Control-Allow-Origin": "*" if public else origin, "Vary": "Origin"}
    if preflight:
        headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                        "Access-Control-Allow-Headers": "Content-Type",
                        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE})
    return headers


def preflight(request: Request) -> HTTPResponse:
    """The answer to a CORS preflight: 204 with the headers for an allowed origin, else 403."""
    headers = cors_headers(request, preflight=True)
    return response.empty(status=204 if headers else 403, headers=headers)
