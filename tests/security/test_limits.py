"""Findings 6 and 7: status guessing is limited on what a client cannot choose (its address,
the 申报编号, everyone together), no single client can lock an applicant out, and malformed
input gets a clear 4xx at the edge."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from bot.db import session_factory
from bot.status.service import lookup
from tests.security.helpers import PHONE4, post, talk


def _guess(servers, app: str, factor: str, client: str) -> str:
    """One guess from a brand-new conversation (a fresh sender id per guess)."""
    return talk(servers, "查进度", app, PHONE4, factor, sender=f"spray-{uuid.uuid4().hex[:10]}", client=client)[-1]


def test_a_new_sender_per_guess_does_not_escape_the_client_limit(servers):
    replies = [_guess(servers, "DEMO-2024-0010", f"{1000 + i}", client="192.0.2.10") for i in range(6)]
    assert "没有查到" in replies[0]
    assert "查询已暂停" in replies[-1] and "12333" in replies[-1], replies[-1]
    # even the right factor is refused for this client now, in yet another conversation
    assert "演示" not in _guess(servers, "DEMO-2024-0010", "9010", client="192.0.2.10")


def test_one_client_cannot_lock_a_real_applicant_out(servers):
    for i in range(6):  # the attacker's address gets locked ...
        _guess(servers, "DEMO-2024-0011", f"{2000 + i}", client="192.0.2.20")
    # ... the applicant, from home, still gets through
    reply = _guess(servers, "DEMO-2024-0011", "9011", client="198.51.100.7")
    assert "证书已核发" in reply and "演示" in reply, reply


def test_guesses_from_many_addresses_lock_the_application(servers):
    for i in range(5):
        _guess(servers, "DEMO-2024-0012", f"{3000 + i}", client=f"203.0.113.{i + 1}")
    reply = _guess(servers, "DEMO-2024-0012", "9012", client="198.51.100.8")
    assert "查询已暂停" in reply and "演示" not in reply, reply


def test_a_global_failure_rate_trips_a_breaker_that_points_to_12333(monkeypatch, session):
    monkeypatch.setenv("ZHICHENG_GLOBAL_MAX_FAILURES", "4")
    now = dt.datetime(2024, 8, 1, 10, 0)
    verdicts = []
    for i in range(6):
        result = lookup(session=session, application_id=f"BJ2024Q{i:05d}", factor_kind="id4", factor="1111",
                        channel="chat", conversation_id=f"c{i}", client=f"client-{i}", now=now)
        verdicts.append(result.verdict)
    assert verdicts[:4] == ["no_match"] * 4 and verdicts[4:] == ["busy", "busy"]
    # the user is told the self-service lookup is paused (not that their data was wrong), and where to go instead
    assert result.message.startswith("申报进度查询暂时繁忙") and "拨打12333" in result.message, result.message
    later = now + dt.timedelta(minutes=11)  # the breaker closes once the rate falls
    assert lookup(session=session, application_id="BJ2024Q99999", factor_kind="id4", factor="1111",
                  channel="chat", conversation_id="c9", client="client-9", now=later).verdict == "no_match"


@pytest.mark.parametrize("body, status", [
    ({"sender": "a", "message": 12}, 400),
    ({"sender": "a", "message": ["公务员"]}, 400),
    ({"sender": "a", "message": None}, 400),
    ({"message": "你好"}, 400),
    ({"sender": "x" * 129, "message": "你好"}, 400),
    ({"sender": "../../etc/passwd", "message": "你好"}, 400),
    ({"sender": {"id": 1}, "message": "你好"}, 400),
    (["not", "an", "object"], 400),
])
def test_malformed_requests_get_a_clear_4xx(servers, body, status):
    resp = post(servers, body)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]


def test_bodies_over_8_kb_are_refused_with_413(servers):
    resp = post(servers, None, raw=('{"sender": "big", "message": "%s"}' % ("职" * 3000)).encode())
    assert resp.status_code == 413


def test_nul_and_control_characters_are_removed_not_stored(servers):
    sender = f"nul-{uuid.uuid4().hex[:8]}"
    reply = talk(servers, "公务员\x00能评职称\x07吗", sender=sender)[0]
    assert "公务员不得参加" in reply and "一第4段" in reply, reply  # read as if the characters were not there
    from tests.conftest import tracker_events
    texts = [e.get("text") or "" for e in tracker_events(sender) if e.get("event") == "user"]
    assert texts and not any("\x00" in t or "\x07" in t for t in texts)


def test_the_action_server_refuses_huge_bodies(servers):
    import requests
    resp = requests.post(f"{servers.actions_url}/webhook", data=b"x" * (5 * 1024 * 1024),
                         headers={"X-Action-Token": servers.action_token}, timeout=30)
    assert resp.status_code == 413


@pytest.fixture
def session(db_url):
    with session_factory(db_url)() as s, s.begin():
        yield s
