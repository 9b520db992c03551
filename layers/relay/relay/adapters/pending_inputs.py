"""Pending inputs: the stored task tokens of a run's pauses, and the approvals inbox.

One item per pause (`run_id`, `input_id`); a sparse `pending_user_id` key puts it in its
user's inbox while it waits. RunRepository writes these items in the same transaction as the
run they belong to; this mixin builds those writes and reads the items.
"""

from __future__ import annotations

from typing import Any

from relay.domain import PendingInput
from relay.ids import now_iso

from .dynamo import from_item, to_attr, to_item


class PendingInputItems:
    _client: Any
    _pending: str  # the PendingInputs table

    def put_pending_op(self, pending: PendingInput, ttl: int) -> dict[str, Any]:
        record = pending.model_dump()
        record["pending_user_id"] = pending.user_id
        record["ttl"] = ttl
        return {
            "Put": {
                "TableName": self._pending,
                "Item": to_item(record),
                "ConditionExpression": "attribute_not_exists(input_id)",
            }
        }

    def close_pending_op(
        self, run_id: str, input_id: str, status: str, *, from_statuses: tuple[str, ...] = ("pending",)
    ) -> dict[str, Any]:
        """Leave the inbox (drop the sparse key) with a final status; only from `from_statuses`."""
        names = {f":from{i}": {"S": s} for i, s in enumerate(from_statuses)}
        return {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run_id}, "input_id": {"S": input_id}},
                "UpdateExpression": "SET #s = :s, closed_at = :now REMOVE pending_user_id",
                "ConditionExpression": f"#s IN ({', '.join(names)})",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": status}, ":now": {"S": now_iso()}, **names},
            }
        }

    def applied_op(self, run_id: str, input_id: str, value: Any, decided_by: str | None) -> dict[str, Any]:
        """RunStep applied this answer: the pending input records the value that was
        delivered, whoever claimed it, and can no longer be reopened."""
        now = now_iso()
        return {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run_id}, "input_id": {"S": input_id}},
                "UpdateExpression": "SET #s = :answered, #v = :value, decided_by = :by, "
                "decided_at = if_not_exists(decided_at, :now), applied_at = :now REMOVE pending_user_id",
                "ConditionExpression": "attribute_exists(input_id)",
                "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
                "ExpressionAttributeValues": {
                    ":answered": {"S": "answered"},
                    ":value": to_attr(value),
                    ":by": to_attr(decided_by),
                    ":now": {"S": now},
                },
            }
        }

    def get_pending(self, run_id: str, input_id: str) -> PendingInput | None:
        response = self._client.get_item(
            TableName=self._pending,
            Key={"run_id": {"S": run_id}, "input_id": {"S": input_id}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        return self._pending_record(from_item(response["Item"]))

    def _decide_op(self, run_id: str, input_id: str, value: Any, decided_by: str) -> dict[str, Any]:
        """Pending → answered with this value (the claim); only while still pending."""
        now = now_iso()
        return {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run_id}, "input_id": {"S": input_id}},
                "UpdateExpression": "SET #s = :answered, #v = :value, decided_by = :by, decided_at = :now "
                "REMOVE pending_user_id",
                "ConditionExpression": "#s = :pending",
                "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
                "ExpressionAttributeValues": {
                    ":answered": {"S": "answered"},
                    ":pending": {"S": "pending"},
                    ":value": to_attr(value),
                    ":by": {"S": decided_by},
                    ":now": {"S": now},
                },
            }
        }

    def _reopen_op(self, run_id: str, pending: PendingInput) -> dict[str, Any]:
        """Answered → pending again, unless RunStep has applied the answer already."""
        return {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run_id}, "input_id": {"S": pending.input_id}},
                "UpdateExpression": "SET #s = :pending, pending_user_id = :user REMOVE #v, decided_by, decided_at",
                "ConditionExpression": "#s = :answered AND attribute_not_exists(applied_at)",
                "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
                "ExpressionAttributeValues": {
                    ":answered": {"S": "answered"},
                    ":pending": {"S": "pending"},
                    ":user": {"S": pending.user_id},
                },
            }
        }

    def last_answer(self, run_id: str, step_id: str) -> PendingInput | None:
        """The latest answered pending input of `step_id` in this run (a run has one pending
        input per pause, so its partition is small)."""
        kwargs: dict[str, Any] = {
            "TableName": self._pending,
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
            answered.extend(self._pending_record(from_item(i)) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return max(answered, key=lambda p: p.created_at, default=None)

    @staticmethod
    def _pending_record(record: dict[str, Any]) -> PendingInput:
        for extra in ("pending_user_id", "ttl", "closed_at", "applied_at"):
            record.pop(extra, None)
        return PendingInput.model_validate(record)
