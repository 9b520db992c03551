"""The web UI in headless Chromium (tests/support/browser.py) against the session's `relay local`
(tests/e2e/conftest.py): users made through the admin API, a fresh browser context per page
(no shared storage), every console error, page error and dialog recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from browser import browser, require_browser  # noqa: F401  (the session's Chromium fixture)
from playwright.sync_api import expect

from relay_local import LocalServer
from web_helpers import Browsed, WebUser, make_web_user


# A run's steps take seconds on a loaded machine: expectations wait up to this long (and stop
# waiting the moment they hold).
expect.set_options(timeout=30_000)


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
