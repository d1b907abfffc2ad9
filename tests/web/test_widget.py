"""The widget in a real browser (Debian's Chromium) against the real servers: ask, tap, open a
clause, reload, give feedback, check a status with masked digits, hand over, accessibility,
screenshots, and the offline message (last: it stops Rasa and starts it again)."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bot import handover
from bot.config import settings
from bot.db import new_session
from bot.feedback import Feedback
from bot.kb.models import FaqEntry
from tests.conftest import tracker_events
from tests.security.helpers import _strings, without_random_ids
from tests.web.conftest import SCREENSHOTS, shoot

ROOT_JS = "document.querySelector('#zhicheng-widget').shadowRoot"


class Widget:
    """The widget on the demo page, as a user sees and drives it."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url

    def goto(self) -> Widget:
        self.page.goto(self.url + "/")
        self.page.wait_for_function(f"() => !!document.querySelector('#zhicheng-widget') && {ROOT_JS}")
        return self

    def open(self) -> Widget:
        self.page.locator(".zc-launcher").click()
        self.page.locator(".zc-panel").wait_for(state="visible")
        self.wait_bot(1)  # the greeting
        return self

    def bots(self):
        return self.page.locator(".zc-msg--bot")

    def wait_bot(self, count: int) -> str:
        self.page.wait_for_function(
            f"() => {ROOT_JS}.querySelectorAll('.zc-msg--bot').length >= {count} && {ROOT_JS}.querySelector('.zc-typing').hidden",
            timeout=60_000)
        return self.bots().nth(count - 1).inner_text()

    def ask(self, text: str) -> str:
        before = self.bots().count()
        box = self.page.locator("#zc-input")
        box.fill(text)
        box.press("Enter")
        return self.wait_bot(before + 1)

    def tap(self, title: str) -> str:
        before = self.bots().count()
        self.page.locator(".zc-qr", has_text=title).last.click()
        return self.wait_bot(before + 1)

    def stored(self) -> dict:
        return json.loads(self.page.evaluate(
            "() => localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('zhicheng-widget:')))"))

    def raw_storage(self) -> str:
        return self.page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")

    def user_bubbles(self) -> list[str]:
        return self.page.locator(".zc-msg--user .zc-bubble").all_inner_texts()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def widget(context, servers):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    w = Widget(page, servers.web_url).goto()
    yield w
    assert not errors, errors  # no script errors on the page


def test_ask_open_a_clause_reload_and_give_feedback(widget):
    greeting = widget.open().bots().first.inner_text()
    assert "职称咨询助手" in greeting
    answer = widget.ask("公务员能评职称吗")
    assert "公务员不得参加专业技术人才职称评审" in answer and "一第4段" in answer
    assert widget.user_bubbles()[-1] == "公务员能评职称吗"
    assert widget.page.locator("#zc-input").input_value() == ""

    # the citation's clause id is a link that opens the clause's full text in the widget
    cite = widget.bots().last.locator('a.zc-cite[data-clause="一第4段"]')
    assert "/clause/" in cite.get_attribute("href")
    cite.click()
    dialog = widget.page.locator(".zc-dialog")
    dialog.wait_for(state="visible")
    widget.page.wait_for_function(f"() => {ROOT_JS}.querySelector('.zc-dlg-body').textContent.includes('公务员不得')")
    assert "京人社事业字〔2024〕96号 一第4段" in dialog.locator(".zc-dlg-title").inner_text()
    full_page = dialog.locator("a.zc-dlg-link").get_attribute("href")
    widget.page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert widget.page.evaluate(f"() => {ROOT_JS}.activeElement.dataset.clause") == "一第4段"  # focus returns
    clause_page = widget.page.context.new_page()
    clause_page.goto(full_page)
    assert "公务员不得参加专业技术人才职称评审" in clause_page.locator("main").inner_text()
    clause_page.close()

    # a reload keeps the conversation (and the open panel)
    sender = widget.stored()["sender"]
    widget.page.reload()
    widget.page.locator(".zc-panel").wait_for(state="visible")
    assert widget.user_bubbles() == ["公务员能评职称吗"]
    assert "公务员不得参加" in widget.bots().last.inner_text()
    assert widget.stored()["sender"] == sender

    # 👎 with a comment: stored with the question, the answer, the FAQ entry and the clause
    last = widget.bots().last
    last.get_by_role("button", name="没帮助").click()
    last.get_by_label("哪里不对？（可选）").fill("我是事业编制，想知道能不能评")
    last.get_by_role("button", name="提交反馈").click()
    last.get_by_text("感谢反馈").wait_for()
    with new_session() as s:
        row = s.scalar(select(Feedback).where(Feedback.conversation_id == sender))
        faq = s.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_civil_servant"))
    assert (row.rating, row.question, row.comment) == ("down", "公务员能评职称吗", "我是事业编制，想知道能不能评")
    assert row.faq_id == faq.id and row.clauses == ["一第4段"] and "公务员不得参加" in row.answer, (row.answer, faq.answer)
    widget.page.reload()  # the thanks survive a reload, and the buttons do not come back
    widget.page.locator(".zc-panel").wait_for(state="visible")
    assert widget.bots().last.get_by_text("感谢反馈").is_visible()


