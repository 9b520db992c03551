"""Two of my runs side by side: `GET /v1/runs/compare?a=&b=`.

Versions, status, inputs (per key), state (a JSON diff by path), the latest version of each
artifact (per name, the same when the content hashes agree), LLM cost and duration. Either
run another user's (or unknown) is a 404, as everywhere.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from relay.domain import Run, User
from relay.domain.compare import json_diff, pair, side_by_side
from relay.ids import now_iso, parse_iso

_ARTIFACT_PAGES = 10  # 100 records a page: runs with more artifacts compare the first 1,000


def duration_seconds(run: Run, now: str) -> float | None:
    """From creation to end (or to now while it goes on)."""
    try:
        end: datetime = parse_iso(run.ended_at or now)
        return round((end - parse_iso(run.created_at)).total_seconds(), 3)
    except ValueError:
        return None


def _cost(run: Run) -> Decimal | None:
    try:
        return Decimal(str(run.llm_usage["cost_usd"])) if "cost_usd" in run.llm_usage else None
    except InvalidOperation:
        return None


class CompareService:
    def __init__(self, runs: Any, artifacts: Any) -> None:
        self._runs = runs  # RunService (its `get` is the tenancy check)
        self._artifacts = artifacts  # ArtifactService

    def compare(self, user: User, a_id: str, b_id: str) -> dict[str, Any]:
        a, b = self._runs.get(user, a_id), self._runs.get(user, b_id)
        now = now_iso()
        state, truncated = json_diff(a.state, b.state)
        cost_a, cost_b = _cost(a), _cost(b)
        dur_a, dur_b = duration_seconds(a, now), duration_seconds(b, now)
        return {
            "a": _summary(a),
            "b": _summary(b),
            "template": pair(a.template_name, b.template_name),
            "versions": {
                "initial": pair(a.initial_version_id, b.initial_version_id),
                "current": pair(a.current_version_id, b.current_version_id),
            },
            "status": pair(a.status.value, b.status.value),
            "project_name": pair(a.project_name, b.project_name),
            "inputs": side_by_side(a.inputs, b.inputs),
            "state": {"same": not state, "differences": state, "truncated": truncated},
            "artifacts": self._artifacts_side_by_side(user, a, b),
            "llm_usage": side_by_side(a.llm_usage, b.llm_usage),
            "cost_usd": {
                **pair(None if cost_a is None else str(cost_a), None if cost_b is None else str(cost_b)),
                "difference": None if cost_a is None or cost_b is None else str(cost_b - cost_a),
            },
            "duration_seconds": {
                **pair(dur_a, dur_b),
                "ended": {"a": a.ended_at is not None, "b": b.ended_at is not None},
                "difference": None if dur_a is None or dur_b is None else round(dur_b - dur_a, 3),
            },
        }

    def _latest(self, user: User, run: Run) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        cursor = None
        for _ in range(_ARTIFACT_PAGES):
            items, cursor = self._artifacts.list_for_run(user, run.run_id, None, cursor, 100)
            for artifact in items:
                if artifact.is_latest:
                    latest[artifact.artifact_name] = {
                        "artifact_id": artifact.artifact_id,
                        "version": artifact.version,
                        "artifact_type": artifact.artifact_type.value,
                        "format": artifact.format.value,
                        "status": artifact.status.value,
                        "size_bytes": artifact.size_bytes,
                        "sha256": artifact.sha256,
                    }
            if cursor is None:
                break
        return latest

    def _artifacts_side_by_side(self, user: User, a: Run, b: Run) -> dict[str, dict[str, Any]]:
        left, right = self._latest(user, a), self._latest(user, b)
        out = {}
        for name in sorted({*left, *right}):
            x, y = left.get(name), right.get(name)
            out[name] = {"a": x, "b": y, "same": x is not None and y is not None and x["sha256"] == y["sha256"]}
        return out


def _summary(run: Run) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "template_name": run.template_name,
        "project_name": run.project_name,
        "status": run.status.value,
        "created_at": run.created_at,
        "ended_at": run.ended_at,
    }
