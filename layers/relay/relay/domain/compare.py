"""Two runs side by side (`GET /v1/runs/compare`): pure diffing of JSON values.

`side_by_side` marks each key of two objects `{a, b, same}`; `json_diff` lists where two JSON
values differ, by JSON Pointer (RFC 6901) path, each `{path, change, a, b}` with change
`added` (only in b), `removed` (only in a) or `changed`.
"""

from __future__ import annotations

from typing import Any

MAX_DIFFERENCES = 500  # beyond this the list stops and says it is truncated


def side_by_side(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every key of either object, sorted, with both values (None where absent) and `same`."""
    return {key: {"a": a.get(key), "b": b.get(key), "same": _same(a.get(key), b.get(key))} for key in sorted({*a, *b})}


def pair(a: Any, b: Any) -> dict[str, Any]:
    return {"a": a, "b": b, "same": _same(a, b)}


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0 as JSON has one number type, but True is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and bool(a == b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_diff(a: Any, b: Any, limit: int = MAX_DIFFERENCES) -> tuple[list[dict[str, Any]], bool]:
    """Where `a` and `b` differ, objects by key and arrays by index, at most `limit`
    differences; returns them and whether there were more."""
    out: list[dict[str, Any]] = []
    cap = limit + 1  # one more than shown tells whether the list was cut

    def walk(path: str, x: Any, y: Any) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted({*x, *y}):
                if len(out) >= cap:
                    return
                here = f"{path}/{_escape(key)}"
                if key not in y:
                    out.append({"path": here, "change": "removed", "a": x[key], "b": None})
                elif key not in x:
                    out.append({"path": here, "change": "added", "a": None, "b": y[key]})
                else:
                    walk(here, x[key], y[key])
        elif isinstance(x, list) and isinstance(y, list):
            for index in range(max(len(x), len(y))):
                if len(out) >= cap:
                    return
                here = f"{path}/{index}"
                if index >= len(y):
                    out.append({"path": here, "change": "removed", "a": x[index], "b": None})
                elif index >= len(x):
                    out.append({"path": here, "change": "added", "a": None, "b": y[index]})
                else:
                    walk(here, x[index], y[index])
        elif not _same(x, y):
            out.append({"path": path, "change": "changed", "a": x, "b": y})

    walk("", a, b)
    return out[:limit], len(out) > limit
