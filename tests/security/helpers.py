"""What the security tests share: talking to the servers as a client would, and reading what
Rasa stored, the way an auditor would (the tracker store file and the servers' logs)."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from pathlib import Path

import requests

from tests.e2e.ask import client_of

ID4 = '/choose_factor{"factor_kind": "id4"}'
PHONE4 = '/choose_factor{"factor_kind": "phone4"}'
# random identifiers (message ids, uuids, vault tokens, addresses): letters and digits, 12+ long
_RANDOM_ID = re.compile(r"(?=[0-9a-zA-Z]*[a-zA-Z])[0-9a-zA-Z]{12,}")


def var_dir() -> Path:
    return Path(os.environ["ZHICHENG_VAR_DIR"])


def post(servers, body, *, client: str | None = None, raw: bytes | None = None, timeout: float = 30):
    headers = {"X-Real-IP": client} if client else {}
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    if raw is not None:
        return requests.post(url, data=raw, headers={**headers, "Content-Type": "application/json"}, timeout=timeout)
    return requests.post(url, json=body, headers=headers, timeout=timeout)


def say(servers, sender: str, text: str, *, client: str | None = None) -> str:
    resp = post(servers, {"sender": sender, "message": text}, client=client or client_of(sender))
    assert resp.status_code == 200, resp.text
    return "\n".join(m.get("text", "") for m in resp.json())


def talk(servers, *texts: str, sender: str | None = None, client: str | None = None) -> list[str]:
    sender = sender or f"sec-{uuid.uuid4().hex[:10]}"
    return [say(servers, sender, t, client=client) for t in texts]


def without_random_ids(text: str) -> str:
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)  # JSON's \u9009 is 选
    return _RANDOM_ID.sub("#", text)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []  # numbers (timestamps, confidences) are Rasa's, not the user's


def stored_text(*senders: str) -> str:
    """Every string Rasa stored for these conversations (all, if none given) and the servers'
    logs, with random ids blanked: where a leaked factor, ID or phone number would show."""
    var = var_dir()
    con = sqlite3.connect(var / "tracker.db")
    try:
        rows = con.execute("SELECT sender_id, data FROM events").fetchall()
    finally:
        con.close()
    parts = [s for sender, data in rows if not senders or sender in senders
             for s in [sender, *_strings(json.loads(data))]]
    parts += [p.read_text(encoding="utf-8", errors="replace") for p in (var / "logs").glob("*.log")]
    return without_random_ids("\n".join(parts))
