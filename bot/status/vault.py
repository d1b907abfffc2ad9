"""Keep verification digits out of Rasa: the channel seals them before Rasa sees the message.

While a conversation is being asked for its factor (`mark_pending`), a message from it that
looks like a factor is encrypted (Fernet, key from the server secret) into `SealedFactor` and
replaced by the payload `/inform_factor{"factor_ref": "<token>"}`; the action unseals it once
(`unseal` deletes the row). Rasa's tracker store and logs only ever see the token. Any message,
pending or not, has ID numbers and mobile numbers replaced (`scrub`).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import string

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.status import security
from bot.status.models import PendingFactor, SealedFactor

PENDING_FOR = dt.timedelta(minutes=10)
SEALED_FOR = dt.timedelta(minutes=10)
ID_PLACEHOLDER = "[身份证号已隐藏]"
PHONE_PLACEHOLDER = "[手机号已隐藏]"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_FACTOR = re.compile(r"(?<![0-9A-Za-z])[0-9]{3}[0-9Xx](?![0-9A-Za-z])")
_LETTERS = re.compile(r"[A-WYZa-wyz]")  # any Latin letter but X: an id like DEMO-2024-0001 is no factor


def _key() -> Fernet:
    digest = hashlib.sha256(b"zhicheng-factor-vault|" + security.server_secret()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def sender_key(sender_id: str) -> str:
    return security.keyed_digest("pending-sender", sender_id or "")


def scrub(text: str) -> str:
    """Replace full ID numbers and mobile numbers, wherever they appear."""
    text = security.normalize(text) if _ID_NUMBER.search(security.normalize(text)) else text
    return _MOBILE.sub(PHONE_PLACEHOLDER, _ID_NUMBER.sub(ID_PLACEHOLDER, text))


def factor_in(text: str) -> str | None:
    """The factor a message gives: the last 4 of an ID number or phone number, or a lone 4-digit group."""
    t = security.normalize(text)
    if _LETTERS.search(t):
        return None
    whole = _ID_NUMBER.search(t) or _MOBILE.search(t)
    if whole:
        return whole.group()[-4:]
    groups = _FACTOR.findall(t)
    return groups[-1] if len(groups) == 1 else (t if re.search(r"\d", t) else None)


def mark_pending(*, session: Session, sender_id: str, application_id: str | None, now: dt.datetime) -> None:
    key = sender_key(sender_id)
    row = session.get(PendingFactor, key) or PendingFactor(sender_key=key)
    row.application_id, row.expires_at = application_id, now + PENDING_FOR
    session.add(row)


def clear_pending(*, session: Session, sender_id: str) -> None:
    session.execute(delete(PendingFactor).where(PendingFactor.sender_key == sender_key(sender_id)))


def is_pending(*, session: Session, sender_id: str, now: dt.datetime) -> bool:
    row = session.get(PendingFactor, sender_key(sender_id))
    return row is not None and row.expires_at > now


def seal(factor: str, *, session: Session, sender_id: str, now: dt.datetime) -> str:
    session.execute(delete(SealedFactor).where(SealedFactor.expires_at < now))
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(24))
    session.add(SealedFactor(token=token, sender_key=sender_key(sender_id), expires_at=now + SEALED_FOR,
                             ciphertext=_key().encrypt(factor.encode("utf-8")).decode("ascii")))
    return token


def unseal(token: str | None, *, session: Session, sender_id: str, now: dt.datetime) -> str | None:
    """The sealed factor (once), or None if unknown, expired or sealed for another conversation."""
    row = session.get(SealedFactor, token) if token else None
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.expires_at < now or row.sender_key != sender_key(sender_id):
        return None
    try:
        return _key().decrypt(row.ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return None


def protect(text: str | None, *, session: Session, sender_id: str | None, now: dt.datetime) -> str | None:
    """What Rasa may see of an incoming message."""
    if not text or text.startswith("/"):
        return text
    if sender_id and is_pending(session=session, sender_id=sender_id, now=now):
        factor = factor_in(text)
        if factor is not None:
            token = seal(factor, session=session, sender_id=sender_id, now=now)
            return "/inform_factor" + json.dumps({"factor_ref": token})
    return scrub(text)
