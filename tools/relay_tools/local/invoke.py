"""Lambda's Invoke API answered in-process, in front of moto.

`POST /2015-03-31/functions/<name>/invocations` calls the function's Python handler (loaded
once, like a warm container) with a Lambda context; an exception becomes a function error
(`X-Amz-Function-Error: Unhandled` and `errorType` = the exception's class name, which is
what Step Functions' Retry/Catch match). Every other request goes to moto.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .deployer import Deployment, LocalFunction

logger = logging.getLogger("relay_tools.local")

_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    function_version: str = "$LATEST"
    _deadline: float = field(default=0.0, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionRunner:
    def __init__(self) -> None:
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._lock = threading.Lock()
        self.log_shipper: Any = None  # relay_tools.local.log_shipping.LogShipper, set by LocalCloud.start

    def handler(self, function: LocalFunction) -> Callable[..., Any]:
        with self._lock:
            if function.name not in self._handlers:
                module_name, attribute = function.handler.rsplit(".", 1)
                path = function.code_dir / (module_name.replace(".", "/") + ".py")
                unique = f"relay_local_{function.logical_id}"
                spec = importlib.util.spec_from_file_location(unique, path)
                if spec is None or spec.loader is None:
                    raise ImportError(f"{function.name}: no module at {path}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[unique] = module
                spec.loader.exec_module(module)
                if self.log_shipper is not None:
                    self.log_shipper.attach(module)
                self._handlers[function.name] = getattr(module, attribute)
            return self._handlers[function.name]

    def invoke(self, function: LocalFunction, event: Any) -> tuple[bytes, str | None]:
        """(payload, function error or None), as Lambda's Invoke returns them."""
        context = LambdaContext(
            function_name=function.name,
            invoked_function_arn=function.arn,
            memory_limit_in_mb=function.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=function.log_group or f"/aws/lambda/{function.name}",
            log_stream_name="local",
            _deadline=time.monotonic() + function.timeout,
        )
        shipping = self.log_shipper.capture(function) if self.log_shipper else contextlib.nullcontext()
        with shipping:  # its log lines go to its log group when it returns, as on Lambda
            try:
                result = self.handler(function)(event, context)
                return json.dumps(result).encode(), None
            except Exception as exc:  # noqa: BLE001 - the function failed: report it as Lambda does
                logger.info("%s raised %s: %s", function.name, type(exc).__name__, exc)
                body = {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "requestId": context.aws_request_id,
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }
                return json.dumps(body).encode(), "Unhandled"


class LambdaInvokeFront:
    """WSGI middleware: Lambda invokes in-process, everything else to `app` (moto)."""

    def __init__(self, app: Callable[..., Any], deployment: Deployment, runner: FunctionRunner) -> None:
        self.app = app
        self.deployment = deployment
        self.runner = runner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = _INVOKE.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        function = self.deployment.function(unquote(match["name"]))
        if function is None:
            body = json.dumps({"Type": "User", "message": f"Function not found: {match['name']}"}).encode()
            start_response(
                "404 Not Found",
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ResourceNotFoundException")],
            )
            return [body]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        event = json.loads(raw) if raw else {}
        if environ.get("HTTP_X_AMZ_INVOCATION_TYPE") == "Event":
            threading.Thread(target=self.runner.invoke, args=(function, event), daemon=True).start()
            start_response("202 Accepted", [("Content-Type", "application/json")])
            return [b""]
        payload, error = self.runner.invoke(function, event)
        headers = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST")]
        if error:
            headers.append(("X-Amz-Function-Error", error))
        start_response("200 OK", headers)
        return [payload]
