"""Lookups as a user and an agent: verification, the neutral failure, lock-out, audit."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.status import service
from bot.status.models import Application, LookupAudit, LookupFailure
from bot.status.service import LOCKOUT, MAX_FAILURES, NEUTRAL_FAILURE, agent_lookup, lookup, render_result
from bot.status.vault import client_key
from tests.status.conftest import NOTICE, NOW, row

APP = "BJ2024ZC000123"
OTHER = "BJ2024ZC000456"


@pytest.fixture
def apps(add):
    add(row(APP, "submitted", "2024-07-10T10:00"),
        row(APP, "returned", "2024-08-12T09:30", deadline=dt.date(2024, 8, 30),
            note="继续教育证明未上传；推荐意见缺少公章"),
        row(OTHER, "awaiting_payment", "2024-09-02", name="欧阳小明", id_last4="5531", phone_last4=None))


def attempt(factory, *, app=APP, kind="id4", factor="482X", conv="conv-a", now=NOW, channel="rest", client=None):
    """One lookup; by default each conversation comes from its own client address."""
    with factory() as s, s.begin():
        return lookup(session=s, application_id=app, factor_kind=kind, factor=factor, channel=channel,
                      conversation_id=conv, client=client or client_key(f"ip-of-{conv}"), now=now)


def audits(factory) -> list[LookupAudit]:
    with factory() as s:
        return list(s.scalars(select(LookupAudit).order_by(LookupAudit.id)))


def test_right_id_and_id_factor_gives_the_status(factory, apps):
    result = attempt(factory)
    assert result.ok and result.message is None
    v = result.view
    assert (v.application_id, v.name_masked, v.stage) == (APP, "张*明", "returned")
    assert v.corrections == ("继续教育证明未上传", "推荐意见缺少公章")
    assert [h.stage for h in v.history] == ["submitted", "returned"]


def test_phone_factor_and_sloppy_typing_work(factory, apps):
    assert attempt(factory, app=" bj2024zc000123 ", kind="phone4", factor="７３１６").ok
    assert attempt(factory, factor="482x").ok


def test_wrong_id_and_wrong_factor_get_the_same_neutral_message(factory, apps):
    wrong_id = attempt(factory, app="BJ2024ZC999999", conv="c1")
    wrong_factor = attempt(factory, factor="4821", conv="c2")
    bad_factor = attempt(factory, factor="abc", conv="c3")
    no_phone = attempt(factory, app=OTHER, kind="phone4", factor="5531", conv="c4")  # no phone on record
    for r in (wrong_id, wrong_factor, bad_factor, no_phone):
        assert (r.verdict, r.view, r.message) == ("no_match", None, NEUTRAL_FAILURE)
    assert "12333" in NEUTRAL_FAILURE


def test_rendered_reply_cites_the_notice_from_the_knowledge_base(session, apps, db_url):
    result = lookup(session=session, application_id=APP, factor_kind="id4", factor="482X", channel="rest",
                    conversation_id="c", now=NOW)
    text = render_result(result, session=session, today=NOW.date())
    assert "当前阶段：退回补正" in text and "1. 继续教育证明未上传\n2. 推荐意见缺少公章" in text
    assert "补正截止：8月30日，还剩11天（含今天）" in text
    assert text.endswith(f"依据：{NOTICE} 三(一)3")
    session.rollback()


def test_five_failures_in_one_conversation_lock_it_out(factory, apps):
    results = [attempt(factory, app=f"BJ2024ZC00{i}", conv="attacker", now=NOW + dt.timedelta(minutes=i))
               for i in range(MAX_FAILURES)]
    assert [r.verdict for r in results] == ["no_match"] * (MAX_FAILURES - 1) + ["locked"]
    until = NOW + dt.timedelta(minutes=MAX_FAILURES - 1) + LOCKOUT
    assert results[-1].locked_until == until
    # even the right id and factor are refused in that conversation until the lock ends
    refused = attempt(factory, conv="attacker", now=NOW + dt.timedelta(minutes=30))
    assert refused.verdict == "locked" and refused.view is None
    assert refused.message.startswith("查询失败次数过多") and f"{until:%H:%M}以后再试" in refused.message
    assert "拨打12333" in refused.message
    # another conversation is not affected
    assert attempt(factory, conv="someone-else", now=NOW + dt.timedelta(minutes=30)).ok
    # after the cooling-off period the conversation may try again
    assert attempt(factory, conv="attacker", now=until + dt.timedelta(seconds=1)).ok


def test_five_failures_for_one_id_across_conversations_lock_the_id(factory, apps):
    for i in range(MAX_FAILURES):
        attempt(factory, factor=f"000{i}", conv=f"conv-{i}", now=NOW + dt.timedelta(minutes=i))
    refused = attempt(factory, conv="the-real-applicant", now=NOW + dt.timedelta(minutes=10))
    assert refused.verdict == "locked"
    assert attempt(factory, app=OTHER, factor="5531", conv="conv-9", now=NOW + dt.timedelta(minutes=10)).ok
    later = NOW + dt.timedelta(minutes=MAX_FAILURES - 1) + LOCKOUT + dt.timedelta(minutes=1)
    assert attempt(factory, conv="the-real-applicant", now=later).ok


def test_an_unknown_id_locks_the_same_way_so_a_lock_reveals_nothing(factory, apps):
    for i in range(MAX_FAILURES):
        r = attempt(factory, app="BJ2024ZC999999", conv=f"c{i}", now=NOW + dt.timedelta(minutes=i))
    assert r.verdict == "locked"


def test_failures_spread_over_more_than_an_hour_do_not_lock(factory, apps):
    times = [NOW, NOW + dt.timedelta(minutes=20), NOW + dt.timedelta(minutes=40), NOW + dt.timedelta(minutes=55),
             NOW + dt.timedelta(minutes=61)]
    verdicts = [attempt(factory, factor="0000", conv="slow", now=t).verdict for t in times]
    assert verdicts == ["no_match"] * 5
    assert attempt(factory, conv="slow", now=NOW + dt.timedelta(minutes=62)).ok


def test_old_failures_are_purged(factory, apps):
    attempt(factory, factor="0000", conv="c", now=NOW)
    attempt(factory, conv="c", now=NOW + dt.timedelta(hours=3))
    with factory() as s:
        assert s.scalars(select(LookupFailure)).all() == []


def test_lock_until_is_a_pure_sliding_window():
    t = [NOW + dt.timedelta(minutes=m) for m in (0, 10, 20, 30, 40)]
    assert service.lock_until(t, now=NOW + dt.timedelta(minutes=41)) == t[-1] + LOCKOUT
    assert service.lock_until(t, now=t[-1] + LOCKOUT) is None
    assert service.lock_until(t[:4], now=NOW) is None


def test_every_attempt_is_audited_without_the_factor_or_id_digits(factory, apps):
    attempt(factory, conv="c1")  # ok
    attempt(factory, factor="9173", conv="c2")  # wrong factor
    attempt(factory, app="11010519491231002X", factor="9173", conv="13812345678")  # an ID number typed as the id
    rows = audits(factory)
    assert [(a.result, a.detail) for a in rows] == [("ok", "verified"), ("no_match", "wrong_factor"),
                                                     ("no_match", "unknown_id")]
    assert rows[0].application_id == APP and rows[0].channel == "rest" and rows[0].factor_kind == "id4"
    assert rows[2].application_id is None and rows[2].supplied_id == "*" * 18
    assert rows[2].conversation_id == "*" * 11
    with factory() as s:
        stored = " ".join(str(v) for a in rows for v in vars(a).values())
        stored += " ".join(f.key for f in s.scalars(select(LookupFailure)))
    # digests are opaque: by chance a hex digest holds any four digits ("…847316fa…" failed CI once)
    digests = re.findall(r"[0-9a-f]{32,}", stored)
    assert digests, "the failure keys are digests"
    stored = re.sub(r"[0-9a-f]{32,}", "<digest>", stored)
    for secret in ("482X", "9173", "7316", "11010519491231002X", "13812345678"):
        assert secret not in stored


def test_locked_refusals_are_audited(factory, apps):
    for i in range(MAX_FAILURES + 1):
        attempt(factory, factor="0000", conv="c", now=NOW + dt.timedelta(minutes=i))
    assert [a.result for a in audits(factory)][-2:] == ["locked", "locked"]
    assert audits(factory)[-1].detail == "refused"


def test_agent_lookup_is_audited_with_the_agents_name(factory, apps):
    with factory() as s, s.begin():
        result = agent_lookup(session=s, application_id=APP, agent="王坐席", now=NOW)
    assert result.ok and result.view.stage == "returned"
    last = audits(factory)[-1]
    assert (last.agent, last.channel, last.result, last.application_id, last.factor_kind) == \
        ("王坐席", "agent", "ok", APP, None)


def test_agent_lookup_is_not_blocked_by_a_user_lock(factory, apps):
    for i in range(MAX_FAILURES):
        attempt(factory, factor="0000", conv=f"c{i}", now=NOW)
    assert attempt(factory, conv="c9", now=NOW).verdict == "locked"
    with factory() as s, s.begin():
        assert agent_lookup(session=s, application_id=APP, agent="王坐席", now=NOW).ok


def test_agent_lookup_of_an_unknown_id_says_so_and_is_audited(factory, apps):
    with factory() as s, s.begin():
        result = agent_lookup(session=s, application_id="BJ0000", agent="李坐席", now=NOW)
    assert result.verdict == "no_match" and "核对申报编号" in result.message
    assert audits(factory)[-1].agent == "李坐席"


def test_agent_lookup_needs_a_name(factory, apps):
    with factory() as s, pytest.raises(ValueError):
        agent_lookup(session=s, application_id=APP, agent="  ", now=NOW)


def test_unknown_factor_kind_is_a_programming_error(factory, apps):
    with pytest.raises(ValueError):
        attempt(factory, kind="name")


def test_application_stores_no_plain_name_or_factor(factory, apps, db_url):
    with factory() as s:
        app = s.get(Application, APP)
        assert app.name_masked == "张*明"
        assert "482X" not in (app.id4_hash, app.phone4_hash) and len(app.id4_hash) == 64
    path = Path(db_url.split("sqlite:///", 1)[1])
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # the database and its WAL
    assert "张*明".encode() in data
    assert "张小明".encode() not in data and "欧阳小明".encode() not in data


def test_an_aware_now_is_stored_as_beijing_time(factory, apps):
    attempt(factory, now=dt.datetime(2024, 8, 20, 2, 0, tzinfo=dt.timezone.utc))
    assert audits(factory)[-1].at == dt.datetime(2024, 8, 20, 10, 0)
