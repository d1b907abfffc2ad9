"""Factor hashing, the server secret, name masking and redaction."""
from __future__ import annotations

import stat

import pytest

from bot.status import security


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("张小明", "张*明"), ("欧阳小明", "欧**明"), ("司马相如之", "司***之"),
    (" 李 四 ", "李*"), ("王", "*"), ("", "*"), (None, "*"),
])
def test_mask_name(name, masked):
    assert security.mask_name(name) == masked


def test_factor_hash_is_salted_keyed_and_never_the_digits():
    a = security.hash_factor("id4", "4827", salt="s1", secret=b"k")
    assert "4827" not in a and len(a) == 64
    assert a != security.hash_factor("id4", "4827", salt="s2", secret=b"k")  # per-application salt
    assert a != security.hash_factor("id4", "4827", salt="s1", secret=b"other")  # server secret
    assert a != security.hash_factor("phone4", "4827", salt="s1", secret=b"k")  # the kind is bound in


@pytest.mark.parametrize("typed, ok", [
    ("482X", True), ("482x", True), ("４８２Ｘ", True), (" 482X ", True),
    ("4820", False), ("482", False), ("", False), (None, False), ("48２X1", False),
])
def test_verify_factor_normalises_what_users_type(typed, ok):
    stored = security.hash_factor("id4", "482X", salt="abc", secret=b"k")
    assert security.verify_factor("id4", typed, salt="abc", expected=stored, secret=b"k") is ok


def test_missing_stored_factor_never_matches():
    assert not security.verify_factor("phone4", "7316", salt="abc", expected=None, secret=b"k")


def test_phone_factor_is_digits_only():
    assert security.normalize_factor("phone4", "7316") == "7316"
    assert security.normalize_factor("phone4", "731X") is None
    with pytest.raises(ValueError):
        security.normalize_factor("name", "7316")


def test_secret_file_is_created_once_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHICHENG_STATUS_SECRET", raising=False)
    monkeypatch.setenv("ZHICHENG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")  # no hashes made yet
    first = security.server_secret()
    path = tmp_path / "var" / "status_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and security.server_secret() == first


def test_secret_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHICHENG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ZHICHENG_STATUS_SECRET", "from-env")
    assert security.server_secret() == b"from-env"
    assert not (tmp_path / "status_secret").exists()


def test_id_number_check_digit():
    assert security.is_id_number("11010519491231002X")
    assert security.is_id_number("11010519491231002x")
    assert not security.is_id_number("110105194912310021")  # wrong check character
    assert not security.is_id_number("BJ2024ZC000123")


@pytest.mark.parametrize("text, safe", [
    ("我的身份证号11010519491231002X", "我的身份证号******************"),
    ("手机13812345678，后四位5678", "手机***********，后四位****"),
    ("DEMO-2024-0001", "DEMO-****-****"),
    ("第12期", "第12期"),
    ("１２３４", "****"),
])
def test_redact_hides_id_numbers_and_digit_runs(text, safe):
    assert security.redact(text) == safe


def test_redact_for_identifiers_keeps_short_runs():
    assert security.redact("conv-2024-13812345678", min_digits=6) == "conv-2024-***********"
