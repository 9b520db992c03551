"""Branch records (BranchesTable: run_id, branch_id) and the event reads a branch needs.

A branch is written in the same transaction as the run it switches (a `PutBranch` change of
RunRepository.commit): `branch_put` builds that write. Events are found by id through the events table's
ByEventId index (keys only) and read back from the table; the history a rebuild needs is
read backwards on ByBranch from the branch point to the nearest snapshot.
"""

from __future__ import annotations

import builtins
from typing import Any

from relay.domain import Event
from relay.domain.branches import Branch

from .dynamo import from_item, to_item

_PAGE = 10  # the first page back from the branch point; each next one twice as large


def branch_put(table: str, branch: Branch) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": to_item(branch.model_dump()),
            "ConditionExpression": "attribute_not_exists(branch_id)",
        }
    }


class BranchRepository:
    def __init__(self, client: Any, branches_table: str, events_table: str) -> None:
        self._client = client
        self._branches = branches_table
        self._events = events_table

    # -- branches -------------------------------------------------------------------------
    def get(self, run_id: str, branch_id: str) -> Branch | None:
        response = self._client.get_item(
            TableName=self._branches,
            Key={"run_id": {"S": run_id}, "branch_id": {"S": branch_id}},
            ConsistentRead=True,
        )
        return Branch.model_validate(from_item(response["Item"])) if "Item" in response else None

    def list(self, run_id: str) -> list[Branch]:
        """Every branch of the run (at most MAX_BRANCHES_PER_RUN, so one small partition)."""
        kwargs: dict[str, Any] = {
            "TableName": self._branches,
            "KeyConditionExpression": "run_id = :run",
            "ExpressionAttributeValues": {":run": {"S": run_id}},
            "ConsistentRead": True,
        }
        branches: list[Branch] = []
        while True:
            response = self._client.query(**kwargs)
            branches += [Branch.model_validate(from_item(i)) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return branches
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # -- events ---------------------------------------------------------------------------
    def find_event(self, run_id: str, event_id: str) -> Event | None:
        """The event with this id, if it is one of this run's."""
        response = self._client.query(
            TableName=self._events,
            IndexName="ByEventId",
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues={":e": {"S": event_id}},
            Limit=1,
        )
        keys = response.get("Items") or []
        if not keys or keys[0]["run_id"]["S"] != run_id:
            return None
        item = self._client.get_item(
            TableName=self._events,
            Key={"run_id": keys[0]["run_id"], "seq": keys[0]["seq"]},
            ConsistentRead=True,
        ).get("Item")
        return self._event(item) if item else None

    def history_to(self, event: Event, snapshot_types: frozenset[str]) -> builtins.list[Event]:
        """The events of `event`'s branch from the nearest snapshot at or before it up to it,
        in order (every branch starts with one: run_created on main, branch_created else)."""
        kwargs: dict[str, Any] = {
            "TableName": self._events,
            "IndexName": "ByBranch",
            "KeyConditionExpression": "run_branch = :rb AND seq <= :seq",
            "ExpressionAttributeValues": {
                ":rb": {"S": f"{event.run_id}#{event.branch_id}"},
                ":seq": {"N": str(event.seq)},
            },
            "ScanIndexForward": False,
            "Limit": _PAGE,
        }
        newest_first: builtins.list[Event] = []
        while True:
            response = self._client.query(**kwargs)
            for item in response.get("Items", []):
                newest_first.append(self._event(item))
                if newest_first[-1].event_type in snapshot_types:
                    return newest_first[::-1]
            if "LastEvaluatedKey" not in response:
                raise LookupError(f"branch {event.branch_id} of run {event.run_id} has no snapshot before seq {event.seq}")
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            kwargs["Limit"] = min(kwargs["Limit"] * 2, 500)

    def events_between(self, run_id: str, branch_id: str, after: int, until: int | None, limit: int) -> builtins.list[Event]:
        """A branch's own events with after < seq <= until (no bound: to its end), in order."""
        condition, values = "run_branch = :rb AND seq > :after", {":after": {"N": str(after)}}
        if until is not None:
            condition = "run_branch = :rb AND seq BETWEEN :from AND :until"
            values = {":from": {"N": str(after + 1)}, ":until": {"N": str(until)}}
        response = self._client.query(
            TableName=self._events,
            IndexName="ByBranch",
            KeyConditionExpression=condition,
            ExpressionAttributeValues={":rb": {"S": f"{run_id}#{branch_id}"}, **values},
            Limit=limit,
        )
        return [self._event(item) for item in response.get("Items", [])]

    @staticmethod
    def _event(item: dict[str, Any]) -> Event:
        record = from_item(item)
        record.pop("run_branch", None)
        return Event.model_validate(record)
