"""Verification factors, name masking and redaction for application-status lookups.

Factors (the last 4 characters of the ID number, or of the phone number) are never stored:
the database keeps HMAC-SHA256(server secret, salt | kind | value) with a random salt per
application, and comparison is constant-time. The server secret comes from
ZHICHENG_STATUS_SECRET, else from the file `status_secret` in the var dir, created once with
0600 permissions. Rotating the secret invalidates every stored factor: re-import afterwards.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import create_secret_file, settings

if TYPE_CHECKING:  # the database is imported where it is used, not with this module
    from sqlalchemy.orm import Session

FACTOR_KINDS = ("id4", "phone4")
SECRET_FILE = "status_secret"
_ID4 = re.compile(r"^[0-9]{3}[0-9X]$")
_PHONE4 = re.compile(r"^[0-9]{4}$")
# 18-character resident ID numbers (the check character may be X): the one pattern for them
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXxＸｘ](?![0-9A-Za-z])")
# 申报编号, the one rule for the importer and the chat: 6–40 of A–Z, 0–9 and "-", with at least
# one letter, so that an id can never be mistaken for a phone number, an ID number or a factor
APPLICATION_ID = re.compile(r"(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]")
_CHECK_TEXT = "zhicheng-status-secret-check"


class SecretMismatch(RuntimeError):
    """The status secret is missing or differs from the one the stored hashes were made with."""


def is_application_id(text: str) -> bool:
    t = normalize(text)
    return bool(APPLICATION_ID.fullmatch(t)) and not re.fullmatch(r"\d{17}[\dX]", t)


def server_secret() -> bytes:
    """The HMAC key: ZHICHENG_STATUS_SECRET, else the var-dir file (created on first use only)."""
    env = os.environ.get("ZHICHENG_STATUS_SECRET")
    if env:
        return env.encode("utf-8")
    return _secret_file(settings().var_dir / SECRET_FILE)


def _hashes_exist() -> bool:
    """Whether the database already holds values made with some secret (then none may be generated)."""
    from sqlalchemy import select

    from bot.db import session_factory
    from bot.status.models import Application, SecretCheck
    with session_factory()() as session:
        return (session.scalar(select(Application.application_id).limit(1)) is not None
                or session.get(SecretCheck, 1) is not None)


def check_secret(*, session: Session) -> None:
    """Refuse to run with a secret other than the one the database's hashes were made with.

    The first process to run records a keyed digest; every later one (on any host sharing the
    database) must produce the same digest, else `SecretMismatch` says what to do.
    """
    from bot.status.models import SecretCheck
    digest = keyed_digest("check", _CHECK_TEXT)
    row = session.get(SecretCheck, 1)
    if row is None:
        session.add(SecretCheck(id=1, digest=digest))
    elif not hmac.compare_digest(row.digest, digest):
        raise SecretMismatch("状态查询密钥与数据库中已有的哈希不符（ZHICHENG_STATUS_SECRET 或 var/status_secret 被改动，"
                             "或多台主机用了不同的密钥）。请恢复原密钥；确需更换时，清空申报数据后重新导入。")


def _secret_file(path: Path) -> bytes:
    try:  # read once per file version: it was opened and read several times per chat message
        st = path.stat()
        return _read_secret(str(path), st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        pass
    if not path.exists():
        if _hashes_exist():
            raise SecretMismatch(f"找不到状态查询密钥 {path}，但数据库里已有用它生成的哈希：不会自动生成新密钥"
                                 "（否则所有核验都会失败）。请恢复该文件或设置 ZHICHENG_STATUS_SECRET；"
                                 "确需更换时，清空申报数据后重新导入。")
        create_secret_file(path, secrets.token_hex(32))
    text = path.read_text(encoding="ascii").strip()
    if not text:
        raise RuntimeError(f"{path} 是空的：请删除它（会生成新密钥）后重新导入申报数据。")
    return text.encode("ascii")


@lru_cache(maxsize=8)
def _read_secret(path: str, _inode: int, _mtime_ns: int, _size: int) -> bytes:
    text = Path(path).read_text(encoding="ascii").strip()
    if not text:
        raise RuntimeError(f"{path} 是空的：请删除它（会生成新密钥）后重新导入申报数据。")
    return text.encode("ascii")


def new_salt() -> str:
    return secrets.token_hex(16)


def normalize(text: str | None) -> str:
    """Full-width to half-width, trimmed, upper-case: how users type ids and digits."""
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def normalize_factor(kind: str, value: str | None) -> str | None:
    """The factor in canonical form, or None when it cannot be a valid factor of that kind."""
    if kind not in FACTOR_KINDS:
        raise ValueError(f"unknown factor kind {kind!r}")
    v = re.sub(r"[\s-]", "", normalize(value))
    pattern = _ID4 if kind == "id4" else _PHONE4
    return v if pattern.match(v) else None


def hash_factor(kind: str, value: str, *, salt: str, secret: bytes | None = None) -> str:
    """Keyed hash of an already-normalised factor."""
    key = secret if secret is not None else server_secret()
    return hmac.new(key, f"{salt}|{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def verify_factor(kind: str, value: str | None, *, salt: str, expected: str | None,
                  secret: bytes | None = None) -> bool:
    """Constant-time check of a user-typed factor against the stored hash (None never matches)."""
    canonical = normalize_factor(kind, value)
    # hash even when the input or the stored hash is missing, so every failure takes the same time
    actual = hash_factor(kind, canonical or "", salt=salt, secret=secret)
    ok = hmac.compare_digest(actual, expected or "0" * 64)
    return ok and canonical is not None and expected is not None


def keyed_digest(purpose: str, text: str, *, secret: bytes | None = None) -> str:
    """A stable pseudonym for rate-limit keys (application ids as typed, conversation ids)."""
    key = secret if secret is not None else server_secret()
    return hmac.new(key, f"{purpose}|{text}".encode(), hashlib.sha256).hexdigest()


def mask_name(name: str | None) -> str:
    """张三→张*, 张小明→张*明, 欧阳小明→欧**明; whitespace is dropped; empty → *."""
    n = re.sub(r"\s+", "", name or "")
    if len(n) <= 1:
        return "*"
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


def is_id_number(text: str) -> bool:
    """True for an 18-character resident ID number with a valid GB 11643 check character."""
    t = normalize(text)
    if not re.fullmatch(r"\d{17}[\dX]", t):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    # 17 weights for 18 characters: the check character itself has none
    check = "10X98765432"[sum(int(c) * w for c, w in zip(t, weights, strict=False)) % 11]
    return t[-1] == check


def redact(text: str | None, *, min_digits: int = 4, limit: int = 200) -> str:
    """Text safe to log or audit: ID numbers and every run of `min_digits`+ digits become '*'.

    The default (4) also hides a typed verification factor; use a larger `min_digits` for
    identifiers such as conversation ids, where only phone and ID numbers need hiding.
    """
    t = text or ""  # `\d` matches full-width digits too; the rest of the text is kept as typed
    t = ID_NUMBER.sub(lambda m: "*" * len(m.group()), t)
    t = re.sub(rf"\d{{{min_digits},}}", lambda m: "*" * len(m.group()), t)
    return t[:limit]
