"""Pages of a Query that filters (a FilterExpression, or checks made per read batch), and
BatchGetItem.

Filtering can skip items, so a page is filled by reading on, at most `MAX_READS` Queries per
request; the cursor is the key of the last item the page took (or read, when the reads ran
out), so nothing is skipped or repeated, and one from another partition or outside the
sort-key range is a 400 INVALID_CURSOR.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from relay.exceptions import InvalidRequestError, ServiceUnavailableError

from .dynamo import decode_cursor, encode_cursor, from_item

MAX_READS = 8  # Queries per page at most (a page may come back short, with a cursor)
_BATCH_KEYS = 100  # BatchGetItem's limit
_BATCH_ATTEMPTS = 6  # rounds of UnprocessedKeys (throttling) before a 503


class KeyRange:
    """A Query's sort-key condition, and whether a cursor's sort key lies inside it (DynamoDB
    refuses an ExclusiveStartKey outside the condition with a ValidationException)."""

    def __init__(self, attribute: str, low: str | None, high: str | None) -> None:
        self.attribute, self.low, self.high = attribute, low, high

    def condition(self, values: dict[str, Any]) -> str:
        if self.low is not None:
            values[":low"] = {"S": self.low}
        if self.high is not None:
            values[":high"] = {"S": self.high}
        if self.low is not None and self.high is not None:
            return " AND #sk BETWEEN :low AND :high"
        if self.low is not None:
            return " AND #sk >= :low"
        if self.high is not None:
            return " AND #sk <= :high"
        return ""

    def holds(self, value: str) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def filtered_page(
    client: Any,
    *,
    table: str,
    index: str | None,
    partition: tuple[str, str],
    key_range: KeyRange,
    key_attributes: tuple[str, ...],
    cursor: str | None,
    limit: int,
    accept: Callable[[list[dict[str, Any]]], list[Any]],
    filter_expression: tuple[str, dict[str, Any], dict[str, str]] | None = None,
    newest_first: bool = True,
) -> tuple[list[Any], str | None]:
    """Newest first (or oldest): Query `partition` (within `key_range`), keep what `accept`
    makes of each read batch (one result or None per item), until `limit` results or
    `MAX_READS` Queries."""
    name, value = partition
    start = decode_cursor(cursor, expected_keys=set(key_attributes))
    if start is not None and (start[name] != {"S": value} or not key_range.holds(start[key_range.attribute].get("S", ""))):
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    values: dict[str, Any] = {":pk": {"S": value}}
    names = {"#pk": name}
    sort_condition = key_range.condition(values)
    if sort_condition:
        names["#sk"] = key_range.attribute
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#pk = :pk" + sort_condition,
        "ScanIndexForward": not newest_first,
        "Limit": min(100, max(limit, 25)),
    }
    if index:
        kwargs["IndexName"] = index
    if filter_expression:
        expression, more_values, more_names = filter_expression
        kwargs["FilterExpression"] = expression
        values.update(more_values)
        names.update(more_names)
    kwargs["ExpressionAttributeValues"] = values
    kwargs["ExpressionAttributeNames"] = names
    if start is not None:
        kwargs["ExclusiveStartKey"] = start

    results: list[Any] = []
    for _ in range(MAX_READS):
        response = client.query(**kwargs)
        items = response.get("Items", [])
        last_key = response.get("LastEvaluatedKey")
        taken = accept([from_item(i) for i in items]) if items else []
        for position, (item, result) in enumerate(zip(items, taken, strict=True)):
            if result is None:
                continue
            results.append(result)
            if len(results) == limit:
                more = position < len(items) - 1 or last_key is not None
                return results, encode_cursor({k: item[k] for k in key_attributes}) if more else None
        if last_key is None:
            return results, None
        kwargs["ExclusiveStartKey"] = last_key
    return results, encode_cursor(kwargs["ExclusiveStartKey"])


def batch_get(
    client: Any, table: str, keys: list[dict[str, Any]], projection: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Every item of `keys` that exists (any order), through BatchGetItem; unprocessed keys
    (throttling) are asked again with backoff, and still unprocessed they are a 503."""
    found: list[dict[str, Any]] = []
    for at in range(0, len(keys), _BATCH_KEYS):
        request: dict[str, Any] = {"Keys": keys[at : at + _BATCH_KEYS], "ConsistentRead": True}
        if projection:
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
            request["ExpressionAttributeNames"] = {f"#p{i}": p for i, p in enumerate(projection)}
        pending = {table: request}
        for attempt in range(_BATCH_ATTEMPTS):
            response = client.batch_get_item(RequestItems=pending)
            found.extend(from_item(i) for i in response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            if attempt < _BATCH_ATTEMPTS - 1:
                time.sleep(random.uniform(0, 0.05 * 2**attempt))  # throttled: back off, full jitter
        else:
            raise ServiceUnavailableError(f"DynamoDB left keys of {table} unprocessed {_BATCH_ATTEMPTS} times")
    return found
