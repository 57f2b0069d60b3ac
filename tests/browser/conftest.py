"""Real-browser tests: Playwright driving Debian's Chromium, by default its headless shell
(/usr/bin/chromium-headless-shell; CHROMIUM=/usr/bin/chromium for the full browser); no browser download.

Run by `make browser` (part of `make test`, after the book build). They need the built book
(`_build/html`, or BOOK_HTML) and axe-core (AXE_JS, fetched from npm by the Makefile). Without
them the tests skip, unless BROWSER_TESTS_REQUIRED=1 (the Makefile sets it), when they fail.
"""

import shutil
from pathlib import Path

import pytest

from browserlib import CHROMIUM, need


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser test (Playwright + Chromium); needs the built book")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which(CHROMIUM)
    need(executable is not None, f"no Chromium at {CHROMIUM} (make browser installs Debian's package)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=["--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()
