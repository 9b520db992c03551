"""Counts the AWS calls that reach the local cloud, by service and operation (for benchmarks)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


def _operation(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:  # JSON protocols: DynamoDB_20120810.PutItem, AWSStepFunctions.StartExecution
        service, _, operation = target.partition(".")
        service = {"DynamoDB_20120810": "dynamodb", "AWSStepFunctions": "states"}.get(service, service)
        return f"{service}:{operation}"
    path = environ.get("PATH_INFO", "")
    if path.startswith("/2015-03-31/functions/"):
        return "lambda:Invoke"
    if path.startswith("/moto-api"):
        return "moto:admin"
    return f"s3:{environ.get('REQUEST_METHOD', '?')}"


class CallMeter:
    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        operation = _operation(environ)
        with self._lock:
            self.calls[operation] += 1
        return self.app(environ, start_response)

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.calls)
