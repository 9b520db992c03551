"""GET /v1/approvals through the local cloud: every waiting pause across my runs, oldest
first, with its run, step, what it asks, expires_at and (user.approve) the artifact to judge
with a preview URL; paginated; answered, expired and ended ones gone; tenants apart."""

from __future__ import annotations

import time

from documents import greeting, module, step, workflow
from polling import wait_for_status
from problems import assert_problem
from relay.adapters.dynamo import to_item
from relay.ids import iso, now_iso, utcnow


def _approve_wf(workflow_id: str) -> dict:
    return workflow(
        workflow_id,
        step(
            "write",
            module(
                "artifact.store",
                {
                    "data": {"title": "Draft"},
                    "artifact_name": "draft",
                    "artifact_type": "deliverable",
                    "format": "json",
                },
                artifact_id="stored_id",
            ),
        ),
        step("review", module("user.approve", {"artifact_name": "draft", "prompt": "Publish this?"}, status="approved")),
    )


def _start(client, wf: dict, project: str) -> str:
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": wf["workflow_id"], "project_name": project})
    assert run.status_code == 201, run.text
    return run.json()["run_id"]


def _all_pages(client, limit: int) -> list[dict]:
    items, cursor = [], None
    for _ in range(50):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/approvals", params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the inbox never ended")


def test_inbox_lists_every_waiting_pause_oldest_first_with_what_it_asks(client, make_client):
    ask = _start(client, greeting("inbox-ask"), "first")
    wait_for_status(client, ask, "awaiting_input")
    time.sleep(0.01)
    judge = _start(client, _approve_wf("inbox-judge"), "second")
    paused = wait_for_status(client, judge, "awaiting_input")
    time.sleep(0.01)
    third = _start(client, greeting("inbox-third"), "third")
    wait_for_status(client, third, "awaiting_input")

    items = _all_pages(client, limit=1)  # one a page: the cursor carries the order
    assert [i["run_id"] for i in items] == [ask, judge, third]
    assert [i["created_at"] for i in items] == sorted(i["created_at"] for i in items)

    first = items[0]
    assert first["step_id"] == "ask" and first["module_id"] == "user.text_input"
    assert first["prompt"] == "Your name?" and first["request"]["max_length"] == 20
    assert first["expires_at"] > first["created_at"]
    assert first["run"] == {
        "run_id": ask,
        "template_name": "inbox-ask",
        "project_name": "first",
        "status": "awaiting_input",
        "current_step": "ask",
        "created_at": first["run"]["created_at"],
    }
    assert first["artifact"] is None and "task_token" not in first

    second = items[1]
    assert second["module_id"] == "user.approve" and second["prompt"] == "Publish this?"
    stored = paused["state"]["stored_id"]
    assert second["artifact"]["artifact_id"] == stored and second["artifact"]["version"] == 1
    assert second["artifact"]["status"] == "pending"
    assert second["artifact"]["preview_url"] == f"/v1/artifacts/{stored}/content"
    assert client.get(second["artifact"]["preview_url"]).json() == {"title": "Draft"}

    # Answered: gone at once; the rest keep their order.
    answered = client.post(f"/v1/runs/{ask}/input", json={"step_id": "ask", "value": "Ada"})
    assert answered.status_code == 202, answered.text
    wait_for_status(client, ask, "awaiting_input")  # now at `pick`, a new pause: the newest
    after = [(i["run_id"], i["step_id"]) for i in _all_pages(client, limit=2)]
    assert after == [(judge, "review"), (third, "ask"), (ask, "pick")]

    # Another tenant sees none of it, and my cursor is not theirs.
    other = make_client()
    assert other.get("/v1/approvals").json() == {"items": [], "next_cursor": None}
    mine = client.get("/v1/approvals", params={"limit": 1}).json()["next_cursor"]
    assert_problem(other.get("/v1/approvals", params={"cursor": mine}), 400, "INVALID_CURSOR")


def test_expired_and_ended_pauses_are_not_in_the_inbox(client, relay):
    """TTL deletes late and RecordFailure closes an expired pause only after Step Functions
    times it out: a pause past its expires_at is not shown meanwhile, nor one whose run ended."""
    waiting = _start(client, greeting("inbox-expiry"), "p")
    run = wait_for_status(client, waiting, "awaiting_input")
    done = _start(client, workflow("inbox-done", step("s", module("transform.format", {"template": "x"}, value="v"))), "q")
    wait_for_status(client, done, "completed")
    table = relay.settings.pending_inputs_table
    base = {
        "user_id": client.user.user_id,
        "pending_user_id": client.user.user_id,
        "step_id": "ask",
        "module_index": 0,
        "module_id": "user.text_input",
        "request": {"prompt": "stale?"},
        "task_token": "t",
        "status": "pending",
        "created_at": now_iso(),
    }
    past = iso(utcnow().replace(year=utcnow().year - 1))
    relay.dynamodb.put_item(
        TableName=table, Item=to_item({**base, "run_id": waiting, "input_id": "in_expired", "expires_at": past})
    )
    relay.dynamodb.put_item(
        TableName=table,
        Item=to_item({**base, "run_id": done, "input_id": "in_ended", "expires_at": run["pending_input"]["expires_at"]}),
    )

    listed = {(i["run_id"], i["input_id"]) for i in _all_pages(client, limit=100)}
    assert listed == {(waiting, run["pending_input"]["input_id"])}


def test_a_timed_out_pause_leaves_the_inbox(client):
    run_id = _start(client, greeting("inbox-timeout", timeout_seconds=1), "t")
    wait_for_status(client, run_id, "awaiting_input")
    wait_for_status(client, run_id, "error", timeout=30)
    assert client.get("/v1/approvals").json()["items"] == []


