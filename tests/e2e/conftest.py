"""One `relay local` per test session (per xdist worker) for every end-to-end suite: the CLI's
(tests/e2e/cli) and the web UI's (tests/e2e/web)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from relay_local import LocalServer, relay_local


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalServer]:
    with relay_local() as server:
        yield server
