"""The events table: the numbered puts of a run's new events, and the events after a
sequence number (what the live stream polls for)."""

from __future__ import annotations

from typing import Any

from relay.domain import Event, NewEvent, Run
from relay.ids import new_id, now_iso

from .dynamo import from_item, to_item


def event_puts(table: str, run: Run, first_seq: int, events: list[NewEvent], correlation_id: str) -> list[dict[str, Any]]:
    """The conditional puts of `events`, numbered from `first_seq` (a taken seq fails)."""
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
        puts.append({"Put": {"TableName": table, "Item": to_item(record), "ConditionExpression": "attribute_not_exists(seq)"}})
    return puts


class EventFeed:
    def __init__(self, client: Any, events_table: str) -> None:
        self._client = client
        self._events = events_table

    def events_after(self, run_id: str, after_seq: int, limit: int) -> list[Event]:
        """Up to `limit` events with `seq > after_seq`, in order (one strongly consistent
        Query: an event committed before the call is never missed)."""
        response = self._client.query(
            TableName=self._events,
            KeyConditionExpression="run_id = :run AND seq > :after",
            ExpressionAttributeValues={":run": {"S": run_id}, ":after": {"N": str(after_seq)}},
            ConsistentRead=True,
            Limit=limit,
        )
        events = []
        for item in response.get("Items", []):
            record = from_item(item)
            record.pop("run_branch", None)
            events.append(Event.model_validate(record))
        return events
