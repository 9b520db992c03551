"""Progress reported while a module runs (ctx.progress), written without bumping `rev`.

RunStep holds the run at one `rev` from load to its final commit (conditional on that rev).
A mid-module report must not break that commit, and must not leave a gap or a duplicate in
the run's event sequence. So one report is one transaction of two items:

- the run item: UpdateItem `SET progress, event_seq = :next` on the condition that `rev` and
  `event_seq` are still what this invocation knows (so nobody else moved the run meanwhile);
  `rev` is left as it is;
- the `progress` event: a conditional put at `seq = :next`.

The invocation then carries `event_seq` forward: its final commit numbers its events after
the last progress event (see relay.runtime.services.progress). Anyone else who commits the run bumps
`rev`, after which a report fails its condition (ConcurrentUpdateError) and is dropped.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import NewEvent, Progress, Run
from relay.exceptions import ConcurrentUpdateError
from relay.ids import now_iso

from .dynamo import cancellation_codes, error_code, to_attr
from .event_feed import event_puts


class RunProgress:
    def __init__(self, client: Any, runs_table: str, events_table: str) -> None:
        self._client = client
        self._runs = runs_table
        self._events = events_table

    def record(self, run: Run, event_seq: int, progress: Progress, event: NewEvent, correlation_id: str) -> int:
        """Store `progress` on the run (still at `run.rev`, last event `event_seq`) and append
        `event` after it; returns the run's new `event_seq`."""
        next_seq = event_seq + 1
        update = {
            "Update": {
                "TableName": self._runs,
                "Key": {"run_id": {"S": run.run_id}},
                "UpdateExpression": "SET progress = :progress, event_seq = :next, updated_at = :now",
                "ConditionExpression": "rev = :rev AND event_seq = :seq",
                "ExpressionAttributeValues": {
                    ":progress": to_attr(progress.model_dump()),
                    ":next": {"N": str(next_seq)},
                    ":now": {"S": now_iso()},
                    ":rev": {"N": str(run.rev)},
                    ":seq": {"N": str(event_seq)},
                },
            }
        }
        items = [update, *event_puts(self._events, run, next_seq, [event], correlation_id)]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and (
                {"ConditionalCheckFailed", "TransactionConflict"} & set(cancellation_codes(exc))
            ):
                raise ConcurrentUpdateError("the run moved on; this progress report is dropped") from exc
            raise
        return next_seq
