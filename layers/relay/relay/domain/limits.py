"""Size limits that keep every record inside one DynamoDB item (400 KB) and every hand-over
inside one Step Functions payload (256 KB) and one TransactWriteItems (4 MB).

The run item holds inputs + state + the pending request: 64 + 200 + 64 KiB leaves room for
the rest of it. Sizes are of compact UTF-8 JSON, close to what DynamoDB counts.
"""

from __future__ import annotations

import json
from typing import Any

from relay.exceptions import PayloadTooLargeError

KIB = 1024

MAX_INPUTS_BYTES = 64 * KIB  # a run's inputs (POST /v1/runs)
MAX_ANSWER_BYTES = 64 * KIB  # one answer (POST /v1/runs/{id}/input); it travels in SendTaskSuccess
MAX_REQUEST_BYTES = 64 * KIB  # what a pause asks (prompt, options …)
MAX_STATE_BYTES = 200 * KIB  # a run's state, and one module's outputs
# Events one RunStep commits before it hands over to the next: one more module may add three
# state-sized events past it, and the run item rides in the same transaction.
MAX_EVENT_BYTES_PER_COMMIT = 2 * KIB * KIB


def json_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))


def check_size(value: Any, limit: int, name: str, *, code: str) -> None:
    """A 413 `code` when `value` is over `limit` bytes as compact UTF-8 JSON."""
    size = json_size(value)
    if size > limit:
        raise PayloadTooLargeError(f"{name} is {size} bytes as JSON; at most {limit} allowed", code=code)


# The values `$state`/`$run`/`$step` references bring into one module's inputs, counted once
# per reference as compact JSON: a reference copied 10,000 times into a list would otherwise
# build gigabytes the first time anything serialises the inputs (the state itself is ≤ 200 KiB).
MAX_REFERENCED_BYTES = KIB * KIB


class _Over(Exception):  # noqa: N818 - a control-flow signal inside this module, not an error
    pass


def json_size_capped(value: Any, limit: int, memo: dict[int, int] | None = None) -> int:
    """`json_size(value)` when that is at most `limit`, else some number over `limit`, found
    without serialising `value` whole: the walk stops as soon as the count passes `limit`, and
    an object met again (one list or string shared by many places) counts from `memo`."""
    try:
        return _size(value, limit, {} if memo is None else memo, set())
    except _Over:
        return limit + 1


def _key_size(key: Any) -> int:
    if isinstance(key, str):
        return len(json.dumps(key, ensure_ascii=False).encode("utf-8"))
    return json_size({key: 0}) - 4  # json.dumps's own spelling of a non-string key ({"1":0})


def _size(value: Any, budget: int, memo: dict[int, int], open_: set[int]) -> int:
    key = id(value)
    if key in memo:
        size = memo[key]
    elif isinstance(value, (dict, list, tuple)):
        if key in open_:
            raise ValueError("Circular reference detected")
        open_.add(key)
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        size = 2 + max(len(value) - 1, 0)  # brackets and commas
        for k, v in items:
            if k is not None or isinstance(value, dict):
                size += _key_size(k) + 1
            size += _size(v, budget - size, memo, open_)
            if size > budget:
                raise _Over
        open_.discard(key)
        memo[key] = size
    elif isinstance(value, str):
        size = memo[key] = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    else:
        size = json_size(value)
    if size > budget:
        raise _Over
    return size
