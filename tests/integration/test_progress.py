"""Progress through the local cloud: a module's ctx.progress is on the run (GET /v1/runs/{id})
and in its events while the module still runs (api.llm waiting on a slow provider: the fake
server sleeps 3 s), the run's event numbers stay gapless around it (RunStep's final commit
numbers its events after the progress event), and many such runs at once all finish so."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from documents import module, step, workflow
from polling import wait_for_status
from sse import read


def _slow_llm_run(client, name="progress"):
    wf = workflow(
        name,
        step("prep", module("transform.format", {"template": "a cat"}, value="subject")),
        step(
            "ask",
            module(
                "api.llm",
                {"provider": "openai", "model": "gpt-slow", "messages": [{"role": "user", "content": "$state.subject"}]},
                text="reply",
            ),
        ),
    )
    response = client.post("/v1/runs", json={"workflow": wf, "project_name": "progress"})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def _events(client, run_id):
    return client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]


def test_progress_is_visible_while_the_module_runs_and_recorded(client):
    run_id = _slow_llm_run(client)
    deadline = time.monotonic() + 20
    while True:  # the fake provider holds the call 3 s: the run shows what it waits for
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["progress"]["stage"] == "llm":
            break
        assert time.monotonic() < deadline, run
        time.sleep(0.05)
    assert run["status"] == "running"
    # step 2 of 2, its only module, at its start: the run is half way
    assert run["progress"] == {"value": 0.5, "stage": "llm", "message": "waiting for openai (gpt-slow)"}
    during = _events(client, run_id)
    assert [(e["event_type"], e["step_id"]) for e in during[-2:]] == [("step_started", "ask"), ("progress", "ask")]
    assert during[-1]["data"] == {
        "module_index": 0,
        "module_id": "api.llm",
        "value": 0.0,
        "stage": "llm",
        "message": "waiting for openai (gpt-slow)",
        "run_progress": 0.5,
    }
    assert "module_completed" not in [e["event_type"] for e in during if e["step_id"] == "ask"]
    # the live stream shows it too, before the module has finished
    live = read(client, run_id, during[-2]["seq"])
    assert live.events[0]["event"] == "progress" and live.events[0]["id"] == during[-1]["seq"]

    done = wait_for_status(client, run_id, "completed", "error", timeout=30)
    assert done["status"] == "completed", done
    assert done["progress"] == {"value": 1.0, "stage": None, "message": "completed"}
    events = _events(client, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    kinds = [(e["event_type"], e["step_id"]) for e in events]
    # the events before the call are committed first (api.llm is long-running): its progress follows them
    assert kinds.index(("step_started", "ask")) < kinds.index(("progress", "ask")) < kinds.index(("module_completed", "ask"))
    assert [e["data"]["progress"] for e in events if e["event_type"] == "step_started"] == [0.0, 0.5]


def test_many_runs_reporting_progress_at_once_keep_gapless_events(make_client):
    clients = [make_client() for _ in range(6)]
    run_ids = [_slow_llm_run(c, f"progress-many-{i}") for i, c in enumerate(clients)]
    with ThreadPoolExecutor(6) as pool:
        finished = list(
            pool.map(
                lambda pair: wait_for_status(pair[0], pair[1], "completed", "error", timeout=60),
                zip(clients, run_ids, strict=True),
            )
        )
    assert [run["status"] for run in finished] == ["completed"] * 6
    for c, run_id in zip(clients, run_ids, strict=True):
        events = _events(c, run_id)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert sum(e["event_type"] == "progress" for e in events) == 1


@pytest.mark.parametrize("shift", [0.0, 0.07])  # two rounds, the cancels at other moments
def test_cancels_racing_progress_reports_leave_gapless_events(make_client, shift):
    """A progress report (run item without a rev bump, plus an event) and a cancel (a commit
    conditional on rev) racing on eight runs, the cancel at a different moment around the
    report on each: every run ends cancelled once, with gapless, unique event numbers, and
    nothing the RunStep did after the cancel is committed."""
    clients = [make_client() for _ in range(8)]

    def start_then_cancel(i):
        # Each cancel is timed from its own run's start (0 .. 1.1 s: before, around and after
        # the report), well inside the provider's 3 s, however long the other starts take.
        run_id = _slow_llm_run(clients[i], f"progress-cancel-{i}-{shift}")
        time.sleep(0.15 * i + shift)
        response = clients[i].post(f"/v1/runs/{run_id}/cancel")
        assert response.status_code == 200, response.text
        return run_id

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(start_then_cancel, range(8)))
    time.sleep(3.5)  # the slow provider call ends; the RunSteps try to commit and must be refused
    for c, run_id in zip(clients, run_ids, strict=True):
        run = c.get(f"/v1/runs/{run_id}").json()
        assert run["status"] == "cancelled", run
        events = _events(c, run_id)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        kinds = [e["event_type"] for e in events]
        assert kinds.count("run_cancelled") == 1 and kinds[-1] == "run_cancelled", kinds
        assert kinds.count("progress") <= 1 and "run_completed" not in kinds
