"""Scale mode end to end: many conversations at once over several Rasa workers, a worker killed
mid-run, and a long conversation, against the real nginx, Redis and PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import signal
import statistics
import time
import uuid

import aiohttp
import pytest

from tests.scale.conftest import pg_events, upstreams

pytestmark = pytest.mark.e2e

# answerable questions of different kinds (FAQ, clauses, dates, advisor, small talk)
TURNS = ["哪些人可以参加北京市的职称评价？", "申报截止时间是什么时候", "你好", "怎么申报职称", "谢谢",
         "民营企业的人能评职称吗", "评审费用多少", "需要提交哪些材料"]


async def ask(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> tuple[list, float]:
    started = time.perf_counter()
    async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                            timeout=aiohttp.ClientTimeout(total=90)) as resp:
        assert resp.status == 200, f"{sender}: HTTP {resp.status}"
        body = await resp.json()
    return body, time.perf_counter() - started


async def conversation(session, url: str, sender: str, turns: list[str], replies: dict) -> None:
    for text in turns:
        body, _ = await ask(session, url, sender, text)
        replies.setdefault(sender, []).append(body)


def run_conversations(url: str, senders: dict[str, list[str]], during=None) -> dict:
    async def main():
        replies: dict = {}
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            tasks = [asyncio.create_task(conversation(session, url, s, turns, replies)) for s, turns in senders.items()]
            if during is not None:
                await during()
            results = await asyncio.gather(*tasks, return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        assert not failed, f"{len(failed)} conversations failed, e.g. {failed[0]!r}"
        return replies
    return asyncio.run(main())


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def assert_complete(sender: str, turns: list[str], replies: list, *, retried: bool = False) -> None:
    """Every turn got a reply, and the store holds every message once, in order, each answered.

    `retried`: a worker was killed during the run. nginx hands the turn that worker was handling to
    the other one (at-least-once: no turn is lost), so when the killed worker had already stored
    that turn, it is stored twice in a row — once, for one turn, never out of order."""
    assert len(replies) == len(turns)
    for reply in replies:
        assert reply and any(m.get("text") for m in reply), f"{sender}: no text in reply {reply!r}"
    events = pg_events(sender)
    stored = user_texts(events)
    if retried:
        repeats = [i for i in range(1, len(stored)) if stored[i] == stored[i - 1]
                   and (i >= len(turns) or stored[:i] == turns[:i] and stored[i] != turns[i])]
        if len(repeats) == 1:
            stored = stored[:repeats[0]] + stored[repeats[0] + 1:]
            turns_answered = len(turns) + 1  # the repeated turn was answered twice in the store
        else:
            turns_answered = len(turns)
    else:
        turns_answered = len(turns)
    assert stored == turns, f"{sender}: stored {user_texts(events)} for {turns}"
    # each user message is followed by a bot reply before the next user message
    answered, waiting = 0, False
    for e in events:
        if e["event"] == "user":
            assert not waiting, f"{sender}: a message without a reply in the store"
            waiting = True
        elif e["event"] == "bot" and waiting:
            waiting, answered = False, answered + 1
    assert answered == turns_answered and not waiting


def test_200_concurrent_conversations_over_two_workers(scale_servers):
    run = uuid.uuid4().hex[:6]
    senders = {f"scale-{run}-{i}": [TURNS[(i + k) % len(TURNS)] for k in range(5)] for i in range(200)}
    before = upstreams(scale_servers)
    replies = run_conversations(scale_servers.rasa_url, senders)
    for sender, turns in senders.items():
        assert_complete(sender, turns, replies[sender])
    after = upstreams(scale_servers)
    served = {addr: after.get(addr, 0) - before.get(addr, 0) for addr in after}
    workers = {a: n for a, n in served.items() if n > 0}
    assert len(workers) >= 2 and min(workers.values()) >= 100, f"requests per worker: {served}"


def test_a_worker_killed_mid_run_loses_no_conversation(scale_servers):
    srv = scale_servers
    srv.wait(timeout=120)  # every worker up before we kill one
    run = uuid.uuid4().hex[:6]
    senders = {f"kill-{run}-{i}": [TURNS[(i + k) % len(TURNS)] for k in range(6)] for i in range(60)}
    victim = srv.procs["rasa-1"]
    restarts = srv.restarts.get("rasa-1", 0)

    async def kill_soon():
        await asyncio.sleep(1.5)  # conversations are under way on both workers
        os.killpg(victim.pid, signal.SIGKILL)

    replies = run_conversations(srv.rasa_url, senders, during=kill_soon)
    assert victim.poll() is not None, "the worker was not killed"
    for sender, turns in senders.items():
        assert_complete(sender, turns, replies[sender], retried=True)
    # the supervisor brings the worker back
    deadline = time.monotonic() + 120
    while srv.restarts.get("rasa-1", 0) == restarts and time.monotonic() < deadline:
        time.sleep(0.5)
    assert srv.restarts.get("rasa-1", 0) > restarts
    srv.wait(timeout=120)


def test_a_200_turn_conversation_answers_as_fast_as_a_5_turn_one(scale_servers):
    url = scale_servers.rasa_url
    run = uuid.uuid4().hex[:6]

    async def timed(sender: str, turns: list[str]) -> list[float]:
        async with aiohttp.ClientSession() as session:
            out = []
            for text in turns:
                body, seconds = await ask(session, url, sender, text)
                assert body and body[0].get("text")
                out.append(seconds)
            return out

    async def main():
        short: list[float] = []
        for i in range(20):  # 20 fresh 5-turn conversations, one at a time
            short += await timed(f"short-{run}-{i}", [TURNS[(i + k) % len(TURNS)] for k in range(5)])
        long_ = await timed(f"long-{run}", [TURNS[k % len(TURNS)] for k in range(200)])
        return short, long_

    short, long_ = asyncio.run(main())
    short_ms, late_ms = statistics.median(short) * 1000, statistics.median(long_[-40:]) * 1000
    assert late_ms <= short_ms * 1.5 + 15, f"turns 161-200 take {late_ms:.0f} ms, a 5-turn conversation {short_ms:.0f} ms"
    events = pg_events(f"long-{run}")
    assert user_texts(events) == [TURNS[k % len(TURNS)] for k in range(200)]  # nothing dropped
    assert sum(e["event"] == "session_started" for e in events) >= 3  # continued in fresh sessions
