"""Pending inputs: the stored task tokens of a run's pauses, and the approvals inbox.

One item per pause (`run_id`, `input_id`); a sparse `pending_user_id` key puts it in its
user's inbox while it waits. RunRepository writes these items in the same transaction as the
run they belong to (`change_item`: the write of each pending-input change record);
`PendingInputs` reads them.
"""

from __future__ import annotations

from typing import Any

from relay.domain import PendingInput
from relay.domain import changes as c
from relay.ids import now_iso

from .dynamo import from_item, to_attr, to_item

PendingChange = c.PutPendingInput | c.ClosePendingInput | c.ClaimPendingInput | c.ReopenPendingInput | c.ApplyAnswer


def change_item(table: str, change: PendingChange) -> dict[str, Any]:
    """The conditional write of one pending-input change."""
    if isinstance(change, c.PutPendingInput):
        record = change.pending.model_dump()
        record["pending_user_id"] = change.pending.user_id
        record["ttl"] = change.ttl
        return {"Put": {"TableName": table, "Item": to_item(record), "ConditionExpression": "attribute_not_exists(input_id)"}}
    key = {"run_id": {"S": change.run_id}, "input_id": {"S": change.input_id}}
    if isinstance(change, c.ClosePendingInput):
        return {"Update": {"TableName": table, "Key": key, **_close(change)}}
    if isinstance(change, c.ReopenPendingInput):
        return {"Update": {"TableName": table, "Key": key, **_reopen(change)}}
    if isinstance(change, (c.ClaimPendingInput, c.ApplyAnswer)):
        return {"Update": {"TableName": table, "Key": key, **_answered(change)}}
    raise TypeError(f"not a pending-input change: {change!r}")


def _close(change: c.ClosePendingInput) -> dict[str, Any]:
    """Leave the inbox (drop the sparse key) with a final status; only from `from_statuses`."""
    names = {f":from{i}": {"S": s} for i, s in enumerate(change.from_statuses)}
    return {
        "UpdateExpression": "SET #s = :s, closed_at = :now REMOVE pending_user_id",
        "ConditionExpression": f"#s IN ({', '.join(names)})",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": change.status}, ":now": {"S": now_iso()}, **names},
    }


def _answered(change: c.ClaimPendingInput | c.ApplyAnswer) -> dict[str, Any]:
    """Pending → answered with this value. A claim: only while still pending. RunStep's
    apply: whoever claimed it, keeping the claim's time, and never reopened after."""
    values = {
        ":answered": {"S": "answered"},
        ":value": to_attr(change.value),
        ":by": to_attr(change.decided_by),
        ":now": {"S": now_iso()},
    }
    if isinstance(change, c.ClaimPendingInput):
        return {
            "UpdateExpression": "SET #s = :answered, #v = :value, decided_by = :by, decided_at = :now REMOVE pending_user_id",
            "ConditionExpression": "#s = :pending",
            "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
            "ExpressionAttributeValues": {**values, ":pending": {"S": "pending"}},
        }
    return {
        "UpdateExpression": "SET #s = :answered, #v = :value, decided_by = :by, "
        "decided_at = if_not_exists(decided_at, :now), applied_at = :now REMOVE pending_user_id",
        "ConditionExpression": "attribute_exists(input_id)",
        "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
        "ExpressionAttributeValues": values,
    }


def _reopen(change: c.ReopenPendingInput) -> dict[str, Any]:
    """Answered → pending again, unless RunStep has applied the answer already."""
    return {
        "UpdateExpression": "SET #s = :pending, pending_user_id = :user REMOVE #v, decided_by, decided_at",
        "ConditionExpression": "#s = :answered AND attribute_not_exists(applied_at)",
        "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
        "ExpressionAttributeValues": {
            ":answered": {"S": "answered"},
            ":pending": {"S": "pending"},
            ":user": {"S": change.user_id},
        },
    }


class PendingInputs:
    """Reads of the PendingInputs table."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, run_id: str, input_id: str) -> PendingInput | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"run_id": {"S": run_id}, "input_id": {"S": input_id}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        return self._record(from_item(response["Item"]))

    def last_answer(self, run_id: str, step_id: str) -> PendingInput | None:
        """The latest answered pending input of `step_id` in this run (a run has one pending
        input per pause, so its partition is small)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "run_id = :run",
            "FilterExpression": "step_id = :step AND #s = :answered",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":run": {"S": run_id},
                ":step": {"S": step_id},
                ":answered": {"S": "answered"},
            },
            "ConsistentRead": True,
        }
        answered: list[PendingInput] = []
        while True:
            response = self._client.query(**kwargs)
            answered.extend(self._record(from_item(i)) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return max(answered, key=lambda p: p.created_at, default=None)

    @staticmethod
    def _record(record: dict[str, Any]) -> PendingInput:
        for extra in ("pending_user_id", "ttl", "closed_at", "applied_at"):
            record.pop(extra, None)
        return PendingInput.model_validate(record)


class WaitingPauses:
    """Every pause waiting now, across users, for the operators' PauseMonitor: a Scan of the
    sparse ByUser index, which holds only pending items (`pending_user_id` goes when a pause is
    answered or closed), so it reads the waiting pauses and nothing else. Never on a request path."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def created_times(self, now_epoch: int) -> list[str]:
        """`created_at` of each waiting pause; items past their TTL are gone (DynamoDB deletes
        them late, the local cloud never)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByUser",
            "ProjectionExpression": "created_at, #t",
            "ExpressionAttributeNames": {"#t": "ttl"},
        }
        times: list[str] = []
        while True:
            response = self._client.scan(**kwargs)
            for item in response.get("Items", []):
                ttl = item.get("ttl", {}).get("N")
                if ttl is not None and int(ttl) <= now_epoch:
                    continue
                times.append(item["created_at"]["S"])
            if "LastEvaluatedKey" not in response:
                return times
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
