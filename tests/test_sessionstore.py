"""The tracker store's long-conversation trimming and the lock store's recovery, without servers."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import time
import uuid

import pytest
import sqlalchemy as sa
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


def _lock_store(prefix: str | None = None):
    import redis

    from bot import lockstore
    from bot.scale import DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(DEFAULT_REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("no Redis on 127.0.0.1:6379: run `make scale-deps`")
        pytest.skip("no Redis on 127.0.0.1:6379 (make scale-deps); tests/scale needs it anyway")
    return lockstore.RedisLockStore(host="127.0.0.1", port=6379, db=9,
                                    key_prefix=prefix or f"zhichengunit{uuid.uuid4().hex}")


def test_a_lock_held_by_a_dead_worker_is_taken_over_after_its_lifetime(monkeypatch):
    """Rasa's own RedisLockStore waits forever here (its waiter's ticket expires too)."""
    store = _lock_store()
    store.issue_ticket("c1", 1.0)  # a worker took the lock and died

    async def take():
        started = time.monotonic()
        async with store.lock("c1", lock_lifetime=1.0):
            return time.monotonic() - started

    waited = asyncio.run(asyncio.wait_for(take(), timeout=10))
    assert 0.5 < waited < 3
    assert not store.red.keys(store.key_prefix + "*")


def test_tickets_issued_at_once_by_several_workers_are_all_different():
    """Rasa's own store reads the lock, then writes it: two workers could both get ticket 0."""
    from concurrent.futures import ThreadPoolExecutor
    prefix = f"zhichengunit{uuid.uuid4().hex}"
    first = _lock_store(prefix)
    workers = [_lock_store(prefix) for _ in range(8)]  # one Redis connection each
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda i: workers[i % 8].issue_ticket("same", 10.0), range(200)))
    assert sorted(numbers) == list(range(200))
    lock = first.get_lock("same")  # Rasa's own reading of the stored lock
    assert lock.now_serving == 0 and lock.last_issued == 199 and lock.is_locked(1)
    for n in numbers:
        first.cleanup("same", n)
    assert first.get_lock("same") is None and not first.red.keys(first.key_prefix + "*")


