"""Dotted paths into a run's state (`outputs_to_state` targets such as `state.draft.text`)."""

from __future__ import annotations

from typing import Any


def set_path(state: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path`, making the dicts on the way (a non-dict in the way is replaced)."""
    *parents, leaf = path.split(".")
    node = state
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value
