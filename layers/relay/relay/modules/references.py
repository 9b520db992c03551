"""`$state.path`, `$run.field` and `$step.field` references inside module inputs.

A reference is a whole string value (`"$state.topic"`); it is replaced by the value it names,
keeping its JSON type. References nest anywhere inside dicts and lists.
"""

from __future__ import annotations

import re
from typing import Any

from .exceptions import ReferenceResolutionError

ROOTS = ("state", "run", "step")
_REFERENCE = re.compile(r"^\$(state|run|step)((?:\.[A-Za-z0-9_\-]+)+)$")


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and _REFERENCE.match(value) is not None


def looks_like_reference(value: Any) -> bool:
    """True for any string starting with `$<root>` — used to reject malformed references."""
    return isinstance(value, str) and (
        value in {f"${root}" for root in ROOTS} or value.startswith(tuple(f"${root}." for root in ROOTS))
    )


def contains_reference(value: Any) -> bool:
    if isinstance(value, dict):
        return any(contains_reference(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_reference(v) for v in value)
    return is_reference(value)


def malformed_references(value: Any) -> list[str]:
    """Strings that start like a reference but do not parse as one."""
    if isinstance(value, dict):
        return [bad for v in value.values() for bad in malformed_references(v)]
    if isinstance(value, list):
        return [bad for v in value for bad in malformed_references(v)]
    if looks_like_reference(value) and not is_reference(value):
        return [value]
    return []


def resolve(value: Any, scope: dict[str, Any]) -> Any:
    """Replace every reference in `value` by what it names in `scope` (`state`, `run`, `step`)."""
    if isinstance(value, dict):
        return {k: resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope) for v in value]
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    root, path = match.group(1), match.group(2).split(".")[1:]
    current: Any = scope.get(root, {})
    for part in path:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise ReferenceResolutionError(f"{value} names nothing (no '{part}')", reference=value)
    return current
