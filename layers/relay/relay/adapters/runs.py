"""Runs and their append-only events (pending inputs: pending_inputs.py).

Every change to a run is one DynamoDB transaction: the run item (conditional on its `rev`,
the optimistic lock), the events it produced (conditional puts on a fresh `seq`), and any
pending-input item it touches. State and history can therefore never disagree.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import TERMINAL_STATUSES, Event, NewEvent, PendingInput, Run, RunError, RunStatus
from relay.domain.quotas import Quota
from relay.exceptions import AlreadyDecidedError, ConcurrentUpdateError
from relay.ids import new_id, now_iso

from .dynamo import cancellation_codes, error_code, from_item, query_page, to_attr, to_item
from .event_feed import EventFeedItems
from .forced_endings import ForcedEndings
from .pending_inputs import PendingInputItems
from .quotas import QuotaRepository, quota_failed, transact_write
from .run_progress import RunProgressItems

MAX_TRANSACTION_ITEMS = 100


class RunRepository(PendingInputItems, RunProgressItems, EventFeedItems, ForcedEndings):
    def __init__(
        self,
        client: Any,
        runs_table: str,
        events_table: str,
        pending_table: str,
        quotas: QuotaRepository | None = None,
    ) -> None:
        self._client = client
        self._runs = runs_table
        self._events = events_table
        self._pending = pending_table
        self._quotas = quotas  # None: nothing is counted (tests of other concerns)

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
        changes = {Quota.active_runs: 1, Quota.runs_per_day: 1} if self._quotas is not None else {}
        run = run.model_copy(update={"event_seq": len(events), "rev": 1, "holds_slot": bool(changes)})
        quota_ops = self._quota_ops(run.user_id, changes)
        items = [
            {
                "Put": {
                    "TableName": self._runs,
                    "Item": self._run_item(run),
                    "ConditionExpression": "attribute_not_exists(run_id)",
                }
            },
            *self._event_puts(run, 1, events, correlation_id),
            *quota_ops,
            *(extra or []),
        ]
        self._transact(items, run_items=1 + len(events), quota=(run.user_id, changes, len(quota_ops)))
        return run

    def _quota_ops(self, user_id: str, changes: dict[Quota, int]) -> list[dict[str, Any]]:
        return self._quotas.ops(user_id, changes) if self._quotas is not None and changes else []

    def _slot_change(self, before: Run, after: Run) -> dict[Quota, int]:
        """What a status change does to the user's `active_runs`: an active run that ends gives
        its slot back (only if it holds one), an ended run made active again takes one."""
        if self._quotas is None:
            return {}
        ended_before, ended_after = before.status in TERMINAL_STATUSES, after.status in TERMINAL_STATUSES
        if not ended_before and ended_after and before.holds_slot:
            return {Quota.active_runs: -1}
        if ended_before and not ended_after:
            return {Quota.active_runs: 1}
        return {}

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
        changes = self._slot_change(before, after)
        holds_slot = changes[Quota.active_runs] > 0 if changes else before.holds_slot
        quota_ops = self._quota_ops(before.user_id, changes)
        # model_copy(update=…) does not validate: validate here, once, for every writer.
        after = Run.model_validate(
            {
                **after.model_dump(),
                "rev": before.rev + 1,
                "event_seq": before.event_seq + len(events),
                "updated_at": now_iso(),
                "holds_slot": holds_slot,
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
            *quota_ops,
            *(extra or []),
        ]
        self._transact(
            items,
            run_items=1 + len(events),
            decided_items=decided_items,
            quota=(before.user_id, changes, len(quota_ops)),
        )
        return after

    def _transact(
        self,
        items: list[dict[str, Any]],
        *,
        run_items: int,
        decided_items: int | None = None,
        quota: tuple[str, dict[Quota, int], int] | None = None,
    ) -> None:
        """Write `items` at once. The first `run_items` are the run and its events: a failed
        condition there means another writer moved the run on (its `rev`, or an event `seq`
        it took). Then `quota` (user, changes, item count): the quota counters, a failed
        condition there is a full quota. A failed condition on a later item is a pending
        input already decided."""
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{len(items)} items exceed one transaction ({MAX_TRANSACTION_ITEMS})")
        user_id, changes, quota_items = quota or ("", {}, 0)
        try:
            if quota_items:
                transact_write(self._client, items)
            else:
                self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = cancellation_codes(exc)
                if "ConditionalCheckFailed" in reasons[:run_items]:
                    raise ConcurrentUpdateError("the run changed meanwhile; reload and retry") from exc
                if self._quotas is not None and quota_failed(exc, run_items, quota_items):
                    raise self._quotas.exceeded(user_id, changes) from exc
                run_items += quota_items
                decided_end = None if decided_items is None else run_items + decided_items
                if "ConditionalCheckFailed" in reasons[run_items:decided_end]:
                    raise AlreadyDecidedError("that input was already decided") from exc
                if decided_end is not None and "ConditionalCheckFailed" in reasons[decided_end:]:
                    raise ConcurrentUpdateError("a record this change depends on changed; reload and retry") from exc
                if "TransactionConflict" in reasons:  # another transaction on these items was in flight
                    raise ConcurrentUpdateError("a record this change writes was being written; reload and retry") from exc
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
