"""End-to-end tests: marked e2e (the `servers` fixture lives in tests/conftest.py)."""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath) or "/security/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
