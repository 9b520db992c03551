"""One DynamoDB transaction whose every write carries the error it raises.

A cancelled TransactWriteItems says, item by item, why (`CancellationReasons`). Each `Write`
here holds its item and what its failed condition means (`failed`: the run moved on, a quota
is full, an input was decided, a version is no longer the latest), so the answer to a
cancelled transaction is the error of the write that failed, found by pairing each reason
with its own write; callers never count positions.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .dynamo import cancellation_codes, error_code

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit (moto does not enforce it)


@dataclass(frozen=True)
class Write:
    item: dict[str, Any]  # {"Put": …}, {"Update": …}, {"Delete": …} or {"ConditionCheck": …}
    failed: Callable[[], Exception] | None = None  # its condition failed; None: unconditional


class Transaction:
    """Writes committed at once. `conflict`: the error when the transaction lost to another
    one in flight on its items (TransactionConflict) and no condition failed. `retry_conflicts`:
    try again first (a shared item, such as a user's quota counters, that concurrent requests
    of one user all write: a cancelled transaction wrote nothing, so a retry is what the
    caller's retry would be)."""

    def __init__(
        self,
        client: Any,
        *,
        conflict: Callable[[], Exception] | None = None,
        retry_conflicts: bool = False,
        attempts: int = 4,
    ) -> None:
        self._client = client
        self._conflict = conflict
        self.retry_conflicts = retry_conflicts
        self._attempts = attempts
        self.writes: list[Write] = []

    def add(self, item: dict[str, Any], failed: Callable[[], Exception] | None = None) -> None:
        self.writes.append(Write(item, failed))

    def extend(self, items: Iterable[dict[str, Any]], failed: Callable[[], Exception] | None = None) -> None:
        self.writes.extend(Write(item, failed) for item in items)

    def commit(self) -> None:
        if len(self.writes) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(self.writes)} items exceed one transaction ({MAX_TRANSACTION_ITEMS})")
        try:
            self._write()
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = cancellation_codes(exc)
                # No reasons (an endpoint that gives none) pair nothing: the ClientError is raised as it is.
                for write, reason in zip(self.writes, reasons, strict=False):
                    if reason == "ConditionalCheckFailed" and write.failed is not None:
                        raise write.failed() from exc
                if "TransactionConflict" in reasons and self._conflict is not None:
                    raise self._conflict() from exc
            raise

    def _write(self) -> None:
        items = [write.item for write in self.writes]
        attempts = self._attempts if self.retry_conflicts else 1
        for attempt in range(attempts):
            try:
                self._client.transact_write_items(TransactItems=items)
                return
            except ClientError as exc:
                reasons = cancellation_codes(exc)
                conflict_only = "TransactionConflict" in reasons and "ConditionalCheckFailed" not in reasons
                if error_code(exc) != "TransactionCanceledException" or not conflict_only or attempt == attempts - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))


def write_one(client: Any, item: dict[str, Any], failed: Callable[[], Exception]) -> None:
    """One conditional Put or Update, outside any transaction (cheaper, and the same answer:
    its failed condition raises `failed()`)."""
    kind, request = next(iter(item.items()))
    try:
        (client.put_item if kind == "Put" else client.update_item)(**request)
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            raise failed() from exc
        raise
