"""Runs and their append-only events (pending inputs: pending_inputs.py).

Every change to a run is one DynamoDB transaction (adapters/transaction.py): the run item
(conditional on its `rev`, the optimistic lock), the events it produced (conditional puts on
a fresh `seq`), the quota counters it moves, and the changes the service states with it
(relay.domain.changes: a pending input put or closed, an answer claimed, an artifact's
decision, a branch, search index entries). State and history can therefore never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relay.domain import TERMINAL_STATUSES, Event, NewEvent, PendingInput, Progress, Run, RunError, RunStatus
from relay.domain.changes import Change, ClaimPendingInput, ReopenPendingInput
from relay.domain.quotas import Quota
from relay.exceptions import ConcurrentUpdateError
from relay.ids import new_id, now_iso

from .changes import ChangeTables, add_changes
from .dynamo import from_item, query_page, to_item
from .event_feed import EventFeed, event_puts
from .forced_endings import ForcedEndings
from .pending_inputs import PendingInputs
from .quotas import QuotaRepository
from .run_progress import RunProgress
from .transaction import Transaction


def _moved() -> Exception:
    return ConcurrentUpdateError("the run changed meanwhile; reload and retry")


def _in_flight() -> Exception:
    return ConcurrentUpdateError("a record this change writes was being written; reload and retry")


class RunRepository:
    def __init__(
        self,
        client: Any,
        runs_table: str,
        events_table: str,
        pending_table: str,
        quotas: QuotaRepository | None = None,
        *,
        artifacts_table: str | None = None,
        branches_table: str | None = None,
        run_search_table: str | None = None,
    ) -> None:
        self._client = client
        self._runs = runs_table
        self._events = events_table
        self._quotas = quotas  # None: nothing is counted (tests of other concerns)
        self._tables = ChangeTables(pending_table, artifacts_table, branches_table, run_search_table)
        self._pending = PendingInputs(client, pending_table)
        self._feed = EventFeed(client, events_table)
        self._progress = RunProgress(client, runs_table, events_table)
        self._endings = ForcedEndings(client, runs_table, quotas)

    # -- runs -----------------------------------------------------------------------------
    def _run_item(self, run: Run) -> dict[str, Any]:
        record = run.model_dump(mode="json")
        record["user_status"] = f"{run.user_id}#{run.status.value}"
        return to_item(record)

    def get(self, run_id: str) -> Run | None:
        response = self._client.get_item(TableName=self._runs, Key={"run_id": {"S": run_id}}, ConsistentRead=True)
        if "Item" not in response:
            return None
        record = from_item(response["Item"])
        record.pop("user_status", None)
        return Run.model_validate(record)

    def list_for_user(self, user_id: str, status: str | None, cursor: str | None, limit: int) -> tuple[list[Run], str | None]:
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

    def create(self, run: Run, events: list[NewEvent], correlation_id: str, changes: Sequence[Change] | None = None) -> Run:
        """Put the new run and its first events, and `changes` (its search index entries), in
        one transaction."""
        counted = {Quota.active_runs: 1, Quota.runs_per_day: 1} if self._quotas is not None else {}
        run = run.model_copy(update={"event_seq": len(events), "rev": 1, "holds_slot": bool(counted)})
        transaction = Transaction(self._client, conflict=_in_flight)
        transaction.add(
            {
                "Put": {
                    "TableName": self._runs,
                    "Item": self._run_item(run),
                    "ConditionExpression": "attribute_not_exists(run_id)",
                }
            },
            _moved,
        )
        self._write(transaction, run, 1, events, correlation_id, counted, changes or [])
        return run

    def _write(
        self,
        transaction: Transaction,
        run: Run,
        first_seq: int,
        events: list[NewEvent],
        correlation_id: str,
        counted: dict[Quota, int],
        changes: Sequence[Change],
    ) -> None:
        """Add the events, quota counters and `changes` after the run item, and commit."""
        transaction.extend(event_puts(self._events, run, first_seq, events, correlation_id), _moved)
        if self._quotas is not None:
            self._quotas.count(transaction, run.user_id, counted)
        add_changes(transaction, self._tables, changes)
        transaction.commit()

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
        self, before: Run, after: Run, events: list[NewEvent], correlation_id: str, changes: Sequence[Change] | None = None
    ) -> Run:
        """Write `after` over `before` (same rev), append `events`, and apply `changes`, in one
        transaction. A failed condition raises the error of what failed: the run or an event
        (another writer moved the run on: ConcurrentUpdateError), a quota (QuotaExceededError),
        or a change (the error it names: e.g. AlreadyDecidedError for a pending input)."""
        counted = self._slot_change(before, after)
        holds_slot = counted[Quota.active_runs] > 0 if counted else before.holds_slot
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
        transaction = Transaction(self._client, conflict=_in_flight)
        transaction.add(
            {
                "Put": {
                    "TableName": self._runs,
                    "Item": self._run_item(after),
                    "ConditionExpression": "rev = :rev",
                    "ExpressionAttributeValues": {":rev": {"N": str(before.rev)}},
                }
            },
            _moved,
        )
        self._write(transaction, after, before.event_seq + 1, events, correlation_id, counted, changes or [])
        return after

    # -- events ---------------------------------------------------------------------------
    def events(self, run_id: str, branch_id: str | None, cursor: str | None, limit: int) -> tuple[list[Event], str | None]:
        """In sequence order; with `branch_id`, that branch's events only (ByBranch)."""
        index, partition, table_keys = (
            ("ByBranch", ("run_branch", f"{run_id}#{branch_id}"), ("run_id",)) if branch_id else (None, ("run_id", run_id), ())
        )
        items, next_cursor = query_page(
            self._client,
            table=self._events,
            index=index,
            partition=partition,
            sort_key="seq",
            table_keys=table_keys,
            cursor=cursor,
            limit=limit,
        )
        for record in items:
            record.pop("run_branch", None)
        return [Event.model_validate(r) for r in items], next_cursor

    def decide(self, run: Run, pending: PendingInput, value: Any, decided_by: str, also: Sequence[Change] | None = None) -> Run:
        """Claim the pause for this answer: pending input → answered, run → running, and the
        `also` changes (e.g. the decision on the artifact a user.approve pause is about) in the
        same transaction."""
        summary = run.pending_input.model_copy(update={"answered": True}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.running, "pending_input": summary})
        claim = ClaimPendingInput(run.run_id, pending.input_id, value, decided_by)
        event = NewEvent(
            event_type="input_answered",
            step_id=pending.step_id,
            data={"input_id": pending.input_id, "decided_by": decided_by},
        )
        return self.commit(run, after, [event], new_id("corr"), [claim, *(also or [])])

    def reopen(self, run: Run, pending: PendingInput, also: Sequence[Change] | None = None) -> Run:
        """Undo `decide` when the answer could not be delivered (the pause goes on)."""
        summary = run.pending_input.model_copy(update={"answered": False}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
        reopen = ReopenPendingInput(run.run_id, pending.input_id, pending.user_id)
        event = NewEvent(event_type="input_reopened", step_id=pending.step_id, data={"input_id": pending.input_id})
        return self.commit(run, after, [event], new_id("corr"), [reopen, *(also or [])])

    # -- pending inputs, the live feed, progress, forced endings ----------------------------
    def get_pending(self, run_id: str, input_id: str) -> PendingInput | None:
        return self._pending.get(run_id, input_id)

    def last_answer(self, run_id: str, step_id: str) -> PendingInput | None:
        return self._pending.last_answer(run_id, step_id)

    def events_after(self, run_id: str, after_seq: int, limit: int) -> list[Event]:
        return self._feed.events_after(run_id, after_seq, limit)

    def record_progress(self, run: Run, event_seq: int, progress: Progress, event: NewEvent, correlation_id: str) -> int:
        return self._progress.record(run, event_seq, progress, event, correlation_id)

    def force_error(self, run: Run, error: RunError) -> None:
        self._endings.force_error(run, error)
