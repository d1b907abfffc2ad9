"""Who the client is: one rule for every server that answers browsers (chat channel, web app)."""
from __future__ import annotations

from bot.config import settings


def client_address(peer: str | None, real_ip: str | None) -> str:
    """The client: X-Real-IP when the peer is a trusted proxy, else the peer itself."""
    if real_ip and peer in settings().trusted_proxies:
        return real_ip.strip()[:64]
    return (peer or "unknown")[:64]
