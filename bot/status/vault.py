"""Keep verification digits out of Rasa: the channel seals or drops them before Rasa sees a message.

While a conversation is being asked for its factor or its factor's kind (`mark_pending`), a
message from it that looks like a factor answer ("0005", "后四位是 123X", "id 0005", "0005 ok",
"手机尾号9012") is encrypted (Fernet, key from the server secret) into `SealedFactor`, together
with a digest of the client address, and replaced by the payload
`/inform_factor{"factor_ref": "<token>"}` (with `"factor_kind"` when it names one); the action unseals it
once (`unseal` deletes the row). Any other group of 4 or more digits in a message of a
conversation in, or entering, a status lookup (a status word or a 申报编号 in it) is dropped,
whatever letters or spaces surround it; in every message, ID numbers and mobile numbers are
replaced, spaced or not (`scrub`). Rasa's tracker store and logs only ever see placeholders.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import string
import unicodedata
from dataclasses import dataclass
from typing import overload

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.status import security
from bot.status.models import PendingFactor, SealedFactor
from bot.text import to_simplified

PENDING_FOR = dt.timedelta(minutes=10)
SEALED_FOR = dt.timedelta(minutes=10)
ID_PLACEHOLDER = "[身份证号已隐藏]"
PHONE_PLACEHOLDER = "[手机号已隐藏]"
DIGITS_PLACEHOLDER = "[数字已隐藏]"
FACTOR_PAYLOAD = "/inform_factor"

# a run of digits, single spaces, dots or hyphens allowed between them, an ID's X at the end
_RUN = re.compile(r"(?<![0-9])\d(?:[ .\-]?\d)*(?:[ .\-]?[Xx])?(?![0-9])")
_DIGIT = re.compile(r"\d")  # the same (Unicode) digits as _RUN: no run, nothing to seal, drop or scrub
_SEPARATORS = re.compile(r"[ .\-]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_FACTOR_SHAPE = re.compile(r"\d{3}[\dX]")
# a token that may be a 申报编号 (letters, digits, hyphens): kept whole, never cut into digit runs
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]")
# words around a factor answer: "我的身份证后四位是 0005", "id 0005", "0005 ok"
_FILLER = re.compile(r"(我的|身份证号码?|身份证|手机号码?|电话号码?|号码|手机|后四位|后4位|末四位|末4位|最后四位|最后4位|"
                     r"尾号|验证码|验证|数字|位数|是|为|的|好的|好|吧|啊|呢|哈|了|嗯|请|查|用|她|他|"
                     r"(the\s+)?last\s*(4|four)(\s*digits?)?|my|phone|mobile|cell|number|id|card|digits?|is|"
                     r"[\s,，。.!！:：;；、~\-()（）\"'“”])+", re.I)
# the verification a message names, typed instead of tapped ("手机尾号9012", "id card", "身份证吧")
_FACTOR_KINDS = (("phone4", re.compile(r"手机|电话|phone|mobile|cell", re.I)),
                 ("id4", re.compile(r"身份证|证件|id\s*card|identity|national\s*id", re.I)))
# (a bare "id" names nothing: "id 9007" typed for the phone's digits is those digits)
_STATUS_CUE = re.compile(r"进度|查询|查一下|查查|帮我查|申报编号|编号|后四位|后4位|末四位|尾号|身份证|手机号|"
                         r"到哪一步|哪一步|到哪了|状态|审核到|status", re.I)


@dataclass(frozen=True)
class Unsealed:
    factor: str
    client_key: str | None  # digest of the client address that typed it


def _key() -> Fernet:
    digest = hashlib.sha256(b"zhicheng-factor-vault|" + security.server_secret()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def sender_key(sender_id: str) -> str:
    return security.keyed_digest("pending-sender", sender_id or "")


def client_key(address: str | None) -> str:
    """A stable pseudonym for a client address (rate limits without storing addresses)."""
    return security.keyed_digest("client", address or "unknown")[:64]


def _id_spans(text: str, *, hyphenated_only: bool = False) -> list[tuple[int, int]]:
    """Where the text holds something shaped like a 申报编号 (kept whole)."""
    return [m.span() for m in _TOKEN.finditer(text) if security.is_application_id(m.group())
            and (not hyphenated_only or "-" in m.group())]


def _runs(text: str, *, pending: bool = False) -> list[tuple[int, int, str]]:
    """Digit runs outside 申报编号-shaped tokens: (start, end, digits without separators).

    While a factor is asked for, only hyphenated ids (DEMO-2024-0005) are kept whole, so
    "id0005" gives up its digits.
    """
    ids = _id_spans(text, hyphenated_only=pending)
    out = []
    for m in _RUN.finditer(text):
        if any(a <= m.start() < b for a, b in ids):
            continue
        out.append((m.start(), m.end(), _SEPARATORS.sub("", m.group()).upper()))
    return out


def _replacement(digits: str, *, drop_factors: bool) -> str | None:
    if _ID_SHAPE.fullmatch(digits):
        return ID_PLACEHOLDER
    if _MOBILE.fullmatch(digits):
        return PHONE_PLACEHOLDER
    if drop_factors and (sum(c.isdigit() for c in digits) >= 4 or _FACTOR_SHAPE.fullmatch(digits)):
        return DIGITS_PLACEHOLDER
    return None


def scrub(text: str, *, drop_factors: bool = False, pending: bool = False) -> str:
    """Replace ID and mobile numbers (spaced or not); with `drop_factors`, every 4+ digit group too."""
    t = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    cursor = 0
    for start, end, digits in _runs(t, pending=pending):
        repl = _replacement(digits, drop_factors=drop_factors)
        if repl is not None:
            out += [t[cursor:start], repl]
            cursor = end
    if not out:
        return text  # nothing to hide: the text as typed
    return "".join(out) + t[cursor:]


def entering_status(text: str) -> bool:
    """A message that asks for, or takes part in, a status lookup."""
    t = unicodedata.normalize("NFKC", text)
    return bool(_STATUS_CUE.search(t)) or bool(_id_spans(t.upper()))


def factor_answer(text: str) -> str | None:
    """The factor a message gives when it reads as an answer to "请输入后4位", else None.

    One group: the last 4 of an ID or mobile number, or 4 digits (the ID's last may be X),
    spaces allowed; around it only filler words ("后四位是", "手機後四位", "id", "ok"), never a question.
    """
    t = to_simplified(unicodedata.normalize("NFKC", text))
    runs = [r for r in _runs(t, pending=True) if sum(c.isdigit() for c in r[2]) >= 3]
    if len(runs) != 1:
        return None
    start, end, digits = runs[0]
    if _ID_SHAPE.fullmatch(digits) or _MOBILE.fullmatch(digits):
        factor = digits[-4:]
    elif _FACTOR_SHAPE.fullmatch(digits):
        factor = digits
    else:
        return None
    rest = _FILLER.sub("", t[:start] + " " + t[end:])
    if re.search(r"[\u3400-\u9fff]", rest) or len(rest) > 10 or re.search(r"\d", rest):
        return None
    return factor


def factor_kind_named(text: str) -> str | None:
    """The factor kind ("id4" / "phone4") a typed message names, or None."""
    t = to_simplified(unicodedata.normalize("NFKC", text))
    return next((kind for kind, words in _FACTOR_KINDS if words.search(t)), None)


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


def seal(factor: str, *, session: Session, sender_id: str, now: dt.datetime, client: str | None = None) -> str:
    session.execute(delete(SealedFactor).where(SealedFactor.expires_at < now))
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(24))
    session.add(SealedFactor(token=token, sender_key=sender_key(sender_id), expires_at=now + SEALED_FOR,
                             client_key=client_key(client),
                             ciphertext=_key().encrypt(factor.encode("utf-8")).decode("ascii")))
    session.flush()
    return token


def unseal(token: str | None, *, session: Session, sender_id: str, now: dt.datetime) -> Unsealed | None:
    """The sealed factor (once), or None if unknown, expired or sealed for another conversation."""
    row = session.get(SealedFactor, token) if token else None
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.expires_at < now or row.sender_key != sender_key(sender_id):
        return None
    try:
        return Unsealed(_key().decrypt(row.ciphertext.encode("ascii")).decode("utf-8"), row.client_key)
    except InvalidToken:
        return None


def untouched(text: str | None) -> bool:
    """Whether `protect` returns the text as it is whatever the conversation's state: it has no
    digit (after NFKC, as scrub and factor_answer read it) and is not the channel's own factor
    payload. The channel then needs no database (the pending check was a query per message)."""
    return not text or not text.startswith(FACTOR_PAYLOAD) and not _DIGIT.search(unicodedata.normalize("NFKC", text))


@overload
def protect(text: str, *, session: Session, sender_id: str, now: dt.datetime, client: str | None = None) -> str: ...
@overload
def protect(text: None, *, session: Session, sender_id: str, now: dt.datetime, client: str | None = None) -> None: ...
def protect(text: str | None, *, session: Session, sender_id: str, now: dt.datetime,
            client: str | None = None) -> str | None:
    """What Rasa may see of an incoming message (runs in the channel, before Rasa)."""
    if text is None or untouched(text):
        return text
    pending = is_pending(session=session, sender_id=sender_id, now=now)
    if text.startswith("/"):
        if text.startswith(FACTOR_PAYLOAD):  # only the channel may make this payload
            return DIGITS_PLACEHOLDER
        return scrub(text, drop_factors=pending or entering_status(text), pending=pending)
    if pending:
        factor = factor_answer(text)
        if factor is not None:
            token = seal(factor, session=session, sender_id=sender_id, now=now, client=client)
            entities = {"factor_ref": token}
            kind = factor_kind_named(text)  # "手机号后四位9001": the kind and the factor in one message
            if kind is not None:
                entities["factor_kind"] = kind
            return FACTOR_PAYLOAD + json.dumps(entities)
    return scrub(text, drop_factors=pending or entering_status(text), pending=pending)


def might_hold_a_factor(text: str | None) -> bool:
    """Whether a message has digits that would need the vault (used when the vault is unreachable)."""
    if not text:
        return False
    return any(sum(c.isdigit() for c in r[2]) >= 3 for r in _runs(unicodedata.normalize("NFKC", text)))
