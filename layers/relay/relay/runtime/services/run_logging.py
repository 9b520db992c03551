"""Log lines of what a RunStep committed: one per step start, module outcome, answer applied,
jump and end, each with its `step_id` (the task function's Powertools logger adds the
invocation's `run_id` and `correlation_id`). These are the lines GET /v1/runs/{id}/logs finds."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from relay.domain import NewEvent

logger = logging.getLogger("relay.runs")

_LINES = {
    "step_started": (logging.INFO, "step started"),
    "input_received": (logging.INFO, "input applied"),
    "module_completed": (logging.INFO, "module completed"),
    "step_jumped": (logging.INFO, "step jumped"),
    "module_failed": (logging.WARNING, "module failed"),
    "run_completed": (logging.INFO, "run completed"),
    "run_failed": (logging.ERROR, "run failed"),
}


def log_events(events: Iterable[NewEvent]) -> None:
    for event in events:
        if event.event_type not in _LINES:
            continue
        level, message = _LINES[event.event_type]
        extra = {"step_id": event.step_id, "event_type": event.event_type}
        if "module_id" in event.data:
            extra["module_id"] = event.data["module_id"]
        error = event.data.get("error")
        if isinstance(error, dict):
            extra["error_code"] = error.get("code")
            message = f"{message}: {error.get('code')}: {str(error.get('message'))[:500]}"
        logger.log(level, message, extra=extra)
