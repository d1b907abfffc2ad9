"""The publish confirmation page against the real servers: before a publisher confirms, the page
shows which development questions the draft changes and which of them now fail; nothing is
published until the publisher confirms, and the check leaves no conversation and no
"unanswered question" behind."""
from __future__ import annotations

import os
import re
import sqlite3
import time
from html import unescape
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from bot import cli
from bot.config import PROBE_PREFIX
from bot.db import session_factory
from bot.kb import revisions
from bot.kb.models import FaqEntry, UnansweredQuestion
from tests.web.staff_http import add_users, csrf_of
from tests.web.staff_http import login as staff_login

USERS = {"pc_editor": ("editor", "precheck editor pw 1"), "pc_pub": ("publisher", "precheck publisher pw 1")}
ENTRY = "pass_vote"  # q122 "评审怎么才算通过？" must contain 三分之二, which only this answer states
NO_FACT = "评审委员会按分类评价标准综合评价，采取无记名投票表决，通过的取得相应的专业技术资格。"


@pytest.fixture(scope="module")
def web(servers):
    add_users(USERS)
    yield servers.web_url
    assert cli.main(["kb", "load", "--force"]) == 0


def login(url: str, name: str) -> requests.Session:
    return staff_login(url, name, USERS[name][1])


def answer_now() -> str:
    with session_factory()() as s:
        return s.scalar(select(FaqEntry.answer).where(FaqEntry.id == ENTRY))


def unanswered() -> int:
    with session_factory()() as s:
        return s.scalar(select(func.count(UnansweredQuestion.id)))


def probe_events() -> int:
    con = sqlite3.connect(Path(os.environ["ZHICHENG_VAR_DIR"]) / "tracker.db")
    try:
        return con.execute("SELECT COUNT(*) FROM events WHERE sender_id LIKE ?", (PROBE_PREFIX + "%",)).fetchone()[0]
    finally:
        con.close()


def rows(html: str, verdict: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", " ", m)) for m in
            re.findall(rf'<tr class="check-{verdict}">(.*?)</tr>', html, flags=re.S)]


def test_a_draft_that_drops_a_needed_fact_shows_now_fails_before_anything_is_published(web):
    old = answer_now()
    editor = login(web, "pc_editor")
    page = editor.get(f"{web}/admin/faq/{ENTRY}", timeout=10)
    saved = editor.post(f"{web}/admin/faq/{ENTRY}", timeout=10, allow_redirects=False, data={
        "csrf": csrf_of(page.text), "question": "评审怎么表决？怎样算通过？", "answer": NO_FACT, "topic": "缴费答辩",
        "clauses": "三(一)5第2段", "keywords": "投票\n表决\n通过率\n票数\n评委", "schedule": "", "enabled": "1"})
    assert saved.status_code == 302, saved.text
    draft_id = int(re.search(r"saved=(\d+)", saved.headers["Location"]).group(1))
    assert answer_now() == old

    publisher = login(web, "pc_pub")
    misses_before = unanswered()
    started = time.perf_counter()
    check = publisher.get(f"{web}/admin/revision/{draft_id}/publish", timeout=600)
    first = time.perf_counter() - started
    assert check.status_code == 200, check.text
    html = check.text
    assert 'id="check-error"' not in html
    failing = rows(html, "now_fails")
    assert any("q122" in r and "评审怎么才算通过" in r and "发布后不通过" in r and "缺少 三分之二" in r
               for r in failing), unescape(re.sub(r"<[^>]+>", " ", html))[-3000:]
    assert any(NO_FACT in r for r in failing)  # the reply with the draft, as the bot would give it
    summary = unescape(re.sub(r"<[^>]+>", "", re.search(r'<p id="check-summary">(.*?)</p>', html, re.S).group(1)))
    asked = int(re.search(r"问题集的 (\d+) 个问题", summary).group(1))
    assert asked > 400 and f"{len(failing)} 个问题会从通过变为不通过" in summary
    assert "路由的变化" not in html  # same question and keywords: nothing to warn about

    # nothing is live yet; the check left no conversation and no "unanswered question" behind
    assert answer_now() == old
    assert probe_events() == 0
    assert unanswered() == misses_before

    # the same knowledge version: answered from the cache
    started = time.perf_counter()
    again = publisher.get(f"{web}/admin/revision/{draft_id}/publish", timeout=60)
    assert again.status_code == 200 and rows(again.text, "now_fails") == failing
    assert time.perf_counter() - started < max(5.0, first / 4)

    # a POST without the confirmation goes to the page, and publishes nothing
    token = csrf_of(html)
    bare = publisher.post(f"{web}/admin/revision/{draft_id}/publish", data={"csrf": token}, allow_redirects=False,
                          timeout=10)
    assert bare.status_code == 303 and bare.headers["Location"] == f"/admin/revision/{draft_id}/publish"
    assert answer_now() == old

    # the publisher confirms anyway: it is live
    done = publisher.post(f"{web}/admin/revision/{draft_id}/publish", data={"csrf": token, "confirm": "1"},
                          allow_redirects=False, timeout=30)
    assert done.status_code == 302 and answer_now() == NO_FACT
    with session_factory()() as s, s.begin():
        first_text = revisions.history(session=s, year=2024, key=ENTRY)[-1]
        revisions.restore(session=s, revision_id=first_text.id, author="pc_pub", can_publish=True)
    assert answer_now() == old


