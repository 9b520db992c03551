"""Runs and their append-only events (pending inputs: pending_inputs.py).

Every change to a run is one DynamoDB transaction: the run item (conditional on its `rev`,
the optimistic lock), the events it produced (conditional puts on a fresh `seq`), and any
pending-input item it touches. State and history can therefore never disagree.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import Event, NewEvent, PendingInput, Run, RunError, RunStatus
from relay.exceptions import AlreadyDecidedError, ConcurrentUpdateError
from relay.ids import new_id, now_iso

from .dynamo import cancellation_codes, error_code, from_item, query_page, to_attr, to_item
from .event_feed import EventFeedItems
from .pending_inputs import PendingInputItems
from .run_progress import RunProgressItems

MAX_TRANSACTION_ITEMS = 100


class RunRepository(PendingInputItems, RunProgressItems, EventFeedItems):
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

    def create(
        self, run: Run, events: list[NewEvent], correlation_id: str, extra: list[dict[str, Any]] | None = None
    ) -> Run:
        """Put the new run and its first events, and the `extra` items (its search index
        entries), in one transaction."""
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
            *(extra or []),
        ]
        self._transact(items, run_items=1 + len(events))
        return run

    def commit(
        self,
        before: Run,
        after: Run,
        events: list[NewEvent],
        correlation_id: str,
        extra: list[dict[str, Any]] | None = None,
        *,
        decided_items: int | None = None,
    ) -> Run:
        """Write `after` over `before` (same rev), append `events`, and run `extra` items.

        With `decided_items`, only the first that many `extra` items are pending inputs (a
        failed condition there: already decided); a failed condition on a later one (a record
        the change depends on, e.g. the artifact a decision is about) is a concurrent update."""
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
        self._transact(items, run_items=1 + len(events), decided_items=decided_items)
        return after

    def _transact(self, items: list[dict[str, Any]], *, run_items: int, decided_items: int | None = None) -> None:
        """Write `items` at once. The first `run_items` are the run and its events: a failed
        condition there means another writer moved the run on (its `rev`, or an event `seq`
        it took). A failed condition on a later item is a pending input already decided."""
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(items)} items exceed one transaction ({MAX_TRANSACTION_ITEMS})")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = cancellation_codes(exc)
                if "ConditionalCheckFailed" in reasons[:run_items]:
                    raise ConcurrentUpdateError("the run changed meanwhile; reload and retry") from exc
                decided_end = None if decided_items is None else run_items + decided_items
                if "ConditionalCheckFailed" in reasons[run_items:decided_end]:
                    raise AlreadyDecidedError("that input was already decided") from exc
                if decided_end is not None and "ConditionalCheckFailed" in reasons[decided_end:]:
                    raise ConcurrentUpdateError("a record this change depends on changed; reload and retry") from exc
                if "TransactionConflict" in reasons:  # another transaction on these items was in flight
                    raise ConcurrentUpdateError("a record this change writes was being written; reload and retry") from exc
            raise

    def force_error(self, run: Run, error: RunError) -> None:
        """End a run in `error` with no event: the last resort when a failure cannot be
        committed the normal way (its history could not be appended). Only a run that has not
        ended; bumps `rev` so any writer still holding the old run fails its commit."""
        now = now_iso()
        try:
            self._client.update_item(
                TableName=self._runs,
                Key={"run_id": {"S": run.run_id}},
                UpdateExpression="SET #s = :error, #e = :detail, ended_at = :now, updated_at = :now, "
                "user_status = :user_status, rev = rev + :one REMOVE pending_input",
                ConditionExpression="#s IN (:running, :awaiting)",
                ExpressionAttributeNames={"#s": "status", "#e": "error"},
                ExpressionAttributeValues={
                    ":error": {"S": RunStatus.error.value},
                    ":detail": to_attr(error.model_dump()),
                    ":now": {"S": now},
                    ":user_status": {"S": f"{run.user_id}#{RunStatus.error.value}"},
                    ":one": {"N": "1"},
                    ":running": {"S": RunStatus.running.value},
                    ":awaiting": {"S": RunStatus.awaiting_input.value},
                },
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise  # else it has ended meanwhile: nothing to do

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

    def decide(
        self, run: Run, pending: PendingInput, value: Any, decided_by: str, also: list[dict[str, Any]] | None = None
    ) -> Run:
        """Claim the pause for this answer: pending item → answered, run → running, and the
        `also` items (e.g. the decision on the artifact a user.approve pause is about) in the
        same transaction. A failed condition on those is a ConcurrentUpdateError."""
        summary = run.pending_input.model_copy(update={"answered": True}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.running, "pending_input": summary})
        decide_op = self._decide_op(run.run_id, pending.input_id, value, decided_by)
        event = NewEvent(
            event_type="input_answered",
            step_id=pending.step_id,
            data={"input_id": pending.input_id, "decided_by": decided_by},
        )
        return self.commit(run, after, [event], new_id("corr"), [decide_op, *(also or [])], decided_items=1)

    def reopen(self, run: Run, pending: PendingInput, also: list[dict[str, Any]] | None = None) -> Run:
        """Undo `decide` when the answer could not be delivered (the pause goes on)."""
        summary = run.pending_input.model_copy(update={"answered": False}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
        reopen_op = self._reopen_op(run.run_id, pending)
        event = NewEvent(
            event_type="input_reopened", step_id=pending.step_id, data={"input_id": pending.input_id}
        )
        return self.commit(run, after, [event], new_id("corr"), [reopen_op, *(also or [])], decided_items=1)
