"""Suite-wide ordering for `pytest -n` (pytest-xdist, `--dist worksteal`): the longest tests
are handed out first, so no worker picks one up at the end and leaves the others idle."""

from __future__ import annotations

import pytest

# Tests that take far longer than the rest (each is one bounded scenario): started first.
LONG_FIRST = ("tests/integration/test_openapi_contract.py",)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return 0 if path in LONG_FIRST else 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the rest keep their order
