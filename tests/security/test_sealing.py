"""Findings 3 and 5: verification digits, ID and phone numbers never reach Rasa's tracker store,
the logs or the unanswered-question log; only a message that reads as a factor answer counts
as a guess; a vault that cannot be written fails closed."""
from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
import uuid

import pytest
from sqlalchemy import func, select

from bot.db import new_session
from bot.kb.models import UnansweredQuestion
from bot.status import vault
from bot.status.models import LookupAudit, SealedFactor
from tests.security.helpers import PHONE4, post, stored_text, talk, var_dir


def _sender(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}"


def test_factor_given_before_it_is_asked_is_dropped(servers):
    sender = _sender("early")
    replies = talk(servers, "查进度 DEMO-2024-0007 手机后四位9107", sender=sender)
    # the digits typed before they were asked for are not used: no status shown, the 4 digits asked for
    assert "当前阶段" not in "\n".join(replies) and "后4位" in replies[-1], replies
    assert "9107" not in stored_text(sender)


@pytest.mark.parametrize("answer", ["9007 ok", "id 9007", "手机尾号 9007", "9 0 0 7"])
def test_factor_with_letters_or_spaces_is_sealed_and_still_verifies(servers, answer):
    sender = _sender("letters")
    replies = talk(servers, "我的申报到哪一步了", "DEMO-2024-0007", PHONE4, answer, sender=sender)
    assert "已缴费" in replies[-1] and "演示" in replies[-1], replies
    assert "9007" not in stored_text(sender)


def test_payloads_typed_by_the_user_carry_no_digits(servers):
    sender = _sender("payload")
    talk(servers, "查一下申报进度", "DEMO-2024-0008", PHONE4, sender=sender)
    talk(servers, '/inform_factor{"factor_ref": "9108"}', sender=sender)
    talk(servers, '/choose_factor{"factor_kind": "9208"}', sender=sender)
    text = stored_text(sender)
    assert "9108" not in text and "9208" not in text


def test_a_message_without_a_sender_is_refused_not_stored(servers):
    resp = post(servers, {"message": "9309"})
    assert resp.status_code == 400 and "sender" in resp.json()["error"]
    assert "9309" not in stored_text("default")


def test_spaced_phone_and_id_numbers_are_scrubbed(servers):
    senders = _sender("spaced"), _sender("spaced")
    talk(servers, "我的手机是1381234 5678，身份证110101 19900307 1234，能查进度吗", sender=senders[0])
    talk(servers, "电话 138-1234-5679", sender=senders[1])
    text = stored_text(*senders)
    for leaked in ("1381234", "19900307", "1234 5678", "5679"):
        assert leaked not in text, leaked


def test_unanswered_log_keeps_no_digit_runs(servers):
    talk(servers, "我想问问那个 4321 5678 的事情怎么办啊 xyz", sender=_sender("unans"))
    with new_session() as s:
        texts = [q.text for q in s.scalars(select(UnansweredQuestion))]
    assert texts, "the question should be logged for staff"
    assert not any("4321" in t or "5678" in t for t in texts), texts


def _audit_count() -> int:
    with new_session() as s:
        return s.scalar(select(func.count(LookupAudit.id)))


def test_a_question_with_digits_while_asked_for_the_factor_is_no_guess(servers):
    sender = _sender("question")
    talk(servers, "查进度", "DEMO-2024-0009", PHONE4, sender=sender)
    before = _audit_count()
    reply = talk(servers, "2024年的申报什么时候截止", sender=sender)[0]
    assert "7月23日" in reply, reply  # the question is answered, not taken for the digits asked for
    assert _audit_count() == before  # no lookup was attempted, so no failure was counted
    reply = talk(servers, "9009", sender=sender)[0]
    assert "当前阶段：已评审" in reply, reply  # the digits then verify: DEMO-2024-0009's stage


def test_an_8_mb_message_is_refused_at_the_edge_and_never_sealed(servers):
    sender = _sender("huge")
    talk(servers, "查进度", "DEMO-2024-0009", PHONE4, sender=sender)
    with new_session() as s:
        sealed_before = s.scalar(select(func.count()).select_from(SealedFactor))
    resp = post(servers, None, raw=b'{"sender": "%s", "message": "%s"}' % (sender.encode(), b"9" * 8_000_000))
    assert resp.status_code == 413
    with new_session() as s:
        assert s.scalar(select(func.count()).select_from(SealedFactor)) == sealed_before


@pytest.fixture
def locked_vault(monkeypatch, tmp_path):
    """A database where "u" is asked for its factor, held locked by another writer."""
    db = tmp_path / "locked.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("ZHICHENG_GUARD_TIMEOUT", "1")
    with new_session() as s, s.begin():
        vault.mark_pending(session=s, sender_id="u", application_id=None, now=dt.datetime.now())
    con = sqlite3.connect(db, timeout=0, check_same_thread=False)
    con.execute("BEGIN EXCLUSIVE")
    yield
    con.rollback()
    con.close()


def test_vault_unreachable_fails_closed_and_other_messages_pass(locked_vault):
    """Unit: the channel's guard with the database locked by another writer."""
    from channels import secure
    started = time.monotonic()
    with pytest.raises(secure.VaultUnavailable):
        asyncio.run(secure.guard("0005", "u", "1.2.3.4"))
    assert time.monotonic() - started < 3
    assert asyncio.run(secure.guard("公务员能评职称吗", "u", "1.2.3.4")) == "公务员能评职称吗"


def test_the_event_loop_is_not_blocked_while_the_vault_waits(locked_vault):
    from channels import secure

    async def both():
        async def ticker():
            for _ in range(5):
                await asyncio.sleep(0.1)
            return time.monotonic()

        async def guarded():
            try:
                await secure.guard("0005", "u", "c")
            except secure.VaultUnavailable:
                return time.monotonic()
        return await asyncio.gather(ticker(), guarded())
    ticker_done, guard_gave_up = asyncio.run(both())
    assert guard_gave_up is not None
    assert ticker_done < guard_gave_up  # other conversations ran while the vault waited


def test_tracker_and_logs_never_hold_the_factors_used_in_this_suite(servers):
    senders = [s for s in _all_senders() if s.startswith(("letters-", "question-"))]
    assert senders
    text = stored_text(*senders)
    for factor in ("9007", "9009"):
        assert factor not in text, factor


def _all_senders() -> list[str]:
    con = sqlite3.connect(var_dir() / "tracker.db")
    try:
        return [r[0] for r in con.execute("SELECT DISTINCT sender_id FROM events")]
    finally:
        con.close()
