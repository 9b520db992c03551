"""`force_error`: end a run in `error` with no event (RunRepository.force_error)."""

from __future__ import annotations

from typing import Any

from relay.domain import Run, RunError, RunStatus
from relay.domain.quotas import Quota
from relay.ids import now_iso

from .dynamo import to_attr
from .quotas import QuotaRepository
from .transaction import Transaction, write_one


class ForcedEndings:
    def __init__(self, client: Any, runs_table: str, quotas: QuotaRepository | None) -> None:
        self._client = client
        self._runs = runs_table
        self._quotas = quotas

    def force_error(self, run: Run, error: RunError) -> None:
        """End a run in `error` with no event: the last resort when a failure cannot be
        committed the normal way (its history could not be appended). Only a run that has not
        ended; bumps `rev` so any writer still holding the old run fails its commit. A run
        holding an `active_runs` slot gives it back in the same transaction."""
        for _ in range(3):  # the run may take or give back its slot between the two writes
            if self._quotas is not None and self._end(run, error, slot=self._quotas):
                return
            if self._end(run, error, slot=None):
                return

    def _end(self, run: Run, error: RunError, *, slot: QuotaRepository | None) -> bool:
        """True when this write decided the run's end (or it had ended already). With `slot`,
        only a run holding an active_runs slot, which goes back to that quota repository."""
        holding = slot is not None
        values = {
            ":error": {"S": RunStatus.error.value},
            ":detail": to_attr(error.model_dump()),
            ":now": {"S": now_iso()},
            ":user_status": {"S": f"{run.user_id}#{RunStatus.error.value}"},
            ":one": {"N": "1"},
            ":running": {"S": RunStatus.running.value},
            ":awaiting": {"S": RunStatus.awaiting_input.value},
            ":true": {"BOOL": True},
            ":false": {"BOOL": False},
        }
        if holding:
            holds = " AND holds_slot = :true"
        elif self._quotas is not None:  # a slot is given back by the transaction above only
            holds = " AND (attribute_not_exists(holds_slot) OR holds_slot <> :true)"
        else:
            holds = ""
            del values[":true"]  # DynamoDB refuses values an expression does not use
        update = {
            "TableName": self._runs,
            "Key": {"run_id": {"S": run.run_id}},
            "UpdateExpression": "SET #s = :error, #e = :detail, ended_at = :now, updated_at = :now, "
            "user_status = :user_status, rev = rev + :one, holds_slot = :false REMOVE pending_input",
            "ConditionExpression": f"#s IN (:running, :awaiting){holds}",
            "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
            "ExpressionAttributeValues": values,
        }
        lost = RuntimeError(f"run {run.run_id} ended or moved its slot meanwhile")  # told apart by identity
        try:
            if slot is not None:
                transaction = Transaction(self._client)
                transaction.add({"Update": update}, lambda: lost)
                slot.count(transaction, run.user_id, {Quota.active_runs: -1}).commit()
            else:
                write_one(self._client, {"Update": update}, lambda: lost)
            return True
        except RuntimeError as exc:
            if exc is not lost:
                raise
            return not holding and (self._quotas is None or not self._active(run.run_id))

    def _active(self, run_id: str) -> bool:
        """Whether the run is still active (so the failed condition was `holds_slot`)."""
        item = self._client.get_item(TableName=self._runs, Key={"run_id": {"S": run_id}}, ConsistentRead=True)
        status = item.get("Item", {}).get("status", {}).get("S")
        return status in (RunStatus.running.value, RunStatus.awaiting_input.value)
