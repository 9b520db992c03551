"""One page of a filtered Query on an index, newest (largest) first, filled past what the
filter drops: each Query evaluates at most what is still wanted, so nothing evaluated is
skipped, and a page may come back short (with a cursor) after a bounded number of Queries."""

from __future__ import annotations

from typing import Any

from relay.exceptions import InvalidRequestError

from .dynamo import decode_cursor, encode_cursor, from_item

MAX_QUERIES_PER_PAGE = 10


def filtered_page(
    client: Any,
    *,
    table: str,
    index: str,
    partition: tuple[str, str],
    sort_key: str,
    table_keys: tuple[str, ...],
    filters: str | None,
    names: dict[str, str],
    values: dict[str, Any],
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """A cursor from another list (other keys, or another partition) is a 400 INVALID_CURSOR."""
    name, value = partition
    start = decode_cursor(cursor, expected_keys={name, sort_key, *table_keys})
    if start is not None and start[name] != {"S": value}:
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    items: list[dict[str, Any]] = []
    for _ in range(MAX_QUERIES_PER_PAGE):
        kwargs: dict[str, Any] = {
            "TableName": table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": name, **names},
            "ExpressionAttributeValues": {":pk": {"S": value}, **values},
            "ScanIndexForward": False,
            "Limit": limit - len(items),
        }
        if filters:
            kwargs["FilterExpression"] = filters
        if start is not None:
            kwargs["ExclusiveStartKey"] = start
        response = client.query(**kwargs)
        items.extend(from_item(item) for item in response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if start is None or len(items) >= limit:
            break
    return items, encode_cursor(start)
