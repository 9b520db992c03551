"""S3 event notifications to the local functions.

moto matches a bucket's notification configuration (put there by the deployer from the
functions' SAM `S3` events) against every object it stores and builds the S3 event, but
delivers Lambda targets to its own Lambda backend, which runs nothing without Docker. This
hands them to the in-process functions instead, asynchronously like S3 (a thread per event:
the function's own S3 calls then wait for the request that stored the object to finish).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from .deployer import Deployment
from .invoke import FunctionRunner

logger = logging.getLogger("relay_tools.local")

_targets: list[tuple[Deployment, FunctionRunner]] = []
_lock = threading.Lock()


def _deliver(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    with _lock:
        targets = list(_targets)
    for deployment, runner in reversed(targets):  # the latest local cloud first
        function = deployment.function(fn_arn)
        if function is not None:
            event = json.loads(event_body) if isinstance(event_body, str) else event_body
            threading.Thread(target=runner.invoke, args=(function, event), name="s3-event", daemon=True).start()
            return
    logger.warning("S3 notification for %s: no such local function", fn_arn)


def install(deployment: Deployment, runner: FunctionRunner) -> None:
    """Route moto's S3 → Lambda notifications to `deployment`'s functions (idempotent)."""
    import moto.s3.notifications as notifications

    with _lock:
        _targets.append((deployment, runner))
        notifications._invoke_awslambda = _deliver  # send_event looks it up at call time


def uninstall(deployment: Deployment) -> None:
    with _lock:
        _targets[:] = [(d, r) for d, r in _targets if d is not deployment]
