"""Rasa's RedisLockStore, surviving a worker that dies while it holds a conversation's lock.

Rasa 3.6's ticket lock waits for its turn by polling once a second; when a worker dies holding
the lock, its ticket expires after TICKET_LOCK_LIFETIME, but the ticket of the message waiting
behind it was issued a moment later with the same lifetime, so both usually expire between two
polls: the waiting message then finds no ticket at all and waits forever (`now_serving` is 0,
never its number). Measured in tests/scale: a message retried by the load balancer after its
worker was killed hung until the proxy's 60 s timeout. Here a waiter whose ticket expired takes
a new one, and waiters poll every 50 ms instead of every second (a message that arrives while
the same conversation's previous one is still being handled is served right after it).

    lock_store:
      type: bot.lockstore.RedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 5
      key_prefix: zhicheng
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05


class RedisLockStore(rasa_lock_store.RedisLockStore):  # type: ignore[misc]  # Rasa ships no type information
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:  # Rasa's Redis options
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        kwargs.pop("type", None)
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float | None = None,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        lifetime = lock_lifetime or rasa_lock_store.LOCK_LIFETIME
        ticket = self.issue_ticket(conversation_id, lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                    # our ticket expired while we waited behind one that will never be served
                    ticket = self.issue_ticket(conversation_id, lifetime)
                    continue
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
