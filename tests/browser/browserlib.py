"""Shared by the browser tests: where things are, and a log of one page's errors and requests."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
AXE = Path(os.environ.get("AXE_JS", ROOT / ".venv" / "axe-core" / "axe.min.js"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED") == "1"


def need(condition: bool, why: str):
    """Skip (or, under `make browser`, fail) when something the tests need is missing."""
    if not condition:
        (pytest.fail if REQUIRED else pytest.skip)(why)


class PageLog:
    """Console errors, page errors, failed requests and blocked (non-local) requests of one page."""

    def __init__(self, page, allow=("file:", "data:", "blob:", "about:")):
        self.errors, self.blocked, self.failed = [], [], []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        # a pattern, not a Python predicate: the browser then pauses only the requests it blocks, instead of
        # asking this process about every one
        page.route(re.compile("^(?!(?:%s))" % "|".join(map(re.escape, allow))), self._block)

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort("internetdisconnected")
