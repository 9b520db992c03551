"""The web UI in headless Chromium (tests/support/browser.py) against the session's `relay local`
(tests/e2e/conftest.py): users made through the admin API, a fresh browser context per page
(no shared storage), every console error, page error and dialog recorded."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the dev extras install it; without it these tests are not collected
    if os.environ.get("RELAY_REQUIRE_BROWSER") == "1":
        raise
    collect_ignore_glob = ["test_*.py"]
    print("tests/e2e/web: Playwright for Python is not installed (make test installs the dev extras: pip install -e '.[dev]')")
else:
    from browser import browser, require_browser  # noqa: F401  (the session's Chromium fixture)

    # A run's steps take seconds on a loaded machine: expectations wait up to this long (and
    # stop waiting the moment they hold).
    expect.set_options(timeout=30_000)

from relay_local import LocalServer
from web_helpers import Browsed, WebUser, make_web_user



@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    require_browser()  # before relay local starts: a missing browser skips (or, in CI, fails) at once


@pytest.fixture
def web_user(local_server: LocalServer) -> WebUser:
    return make_web_user(local_server)


@pytest.fixture
def open_page(browser, local_server: LocalServer, request: pytest.FixtureRequest) -> Iterator[Callable[..., Browsed]]:  # noqa: F811
    opened: list[Browsed] = []

    def open_(width: int = 1280, height: int = 900, **context_options: object) -> Browsed:
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=local_server.url,
                                      accept_downloads=True, **context_options)
        context.set_default_timeout(30_000)
        browsed = Browsed(context, context.new_page(), request.node.name)
        opened.append(browsed)
        return browsed

    yield open_
    for browsed in opened:
        browsed.context.close()
