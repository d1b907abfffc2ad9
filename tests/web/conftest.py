"""Browser tests drive Debian's Chromium (/usr/bin/chromium, `make deps`) through Playwright,
against the real servers (the `servers` fixture starts Rasa, the action server and the web app).
Playwright's own browser download is never used."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "var" / "screenshots"
SERVER_TESTS = ("test_widget.py", "test_web_app.py", "test_console.py", "test_publish_check.py")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/web/" in str(item.fspath) and Path(str(item.fspath)).name in SERVER_TESTS:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make deps` (apt-get install chromium)")
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
