"""The publish-time check (bot.staff.precheck) without the bot: comparing and scoring replies, what a
draft's text renders to, what the page must admit it cannot tell, a bot that is down, and the
probe's conversations removed from the tracker store."""
from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from bot.config import PROBE_PREFIX
from bot.kb import revisions
from bot.staff import precheck
from tests.e2e.ask import check

TODAY = dt.date(2026, 11, 24)
Q122 = {"id": "q122", "topic": "缴费答辩", "text": "评审怎么才算通过？",
        "must_contain": ["三(一)5第2段", "三分之二"], "must_not_contain": ["二分之一", "半数"]}
CITE = "依据：京人社事业字〔2024〕96号 三(一)5第2段"


def asked(q, faq_ids, *messages):
    return precheck.Asked(q, list(faq_ids), list(messages))


def test_a_reply_that_loses_a_needed_fact_is_now_failing_and_other_entries_are_left_alone():
    old = "获得出席委员三分之二以上同意票的，取得资格。\n" + CITE
    new = "通过的，取得资格。\n" + CITE
    other = dict(Q122, id="q999")
    changes, unknown = precheck.compare(
        [asked(Q122, ["pass_vote"], old), asked(other, ["publicity"], "别的回答\n" + CITE)],
        {"pass_vote": (old, new)}, check)
    assert unknown == []
    [c] = changes
    assert (c.id, c.verdict, c.before, c.after) == ("q122", "now_fails", [], ["缺少 三分之二"])
    assert c.old == old and c.new == new


def test_a_reply_that_gains_the_fact_now_passes_and_an_unchanged_reply_is_not_listed():
    old = "通过的，取得资格。\n" + CITE
    new = "获得出席委员三分之二以上同意票的，取得资格。\n" + CITE
    changes, _ = precheck.compare([asked(Q122, ["pass_vote"], "您好", old)], {"pass_vote": (old, new)}, check)
    assert [c.verdict for c in changes] == ["now_passes"]
    assert changes[0].new == "您好\n" + new  # the other messages of the reply stay as they were
    same, _ = precheck.compare([asked(Q122, ["pass_vote"], old)], {"pass_vote": (old, old)}, check)
    assert same == []


def test_changes_list_the_new_failures_first_and_a_reply_without_the_old_text_is_not_guessed():
    a, b = dict(Q122, id="a"), dict(Q122, id="b")
    good = "三分之二以上\n" + CITE
    changes, unknown = precheck.compare(
        [asked(a, ["x"], "三分之二 甲\n" + CITE), asked(b, ["x"], good), asked(dict(Q122, id="c"), ["x"], "另一段")],
        {"x": (good, "过半\n" + CITE)}, check)
    assert [c.id for c in changes] == ["b"] and changes[0].verdict == "now_fails"
    assert [u.question["id"] for u in unknown] == ["a", "c"]


def test_the_faq_ids_of_a_rest_reply():
    body = [{"recipient_id": "s", "text": "答案"}, {"recipient_id": "s", "custom": {"faq_id": "pass_vote", "revision": 3}},
            {"recipient_id": "s", "text": "您可能还想问", "buttons": []}]
    assert precheck.faq_ids_of(body) == ["pass_vote"]
    assert precheck.faq_ids_of([{"text": "x"}, "junk", {"custom": "junk"}]) == []


def test_a_draft_renders_exactly_as_the_bot_would(session):
    live = revisions.live_data(session, 2024, "faq", "pass_vote")
    draft = dict(live, answer="评审委员会采取无记名投票表决。")
    p = precheck.plan(session=session, year=2024, kind="faq", draft=draft, live=live, today=TODAY)
    old, new = p.replaced["pass_vote"]
    assert old.startswith(live["answer"]) and old.endswith(CITE)
    assert new == "评审委员会采取无记名投票表决。\n" + CITE
    assert p.notes == []  # same question and keywords: routing is what the probe saw
    assert check(Q122, old) == [] and check(Q122, new) == ["缺少 三分之二"]


def test_what_the_check_cannot_tell_is_said(session):
    live = revisions.live_data(session, 2024, "faq", "pass_vote")
    keywords = precheck.plan(session=session, year=2024, kind="faq", live=live, today=TODAY,
                             draft=dict(live, keywords=["投票"]))
    assert "路由的变化检查无法判断" in keywords.notes[0]
    new = precheck.plan(session=session, year=2024, kind="faq", live=None, today=TODAY, draft=dict(live, id="brand_new"))
    assert new.replaced == {} and "新条目" in new.notes[0]
    off = precheck.plan(session=session, year=2024, kind="faq", live=live, today=TODAY, draft=dict(live, enabled=False))
    assert off.replaced == {} and "停用" in off.notes[0] and off.disables
    back = precheck.plan(session=session, year=2024, kind="faq", live=dict(live, enabled=False), today=TODAY,
                         draft=live)
    assert back.replaced == {} and "重新启用" in back.notes[0] and not back.disables


def test_a_stage_draft_changes_the_replies_of_the_entries_dated_by_it(session):
    from sqlalchemy import select

    from bot.kb.models import FaqEntry
    dated = session.scalars(select(FaqEntry).where(FaqEntry.year == 2024, FaqEntry.schedule.is_not(None))).first()
    live = revisions.live_data(session, 2024, "stage", dated.schedule)
    draft = dict(live, end="2026-12-31")
    p = precheck.plan(session=session, year=2024, kind="stage", draft=draft, live=live, today=TODAY)
    assert dated.id in p.replaced
    old, new = p.replaced[dated.id]
    assert old != new and "12月31日" in new


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_bot_that_is_down_is_said_and_the_check_does_not_pretend(session):
    live = revisions.live_data(session, 2024, "faq", "pass_vote")
    p = precheck.plan(session=session, year=2024, kind="faq", draft=dict(live, answer="x"), live=live, today=TODAY)
    report = precheck.check_draft(p, rasa_url=f"http://127.0.0.1:{free_port()}", tracker_url=None)
    assert "没有应答" in report.error and "请自行判断" in report.error
    assert report.asked == 0 and report.changes == []


def test_the_probe_conversations_are_deleted_and_nobody_elses(tmp_path):
    url = URL.create("sqlite", database=str(tmp_path / "tracker.db"))
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        for sender in (f"{PROBE_PREFIX}run1-q1", f"{PROBE_PREFIX}run1-q2", f"{PROBE_PREFIX}run2-q1", "user-1"):
            conn.execute(text("INSERT INTO events (sender_id, data) VALUES (:s, '{}')"), {"s": sender})
    engine.dispose()
    assert precheck.forget(url, "run1") == 2
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        left = [r[0] for r in conn.execute(text("SELECT sender_id FROM events ORDER BY id"))]
    engine.dispose()
    assert left == [f"{PROBE_PREFIX}run2-q1", "user-1"]
    assert precheck.forget(None, "run1") == 0


@pytest.mark.parametrize("name", ["questions.yml"])
def test_the_development_set_and_its_scorer_load(name):
    path = precheck.DEV_SET.parent / name
    questions = {q["id"]: q for q in precheck.load_questions(path)}
    assert {k: questions["q122"][k] for k in Q122} == Q122  # the question this file scores, as the set holds it
    assert questions["q293"]["text"] == "职称" * 600  # a repeated text is expanded to what the bot is sent
    assert all(q["text"] is not None for q in questions.values())
    score = precheck._load_scorer(path)
    assert score(Q122, "三分之二\n" + CITE) == []
    assert score(Q122, "获得半数以上同意票的，取得资格。\n" + CITE) == ["缺少 三分之二", "不应出现 半数"]
