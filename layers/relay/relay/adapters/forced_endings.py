"""`force_error`: end a run in `error` with no event (RunRepository takes this method)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import Run, RunError, RunStatus
from relay.domain.quotas import Quota
from relay.ids import now_iso

from .dynamo import cancellation_codes, error_code, to_attr
from .quotas import transact_write


class ForcedEndings:
    _client: Any
    _runs: str
    _quotas: Any  # QuotaRepository | None

    def force_error(self, run: Run, error: RunError) -> None:
        """End a run in `error` with no event: the last resort when a failure cannot be
        committed the normal way (its history could not be appended). Only a run that has not
        ended; bumps `rev` so any writer still holding the old run fails its commit. A run
        holding an `active_runs` slot gives it back in the same transaction."""
        for _ in range(3):  # the run may take or give back its slot between the two writes
            if self._quotas is not None and self._end(run, error, holding=True):
                return
            if self._end(run, error, holding=False):
                return

    def _end(self, run: Run, error: RunError, *, holding: bool) -> bool:
        """True when this write decided the run's end (or it had ended already)."""
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
        try:
            if holding:
                release = self._quotas.ops(run.user_id, {Quota.active_runs: -1})
                transact_write(self._client, [{"Update": update}, *release])
            else:
                self._client.update_item(**update)
            return True
        except ClientError as exc:
            if holding and error_code(exc) == "TransactionCanceledException":
                if cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                    return False
            if not holding and error_code(exc) == "ConditionalCheckFailedException":
                return self._quotas is None or not self._active(run.run_id)
            raise

    def _active(self, run_id: str) -> bool:
        """Whether the run is still active (so the failed condition was `holds_slot`)."""
        item = self._client.get_item(TableName=self._runs, Key={"run_id": {"S": run_id}}, ConsistentRead=True)
        status = item.get("Item", {}).get("status", {}).get("S")
        return status in (RunStatus.running.value, RunStatus.awaiting_input.value)
