"""Many clients answering one pause at once: the race the stress test and the bench repeat.

One trial: start a run of a two-pause workflow, wait for the first pause, then release
`clients` answers (each a different value, each on its own connection) through a barrier.
The trial records who won, what the losers were told, and what the run did afterwards.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from documents import module, step, workflow
from polling import wait_for_status

TWO_PAUSES = workflow(
    "answer-race",
    step("ask", module("user.text_input", {"prompt": "First?", "max_length": 40}, value="first")),
    step("again", module("user.text_input", {"prompt": "Second?", "max_length": 40}, value="second")),
)


@dataclass
class Trial:
    run_id: str
    winners: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (value, 202 body)
    losers: list[dict[str, Any]] = field(default_factory=list)  # problem bodies of the rest
    other: list[tuple[int, str]] = field(default_factory=list)  # anything else (status, body)
    latencies: list[float] = field(default_factory=list)  # seconds per answer request
    after: dict[str, Any] | None = None  # the run once it left the first pause


def answer_all(base_url: str, key: str, run_id: str, values: list[str]) -> Trial:
    """Send one answer per value at the same instant, each from its own HTTP client."""
    trial = Trial(run_id=run_id)
    barrier = threading.Barrier(len(values))
    lock = threading.Lock()

    def answer(value: str) -> None:
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
            http.get("/healthz")  # connect before the barrier, so the answers really overlap
            barrier.wait()
            started = time.perf_counter()
            response = http.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": value})
            elapsed = time.perf_counter() - started
        with lock:
            trial.latencies.append(elapsed)
            if response.status_code == 202:
                trial.winners.append((value, response.json()))
            elif response.status_code == 409:
                trial.losers.append(response.json())
            else:
                trial.other.append((response.status_code, response.text))

    threads = [threading.Thread(target=answer, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return trial


def run_trial(client: httpx.Client, key: str, clients: int, *, timeout: float = 30) -> Trial:
    """Start a run, race `clients` answers at its first pause, wait for the second pause."""
    started = client.post("/v1/runs", json={"template_name": TWO_PAUSES["workflow_id"]})
    assert started.status_code == 201, started.text
    run_id = started.json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input", timeout=timeout)
    trial = answer_all(str(client.base_url), key, run_id, [f"answer-{i}" for i in range(clients)])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["status"] in ("completed", "error", "cancelled") or (
            run["status"] == "awaiting_input" and run["current_step"] == "again"
        ):
            trial.after = run
            break
        time.sleep(0.05)
    return trial


def all_events(client: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    events, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/v1/runs/{run_id}/events", params=params).json()
        events.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return events