def test_a_conversations_messages_are_handled_one_after_the_other_in_order():
    prefix = f"zhichengunit{uuid.uuid4().hex}"
    store, other = _lock_store(prefix), _lock_store(prefix)  # two workers
    order: list[str] = []

    async def message(s, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with s.lock("c", lock_lifetime=5):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    async def run():
        await asyncio.gather(message(store, "a", 0), message(other, "b", 0.05), message(store, "c", 0.1))

    asyncio.run(run())
    assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert not store.red.keys(store.key_prefix + "*")


# -- the trackers kept in memory between the messages of a conversation --------------------------
def _state(tracker: DialogueStateTracker) -> str:
    from rasa.shared.core.trackers import EventVerbosity
    return json.dumps(tracker.current_state(EventVerbosity.ALL), sort_keys=True, default=str)


async def _message(store, sender: str, text: str) -> DialogueStateTracker:
    """One message as Rasa handles it: get or create the tracker, a session at the start, a turn, save."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    if not tracker.events:
        tracker.update_with_events([ActionExecuted("action_session_start"), SessionStarted(),
                                    ActionExecuted("action_listen")], None)
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9},
                               parse_data={"text": text, "intent": {"name": "greet", "confidence": 0.9},
                                           "entities": [], "intent_ranking": [{"name": "greet", "confidence": 0.9}]}))
    tracker.update(ActionExecuted("action_respond", policy="RulePolicy", confidence=1.0))
    tracker.update(BotUttered(f"回答 {text}", {"custom": {"faq_id": "x"}}))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


def _failsafe(tmp_path, domain, **kwargs):
    """As Rasa builds it: the configured store inside its FailSafeTrackerStore."""
    from rasa.core.tracker_store import FailSafeTrackerStore
    return FailSafeTrackerStore(_store(tmp_path, domain, **kwargs))


def test_the_next_message_gets_the_kept_tracker_equal_to_the_stored_one(tmp_path, domain):
    store = _failsafe(tmp_path, domain)

    async def run():
        first = await _message(store, "c1", "你好")
        second = await _message(store, "c1", "委托函")  # the first turn started a session: loaded
        kept = await store.retrieve("c1")
        assert kept is second  # saved here, nothing written since: the same object, no load
        fresh = await _store(tmp_path, domain, cache_size=0).retrieve("c1")
        assert _state(kept) == _state(fresh)
        await store.save(kept)
        return first

    first = asyncio.run(run())
    assert len(_stored(tmp_path, "c1")) == len(first.events) + 4  # every event once
    inner = store._tracker_store
    assert inner.hits == 1 and inner.misses == 2


def test_a_write_by_another_worker_or_a_deletion_makes_the_next_message_load(tmp_path, domain):
    mine, other = _store(tmp_path, domain), _store(tmp_path, domain)

    async def run():
        await _message(mine, "c2", "一")
        await _message(mine, "c2", "二")
        await _message(other, "c2", "三")  # the load balancer sent this one elsewhere
        tracker = await mine.retrieve("c2")
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["一", "二", "三"]
        await mine.save(tracker)
        con = sqlite3.connect(tmp_path / "tracker.db")
        con.execute("DELETE FROM events WHERE sender_id = 'c2'")
        con.commit()
        con.close()
        return await mine.retrieve("c2")

    assert asyncio.run(run()) is None


def test_a_turn_that_failed_before_its_save_leaves_nothing_behind(tmp_path, domain):
    store = _store(tmp_path, domain)

    async def run():
        await _message(store, "c3", "一")
        await _message(store, "c3", "二")
        tracker = await store.retrieve("c3")
        tracker.update(UserUttered("丢了", {"name": "greet", "confidence": 1.0}))  # then the action server failed
        again = await store.retrieve("c3")
        assert again is not tracker and "丢了" not in [e.text for e in again.events if isinstance(e, UserUttered)]
        await store.save(tracker)  # a late save of the old object: Rasa's own save, by count
        return _stored(tmp_path, "c3")

    assert [e["text"] for e in asyncio.run(run()) if e["event"] == "user"] == ["一", "二", "丢了"]


def test_without_a_cache_it_is_rasas_store(tmp_path, domain):
    store = _store(tmp_path, domain, cache_size=0)

    async def run():
        await _message(store, "c4", "一")
        first = await store.retrieve("c4")
        await store.save(first)
        return first, await store.retrieve("c4")

    first, second = asyncio.run(run())
    assert first is not second and _state(first) == _state(second) and store.hits == 0


# -- the same store on PostgreSQL (scale mode), where every statement is a round trip ------------
PG_URL = os.environ.get("ZHICHENG_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/zhicheng_scale_test")


@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(request, tmp_path, domain):
    """Stores on one database: SQLite in tmp_path, or PostgreSQL (make scale-deps) like scale mode's."""
    from bot.sessionstore import TrimmingSQLTrackerStore
    if request.param == "sqlite":
        return lambda **kw: _store(tmp_path, domain, **kw)
    from sqlalchemy.engine import make_url

    from bot.scale import ensure_database, tracker_config
    url = make_url(PG_URL)
    try:
        socket.create_connection((url.host, url.port or 5432), timeout=2).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not running on {url.host}:{url.port}: run `make scale-deps`")
        pytest.skip("PostgreSQL is not running (make scale-deps)")
    ensure_database(PG_URL)
    config = {k: v for k, v in tracker_config(PG_URL).items() if k != "type"}
    config["host"] = config.pop("url")
    return lambda **kw: TrimmingSQLTrackerStore(domain=domain, **config, **kw)


def _rows(store, sender: str) -> list[dict]:
    with store.engine.connect() as conn:
        return [json.loads(d) for (d,) in conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]


def test_every_turn_is_stored_once_in_order_and_the_kept_tracker_is_the_stored_one(make_store):
    store, sender = make_store(), f"t-{uuid.uuid4().hex}"

    async def run():
        for text in ("你好", "委托函", "截止时间"):
            last = await _message(store, sender, text)
        return last, await store.retrieve(sender)

    last, kept = asyncio.run(run())
    assert kept is last and store.hits >= 1  # saved here, nothing written since: no load
    rows = _rows(store, sender)
    assert [e["text"] for e in rows if e["event"] == "user"] == ["你好", "委托函", "截止时间"]
    start = max(i for i, e in enumerate(rows) if e["event"] == "session_started")
    assert [e["event"] for e in rows[start:]] == [e.type_name for e in last.events]  # every event once, in order
    fresh = asyncio.run(make_store(cache_size=0).retrieve(sender))
    assert _state(fresh) == _state(kept)


def test_new_events_are_written_only_where_the_table_still_ends_as_loaded(make_store):
    store, sender = make_store(), f"t-{uuid.uuid4().hex}"
    asyncio.run(_message(store, sender, "一"))
    last, stored = store._last_id(sender), len(_rows(store, sender))
    events = [UserUttered("二", {"name": "greet", "confidence": 1.0}), ActionExecuted("action_listen")]

    assert store._append(sender, events, after=last - 1) is None  # another worker wrote since the load
    assert store._last_id(sender) == last and len(_rows(store, sender)) == stored  # nothing written

    new_last = store._append(sender, events, after=last)
    assert new_last is not None and new_last == store._last_id(sender) > last
    assert [e["event"] for e in _rows(store, sender)[-2:]] == ["user", "action"]  # in order, after the rest
    assert store._append(f"t-{uuid.uuid4().hex}", events, after=None) is not None  # a new conversation
