"""Real-browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium); no browser download.

Run by `make browser` (part of `make test`, after the book build). They need the built book
(`_build/html`, or BOOK_HTML) and axe-core (AXE_JS, fetched from npm by the Makefile). Without
them the tests skip, unless BROWSER_TESTS_REQUIRED=1 (the Makefile sets it), when they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
AXE = Path(os.environ.get("AXE_JS", ROOT / ".venv" / "axe-core" / "axe.min.js"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser test (Playwright + Chromium); needs the built book")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def need(condition: bool, why: str):
    if not condition:
        (pytest.fail if REQUIRED else pytest.skip)(why)


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists() or shutil.which(CHROMIUM), f"no Chromium at {CHROMIUM} (make installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, headless=True,
                                    args=["--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


class PageLog:
    """Console errors, page errors, failed and blocked requests of one page."""

    def __init__(self, page, allow=("file:", "data:", "blob:", "about:")):
        self.errors, self.blocked, self.failed = [], [], []
        self.allow = allow
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.route(lambda url: not url.startswith(self.allow), self._block)

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort("internetdisconnected")
