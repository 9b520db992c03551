"""Each local function's log lines into its log group in the local CloudWatch Logs, as Lambda
ships a function's output: the lines the function logs during an invocation (Powertools JSON,
as its handler formats them) are put into the function's log group (its `LoggingConfig`
LogGroup, else `/aws/lambda/<name>`) when the invocation ends, in one stream per function
(an execution environment's stream on Lambda). So `GET /v1/runs/{id}/logs` reads the same
lines under `relay local` and in the tests as in the cloud.

Functions run in threads of this process and share the `relay` logger; a line belongs to the
invocation running on the thread that logged it. What is logged on other threads (the API,
the local cloud itself) is not shipped. Shipping never fails an invocation.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger("relay_tools.local.logs")

_BATCH = 1000  # PutLogEvents takes 10,000 events and 1 MB: stay well under both


class _ShippingHandler(logging.Handler):
    def __init__(self, shipper: LogShipper) -> None:
        super().__init__()
        self.shipper = shipper

    def emit(self, record: logging.LogRecord) -> None:
        buffer = self.shipper.buffer()
        if buffer is None or record.name == logger.name:
            return
        try:
            buffer.append((int(record.created * 1000), self.format(record)))
        except Exception:  # noqa: BLE001 - a line that cannot be formatted is not worth failing the function
            self.handleError(record)


class _ThreadStdout:
    """sys.stdout for the local cloud: the EMF metric lines an invocation prints on its thread
    join its log lines, as Lambda ships a function's stdout; every other write goes through."""

    def __init__(self, shipper: LogShipper, real: Any) -> None:
        self._shipper = shipper
        self.real = real
        self._partial = threading.local()

    def write(self, text: str) -> int:
        # print() writes an EMF line whole, then its newline. Logger lines are not taken here:
        # the shipping handler has them already.
        if text == "\n" and getattr(self._partial, "emf", False):
            self._partial.emf = False
            return len(text)
        if not text.startswith('{"_aws"'):
            return self.real.write(text)
        self._partial.emf = True
        buffer = self._shipper.buffer()
        if buffer is not None:
            buffer.append((int(time.time() * 1000), text.strip()))
        # else: printed outside an invocation (the local API server is no Lambda, so its
        # metrics have no log group to go to): dropped.
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class LogShipper:
    def __init__(self, client: Any) -> None:
        self._client = client  # a CloudWatch Logs client of the local cloud
        self._local = threading.local()
        self._lock = threading.Lock()
        self._streams: dict[str, tuple[str, str]] = {}  # function name -> (group, stream)

    def buffer(self) -> list[tuple[int, str]] | None:
        return getattr(self._local, "lines", None)

    def attach(self, module: Any) -> None:
        """Ship what the function module's Powertools loggers log, formatted as they format it."""
        from aws_lambda_powertools import Logger

        for value in vars(module).values():
            if not isinstance(value, Logger):
                continue
            target = value._logger  # the logging.Logger it writes to (shared by service name)
            if any(isinstance(h, _ShippingHandler) and h.shipper is self for h in target.handlers):
                continue
            handler = _ShippingHandler(self)
            handler.setFormatter(value.registered_formatter)
            target.addHandler(handler)

    @contextmanager
    def capture(self, function: Any) -> Iterator[None]:
        """Collect the lines logged on this thread meanwhile; ship them at the end."""
        with self._lock:
            if not (isinstance(sys.stdout, _ThreadStdout) and sys.stdout._shipper is self):
                sys.stdout = _ThreadStdout(self, sys.stdout)
        outer = self.buffer()
        lines: list[tuple[int, str]] = []
        self._local.lines = lines
        try:
            yield
        finally:
            self._local.lines = outer
            if lines:
                self._ship(function, lines)

    def _stream(self, function: Any) -> tuple[str, str]:
        with self._lock:
            if function.name not in self._streams:
                group = function.log_group or f"/aws/lambda/{function.name}"
                stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
                with contextlib.suppress(self._client.exceptions.ResourceAlreadyExistsException):
                    self._client.create_log_group(logGroupName=group)
                self._client.create_log_stream(logGroupName=group, logStreamName=stream)
                self._streams[function.name] = (group, stream)
            return self._streams[function.name]

    def _ship(self, function: Any, lines: list[tuple[int, str]]) -> None:
        try:
            group, stream = self._stream(function)
            lines.sort(key=lambda line: line[0])
            for start in range(0, len(lines), _BATCH):
                batch = lines[start : start + _BATCH]
                self._client.put_log_events(
                    logGroupName=group,
                    logStreamName=stream,
                    logEvents=[{"timestamp": ts, "message": message} for ts, message in batch],
                )
        except Exception:
            logger.warning("could not ship %d log lines of %s", len(lines), function.name, exc_info=True)
