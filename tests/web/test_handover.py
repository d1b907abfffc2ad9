"""bot.handover: short codes for a 12333 agent, unique among open ones, expiring, and the action."""
from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import handover
from bot.db import new_session, session_factory

NOW = dt.datetime(2024, 7, 10, 9, 0)


@pytest.fixture
def s(db_url):
    with session_factory(db_url)() as session:
        yield session


def test_a_code_is_four_unambiguous_characters_and_finds_its_conversation(s):
    code = handover.create(session=s, conversation_id="w-abc", reason="user_request", now=NOW)
    assert len(code) == 4 and set(code) <= set(handover.ALPHABET)
    assert not set(code) & set("0O1IL2Z5S6G8B")
    row = handover.find(session=s, code=code.lower(), now=NOW)
    assert row.conversation_id == "w-abc" and row.reason == "user_request"
    assert handover.find(session=s, code=f" {code[:2]}-{code[2:]} ", now=NOW).id == row.id  # as typed on a phone


def test_the_same_conversation_gets_the_same_open_code(s):
    first = handover.create(session=s, conversation_id="w-1", now=NOW)
    assert handover.create(session=s, conversation_id="w-1", now=NOW + dt.timedelta(hours=1)) == first
    assert handover.create(session=s, conversation_id="w-2", now=NOW) != first


def test_codes_expire_after_a_day_and_can_be_closed(s):
    code = handover.create(session=s, conversation_id="w-exp", now=NOW)
    assert handover.find(session=s, code=code, now=NOW + dt.timedelta(hours=23)) is not None
    assert handover.find(session=s, code=code, now=NOW + dt.timedelta(hours=24, seconds=1)) is None
    again = handover.create(session=s, conversation_id="w-exp", now=NOW + dt.timedelta(hours=25))
    assert handover.close(session=s, code=again, now=NOW + dt.timedelta(hours=26))
    assert handover.find(session=s, code=again, now=NOW + dt.timedelta(hours=26)) is None
    assert not handover.close(session=s, code=again, now=NOW + dt.timedelta(hours=26))


def test_codes_are_unique_among_open_ones(s, monkeypatch):
    draws = iter("AAAA" "AAAA" "CCCC")  # the second conversation draws the taken code first
    monkeypatch.setattr(handover.secrets, "choice", lambda alphabet: next(draws))
    assert handover.create(session=s, conversation_id="w-a", now=NOW) == "AAAA"
    assert handover.create(session=s, conversation_id="w-b", now=NOW) == "CCCC"


def test_unknown_and_malformed_codes_find_nothing(s):
    assert handover.find(session=s, code="QQQQ", now=NOW) is None
    assert handover.find(session=s, code="", now=NOW) is None
    assert handover.find(session=s, code="TOOLONG", now=NOW) is None


@pytest.mark.parametrize("conversation_id, reason", [("", "user_request"), ("x" * 129, "user_request"), ("w", "why")])
def test_bad_arguments_are_refused(s, conversation_id, reason):
    with pytest.raises(ValueError):
        handover.create(session=s, conversation_id=conversation_id, reason=reason, now=NOW)


def test_nothing_personal_is_stored():
    columns = set(handover.Handover.__table__.columns.keys())
    assert columns == {"id", "code", "conversation_id", "reason", "created_at", "expires_at", "closed_at"}


async def test_action_utters_the_code_with_the_hotline(loaded_default_db):
    from actions.handover import ActionHandover
    dispatcher = CollectingDispatcher()
    tracker = Tracker("w-action-test", {}, {"text": "转人工", "intent": {"name": "request_human"}}, [], False,
                      None, {}, "action_listen")
    assert await ActionHandover().run(dispatcher, tracker, {}) == []
    text = dispatcher.messages[0]["text"]
    assert "12333" in text and "转接码" in text
    with new_session() as s:
        code = next(c for c in text.split() if len(c) == 4 and set(c) <= set(handover.ALPHABET))
        assert handover.find(session=s, code=code).conversation_id == "w-action-test"
