"""The workbench's 回复模板 page against the real servers: an editor finds a sentence the bot says,
saves a new wording as a draft (a broken one is refused with kb check's message), a publisher
publishes it, and the bot's next reply says it — no retraining, no restart."""
from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
import requests

from bot import cli
from tests.web.staff_http import add_users, csrf_of
from tests.web.staff_http import login as staff_login

pytestmark = pytest.mark.e2e
USERS = {"wd_editor": ("editor", "wording editor pw 1"), "wd_pub": ("publisher", "wording publisher pw 1")}
TEMPLATE = "smalltalk.thank"
NEW = "不用谢！职称方面还有问题，随时问我；人工服务请拨打{hotline}。"


@pytest.fixture(scope="module")
def web(servers):
    add_users(USERS)
    yield servers
    assert cli.main(["kb", "load", "--force"]) == 0  # knowledge/'s wording again for the tests after


def login(url: str, name: str) -> requests.Session:
    return staff_login(url, name, USERS[name][1])


def bot_says(servers, text: str) -> str:
    r = requests.post(servers.rasa_url + "/webhooks/rest/webhook", timeout=60,
                      json={"sender": f"wording-{uuid.uuid4().hex[:8]}", "message": text})
    assert r.status_code == 200, r.text
    return "\n".join(m.get("text") or "" for m in r.json())


def test_an_edited_template_is_what_the_bot_says_after_publish(web):
    url = web.web_url
    before = bot_says(web, "谢谢")
    assert before == "不客气！还有其他职称方面的问题，可以继续问我。"

    editor = login(url, "wd_editor")
    listing = editor.get(f"{url}/admin/wording", params={"q": "不客气"}, timeout=10)
    assert listing.status_code == 200 and f'href="/admin/wording/{TEMPLATE}"' in listing.text
    page = editor.get(f"{url}/admin/wording/{TEMPLATE}", timeout=10)
    assert page.status_code == 200 and "{hotline}" in unescape(page.text)  # the placeholders it may use

    refused = editor.post(f"{url}/admin/wording/{TEMPLATE}", timeout=10, allow_redirects=False,
                          data={"csrf": csrf_of(page.text), "text": "不用谢！{name}"})
    assert refused.status_code == 400
    assert f"wording.yml [{TEMPLATE}]: 未知的占位符 {{name}}" in unescape(refused.text)

    saved = editor.post(f"{url}/admin/wording/{TEMPLATE}", timeout=10, allow_redirects=False,
                        data={"csrf": csrf_of(page.text), "text": NEW})
    assert saved.status_code == 302, saved.text
    draft_id = int(re.search(r"saved=(\d+)", saved.headers["Location"]).group(1))
    assert bot_says(web, "谢谢") == before  # a draft is not live
    assert editor.post(f"{url}/admin/revision/{draft_id}/publish", data={"csrf": csrf_of(page.text), "confirm": "1"},
                       allow_redirects=False, timeout=10).status_code == 403  # editors cannot publish

    publisher = login(url, "wd_pub")
    confirm = publisher.get(f"{url}/admin/revision/{draft_id}/publish", timeout=60)
    assert confirm.status_code == 200 and "回复模板" in confirm.text
    done = publisher.post(f"{url}/admin/revision/{draft_id}/publish", timeout=30, allow_redirects=False,
                          data={"csrf": csrf_of(confirm.text), "confirm": "1"})
    assert done.status_code == 302, done.text
    assert bot_says(web, "谢谢") == "不用谢！职称方面还有问题，随时问我；人工服务请拨打12333。"


def test_the_groups_are_headed_by_their_chinese_titles(web, browser):
    """Staff see what each group is: its title (bot.wording.spec.TITLES, written to wording.yml) heads
    it, its id only beside it, in small print."""
    from bot.wording.spec import TITLES
    from tests.web.conftest import shoot
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(web.web_url + "/login")
        page.get_by_label("账号").fill("wd_editor")
        page.get_by_label("密码").fill(USERS["wd_editor"][1])
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.goto(web.web_url + "/admin/wording")
        headings = [h.strip() for h in page.locator("h2").all_inner_texts()]
        assert headings == [f"{title} {group}" for group, title in TITLES.items()]
        assert page.get_by_role("heading", name="要不要开委托函 entrustment").is_visible()
        assert page.locator("h2 small").first.inner_text() == "common"
        shoot(page, "admin-wording")
        page.get_by_role("heading", name="要不要开委托函 entrustment").scroll_into_view_if_needed()
        shoot(page, "admin-wording-entrustment")
    finally:
        context.close()