def test_traditional_input_gets_a_simplified_answer(widget):
    widget.open()
    answer = widget.ask("公務員能評職稱嗎")
    assert "公务员不得参加专业技术人才职称评审" in answer


def test_status_check_masks_the_digits(widget):
    widget.open()
    assert "申报编号" in widget.ask("我的申报到哪一步了")
    assert "验证方式" in widget.ask("DEMO-2024-0006")
    box = widget.page.locator("#zc-input")
    assert box.get_attribute("type") == "text"
    assert box.get_attribute("maxlength") == str(settings().max_message_chars)  # the servers' message limit

    prompt = widget.tap("手机号后4位")  # a quick reply: its title is the user's bubble, its payload is sent
    assert widget.user_bubbles()[-1] == "手机号后4位"
    assert "手机号后4位" in prompt
    assert box.get_attribute("type") == "password"
    assert box.get_attribute("inputmode") == "numeric"
    assert box.get_attribute("maxlength") == "4"
    assert box.get_attribute("pattern") == "[0-9Xx]{4}"
    assert widget.page.get_by_label("4位验证数字（输入内容已隐藏）").count() == 1
    box.fill("90")
    shoot(widget.page, "status-factor-1280x800")

    reply = widget.ask("9006")
    assert "待缴费" in reply and "三(一)4" in reply
    assert widget.user_bubbles()[-1] == "••••"
    assert box.get_attribute("type") == "text"  # only for that one answer
    assert box.get_attribute("maxlength") == str(settings().max_message_chars)
    sender = widget.stored()["sender"]
    assert "9006" not in widget.raw_storage()
    assert "••••" in widget.raw_storage()
    stored = "\n".join(without_random_ids(s) for s in _strings(tracker_events(sender)))  # numbers are Rasa's
    assert "待缴费" in stored and not re.search(r"(?<![0-9])9006(?![0-9])", stored)


def test_hand_over_gives_a_code_for_12333(widget):
    widget.open()
    before = widget.bots().count()
    widget.page.get_by_role("button", name="转人工").first.click()
    reply = widget.wait_bot(before + 1)
    assert widget.user_bubbles()[-1] == "转人工"
    code = re.search(r"转接码 ([A-Z0-9]{4})", reply).group(1)
    assert "12333" in reply
    sender = widget.stored()["sender"]
    with new_session() as s:
        assert handover.find(session=s, code=code).conversation_id == sender
    assert f"转接码 {code}" in widget.ask("我想跟真人说话")  # typed: the same open code again


