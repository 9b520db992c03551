"""The approvals inbox: my runs' pauses still waiting, oldest first.

A pending input is in its user's inbox (the PendingInputs table's sparse `ByUser` index,
key `pending_user_id`) from the moment it is stored until it is answered, expires or its run
ends. Its expiry is checked on read as well (a FilterExpression on `expires_at`), since TTL
deletes late and RecordFailure closes an expired pause only after Step Functions times it out.
"""

from __future__ import annotations

from typing import Any

from relay.domain import PendingInput, Run

from .filtered_query import KeyRange, filtered_page
from .run_index import run_summaries


class Inbox:
    def __init__(self, client: Any, pending_table: str, runs_table: str) -> None:
        self._client = client
        self._pending = pending_table
        self._runs = runs_table

    def page(self, user_id: str, now: str, cursor: str | None, limit: int) -> tuple[list[PendingInput], str | None]:
        """Waiting pauses of `user_id` not expired at `now`, oldest first."""

        def accept(items: list[dict[str, Any]]) -> list[Any]:
            return [_pending(i) for i in items]

        return filtered_page(
            self._client,
            table=self._pending,
            index="ByUser",
            partition=("pending_user_id", user_id),
            key_range=KeyRange("created_at", None, None),
            key_attributes=("pending_user_id", "created_at", "run_id", "input_id"),
            cursor=cursor,
            limit=limit,
            accept=accept,
            filter_expression=("expires_at > :now", {":now": {"S": now}}, {}),
            newest_first=False,
        )

    def runs(self, run_ids: list[str]) -> dict[str, Run]:
        """The listed form of the pauses' runs, by id."""
        return run_summaries(self._client, self._runs, run_ids)


def _pending(record: dict[str, Any]) -> PendingInput:
    for extra in ("pending_user_id", "ttl", "closed_at", "applied_at"):
        record.pop(extra, None)
    return PendingInput.model_validate(record)
