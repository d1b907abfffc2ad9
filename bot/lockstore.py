"""Rasa's RedisLockStore with its ticket lock taken and given back atomically, in one round
trip each, and surviving a worker that dies while it holds a conversation's lock.

Rasa 3.6's store reads the lock, changes it in Python and writes it back: 7 round trips to Redis
per message (issue: get + set; wait: get; clean-up: get + set, get, delete), each blocking the
worker's event loop, and two workers that issue a ticket for one conversation at the same moment
can both read the lock before either writes it, both get ticket 0 and handle the conversation's
two messages at once. Here each step is a Lua script, which Redis runs atomically: issue and
check in one call, each later check in one, the clean-up in one. The stored lock is Rasa's own
(`TicketLock.dumps`: the tickets as JSON strings in a JSON object), so Rasa's other methods read it.

Rasa's wait also polls once a second; when a worker dies holding the lock, its ticket expires
after TICKET_LOCK_LIFETIME, but the ticket of the message waiting behind it was issued a moment
later with the same lifetime, so both usually expire between two polls: the waiting message then
finds no ticket at all and waits forever (`now_serving` is 0, never its number). Measured in
tests/scale: a message retried by the load balancer after its worker was killed hung until the
proxy's 60 s timeout. Here a waiter whose ticket expired takes a new one, and waiters poll every
50 ms instead of every second (a message that arrives while the same conversation's previous one
is still being handled is served right after it).

    lock_store:
      type: bot.lockstore.RedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 5
      key_prefix: zhicheng
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05

# The live tickets of the lock at KEYS[1] (ARGV[1] is the time now), oldest first; an expired one is
# dropped as Rasa's `remove_expired_tickets` does (`time.time() > expires`).
_LIVE = """
local now = tonumber(ARGV[1])
local live = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  for _, t in ipairs(cjson.decode(raw)['tickets'] or {}) do
    local d = cjson.decode(t)
    if d['expires'] >= now then live[#live + 1] = d end
  end
end
local function save(conversation_id)
  if #live == 0 then redis.call('DEL', KEYS[1]); return end
  local tickets = {}
  for i, d in ipairs(live) do
    tickets[i] = cjson.encode({number = d['number'], expires = d['expires']})
  end
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation_id, tickets = tickets}))
end
"""
# a new ticket (ARGV[2] conversation id, ARGV[3] lifetime): returns {its number, the one served}
ISSUE = _LIVE + """
local number = 0
if #live > 0 then number = live[#live]['number'] + 1 end
live[#live + 1] = {number = number, expires = now + tonumber(ARGV[3])}
save(ARGV[2])
return {number, live[1]['number']}
"""
# the number served now, or -1 when ticket ARGV[3] has expired (ARGV[2] conversation id)
SERVING = _LIVE + """
save(ARGV[2])
for _, d in ipairs(live) do
  if d['number'] == tonumber(ARGV[3]) then return live[1]['number'] end
end
return -1
"""
# ticket ARGV[3] given back (and the expired ones); the lock deleted when no one waits
RELEASE = _LIVE + """
local rest = {}
for _, d in ipairs(live) do
  if d['number'] ~= tonumber(ARGV[3]) then rest[#rest + 1] = d end
end
live = rest
save(ARGV[2])
return #live
"""


class RedisLockStore(rasa_lock_store.RedisLockStore):  # type: ignore[misc]  # Rasa ships no type information
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:  # Rasa's Redis options
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        kwargs.pop("type", None)
        super().__init__(**kwargs)
        self._issue, self._serving, self._release = (self.red.register_script(s) for s in (ISSUE, SERVING, RELEASE))

    def _call(self, script: Any, conversation_id: str, *args: float) -> Any:
        return script(keys=[self.key_prefix + conversation_id], args=[repr(time.time()), conversation_id, *args])

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = rasa_lock_store.LOCK_LIFETIME) -> int:
        number, _serving = self._call(self._issue, conversation_id, lock_lifetime)
        return int(number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._call(self._release, conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float | None = None,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        lifetime = lock_lifetime or rasa_lock_store.LOCK_LIFETIME
        ticket, serving = self._call(self._issue, conversation_id, lifetime)
        try:
            while serving != ticket:
                await asyncio.sleep(wait_time_in_seconds)
                serving = self._call(self._serving, conversation_id, ticket)
                if serving == -1:  # our ticket expired while we waited behind one that will never be served
                    ticket, serving = self._call(self._issue, conversation_id, lifetime)
            yield TicketLock(conversation_id)  # Rasa's callers hold it, never read it
        finally:
            self.cleanup(conversation_id, ticket)
