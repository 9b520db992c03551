"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright for Python.

Playwright's own browser download cannot work on these machines (no network), so the tests use
the system browser by `executable_path`. Where it is missing the tests skip with the exact way to
get one, unless RELAY_REQUIRE_BROWSER=1 (set by .ci/run): then a missing browser fails them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path(os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_GET = (
    "no Chromium at {path}: install Debian's (`sudo apt-get install -y chromium`) and Playwright for Python "
    "(`make test` installs it from the dev extras; or `.venv/bin/pip install playwright`); never "
    "`playwright install` (it downloads a browser). RELAY_CHROMIUM=/path/to/chromium picks another one."
)


def require_browser() -> None:
    """Skip (or, under RELAY_REQUIRE_BROWSER=1, fail) when Chromium or Playwright is missing."""
    missing = None
    if not os.access(CHROMIUM, os.X_OK):
        missing = HOW_TO_GET.format(path=CHROMIUM)
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed: " + HOW_TO_GET.format(path=CHROMIUM)
    if missing is None:
        return
    if os.environ.get("RELAY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (RELAY_REQUIRE_BROWSER=1) but {missing}", pytrace=False)
    pytest.skip(missing)


@contextmanager
def launch_chromium(**options: object) -> Iterator[Browser]:
    """A headless Chromium (the system one), closed on exit. `options` go to `chromium.launch`."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, **options)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test session (each test opens its own context: no shared cookies or storage)."""
    with launch_chromium() as launched:
        yield launched
