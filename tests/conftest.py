"""Shared fixtures: a private database per test session, loaded from knowledge/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _private_var(tmp_path_factory):
    """Every test session gets its own var/ and database: nothing touches the developer's."""
    var = tmp_path_factory.mktemp("var")
    os.environ["ZHICHENG_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'zhicheng.db'}"
    os.environ.setdefault("ZHICHENG_TODAY", "2026-11-24")
    os.environ["ZHICHENG_DEMO"] = "1"  # a private test database may hold the demo applications
    yield var


@pytest.fixture
def kb_dir(tmp_path) -> Path:
    """A writable copy of knowledge/ that a test may break or edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


@pytest.fixture(scope="session")
def knowledge():
    from bot.kb.loader import read_knowledge
    return read_knowledge(ROOT / "knowledge")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture
def session(db_url, knowledge):
    """A session on a fresh database holding the shipped knowledge."""
    from bot.db import session_factory
    from bot.kb.loader import load
    factory = session_factory(db_url)
    with factory() as s, s.begin():
        load(knowledge, session=s, source="tests")
    with factory() as s:
        yield s


@pytest.fixture(scope="session")
def loaded_default_db(_private_var, knowledge):
    """The session-wide DATABASE_URL database, loaded once (used by action tests)."""
    from bot.advisor.directory import load_directory_file
    from bot.db import session_factory
    from bot.kb.loader import load
    with session_factory()() as s, s.begin():  # what `zhicheng kb load` does
        load(knowledge, session=s, source="tests")
        load_directory_file(ROOT / "knowledge" / "directory.yml", session=s)
    return os.environ["DATABASE_URL"]
