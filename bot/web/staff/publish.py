"""Publishing a draft (after its confirmation page with the precheck) and restoring an old revision."""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.kb import revisions
from bot.kb.loader import KnowledgeError
from bot.staff import precheck
from bot.web import chat
from bot.web.staff.gate import Gate
from bot.web.staff.items import item_url


def register(bp: Blueprint, gate: Gate) -> None:
    db, write_db, off_loop, requires, render = gate.db, gate.write_db, gate.off_loop, gate.requires, gate.render
    tracker_url = gate.tracker_url

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
