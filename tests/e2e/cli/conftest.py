"""A real `relay local` (the project's `relay` command, its server tooling), users made through
its admin API, and the `relay` CLI driven through a pseudo-terminal (pexpect) or pipes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from client_setup import User, new_user, write_greeting
from relay_local import DEV_KEY as _DEV_KEY
from relay_local import LocalServer

DEV_KEY = _DEV_KEY


@pytest.fixture(scope="session")
def local_url(local_server: LocalServer) -> str:
    """`relay local` as `make dev` runs it, on free ports (or, with RELAY_E2E_URL and
    RELAY_E2E_DEV_KEY, a server already running, e.g. `make dev`'s): tests/e2e/conftest.py."""
    global DEV_KEY
    DEV_KEY = local_server.dev_key
    return local_server.url


@pytest.fixture
def make_user(local_url: str, tmp_path: Path) -> Callable[[], User]:
    """A new user each call, with its own home under the test's tmp_path (tests/support/client_setup.py)."""
    server = LocalServer(local_url, DEV_KEY)
    made = iter(range(1, 1000))
    return lambda: new_user(server, tmp_path / f"user{next(made)}")


@pytest.fixture
def user(make_user: Callable[[], User]) -> User:
    return make_user()


@pytest.fixture
def greeting(user: User) -> Path:
    return write_greeting(user.home)
