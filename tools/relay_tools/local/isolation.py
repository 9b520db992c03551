"""One request at a time per AWS service inside moto, so the local cloud keeps the cloud's
atomicity under concurrent clients.

moto's backends are plain in-memory dicts with no locking. Its DynamoDB TransactWriteItems
checks conditions and writes item by item, and on a cancelled transaction it restores every
table it touched from a deep copy taken when the transaction began: concurrent writes that
landed in between are silently undone, and two transactions conditioned on the same
revision can both succeed. Deep-copying a table while another request inserts into it
fails with "dictionary changed size during iteration"; so does Step Functions'
SendTaskSuccess iterating executions while StartExecution adds one. In AWS each request is
atomic and isolated, which is what Relay's conditional writes rely on. Serialising each
service's requests gives moto the same guarantee. Lambda invokes never get here (the invoke
front answers them), so a function calling DynamoDB from inside a Step Functions task
cannot deadlock on its own service's lock.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any


def service_of(environ: dict[str, Any]) -> str:
    """`dynamodb`, `states`, `logs` … from the JSON protocols' X-Amz-Target; else the
    signing scope in Authorization (S3's REST calls); else the path."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.partition(".")[0]
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in authorization:  # AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request
        scope = authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential=" in query:  # presigned URLs: KEY%2FDATE%2FREGION%2FSERVICE%2Faws4_request
        scope = query.split("X-Amz-Credential=", 1)[1].split("&", 1)[0].replace("%2F", "/").split("/")
        if len(scope) >= 4:
            return scope[3]
    if "AWSAccessKeyId=" in query or (
        environ.get("REQUEST_METHOD") == "POST" and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    ):
        return "s3"  # SigV2 presigned URLs; browser form uploads (signed in the form)
    return environ.get("PATH_INFO", "/").split("/", 2)[1] or "/"


class SerializedServices:
    """WSGI middleware: requests to the same service run one after another."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def _lock(self, service: str) -> threading.Lock:
        with self._guard:
            return self._locks[service]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._lock(service_of(environ)):
            # moto builds the whole response inside the call; read it out under the lock too.
            return list(self.app(environ, start_response))
