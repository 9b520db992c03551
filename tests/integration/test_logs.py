"""The logs API through the local cloud: the task functions' Powertools lines, shipped by the
local cloud into each function's log group (as Lambda ships them), read back with
FilterLogEvents: a run's lines with run_id/step_id/correlation_id, the level filter,
pagination with no line twice, runs at once kept apart, tenancy, and the admin-only view."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from documents import module, step, workflow
from polling import wait_for_status
from problems import assert_problem


def _run(client, wf):
    response = client.post("/v1/runs", json={"workflow": wf, "project_name": "logs"})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def _ok_workflow(name="logged"):
    return workflow(
        name,
        step("first", module("transform.format", {"template": "x"}, value="x")),
        step("second", module("transform.format", {"template": "y"}, value="y")),
    )


def _failing_workflow():
    return workflow(
        "logged-failing",
        step("ok", module("transform.format", {"template": "x"}, value="x")),
        step("bad", module("transform.format", {"template": "{missing}"}, value="y")),
    )


def _all_lines(client, run_id, limit=100, **params):
    lines, cursor, pages = [], None, 0
    while True:
        response = client.get(
            f"/v1/runs/{run_id}/logs", params={"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        lines += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return lines, pages
        assert pages < 200


def _wait_for_lines(client, run_id, outcome, timeout=20):
    """Lines are shipped when the invocation returns, just after the run's commit."""
    deadline = time.monotonic() + timeout
    while True:
        lines, _ = _all_lines(client, run_id)
        if any(line["message"] == "run advanced" and line["record"].get("outcome") == outcome for line in lines):
            return lines
        assert time.monotonic() < deadline, lines
        time.sleep(0.1)


def test_a_runs_lines_carry_its_ids_from_the_run_step_log_group(client, cloud):
    run_id = _run(client, _ok_workflow())
    wait_for_status(client, run_id, "completed")
    lines = _wait_for_lines(client, run_id, "completed")
    assert lines and all(line["run_id"] == run_id for line in lines)
    group = cloud.deployment.function("relay-RunStepFunction").log_group
    assert {line["log_group"] for line in lines} == {group}
    started = [(line["step_id"], line["level"]) for line in lines if line["message"] == "step started"]
    assert started == [("first", "INFO"), ("second", "INFO")]
    completed = [line for line in lines if line["message"] == "module completed"]
    assert [(line["step_id"], line["record"]["module_id"]) for line in completed] == [
        ("first", "transform.format"),
        ("second", "transform.format"),
    ]
    # correlation_id: the RunStep invocation, as on the run's events
    events = client.get(f"/v1/runs/{run_id}/events", params={"limit": 100}).json()["items"]
    step_events = {e["correlation_id"] for e in events if e["event_type"] == "step_started"}
    assert {line["correlation_id"] for line in lines} == step_events
    stamps = [line["timestamp"] for line in lines]
    assert stamps == sorted(stamps)
    assert all(line["record"]["service"] == "relay" for line in lines)


def test_the_level_filter_keeps_that_level_and_above(client):
    run_id = _run(client, _failing_workflow())
    failed = wait_for_status(client, run_id, "error")
    lines = _wait_for_lines(client, run_id, "failed")
    levels = {line["level"] for line in lines}
    assert {"INFO", "WARNING", "ERROR"} <= levels
    warnings, _ = _all_lines(client, run_id, level="WARNING")
    assert warnings == [line for line in lines if line["level"] in ("WARNING", "ERROR")]
    assert [(line["level"], line["step_id"]) for line in warnings] == [("WARNING", "bad"), ("ERROR", None)]
    assert warnings[0]["record"]["error_code"] == failed["error"]["code"]
    errors, _ = _all_lines(client, run_id, level="ERROR")
    assert [line["message"].split(":")[0] for line in errors] == ["run failed"]
    assert_problem(client.get(f"/v1/runs/{run_id}/logs", params={"level": "LOUD"}), 400, "INVALID_REQUEST")


