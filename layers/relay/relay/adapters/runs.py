"""Runs, their append-only events and their pending inputs.

Every change to a run is one DynamoDB transaction: the run item (conditional on its `rev`,
the optimistic lock), the events it produced (conditional puts on a fresh `seq`), and any
pending-input item it touches. State and history can therefore never disagree.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import Event, NewEvent, PendingInput, Run, RunStatus
from relay.exceptions import ConcurrentUpdateError, ConflictError
from relay.ids import new_id, now_iso

from .dynamo import cancellation_codes, error_code, from_item, query_page, to_attr, to_item

MAX_TRANSACTION_ITEMS = 100


class AlreadyDecidedError(ConflictError):
    code = "INPUT_ALREADY_ANSWERED"


class RunRepository:
    def __init__(self, client: Any, runs_table: str, events_table: str, pending_table: str) -> None:
        self._client = client
        self._runs = runs_table
        self._events = events_table
        self._pending = pending_table

    # -- runs -----------------------------------------------------------------------------
    def _run_item(self, run: Run) -> dict[str, Any]:
        record = run.model_dump(mode="json")
        record["user_status"] = f"{run.user_id}#{run.status.value}"
        return to_item(record)

    def get(self, run_id: str) -> Run | None:
        response = self._client.get_item(
            TableName=self._runs, Key={"run_id": {"S": run_id}}, ConsistentRead=True
        )
        if "Item" not in response:
            return None
        record = from_item(response["Item"])
        record.pop("user_status", None)
        return Run.model_validate(record)

    def list_for_user(
        self, user_id: str, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Run], str | None]:
        """Newest first. The indexes project a summary: listed runs carry no state/inputs."""
        if status:
            index, partition = "ByUserStatus", ("user_status", f"{user_id}#{status}")
        else:
            index, partition = "ByUser", ("user_id", user_id)
        items, next_cursor = query_page(
            self._client,
            table=self._runs,
            index=index,
            partition=partition,
            sort_key="created_at",
            table_keys=("run_id",),
            cursor=cursor,
            limit=limit,
            newest_first=True,
        )
        for record in items:
            record.pop("user_status", None)
        return [Run.model_validate(r) for r in items], next_cursor

    def _event_puts(self, run: Run, first_seq: int, events: list[NewEvent], correlation_id: str) -> list[dict[str, Any]]:
        now = now_iso()
        puts = []
        for offset, event in enumerate(events):
            record = Event(
                run_id=run.run_id,
                seq=first_seq + offset,
                event_id=new_id("evt"),
                event_type=event.event_type,
                branch_id=run.branch_id,
                workflow_version_id=run.current_version_id,
                correlation_id=correlation_id,
                step_id=event.step_id,
                data=event.data,
                timestamp=now,
            ).model_dump()
            record["run_branch"] = f"{run.run_id}#{run.branch_id}"
            puts.append(
                {
                    "Put": {
                        "TableName": self._events,
                        "Item": to_item(record),
                        "ConditionExpression": "attribute_not_exists(seq)",
                    }
                }
            )
        return puts

    def create(self, run: Run, events: list[NewEvent], correlation_id: str) -> Run:
        run = run.model_copy(update={"event_seq": len(events), "rev": 1})
        items = [
            {
                "Put": {
                    "TableName": self._runs,
                    "Item": self._run_item(run),
                    "ConditionExpression": "attribute_not_exists(run_id)",
                }
            },
            *self._event_puts(run, 1, events, correlation_id),
        ]
        self._transact(items)
        return run

    def commit(
        self,
        before: Run,
        after: Run,
        events: list[NewEvent],
        correlation_id: str,
        extra: list[dict[str, Any]] | None = None,
    ) -> Run:
        """Write `after` over `before` (same rev), append `events`, and run `extra` items."""
        # model_copy(update=…) does not validate: validate here, once, for every writer.
        after = Run.model_validate(
            {
                **after.model_dump(),
                "rev": before.rev + 1,
                "event_seq": before.event_seq + len(events),
                "updated_at": now_iso(),
            }
        )
        items = [
            {
                "Put": {
                    "TableName": self._runs,
                    "Item": self._run_item(after),
                    "ConditionExpression": "rev = :rev",
                    "ExpressionAttributeValues": {":rev": {"N": str(before.rev)}},
                }
            },
            *self._event_puts(after, before.event_seq + 1, events, correlation_id),
            *(extra or []),
        ]
        self._transact(items)
        return after

    def _transact(self, items: list[dict[str, Any]]) -> None:
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(items)} items exceed one transaction ({MAX_TRANSACTION_ITEMS})")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = cancellation_codes(exc)
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise ConcurrentUpdateError("the run changed meanwhile; reload and retry") from exc
                if "ConditionalCheckFailed" in reasons[1:]:
                    raise AlreadyDecidedError("that input was already answered") from exc
            raise

    # -- events ---------------------------------------------------------------------------
    def events(
        self, run_id: str, branch_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Event], str | None]:
        """In sequence order; with `branch_id`, that branch's events only (ByBranch)."""
        if branch_id:
            where = {"index": "ByBranch", "partition": ("run_branch", f"{run_id}#{branch_id}"), "table_keys": ("run_id",)}
        else:
            where = {"partition": ("run_id", run_id), "table_keys": ()}
        items, next_cursor = query_page(
            self._client, table=self._events, sort_key="seq", cursor=cursor, limit=limit, **where
        )
        for record in items:
            record.pop("run_branch", None)
        return [Event.model_validate(r) for r in items], next_cursor

    # -- pending inputs -------------------------------------------------------------------
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
        self, run_id: str, input_id: str, status: str, *, from_status: str = "pending"
    ) -> dict[str, Any]:
        """Leave the inbox (drop the sparse key) with a final status; only from `from_status`."""
        return {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run_id}, "input_id": {"S": input_id}},
                "UpdateExpression": "SET #s = :s, closed_at = :now REMOVE pending_user_id",
                "ConditionExpression": "#s = :pending",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":s": {"S": status},
                    ":now": {"S": now_iso()},
                    ":pending": {"S": from_status},
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

    def decide(self, run: Run, pending: PendingInput, value: Any, decided_by: str) -> Run:
        """Claim the pause for this answer: pending item → answered, run → running."""
        now = now_iso()
        summary = run.pending_input.model_copy(update={"answered": True}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.running, "pending_input": summary})
        decide_op = {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run.run_id}, "input_id": {"S": pending.input_id}},
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
        event = NewEvent(
            event_type="input_answered",
            step_id=pending.step_id,
            data={"input_id": pending.input_id, "decided_by": decided_by},
        )
        return self.commit(run, after, [event], new_id("corr"), [decide_op])

    def reopen(self, run: Run, pending: PendingInput) -> Run:
        """Undo `decide` when the answer could not be delivered (the pause goes on)."""
        summary = run.pending_input.model_copy(update={"answered": False}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
        reopen_op = {
            "Update": {
                "TableName": self._pending,
                "Key": {"run_id": {"S": run.run_id}, "input_id": {"S": pending.input_id}},
                "UpdateExpression": "SET #s = :pending, pending_user_id = :user REMOVE #v, decided_by, decided_at",
                "ConditionExpression": "#s = :answered",
                "ExpressionAttributeNames": {"#s": "status", "#v": "value"},
                "ExpressionAttributeValues": {
                    ":answered": {"S": "answered"},
                    ":pending": {"S": "pending"},
                    ":user": {"S": pending.user_id},
                },
            }
        }
        event = NewEvent(
            event_type="input_reopened", step_id=pending.step_id, data={"input_id": pending.input_id}
        )
        return self.commit(run, after, [event], new_id("corr"), [reopen_op])

    def pending_for_user(self, user_id: str, cursor: str | None, limit: int) -> tuple[list[PendingInput], str | None]:
        """The approvals inbox, newest first (the sparse ByUser index)."""
        items, next_cursor = query_page(
            self._client,
            table=self._pending,
            index="ByUser",
            partition=("pending_user_id", user_id),
            sort_key="created_at",
            table_keys=("run_id", "input_id"),
            cursor=cursor,
            limit=limit,
            newest_first=True,
        )
        return [self._pending_record(i) for i in items], next_cursor

    @staticmethod
    def _pending_record(record: dict[str, Any]) -> PendingInput:
        for extra in ("pending_user_id", "ttl", "closed_at"):
            record.pop(extra, None)
        return PendingInput.model_validate(record)
