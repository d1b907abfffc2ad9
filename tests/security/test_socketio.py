"""Finding 10: socket.io accepts only the configured browser origins, issues signed session
ids, and a client cannot join another conversation's room by naming it."""
from __future__ import annotations

import asyncio

import requests
import socketio

from bot.config import DEFAULT_ORIGINS


def _handshake(servers, origin: str) -> int:
    return requests.get(f"{servers.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": origin}, timeout=10).status_code


def test_only_configured_origins_may_connect(servers):
    assert _handshake(servers, DEFAULT_ORIGINS[0]) == 200
    assert _handshake(servers, "http://evil.example") == 400


class Widget:
    """A socket.io client as the web widget uses it (long-polling, an allowed origin)."""

    def __init__(self):
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id = None
        self.replies: list[str] = []
        self.confirmed = asyncio.Event()
        self.got = asyncio.Event()

        @self.sio.on("session_confirm")
        async def confirm(session_id):
            self.session_id = session_id
            self.confirmed.set()

        @self.sio.on("bot_uttered")
        async def bot(data):
            self.replies.append(data.get("text", ""))
            self.got.set()

    async def open(self, servers) -> Widget:
        await self.sio.connect(servers.rasa_url, headers={"Origin": DEFAULT_ORIGINS[0]}, transports=["polling"],
                               wait_timeout=10)
        return self

    async def start(self, session_id=None) -> str:
        self.confirmed.clear()
        await self.sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self.confirmed.wait(), 10)
        return self.session_id

    async def close(self) -> None:
        """Leave without waiting for the pending long-poll to time out (a closed browser tab)."""
        await self.sio.eio.disconnect(abort=True)

    async def say(self, text: str, session_id: str | None = None) -> str:
        self.got.clear()
        self.replies.clear()
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})
        await asyncio.wait_for(self.got.wait(), 30)
        await asyncio.sleep(0.5)  # the rest of the turn's messages
        return "\n".join(self.replies)


async def test_a_named_session_is_not_joined_and_a_signed_one_is_resumed(servers):
    victim = await Widget().open(servers)
    victim_id = await victim.start()
    assert "." in victim_id  # server-issued and signed
    assert "一第4段" in await victim.say("公务员能评职称吗")
    await victim.close()
    attacker = await Widget().open(servers)
    for forged in ("victim", victim_id.split(".")[0], victim_id.split(".")[0] + ".0000"):
        assert await attacker.start(forged) != forged
    await attacker.close()
    again = await Widget().open(servers)  # the same browser after a reload: its own signed id is accepted
    assert await again.start(victim_id) == victim_id
    assert await again.say("初级职称要答辩吗")
    await again.close()


async def test_a_message_sent_under_another_session_id_goes_to_the_senders_own_session(servers):
    alice, mallory = await Widget().open(servers), await Widget().open(servers)
    alice_id = await alice.start()
    await mallory.start()
    assert await mallory.say("公务员能评职称吗", session_id=alice_id)
    await asyncio.sleep(0.5)
    assert not alice.replies, "the reply reached the session mallory named"
    await alice.close()
    await mallory.close()