def test_inbox_bad_input(client):
    assert_problem(client.get("/v1/approvals", params={"cursor": "not*ours"}), 400, "INVALID_CURSOR")
    assert_problem(client.get("/v1/approvals", params={"cursor": "e30"}), 400, "INVALID_CURSOR")
    assert_problem(client.get("/v1/approvals", params={"limit": 0}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/approvals", params={"limit": 101}), 400, "INVALID_REQUEST")


def test_inbox_while_many_answer_at_once(client):
    """8 paused runs answered at once (two answers racing for each pause) while 4 readers page
    the inbox: a reader never sees a pause twice; afterwards the inbox holds exactly each
    run's next pause, once, oldest first."""
    from concurrent.futures import ThreadPoolExecutor

    assert client.post("/v1/templates", json={"workflow": greeting("inbox-crowd")}).status_code in (200, 201)
    for trial in range(2):
        runs = [_start(client, greeting("inbox-crowd"), f"crowd {trial}-{i}") for i in range(8)]
        for run_id in runs:
            wait_for_status(client, run_id, "awaiting_input")

        def answer(run_id: str) -> int:
            return client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Ada"}).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = [pool.submit(answer, r) for r in runs for _ in range(2)]
            readers = [pool.submit(_all_pages, client, 2) for _ in range(4)]
            statuses = sorted(f.result() for f in answers)
            for seen in (f.result() for f in readers):
                keys = [i["input_id"] for i in seen]
                assert len(keys) == len(set(keys))
        assert statuses == [202] * 8 + [409] * 8
        for run_id in runs:
            wait_for_status(client, run_id, "awaiting_input")
            assert client.get(f"/v1/runs/{run_id}").json()["pending_input"]["step_id"] == "pick"
        inbox = [i for i in _all_pages(client, 3) if i["run_id"] in runs]
        assert sorted(i["run_id"] for i in inbox) == sorted(runs)
        assert {i["step_id"] for i in inbox} == {"pick"}
        assert [i["created_at"] for i in inbox] == sorted(i["created_at"] for i in inbox)
        for run_id in runs:  # finish them, so the next trial's inbox is its own
            assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "warm"}).status_code == 202
        for run_id in runs:
            wait_for_status(client, run_id, "completed")
        assert client.get("/v1/approvals").json()["items"] == []


def test_a_cancelled_runs_pause_leaves_the_inbox(client):
    keep = _start(client, greeting("inbox-cancel"), "kept")
    gone = _start(client, greeting("inbox-cancel"), "cancelled")
    for run_id in (keep, gone):
        wait_for_status(client, run_id, "awaiting_input")
    assert {i["run_id"] for i in _all_pages(client, 10)} == {keep, gone}
    cancelled = client.post(f"/v1/runs/{gone}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    wait_for_status(client, gone, "cancelled")
    assert [i["run_id"] for i in _all_pages(client, 10)] == [keep]


def test_an_artifact_in_s3_is_previewed_by_a_presigned_get(client):
    import base64

    import httpx

    blob = b"\x89binary preview \x00\x01"
    wf = workflow(
        "inbox-s3",
        step(
            "write",
            module(
                "artifact.store",
                {
                    "data": base64.b64encode(blob).decode(),
                    "artifact_name": "blob",
                    "artifact_type": "deliverable",
                    "format": "binary",
                },
                artifact_id="stored_id",
            ),
        ),
        step("review", module("user.approve", {"artifact_name": "blob"}, status="approved")),
    )
    run_id = _start(client, wf, "s3")
    paused = wait_for_status(client, run_id, "awaiting_input")
    (item,) = _all_pages(client, 10)
    assert item["artifact"]["artifact_id"] == paused["state"]["stored_id"] and item["artifact"]["format"] == "binary"
    url = item["artifact"]["preview_url"]
    assert url.startswith("http") and "Signature" in url  # presigned, not an API path
    assert httpx.get(url).content == blob  # no API key needed: the URL is the grant


def test_the_run_shows_the_artifact_its_approval_pause_asks_about(client, make_client):
    """GET /v1/runs/{id}: pending_input.artifact is what the inbox shows (the latest version
    after an edit); a text pause has none, nor has the run once answered; another user: 404."""
    run_id = _start(client, _approve_wf("run-judge"), "judge")
    paused = wait_for_status(client, run_id, "awaiting_input")
    stored = paused["state"]["stored_id"]
    shown = client.get(f"/v1/runs/{run_id}").json()["pending_input"]["artifact"]
    (item,) = [i for i in _all_pages(client, 10) if i["run_id"] == run_id]
    assert shown == item["artifact"] and shown["artifact_id"] == stored and shown["version"] == 1
    assert shown["preview_url"] == f"/v1/artifacts/{stored}/content" and shown["format"] == "json"

    edited = client.post(f"/v1/artifacts/{stored}/versions", json={"content": {"title": "Better"}})
    assert edited.status_code == 201, edited.text
    again = client.get(f"/v1/runs/{run_id}").json()["pending_input"]["artifact"]
    assert (again["artifact_id"], again["version"]) == (edited.json()["artifact_id"], 2)
    assert client.get(again["preview_url"]).json() == {"title": "Better"}
    assert client.get("/v1/runs", params={"status": "awaiting_input"}).json()["items"][0]["pending_input"]["artifact"] is None
    assert_problem(make_client().get(f"/v1/runs/{run_id}"), 404, "NOT_FOUND")

    asking = _start(client, greeting("run-judge-ask"), "ask")
    assert wait_for_status(client, asking, "awaiting_input")["pending_input"]["artifact"] is None
    approved = client.post(f"/v1/artifacts/{edited.json()['artifact_id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    done = wait_for_status(client, run_id, "completed")
    assert done["pending_input"] is None
