"""Staff accounts: name, role, an argon2 password hash, disable, lock-out after wrong passwords.

    add_user(session=s, name="wang", role="agent", password="...")
    user = authenticate(session=s, name="wang", password="...")   # raises LoginError

Roles: agent (the /agent console), editor (drafts in /admin), publisher (publishes drafts),
admin (everything). A name is 2–32 lower-case letters, digits, `_ . -`.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, Column, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session

from bot.base import Base

ROLES = ("agent", "editor", "publisher", "admin")
# what each role may do
CAN = {
    "agent": {"agent"},
    "editor": {"staff", "edit"},
    "publisher": {"staff", "edit", "publish"},
    "admin": {"agent", "staff", "edit", "publish", "accounts"},
}
MAX_FAILURES = 5  # wrong passwords in a row before the account is locked
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
_NAME = re.compile(r"[a-z0-9_.-]{2,32}")
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy() -> str:
    """A hash to check unknown names against, made on first use (importing the models, as the chat
    servers do for every table, must not spend a password hash's time)."""
    return _hasher.hash("not a real password, only spends the same time")


class StaffUser(Base):
    __tablename__ = "staff_user"
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = Column(String(32), nullable=False, unique=True)
    role: Mapped[str] = Column(String(16), nullable=False)
    password_hash: Mapped[str] = Column(String(256), nullable=False)
    disabled: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    failures: Mapped[int] = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=dt.datetime.now)
    last_login = Column(DateTime)
    epoch: Mapped[int] = Column(Integer, nullable=False, default=0)  # bumped by logout and by disabling: old cookies die

    def can(self, what: str) -> bool:
        return what in CAN.get(self.role, set())


class AccountError(ValueError):
    """A refused account change; the text is shown to the person."""


class LoginError(Exception):
    """Login refused; the text is shown (the same for unknown name and wrong password)."""


WRONG = "账号或密码不正确。"


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise AccountError("账号名必须是 2–32 个小写字母、数字或 _ . -")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > 256:
        raise AccountError("密码最长 256 个字符")
    return password


def add_user(*, session: Session, name: str, role: str, password: str) -> StaffUser:
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(f"角色必须是 {'/'.join(ROLES)}")
    check_password(password)
    if session.scalar(select(StaffUser).where(StaffUser.name == name)) is not None:
        raise AccountError(f"账号 {name} 已存在")
    user = StaffUser(name=name, role=role, password_hash=_hasher.hash(password), disabled=False, failures=0,
                     created_at=dt.datetime.now(), epoch=0)
    session.add(user)
    session.flush()
    return user


def get(*, session: Session, name: str) -> StaffUser | None:
    user: StaffUser | None = session.scalar(select(StaffUser).where(StaffUser.name == (name or "").strip()))
    return user


def _existing(session: Session, name: str) -> StaffUser:
    user = get(session=session, name=name)
    if user is None:
        raise AccountError(f"没有账号 {name}")
    return user


def set_disabled(*, session: Session, name: str, disabled: bool = True) -> StaffUser:
    user = _existing(session, name)
    user.disabled = disabled
    user.epoch = (user.epoch or 0) + 1
    return user


def reset_password(*, session: Session, name: str, password: str) -> StaffUser:
    user = _existing(session, name)
    user.password_hash = _hasher.hash(check_password(password))
    user.failures, user.locked_until = 0, None
    user.epoch = (user.epoch or 0) + 1
    return user


def authenticate(*, session: Session, name: str, password: str, now: dt.datetime | None = None) -> StaffUser:
    """The account, or LoginError. MAX_FAILURES wrong passwords in a row lock it for LOCKOUT."""
    now = now or dt.datetime.now()
    user = get(session=session, name=name) if isinstance(name, str) and len(name) <= 64 else None
    if user is None:
        try:  # the same work as a real check: timing does not tell which names exist
            _hasher.verify(_dummy(), password or "")
        except VerificationError:
            pass
        raise LoginError(WRONG)
    if user.locked_until and user.locked_until > now:
        raise LoginError(f"密码错误次数过多，账号已锁定到 {user.locked_until:%H:%M}，请稍后再试或联系管理员。")
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failures = (user.failures or 0) + 1
        if user.failures >= MAX_FAILURES:
            user.locked_until, user.failures = now + LOCKOUT, 0
            raise LoginError(f"密码错误次数过多，账号已锁定到 {user.locked_until:%H:%M}，请稍后再试或联系管理员。") from None
        raise LoginError(WRONG) from None
    if user.disabled:
        raise LoginError("这个账号已停用，请联系管理员。")
    user.failures, user.locked_until, user.last_login = 0, None, now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user
