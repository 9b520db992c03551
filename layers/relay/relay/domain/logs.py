"""A function's log line as the logs API returns it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}

# Log lines are shown to users: no ARNs in them (the account id, internal resource names;
# issue 15). Powertools' `function_arn` key is dropped; an ARN written into any text is
# reduced to the resource's own name (a run's execution: its run id).
_HIDDEN_KEYS = frozenset({"function_arn"})
_ARN = re.compile(r"arn:aws[a-z-]*:[A-Za-z0-9-]+:[A-Za-z0-9-]*:\d{0,12}:[^\s\"',;)\]}]+")


def redact_arns(value: Any) -> Any:
    if isinstance(value, str):
        return _ARN.sub(lambda m: re.split(r"[:/]", m.group(0))[-1], value)
    if isinstance(value, dict):
        return {k: redact_arns(v) for k, v in value.items() if k not in _HIDDEN_KEYS}
    if isinstance(value, list):
        return [redact_arns(v) for v in value]
    return value


class LogLine(BaseModel):
    timestamp: str
    log_group: str
    log_stream: str
    event_id: str
    level: str | None = None
    message: str
    run_id: str | None = None
    step_id: str | None = None
    correlation_id: str | None = None
    record: dict[str, Any]  # the whole line: Powertools JSON, or {"message": text} for a plain one

    @property
    def millis(self) -> int:
        return int(datetime.fromisoformat(self.timestamp).timestamp() * 1000)

    @classmethod
    def of(cls, group: str, event: dict[str, Any]) -> LogLine:
        raw = event.get("message", "")
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            record = {"message": raw.rstrip("\n")}
        record = redact_arns(record)
        level = record.get("level")
        when = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
        return cls(
            timestamp=when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            log_group=group,
            log_stream=event.get("logStreamName", ""),
            event_id=str(event.get("eventId", "")),
            level=level.upper() if isinstance(level, str) else None,
            message=str(record.get("message", "")),
            run_id=_text(record.get("run_id")),
            step_id=_text(record.get("step_id")),
            correlation_id=_text(record.get("correlation_id")),
            record=record,
        )

    def at_least(self, level: str | None) -> bool:
        """No `level`: every line. Else lines of that level or above (a line without a level is
        not one of them)."""
        if level is None:
            return True
        return self.level is not None and LEVELS.get(self.level, 0) >= LEVELS[level]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
