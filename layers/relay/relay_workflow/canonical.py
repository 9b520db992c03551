"""The canonical JSON form of a workflow and its content hash.

This is the ONE hash function Relay has: the server (for plain-JSON and zip submissions) and
the CLI (for a folder) both call `content_hash` on the *resolved* workflow, so the same
content always yields the same version.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .exceptions import HashMismatchError, InvalidContentHashError, InvalidJsonValueError

HASH_PREFIX = "sha256:"
CONTENT_HASH_PATTERN = r"^sha256:[0-9a-fA-F]{64}$"  # Python and ECMA-262 alike
_HASH_RE = re.compile(CONTENT_HASH_PATTERN)


def _check_keys(obj: Any) -> None:
    """Every object key must be a string (json.dumps would silently turn 1, True, None into
    "1", "true", "null", making two different values share one canonical form)."""
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise InvalidJsonValueError(f"object keys must be strings, not {type(key).__name__} {key!r}")
                stack.append(item)
        elif isinstance(value, (list, tuple)):
            stack.extend(value)


def canonical_json(obj: Any) -> bytes:
    """The canonical JSON encoding of `obj`, as UTF-8 bytes.

    Exactly ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False).encode("utf-8")`` with Python's standard `json` module:

    * object keys sorted by Unicode code point (Python `str` ordering); keys must be strings;
    * no insignificant whitespace: `,` between items, `:` between key and value, nothing else;
    * strings are UTF-8, not ``\\u``-escaped: only `"`, `\\`, and control characters
      U+0000..U+001F are escaped (``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``,
      ``\\f``, other controls as lowercase ``\\u00XX``); U+007F and above appear as-is;
      lone surrogates are rejected;
    * numbers as Python's json writes them: ints as ints (``1``, ``-3``, any size), floats by
      Python's shortest round-trip `repr` (``1.5``, ``1e-07``, ``1e+20``, ``100.0``,
      ``-0.0``) — so ``1`` and ``1.0`` are different content; NaN and ±Infinity are rejected;
    * ``true``, ``false``, ``null``; lists and tuples as arrays, in order.

    Callers pass the *resolved* document: every file `$ref` inlined first (`resolve_refs`).
    Raises `InvalidJsonValueError` (INVALID_JSON_VALUE) for anything without a JSON form.
    """
    _check_keys(obj)
    try:
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidJsonValueError(f"string is not valid Unicode (lone surrogate): {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidJsonValueError(f"value has no canonical JSON form: {exc}") from exc
    except RecursionError as exc:
        raise InvalidJsonValueError("value nests too deeply to encode") from exc


def content_hash(obj: Any) -> str:
    """``"sha256:" + sha256(canonical_json(obj)).hexdigest()`` (64 lowercase hex digits)."""
    return HASH_PREFIX + hashlib.sha256(canonical_json(obj)).hexdigest()


def verify_content_hash(obj: Any, claimed: str | None) -> str:
    """Return `content_hash(obj)`; if a hash is claimed it must equal it.

    `claimed` must be the full form ``sha256:<64 hex digits>`` (hex compared case-
    insensitively) or None — anything else is INVALID_CONTENT_HASH; a different hash is
    HASH_MISMATCH (both 400)."""
    actual = content_hash(obj)
    check_claimed_hash(actual, claimed)
    return actual


def check_claimed_hash(actual: str, claimed: str | None) -> None:
    """`verify_content_hash` for an already computed hash."""
    if claimed is None:
        return
    if not isinstance(claimed, str) or not _HASH_RE.fullmatch(claimed):
        raise InvalidContentHashError(f"content_hash must look like 'sha256:<64 hex digits>', got {claimed!r:.100}")
    if claimed.lower() != actual:
        raise HashMismatchError(
            f"content_hash {claimed} does not match the resolved workflow ({actual})",
            claimed=claimed,
            computed=actual,
        )


# -- strict parsing, shared by refs and archives ------------------------------------------
def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def loads_strict(data: bytes) -> Any:
    """Parse JSON from UTF-8 bytes (a leading BOM is ignored), rejecting NaN/Infinity and
    duplicate keys, which have no single canonical form. Raises ValueError (including
    UnicodeDecodeError) on anything else than strict JSON."""
    text = data.decode("utf-8-sig")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError as exc:
        raise ValueError("JSON nests too deeply") from exc
