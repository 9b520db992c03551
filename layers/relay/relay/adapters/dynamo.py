"""DynamoDB item (de)serialisation and opaque pagination cursors."""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError

from relay.exceptions import InvalidRequestError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_value(v) for v in value]
    return value


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    """Plain dict → DynamoDB attribute map. `None` values are left out (sparse attributes)."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in record.items() if v is not None}


def to_attr(value: Any) -> dict[str, Any]:
    return _serializer.serialize(_to_dynamo_value(value))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


CURSOR_PATTERN = r"^[A-Za-z0-9_\-]*$"  # what encode_cursor writes (unpadded base64url)
_CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, expected_keys: set[str]) -> dict[str, Any] | None:
    """Inverse of encode_cursor; a cursor that is not ours is a 400, never a 500."""
    if not cursor:
        return None
    if not _CURSOR.fullmatch(cursor):  # b64decode would skip characters outside the alphabet
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR") from exc
    if not isinstance(key, dict) or set(key) != expected_keys:
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    for attr in key.values():
        if not _key_attribute(attr):
            raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    return key


def _key_attribute(attr: Any) -> bool:
    """A well-formed S or N key attribute, as DynamoDB would accept it."""
    if not isinstance(attr, dict) or len(attr) != 1:
        return False
    kind, value = next(iter(attr.items()))
    if kind not in ("S", "N") or not isinstance(value, str) or not value:
        return False
    if kind == "N":
        try:
            return Decimal(value).is_finite()
        except ArithmeticError:
            return False
    return True


# Throttling and capacity errors of any AWS service. botocore has retried them already
# (standard mode); one that still surfaces means "try again later", not a bug.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "SlowDown",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError (empty for anything else)."""
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def is_transient(exc: Exception) -> bool:
    """An AWS call that failed for now (throttled, overloaded, unreachable) after botocore's
    retries: the request may be retried as it is."""
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return True
    return error_code(exc) in TRANSIENT_ERROR_CODES


def cancellation_codes(exc: Exception) -> list[str]:
    """Per-item reasons of a TransactionCanceledException ('None' where an item was fine)."""
    response = getattr(exc, "response", None) or {}
    reasons = response.get("CancellationReasons") or []
    if reasons:
        return [r.get("Code", "None") for r in reasons]
    # Some endpoints only put the reasons in the message: "... [None, ConditionalCheckFailed]".
    message = response.get("Error", {}).get("Message", "")
    if "[" in message and message.endswith("]"):
        return [part.strip() for part in message[message.rindex("[") + 1 : -1].split(",")]
    return []


def query_page(
    client: Any,
    *,
    table: str,
    partition: tuple[str, str],
    cursor: str | None,
    limit: int,
    index: str | None = None,
    sort_key: str,
    table_keys: tuple[str, ...],
    newest_first: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a Query on `partition` (attribute, value), resuming after `cursor`.

    A cursor from another list (other keys, or another partition) is a 400."""
    name, value = partition
    start = decode_cursor(cursor, expected_keys={name, sort_key, *table_keys})
    if start is not None and start[name] != {"S": value}:
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": name},
        "ExpressionAttributeValues": {":pk": {"S": value}},
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if index:
        kwargs["IndexName"] = index
    if start is not None:
        kwargs["ExclusiveStartKey"] = start
    response = client.query(**kwargs)
    items = [from_item(item) for item in response.get("Items", [])]
    return items, encode_cursor(response.get("LastEvaluatedKey"))
