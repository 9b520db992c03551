"""The run search index (the RunSearch table) and filtered pages of my runs.

One item per (user, word, run): key `user_token` = `user_id#word`, `created_run` =
`created_at#run_id`, with `run_id`, `created_at` and `template_name`. A word's runs, newest
first, are one Query; other words of the same query are checked by BatchGetItem on their
(user_token, created_run) keys. Nothing here scans.

Filtered lists (a FilterExpression, words to check, a status) are paged by
`relay.adapters.filtered_query`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relay.domain import Run
from relay.exceptions import InvalidRequestError

from .dynamo import decode_cursor
from .filtered_query import KeyRange, batch_get, filtered_page

# Of a search's words, the one read is the rarest: each is counted up to this many items.
PROBE_LIMIT = 200

# What a listed run carries: the runs table's listing projection (ByUser), so a run found by
# words looks as it does in the plain list.
SUMMARY_FIELDS = (
    "run_id",
    "user_id",
    "template_id",
    "template_name",
    "initial_version_id",
    "current_version_id",
    "project_name",
    "status",
    "error",
    "current_step",
    "progress",
    "branch_id",
    "pending_input",
    "execution_arn",
    "created_at",
    "updated_at",
    "ended_at",
)


def sort_key(run: Run) -> str:
    return f"{run.created_at}#{run.run_id}"


def index_puts(table: str, run: Run, words: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """Transaction items indexing `run` under `words` (distinct). A put, not conditional:
    writing a word twice leaves the same item, so a retried write is harmless."""
    return [
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "user_token": {"S": f"{run.user_id}#{word}"},
                    "created_run": {"S": sort_key(run)},
                    "run_id": {"S": run.run_id},
                    "created_at": {"S": run.created_at},
                    "template_name": {"S": run.template_name},
                },
            }
        }
        for word in words
    ]


class RunIndex:
    def __init__(self, client: Any, index_table: str, runs_table: str) -> None:
        self._client = client
        self._index = index_table
        self._runs = runs_table

    def search(
        self,
        user_id: str,
        words: list[str],
        created: tuple[str | None, str | None],
        template: str | None,
        accept_runs: Callable[[list[str]], dict[str, Any]],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Any], str | None]:
        """My runs holding every one of `words`, created within `created` (from, until;
        either open), newest first. The rarest word's items are read (`_driver`); the others
        are checked per batch; `accept_runs(run_ids)` maps the survivors to results (a run
        left out of its answer is skipped)."""
        # created_run = created_at#run_id: `until` takes every run of its instant
        key_range = KeyRange("created_run", created[0], None if created[1] is None else created[1] + "#~")
        first = self._driver(user_id, words, key_range, cursor)
        others = [w for w in words if w != first]

        def accept(items: list[dict[str, Any]]) -> list[Any]:
            have = {i["created_run"] for i in items}
            for word in others:
                keys = [{"user_token": {"S": f"{user_id}#{word}"}, "created_run": {"S": sk}} for sk in have]
                have &= {i["created_run"] for i in batch_get(self._client, self._index, keys, ("created_run",))}
            kept = [i["run_id"] for i in items if i["created_run"] in have]
            results = accept_runs(kept) if kept else {}
            return [results.get(i["run_id"]) if i["created_run"] in have else None for i in items]

        return filtered_page(
            self._client,
            table=self._index,
            index=None,
            partition=("user_token", f"{user_id}#{first}"),
            key_range=key_range,
            key_attributes=("user_token", "created_run"),
            cursor=cursor,
            limit=limit,
            accept=accept,
            filter_expression=_template_filter(template),
        )

    def _driver(self, user_id: str, words: list[str], key_range: KeyRange, cursor: str | None) -> str:
        """The word whose runs are read. A cursor names it (so the pages of one search stay
        on one partition); else the rarest: each word's runs in the date range are counted
        up to PROBE_LIMIT (Select COUNT), the fewest wins, ties to the longer word."""
        start = decode_cursor(cursor, expected_keys={"user_token", "created_run"})  # None: no cursor
        if start is not None:
            word = start["user_token"].get("S", "").removeprefix(f"{user_id}#")
            if word not in words:
                raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
            return word
        if len(words) == 1:
            return words[0]
        counted = []
        for word in words:
            values: dict[str, Any] = {":pk": {"S": f"{user_id}#{word}"}}
            condition = "#pk = :pk" + key_range.condition(values)
            names = {"#pk": "user_token", **({"#sk": "created_run"} if condition != "#pk = :pk" else {})}
            response = self._client.query(
                TableName=self._index,
                KeyConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                Select="COUNT",
                Limit=PROBE_LIMIT,
            )
            counted.append(("LastEvaluatedKey" in response, response.get("Count", 0), -len(word), word))
        return min(counted)[3]

    def list_runs(
        self,
        user_id: str,
        status: str | None,
        created: tuple[str | None, str | None],
        template: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Run], str | None]:
        """My runs newest first from the runs table's listing indexes, by status and date (key
        conditions) and template (a filter)."""
        if status:
            index, partition = "ByUserStatus", ("user_status", f"{user_id}#{status}")
        else:
            index, partition = "ByUser", ("user_id", user_id)

        def accept(items: list[dict[str, Any]]) -> list[Any]:
            return [_run(dict(i)) for i in items]

        return filtered_page(
            self._client,
            table=self._runs,
            index=index,
            partition=partition,
            key_range=KeyRange("created_at", *created),
            key_attributes=(partition[0], "created_at", "run_id"),
            cursor=cursor,
            limit=limit,
            accept=accept,
            filter_expression=_template_filter(template),
        )

    def summaries(self, run_ids: list[str]) -> dict[str, Run]:
        return run_summaries(self._client, self._runs, run_ids)


def run_summaries(client: Any, runs_table: str, run_ids: list[str]) -> dict[str, Run]:
    """The listed form of these runs (BatchGetItem on the runs table), by id."""
    keys = [{"run_id": {"S": run_id}} for run_id in dict.fromkeys(run_ids)]
    return {r["run_id"]: _run(r) for r in batch_get(client, runs_table, keys, SUMMARY_FIELDS)}


def _template_filter(template: str | None) -> tuple[str, dict[str, Any], dict[str, str]] | None:
    if template is None:
        return None
    return "#tpl = :tpl", {":tpl": {"S": template}}, {"#tpl": "template_name"}


def _run(record: dict[str, Any]) -> Run:
    record.pop("user_status", None)
    return Run.model_validate(record)