def test_new_conversation_starts_over(widget):
    widget.open()
    widget.ask("公务员能评职称吗")
    old = widget.stored()["sender"]
    widget.page.get_by_role("button", name="新对话").click()
    widget.wait_bot(1)
    state = widget.stored()
    assert state["sender"] != old and re.fullmatch(r"[A-Za-z0-9_.:@-]{1,128}", state["sender"])
    assert widget.user_bubbles() == [] and "公务员不得" not in widget.raw_storage()


# -- accessibility ---------------------------------------------------------------------------------
NAMED_ROLES = {"button", "textbox", "link", "searchbox", "combobox", "checkbox", "radio", "dialog"}


def unnamed_controls(page) -> list[str]:
    """Controls without an accessible name, by Chromium's own accessibility tree."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    bad = []
    for node in nodes:
        role = (node.get("role") or {}).get("value")
        name = ((node.get("name") or {}).get("value") or "").strip()
        if role in NAMED_ROLES and not node.get("ignored") and not name:
            bad.append(f"{role} {node.get('nodeId')}")
    return bad


def test_every_control_is_named_and_reachable_by_keyboard_with_a_visible_focus(widget):
    page = widget.page
    page.locator(".zc-launcher").focus()
    assert unnamed_controls(page) == []
    page.keyboard.press("Enter")  # the launcher opens the panel; focus goes to the input
    widget.wait_bot(1)
    widget.ask("公务员能评职称吗")
    widget.bots().last.get_by_role("button", name="没帮助").click()  # the comment box too
    assert page.evaluate(f"() => {ROOT_JS}.querySelector('.zc-log').getAttribute('aria-live')") == "polite"
    assert unnamed_controls(page) == []

    # Tab from the first header button reaches every control of the panel, each with a visible ring
    controls = page.evaluate(f"""() => {{
        const r = {ROOT_JS};
        const all = [...r.querySelectorAll('.zc-panel button, .zc-panel input, .zc-panel textarea, .zc-panel a[href]')]
            .filter(e => e.offsetParent !== null && !e.disabled);
        all.forEach((e, i) => e.dataset.tabIndexProbe = String(i));
        all[0].focus();
        return all.length;
    }}""")
    page.keyboard.press("Tab")  # there and back by keyboard: the first control as a keyboard user gets it
    page.keyboard.press("Shift+Tab")
    seen = {}
    for _ in range(controls + 3):
        probe = page.evaluate(f"""() => {{
            const e = {ROOT_JS}.activeElement;
            if (!e) return null;
            const s = getComputedStyle(e);
            return [e.dataset.tabIndexProbe, s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow];
        }}""")
        if probe and probe[0] is not None:
            seen[probe[0]] = probe
        page.keyboard.press("Tab")
    assert set(seen) == {str(i) for i in range(controls)}, (controls, sorted(seen))
    for key, outline, width, shadow in seen.values():
        assert outline != "none" and width >= 2 and shadow != "none", (key, outline, width, shadow)

    # Enter sends; Esc closes the panel and gives focus back to the launcher
    page.locator("#zc-input").focus()
    page.keyboard.press("Escape")
    page.locator(".zc-panel").wait_for(state="hidden")
    assert page.evaluate(f"() => {ROOT_JS}.activeElement.className") == "zc-launcher"


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple, bg: tuple) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _rgb(css: str) -> tuple[float, float, float]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def test_text_contrast_is_at_least_4_5(widget):
    """Computed colours of the widget's text against the background it sits on."""
    widget.open()
    widget.ask("公务员能评职称吗")
    pairs = widget.page.evaluate(f"""() => {{
        const r = {ROOT_JS};
        const bg = e => {{
            for (let n = e; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {{
                const c = getComputedStyle(n).backgroundColor;
                if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
            }}
            return 'rgb(255, 255, 255)';
        }};
        const sel = ['.zc-title', '.zc-hbtn', '.zc-msg--user .zc-bubble', '.zc-msg--bot .zc-text', '.zc-cite',
                     '.zc-citation', '.zc-qr', '.zc-fb-q', '.zc-note', '.zc-input', '.zc-send'];
        return sel.map(s => {{ const e = [...r.querySelectorAll(s)].pop();
                               return e ? [s, getComputedStyle(e).color, bg(e)] : [s, null, null]; }});
    }}""")
    for selector, fg, bg in pairs:
        assert fg, f"{selector} not on screen"
        assert contrast(_rgb(fg), _rgb(bg)) >= 4.5, (selector, fg, bg, contrast(_rgb(fg), _rgb(bg)))


