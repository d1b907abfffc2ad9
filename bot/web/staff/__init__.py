"""Pages behind login: the 12333 agent console (/agent) and the staff workbench (/admin).

Sessions are signed cookies (itsdangerous, key in var/web_secret generated once, 0600) holding
the account id, the account's session epoch (logout and disabling bump it, so old cookies stop
working) and a CSRF token. Every POST must carry that token (form field `csrf` or header
`X-CSRF-Token`), else 403. The login form has its own signed token cookie. Every page checks
the role (accounts.CAN): a page the role may not use answers 403.

gate.py holds what every page shares (sessions, CSRF, roles, rendering); each other module
registers the routes of one part: login, agent, faq, publish, items, inbox, imports, reports.
"""
from __future__ import annotations

from collections.abc import Callable

from sanic import Blueprint
from sanic.response import HTTPResponse

from bot.web.staff import agent, faq, imports, inbox, items, login, publish, reports
from bot.web.staff.gate import Gate


def blueprint(page: Callable[..., HTTPResponse]) -> Blueprint:
    bp = Blueprint("staff")
    gate = Gate(page)
    for part in (login, agent, faq, publish, items, inbox, imports, reports):  # the order the routes had
        part.register(bp, gate)
    return bp
