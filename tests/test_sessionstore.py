"""The tracker store's long-conversation trimming and the lock store's recovery, without servers."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def _store(tmp_path, domain, **kwargs):
    from bot.sessionstore import TrimmingSQLTrackerStore
    return TrimmingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"), **kwargs)


def _turns(tracker: DialogueStateTracker, n: int) -> None:
    for i in range(n):
        tracker.update(UserUttered(f"问题 {i}", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered(f"回答 {i}"))
        tracker.update(ActionExecuted("action_listen"))


def _stored(tmp_path, sender):
    con = sqlite3.connect(tmp_path / "tracker.db")
    try:
        return [json.loads(r[0]) for r in con.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]
    finally:
        con.close()


def test_a_long_session_continues_in_a_fresh_one_with_its_slots_and_nothing_lost(tmp_path, domain):
    store = _store(tmp_path, domain, max_session_events=40)
    slot = next(s for s in domain.slots if s.type_name == "text")
    tracker = DialogueStateTracker.from_events("long", [ActionExecuted("action_session_start"), SessionStarted(),
                                                        ActionExecuted("action_listen")], domain.slots)
    tracker.update(SlotSet(slot.name, "京人社"))
    _turns(tracker, 15)  # 64 events in this session
    asyncio.run(store.save(tracker))

    loaded = asyncio.run(store.retrieve("long"))
    assert len(loaded.events) < 10  # a fresh session: session_started, the slot, action_listen
    assert loaded.get_slot(slot.name) == "京人社"
    _turns(loaded, 2)
    asyncio.run(store.save(loaded))

    events = _stored(tmp_path, "long")
    users = [e["text"] for e in events if e["event"] == "user"]
    assert users == [f"问题 {i}" for i in range(15)] + ["问题 0", "问题 1"]  # every message, in order, once
    assert sum(e["event"] == "session_started" for e in events) == 2


def test_a_short_session_is_left_alone(tmp_path, domain):
    store = _store(tmp_path, domain, max_session_events=40)
    tracker = DialogueStateTracker.from_events("short", [SessionStarted(), ActionExecuted("action_listen")], domain.slots)
    _turns(tracker, 5)
    asyncio.run(store.save(tracker))
    assert len(asyncio.run(store.retrieve("short")).events) == len(tracker.events)


def test_a_lock_held_by_a_dead_worker_is_taken_over_after_its_lifetime(monkeypatch):
    """Rasa's own RedisLockStore waits forever here (its waiter's ticket expires too)."""
    import redis

    from bot import lockstore
    from bot.scale import DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(DEFAULT_REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (make scale-deps); tests/scale needs it anyway")
    store = lockstore.RedisLockStore(host="127.0.0.1", port=6379, db=9, key_prefix=f"zhichengunit{int(time.time())}")
    store.issue_ticket("c1", 1.0)  # a worker took the lock and died

    async def take():
        started = time.monotonic()
        async with store.lock("c1", lock_lifetime=1.0):
            return time.monotonic() - started

    waited = asyncio.run(asyncio.wait_for(take(), timeout=10))
    assert 0.5 < waited < 3
    assert not store.red.keys(store.key_prefix + "*")
