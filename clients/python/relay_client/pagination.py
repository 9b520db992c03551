"""`{items, next_cursor}` pages as one iterator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

Fetch = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def paged(fetch: Fetch, params: Mapping[str, Any], *, limit: int | None = None) -> Iterator[Any]:
    """Every item over the pages `fetch(params | {cursor})` answers, up to `limit` items."""
    cursor: str | None = None
    served = 0
    while True:
        page = fetch({**params, "cursor": cursor})
        for item in page.get("items", []):
            yield item
            served += 1
            if limit is not None and served >= limit:
                return
        cursor = page.get("next_cursor")
        if not cursor:
            return
