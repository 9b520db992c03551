"""Prefixed random ids (`run_…`, `tpl_…`) and UTC timestamps that sort as strings."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID_BODY = re.compile(r"[0-9a-z]{1,40}")


def new_id(prefix: str, length: int = 16) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def id_pattern(prefix: str) -> str:
    """What `is_id` accepts, as a regular expression for the OpenAPI document."""
    return rf"^{prefix}_[0-9a-z]{{1,40}}$"


def is_id(value: str, prefix: str) -> bool:
    """Whether `value` has the shape of a `<prefix>_…` id. Anything else names nothing: it is
    answered 404 without a read, and never reaches DynamoDB's key-size checks."""
    head, sep, body = value.partition("_")
    return head == prefix and sep == "_" and _ID_BODY.fullmatch(body) is not None


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Fixed-width ISO 8601 in UTC (microseconds, `Z`), so lexical order is time order."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    return iso(utcnow())


def parse_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def derived_id(prefix: str, *parts: object) -> str:
    """A deterministic `<prefix>_…` id of `parts` (20 base-36 characters of their sha256): what
    a retried RunStep attempt stores under the same parts gets the same id (idempotent)."""
    digest = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:13], "big")
    body = ""
    for _ in range(20):
        digest, rest = divmod(digest, 36)
        body += _ALPHABET[rest]
    return f"{prefix}_{body}"
