"""The format bomb (issue 15, item 5) through the local cloud: a 100 KB template of `{a}` with
a 64 KiB run input would build about 2 GB; each run ends at once with INVALID_MODULE_INPUT,
and eight at a time, three rounds, leave the process's peak memory (the local cloud runs
RunStep in this process) within a generous bound. So does a `$state` value named 20,000
times."""

from __future__ import annotations

import functools
import resource
import time
from concurrent.futures import ThreadPoolExecutor

from documents import module, step, workflow
from polling import wait_for_status

MB = 1024 * 1024


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _bomb(kind: str) -> dict:
    if kind == "format":
        inputs = {"template": "{a}" * 33_333, "values": {"a": "$state.a"}}
    else:  # one state value named 20,000 times
        inputs = {"template": "{a}", "values": {"a": ["$state.a"] * 20_000}}
    return workflow(f"bomb-{kind}", step("s", module("transform.format", inputs, value="out")))


def test_format_and_reference_bombs_end_fast_with_bounded_memory(make_client):
    clients = [make_client() for _ in range(8)]
    value = "x" * 65_000  # the run's inputs hold at most 64 KiB
    before = _peak_rss()

    def start(kind, client):
        response = client.post("/v1/runs", json={"workflow": _bomb(kind), "inputs": {"a": value}})
        assert response.status_code == 201, response.text
        return response.json()["run_id"]

    for round_ in range(3):
        kind = "format" if round_ % 2 == 0 else "reference"
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            run_ids = list(pool.map(functools.partial(start, kind), clients))
        for client, run_id in zip(clients, run_ids, strict=True):
            run = wait_for_status(client, run_id, "completed", "error", timeout=30)
            assert run["status"] == "error" and run["error"]["code"] == "INVALID_MODULE_INPUT", run
            expected = "the formatted value passes 1000000 characters" if kind == "format" else "more than 1048576 bytes"
            assert expected in run["error"]["message"]
            assert "out" not in run["state"]
        assert time.monotonic() - started < 20, kind
    # Eight unbounded bombs at once would be about 16 GB; bounded, each holds about 1 MB.
    assert _peak_rss() - before < 512 * MB
