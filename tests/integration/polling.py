"""Waiting for a run to reach a status, over the API."""

from __future__ import annotations

import time
from typing import Any

import httpx


def wait_for_status(client: httpx.Client, run_id: str, *statuses: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["status"] in statuses:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} stayed {run['status']}, wanted {statuses}: {run}")
        time.sleep(0.05)
