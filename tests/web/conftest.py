"""Browser tests drive Debian's Chromium (/usr/bin/chromium, `make deps`) through Playwright,
against the real servers (the `servers` fixture starts Rasa, the action server and the web app).
Playwright's own browser download is never used."""
from __future__ import annotations

import os
import warnings
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


def shoot(page, name: str, full_page: bool = False) -> None:
    """Save a screenshot of what the user sees to var/screenshots/NAME.png, for people to look at.

    The picture is not what a test asserts: headless Chromium now and then never delivers the
    frame of a capture (seen in CI: "fonts loaded", then a 30 s timeout). One retry, then a
    warning; the test's assertions decide whether it passes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    for _attempt in (1, 2):
        try:
            page.screenshot(path=path, full_page=full_page, timeout=15_000)
            return
        except Exception as err:  # playwright's TimeoutError; the page itself is checked by the test
            last = err
            page.wait_for_timeout(500)
    warnings.warn(f"screenshot {name}.png not taken: {last}", stacklevel=2)