def bot_answers_from(url: str, sender: str, text: str) -> list[str]:
    reply = requests.post(url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert reply.status_code == 200, reply.text
    return [m["custom"]["faq_id"] for m in reply.json() if isinstance(m.get("custom"), dict) and "faq_id" in m["custom"]]


def save_form(session: requests.Session, url: str, enabled: bool) -> int:
    page = session.get(f"{url}/admin/faq/{ENTRY}", timeout=10)
    form = {"csrf": csrf_of(page.text), "question": "评审怎么表决？怎样算通过？", "answer": answer_now(),
            "topic": "缴费答辩", "clauses": "三(一)5第2段", "keywords": "投票\n表决\n通过率\n票数\n评委", "schedule": ""}
    if enabled:
        form["enabled"] = "1"  # a ticked box; an unticked one is not sent at all
    saved = session.post(f"{url}/admin/faq/{ENTRY}", data=form, timeout=10, allow_redirects=False)
    assert saved.status_code == 302, saved.text
    return int(re.search(r"saved=(\d+)", saved.headers["Location"]).group(1))


def confirm(session: requests.Session, url: str, draft_id: int) -> str:
    page = session.get(f"{url}/admin/revision/{draft_id}/publish", timeout=600)
    assert page.status_code == 200, page.text
    done = session.post(f"{url}/admin/revision/{draft_id}/publish", data={"csrf": csrf_of(page.text), "confirm": "1"},
                        allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text
    return unescape(page.text)


def test_the_workbench_disables_an_entry_as_a_revision_and_the_bot_stops_answering_with_it(web):
    question = "评审怎么才算通过？"
    assert ENTRY in bot_answers_from(web, "enabled-0", question)
    editor, publisher = login(web, "pc_editor"), login(web, "pc_pub")
    draft_id = save_form(editor, web, enabled=False)
    assert ENTRY in bot_answers_from(web, "enabled-1", question)  # a draft: still answered
    page = confirm(publisher, web, draft_id)
    assert "+enabled: false" in page and "草稿停用这个条目" in page
    assert '<tr class="check-leaving"><td>q122：评审怎么才算通过？' in page  # the questions it answers now
    assert ENTRY not in bot_answers_from(web, "enabled-2", question)
    listing = unescape(publisher.get(f"{web}/admin?q={ENTRY}", timeout=10).text)
    assert "已停用" in listing
    entry_page = unescape(publisher.get(f"{web}/admin/faq/{ENTRY}", timeout=10).text)
    assert "这个条目已停用" in entry_page and 'name="enabled" value="1" >' in entry_page  # shown unticked

    confirm(publisher, web, save_form(editor, web, enabled=True))
    assert ENTRY in bot_answers_from(web, "enabled-3", question)
    assert "已停用" not in unescape(publisher.get(f"{web}/admin?q={ENTRY}", timeout=10).text)
