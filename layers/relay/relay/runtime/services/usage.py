"""A run's LLM totals (`llm_usage` on the run item): tokens by type, calls and cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def add_totals(before: dict[str, Any] | None, more: dict[str, Any]) -> dict[str, Any]:
    """`before` plus one RunStep invocation's calls. `cost_usd` is a decimal string (exact)."""
    out = dict(before or {})
    for name, value in more.items():
        if name == "cost_usd":
            out[name] = str(Decimal(out.get(name, "0")) + Decimal(value))
        else:
            out[name] = out.get(name, 0) + value
    return out
