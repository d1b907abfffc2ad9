"""Fixtures of the advisor tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def clause_ids(knowledge) -> set[str]:
    return {c["id"] for c in knowledge.clauses}


@pytest.fixture
def factory(db_url):
    from bot.db import session_factory
    return session_factory(db_url)