def test_pages_of_two_give_every_line_once_in_order(client):
    run_id = _run(client, _ok_workflow("logged-pages"))
    wait_for_status(client, run_id, "completed")
    everything = _wait_for_lines(client, run_id, "completed")
    paged, pages = _all_lines(client, run_id, limit=2)
    assert pages >= len(everything) // 2
    assert [line["event_id"] for line in paged] == [line["event_id"] for line in everything]


def test_bad_and_foreign_cursors_are_400(client):
    a, b = _run(client, _ok_workflow("logged-a")), _run(client, _ok_workflow("logged-b"))
    for run_id in (a, b):
        wait_for_status(client, run_id, "completed")
        _wait_for_lines(client, run_id, "completed")
    cursor = client.get(f"/v1/runs/{a}/logs", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert_problem(client.get(f"/v1/runs/{b}/logs", params={"cursor": cursor}), 400, "INVALID_CURSOR")
    assert_problem(client.get(f"/v1/runs/{a}/logs", params={"cursor": cursor, "level": "ERROR"}), 400, "INVALID_CURSOR")
    assert_problem(client.get(f"/v1/runs/{a}/logs", params={"cursor": "bm90LWpzb24"}), 400, "INVALID_CURSOR")


def test_runs_at_once_keep_their_lines_apart(make_client):
    """Eight runs of eight users at once: the functions run in threads of one process locally,
    so their keys must be per invocation (Powertools' thread-safe keys)."""
    clients = [make_client() for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(lambda c: _run(c, _ok_workflow("logged-many")), clients))
        list(
            pool.map(lambda pair: wait_for_status(pair[0], pair[1], "completed", timeout=60), zip(clients, run_ids, strict=True))
        )
        all_lines = list(
            pool.map(lambda pair: _wait_for_lines(pair[0], pair[1], "completed"), zip(clients, run_ids, strict=True))
        )
    for c, run_id, lines in zip(clients, run_ids, all_lines, strict=True):
        assert all(line["run_id"] == run_id for line in lines)
        assert [line["step_id"] for line in lines if line["message"] == "step started"] == ["first", "second"]
        events = c.get(f"/v1/runs/{run_id}/events", params={"limit": 100}).json()["items"]
        assert {line["correlation_id"] for line in lines} <= {e["correlation_id"] for e in events}


def test_another_tenants_run_is_404(client, make_client):
    run_id = _run(client, _ok_workflow("logged-mine"))
    assert_problem(make_client().get(f"/v1/runs/{run_id}/logs"), 404, "NOT_FOUND")


def test_admin_logs_are_for_admins_only_and_span_runs(client, make_client):
    a, b = _run(client, _ok_workflow("logged-admin-a")), _run(make_client(), _failing_workflow())
    wait_for_status(client, a, "completed")
    _wait_for_lines(client, a, "completed")
    assert_problem(client.get("/v1/admin/logs"), 403, "ADMIN_ONLY")
    admin = make_client(admin=True)
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()

    def every_line(**params):
        lines, cursor = [], None
        while True:
            body = admin.get(
                "/v1/admin/logs", params={"since": since, "limit": 100, **params, **({"cursor": cursor} if cursor else {})}
            ).json()
            lines += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                return lines

    deadline = time.monotonic() + 20
    while True:
        lines = every_line()
        runs = {line["run_id"] for line in lines}
        if {a, b} <= runs and any(line["run_id"] == b and line["level"] == "ERROR" for line in lines):
            break
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert len({line["event_id"] + line["log_group"] for line in lines}) == len(lines)
    errors = every_line(level="ERROR")
    assert errors and all(line["level"] in ("ERROR", "CRITICAL") for line in errors)
    assert any(line["run_id"] == b for line in errors)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert admin.get("/v1/admin/logs", params={"since": future}).json() == {"items": [], "next_cursor": None}
    for bad in ("yesterday", "0.5", "1700000000", "2026-01-01T00:00:00"):  # no zone: not a date-time
        assert_problem(admin.get("/v1/admin/logs", params={"since": bad}), 400, "INVALID_REQUEST")
