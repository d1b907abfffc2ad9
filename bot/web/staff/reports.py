"""What staff read: the dashboard and the answers users rated down."""
from __future__ import annotations

import datetime as dt

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from bot import feedback
from bot.web.staff.gate import Gate


def register(bp: Blueprint, gate: Gate) -> None:
    db, requires, render = gate.db, gate.requires, gate.render
    tracker_url = gate.tracker_url

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
