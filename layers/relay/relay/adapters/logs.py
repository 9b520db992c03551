"""CloudWatch Logs: one FilterLogEvents page of a log group."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.exceptions import ServiceUnavailableError

from .dynamo import error_code, is_transient


class LogReader:
    def __init__(self, client: Any) -> None:
        self._client = client

    def filter_page(
        self, group: str, pattern: str, start_ms: int, end_ms: int | None, token: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Events of `group` from `start_ms` matching `pattern`, oldest first: ({eventId,
        timestamp, message, logStreamName}, nextToken). A group that does not exist (no
        function has logged yet) has no events."""
        kwargs: dict[str, Any] = {
            "logGroupName": group,
            "startTime": start_ms,
            "limit": limit,
            "interleaved": True,  # deprecated on AWS (always so); moto sorts streams together only with it
        }
        if pattern:
            kwargs["filterPattern"] = pattern
        if end_ms is not None:
            kwargs["endTime"] = end_ms
        if token:
            kwargs["nextToken"] = token
        try:
            response = self._client.filter_log_events(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return [], None
            if is_transient(exc):
                raise ServiceUnavailableError("CloudWatch Logs is busy; try again") from exc
            raise
        except Exception as exc:
            if is_transient(exc):
                raise ServiceUnavailableError("CloudWatch Logs is unreachable; try again") from exc
            raise
        # By time; lines of one millisecond stay in the order the group gave them (as written).
        events = sorted(response.get("events", []), key=lambda e: e["timestamp"])
        return events, response.get("nextToken")
