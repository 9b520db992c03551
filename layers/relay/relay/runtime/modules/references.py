"""`$state.path`, `$run.field` and `$step.field` references inside module inputs.

A reference is a whole string value (`"$state.topic"`); it is replaced by the value it names,
keeping its JSON type. References nest anywhere inside dicts and lists.

Resolving shares the named values rather than copying them, so it is cheap; but one value
named many times is that many copies the moment anything serialises the inputs. `resolve`
counts what each reference brings (as compact JSON, at most MAX_REFERENCED_BYTES for one
module's inputs) while it replaces them, and stops at the first that passes the cap.
"""

from __future__ import annotations

import re
from typing import Any

from relay.domain.limits import MAX_REFERENCED_BYTES, json_size_capped

from .exceptions import ModuleInputError, ReferenceResolutionError

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


class ReferencedTooMuchError(ModuleInputError):
    """The values a module's references name add up to more than the cap (INVALID_MODULE_INPUT)."""


def resolve(value: Any, scope: dict[str, Any], *, max_referenced_bytes: int = MAX_REFERENCED_BYTES) -> Any:
    """Replace every reference in `value` by what it names in `scope` (`state`, `run`, `step`).
    The named values, counted once per reference, may come to at most `max_referenced_bytes`."""
    return _Resolver(scope, max_referenced_bytes).resolve(value)


class _Resolver:
    def __init__(self, scope: dict[str, Any], limit: int) -> None:
        self.scope, self.limit = scope, limit
        self.used = self.count = 0
        self.memo: dict[int, int] = {}  # id → JSON size of a value already named once

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        match = _REFERENCE.match(value) if isinstance(value, str) else None
        if match is None:
            return value
        target = self._lookup(value, match.group(1), match.group(2).split(".")[1:])
        self.count += 1
        self.used += json_size_capped(target, self.limit - self.used, self.memo)
        if self.used > self.limit:
            raise ReferencedTooMuchError(
                f"inputs: the values the references name come to more than {self.limit} bytes as JSON "
                f"(at reference {self.count}, {value}); name smaller values, or fewer times"
            )
        return target

    def _lookup(self, value: str, root: str, path: list[str]) -> Any:
        current: Any = self.scope.get(root, {})
        for part in path:
            if isinstance(current, dict) and part in current:
                current = current[part]
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                raise ReferenceResolutionError(f"{value} names nothing (no '{part}')", reference=value)
        return current