def test_declared_colour_pairs_have_contrast():
    """The colours widget.css declares, including the states not on screen in a normal chat."""
    from bot.web.app import STATIC
    css = (STATIC / "widget.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"(--zc-[a-z-]+):\s*(#[0-9a-fA-F]{6})", css))

    def hex_rgb(value: str) -> tuple:
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))

    for fg, bg in [("--zc-on-primary", "--zc-primary"), ("--zc-text", "--zc-panel"), ("--zc-text", "--zc-bot"),
                   ("--zc-muted", "--zc-panel"), ("--zc-muted", "--zc-ground"), ("--zc-link", "--zc-panel"),
                   ("--zc-alert-text", "--zc-alert-bg"), ("--zc-focus-edge", "--zc-focus")]:
        assert contrast(hex_rgb(var[fg]), hex_rgb(var[bg])) >= 4.5, (fg, bg)
    assert contrast(hex_rgb("#4d3b00"), hex_rgb("#fff8e1")) >= 4.5  # the factor hint
    assert contrast(hex_rgb("#1e6b34"), hex_rgb(var["--zc-panel"])) >= 4.5  # 感谢反馈


# -- screenshots: 1280×800, 360×740, and 200% zoom (half the CSS viewport at twice the pixels) ------
@pytest.mark.parametrize("name, viewport, scale", [
    ("widget-1280x800", {"width": 1280, "height": 800}, 1),
    ("widget-360x740", {"width": 360, "height": 740}, 1),
    ("widget-zoom200", {"width": 640, "height": 400}, 2),
])
def test_screenshots(browser, servers, name, viewport, scale):
    ctx = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN")
    try:
        page = ctx.new_page()
        w = Widget(page, servers.web_url).goto()
        shoot(page, f"page-{name}")
        w.open()
        w.ask("委托函 二级单位")
        shoot(page, name)
        # nothing sticks out sideways, and the panel fits the window
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        box = page.locator(".zc-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5
        assert page.locator("#zc-input").is_visible() and page.locator(".zc-send").is_visible()
        if name == "widget-360x740":  # the end of the answer, with the feedback form open
            w.bots().last.get_by_role("button", name="没帮助").click()
            page.evaluate(f"() => {{ const b = {ROOT_JS}.querySelector('.zc-body'); b.scrollTop = b.scrollHeight; }}")
            shoot(page, "feedback-360x740")
        if name == "widget-1280x800":
            w.bots().last.locator("a.zc-cite").first.click()
            page.locator(".zc-dialog").wait_for(state="visible")
            page.wait_for_function(f"() => !{ROOT_JS}.querySelector('.zc-dlg-body').textContent.includes('正在加载')")
            shoot(page, "clause-dialog-1280x800")
    finally:
        ctx.close()
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


# -- last: Rasa stops, the widget says so and keeps the text; Rasa is started again ---------------
def test_offline_message_when_rasa_is_stopped(widget, servers):
    widget.open()
    servers.stop_rasa()
    try:
        box = widget.page.locator("#zc-input")
        box.fill("申报时间是哪天")
        box.press("Enter")
        alert = widget.page.locator(".zc-alert")
        alert.wait_for(state="visible", timeout=30_000)
        text = alert.inner_text()
        assert "暂时连不上服务器" in text and "请稍后再试" in text and "12333" in text
        assert box.input_value() == "申报时间是哪天"  # nothing is lost
        assert widget.user_bubbles() == []  # and nothing pretends to be sent
        shoot(widget.page, "offline-1280x800")
    finally:
        servers.start_rasa()
        servers.wait(timeout=300)
