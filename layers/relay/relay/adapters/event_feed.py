"""The events of a run after a sequence number: what the live stream polls for."""

from __future__ import annotations

from typing import Any

from relay.domain import Event

from .dynamo import from_item


class EventFeedItems:
    _client: Any
    _events: str  # the Events table

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
