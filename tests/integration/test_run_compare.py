"""GET /v1/runs/compare?a=&b= through the local cloud: versions, status, inputs, state (a JSON
diff by path), artifacts, LLM usage and cost, duration side by side; runs of another tenant
or unknown are 404; bad parameters 400."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from polling import wait_for_status
from problems import assert_problem


def _wf(workflow_id: str, template: str) -> dict:
    return workflow(
        workflow_id,
        step(
            "write",
            module(
                "transform.format",
                {
                    "template": template,
                    "values": {"topic": "$run.inputs.topic"},
                },
                value="text",
            ),
        ),
        step(
            "keep",
            module(
                "artifact.store",
                {
                    "data": "$state.text",
                    "artifact_name": "post",
                    "artifact_type": "deliverable",
                    "format": "text",
                },
                artifact_id="post_id",
            ),
        ),
        step(
            "llm",
            module(
                "api.llm",
                {
                    "provider": "echo",
                    "model": "echo-1",
                    "messages": [{"role": "user", "content": "$state.text"}],
                },
                text="echoed",
            ),
        ),
    )


def _run(client, template: str, inputs: dict) -> dict:
    started = client.post("/v1/runs", json={"template_name": template, "inputs": inputs, "project_name": "cmp"})
    assert started.status_code == 201, started.text
    done = wait_for_status(client, started.json()["run_id"], "completed", "error")
    assert done["status"] == "completed", done
    return done


def test_compare_marks_what_differs(client):
    assert client.post("/v1/templates", json={"workflow": _wf("cmp", "About {topic}")}).status_code in (200, 201)
    a = _run(client, "cmp", {"topic": "owls", "lang": "en"})
    b = _run(client, "cmp", {"topic": "owls", "lang": "en"})
    # Same inputs, same version: everything the same but the ids and times.
    same = client.get("/v1/runs/compare", params={"a": a["run_id"], "b": b["run_id"]})
    assert same.status_code == 200, same.text
    same = same.json()
    assert same["a"]["run_id"] == a["run_id"] and same["b"]["run_id"] == b["run_id"]
    assert same["versions"]["current"] == {"a": a["version_id"], "b": b["version_id"], "same": True}
    assert same["inputs"] == {
        "lang": {"a": "en", "b": "en", "same": True},
        "topic": {"a": "owls", "b": "owls", "same": True},
    }
    assert same["state"]["same"] is False  # the stored artifact ids differ
    assert {d["path"] for d in same["state"]["differences"]} == {"/post_id"}
    assert same["artifacts"]["post"]["same"] is True
    assert same["artifacts"]["post"]["a"]["artifact_id"] != same["artifacts"]["post"]["b"]["artifact_id"]
    assert same["llm_usage"]["calls"] == {"a": 1, "b": 1, "same": True}
    assert same["duration_seconds"]["ended"] == {"a": True, "b": True}
    assert same["duration_seconds"]["a"] >= 0 and same["duration_seconds"]["b"] >= 0

    # A new version and other inputs: marked, by key and by path.
    assert client.post("/v1/templates", json={"workflow": _wf("cmp", "All about {topic}!")}).status_code == 201
    c = _run(client, "cmp", {"topic": "bats", "extra": [1, 2]})
    diff = client.get("/v1/runs/compare", params={"a": a["run_id"], "b": c["run_id"]}).json()
    assert diff["versions"]["current"] == {"a": a["version_id"], "b": c["version_id"], "same": False}
    assert diff["versions"]["initial"]["same"] is False
    assert diff["template"] == {"a": "cmp", "b": "cmp", "same": True}
    assert diff["status"] == {"a": "completed", "b": "completed", "same": True}
    assert diff["inputs"] == {
        "extra": {"a": None, "b": [1, 2], "same": False},
        "lang": {"a": "en", "b": None, "same": False},
        "topic": {"a": "owls", "b": "bats", "same": False},
    }
    changes = {d["path"]: d for d in diff["state"]["differences"]}
    assert changes["/text"] == {"path": "/text", "change": "changed", "a": "About owls", "b": "All about bats!"}
    assert changes["/lang"] == {"path": "/lang", "change": "removed", "a": "en", "b": None}
    assert changes["/extra"] == {"path": "/extra", "change": "added", "a": None, "b": [1, 2]}
    assert changes["/topic"]["change"] == "changed" and "/echoed" in changes
    assert diff["state"]["truncated"] is False
    post = diff["artifacts"]["post"]
    assert post["same"] is False and post["a"]["sha256"] != post["b"]["sha256"]
    assert post["a"]["version"] == 1 and post["a"]["format"] == "text"
    assert set(diff["cost_usd"]) == {"a", "b", "same", "difference"}


def test_compare_a_running_run_and_itself(client):
    assert client.post("/v1/templates", json={"workflow": greeting("cmp-wait")}).status_code in (200, 201)
    run_id = client.post("/v1/runs", json={"template_name": "cmp-wait"}).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    body = client.get("/v1/runs/compare", params={"a": run_id, "b": run_id}).json()
    assert body["state"] == {"same": True, "differences": [], "truncated": False}
    assert body["duration_seconds"]["ended"] == {"a": False, "b": False}
    assert body["status"] == {"a": "awaiting_input", "b": "awaiting_input", "same": True}
    assert body["artifacts"] == {}


def test_compare_needs_two_runs_of_mine(client, make_client):
    assert client.post("/v1/templates", json={"workflow": greeting("cmp-own")}).status_code in (200, 201)
    mine = client.post("/v1/runs", json={"template_name": "cmp-own"}).json()["run_id"]
    other = make_client()
    assert other.post("/v1/templates", json={"workflow": greeting("cmp-own")}).status_code == 201
    theirs = other.post("/v1/runs", json={"template_name": "cmp-own"}).json()["run_id"]

    assert_problem(client.get("/v1/runs/compare", params={"a": mine, "b": theirs}), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/runs/compare", params={"a": theirs, "b": mine}), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/runs/compare", params={"a": mine, "b": "run_unknown"}), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/runs/compare", params={"a": mine, "b": "not-an-id"}), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/runs/compare", params={"a": mine}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs/compare"), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs/compare", params={"a": mine, "b": "x" * 65}), 400, "INVALID_REQUEST")
    # `compare` is not taken for a run id, and a run is still found by its id.
    assert client.get(f"/v1/runs/{mine}").status_code == 200
    assert_problem(client.post("/v1/runs/compare"), 405, "METHOD_NOT_ALLOWED")
