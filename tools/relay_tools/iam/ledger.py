"""Who called what: every AWS request reaching the local cloud, with the function that made it.

In the cloud each function calls with its own role's credentials; locally every function runs
in one process with the same keys, so the caller is carried another way. `acting_as(<logical
id>)` marks the code running for a function (the local invoke front wraps each handler call,
tests wrap the API app in `ActingAsAsgi`); a botocore handler adds that name to every request
sent meanwhile, and `CallLedger` (WSGI, in front of moto) records the request's permissions
under it. A presigned URL or POST form is the signer's call: its signature is remembered at
signing time, so the browser's upload is recorded under the function that signed it.
Requests with no caller (the tests' own setup, moto's executor invoking a task) are counted
as unattributed; the state machines' task calls are checked from their definitions instead.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

from .permissions import Arns, Permission, required

HEADER = "X-Relay-Local-Principal"
_principal: ContextVar[str | None] = ContextVar("relay_local_principal", default=None)
_signatures: dict[str, str] = {}  # presigned signature → the function that signed it
_signatures_lock = threading.Lock()
_installed = False
_SIGNATURE = re.compile(rb"X-Amz-Signature=([0-9a-f]{64})|name=\"x-amz-signature\"\r\n\r\n([0-9a-f]{64})", re.I)


@contextlib.contextmanager
def acting_as(logical_id: str) -> Iterator[None]:
    token = _principal.set(logical_id)
    try:
        yield
    finally:
        _principal.reset(token)


def _tag_request(request: Any, **_: Any) -> None:
    principal = _principal.get()
    if principal is not None:
        request.headers[HEADER] = principal


def _remember(signature: str | None) -> None:
    principal = _principal.get()
    if principal is not None and signature:
        with _signatures_lock:
            _signatures[signature.lower()] = principal


def install() -> None:
    """Tag every botocore request made from now on with its caller; remember presign callers.
    Test-only tooling: it patches botocore in this process (the local cloud's, never Lambda's)."""
    global _installed
    if _installed:
        return
    import botocore.handlers
    import botocore.signers

    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _tag_request))
    presign_url = botocore.signers.RequestSigner.generate_presigned_url
    presign_post = botocore.signers.S3PostPresigner.generate_presigned_post

    def generate_presigned_url(self: Any, *args: Any, **kwargs: Any) -> str:
        url = presign_url(self, *args, **kwargs)
        match = re.search(r"X-Amz-Signature=([0-9a-f]{64})", url)
        _remember(match.group(1) if match else None)
        return url

    def generate_presigned_post(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        post = presign_post(self, *args, **kwargs)
        _remember(post.get("fields", {}).get("x-amz-signature"))
        return post

    botocore.signers.RequestSigner.generate_presigned_url = generate_presigned_url
    botocore.signers.S3PostPresigner.generate_presigned_post = generate_presigned_post
    _installed = True


def _task_token_state_machine(token: str, region: str) -> str | None:
    """The state machine whose running execution issued `token` (SendTask* are authorized
    against it), from moto's Step Functions backend in this process."""
    from moto.stepfunctions.responses import get_backend

    from .permissions import ACCOUNT_ID

    for machine in list(get_backend(ACCOUNT_ID, region).state_machines):
        for execution in list(getattr(machine, "executions", [])):
            worker = getattr(execution, "exec_worker", None)
            pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
            if pool is not None and pool.get(token) is not None:
                return str(machine.arn)
    return None


class CallLedger:
    """WSGI middleware: records each request's permissions under its caller, then passes it on."""

    def __init__(self, app: Callable[..., Any], region: str) -> None:
        self.app = app
        self.arns = Arns(region)
        self.region = region
        self.calls: Counter[tuple[str, Permission]] = Counter()
        self.unattributed: Counter[Permission] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            self._record(environ, body)
        return self.app(environ, start_response)

    def _caller(self, environ: dict[str, Any], body: bytes) -> str | None:
        principal = environ.get("HTTP_" + HEADER.upper().replace("-", "_"))
        if principal:
            return str(principal)
        match = _SIGNATURE.search(environ.get("QUERY_STRING", "").encode()) or _SIGNATURE.search(body[:65536])
        if match:
            with _signatures_lock:
                return _signatures.get((match.group(1) or match.group(2)).decode().lower())
        return None

    def _record(self, environ: dict[str, Any], body: bytes) -> None:
        permissions = required(environ, body, self.arns)
        permissions = [
            Permission(p.action, _task_token_state_machine(p.resource, self.region) or "unknown-task-token")
            if p.action.startswith("states:SendTask")
            else p
            for p in permissions
        ]
        caller = self._caller(environ, body)
        with self._lock:
            for permission in permissions:
                if caller is None:
                    self.unattributed[permission] += 1
                else:
                    self.calls[(caller, permission)] += 1

    def snapshot(self) -> Counter[tuple[str, Permission]]:
        """The calls recorded so far, by (caller, permission)."""
        with self._lock:
            return Counter(self.calls)

    def take(self, caller: str) -> Counter[Permission]:
        """Remove and return what `caller` was recorded making (a test's deliberate calls)."""
        with self._lock:
            taken = Counter({p: n for (c, p), n in self.calls.items() if c == caller})
            for permission in taken:
                del self.calls[(caller, permission)]
            return taken


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class ActingAsAsgi:
    """ASGI middleware: the API's requests call AWS as `logical_id` (its function's role).
    Starlette runs sync routes in a thread with a copy of this context, so the mark follows."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], logical_id: str) -> None:
        self.app = app
        self.logical_id = logical_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with acting_as(self.logical_id):
            await self.app(scope, receive, send)
