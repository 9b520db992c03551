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
