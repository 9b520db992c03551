"""Branches through the local cloud: re-run from any event with the state rebuilt from the
history (snapshots + module outputs), overrides, the tree, events per branch, bad input."""

from __future__ import annotations

import time

from documents import greeting, module, step, workflow
from executions import execution_arn
from polling import wait_for_status
from problems import assert_problem


def _executions(relay, run_id, **status):
    """(name, status) of the run's executions, every page."""
    pages = relay.stepfunctions.get_paginator("list_executions").paginate(
        stateMachineArn=relay.settings.run_state_machine_arn, **status
    )
    return [
        (e["name"], e["status"])
        for page in pages
        for e in page["executions"]
        if e["name"] == run_id or e["name"].startswith(run_id + "-g")
    ]


def _start(client, wf):
    response = client.post("/v1/runs", json={"workflow": wf})
    assert response.status_code == 201, response.text
    return response.json()


def _events(client, run_id, **params):
    response = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _answer(client, run_id, step_id, value):
    response = client.post(f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": value})
    assert response.status_code == 202, response.text


def _completed_greeting(client, name="branching"):
    run = _start(client, greeting(name))
    run_id = run["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    _answer(client, run_id, "ask", "Ada")
    wait_for_status(client, run_id, "awaiting_input")
    _answer(client, run_id, "pick", "warm")
    assert wait_for_status(client, run_id, "completed")["state"]["greeting"] == "Hello Ada (warm)"
    return run


def _one(events, event_type, **match):
    found = [e for e in events if e["event_type"] == event_type and all(e.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (event_type, match, found)
    return found[0]


def test_branch_a_completed_run_from_a_step_keeps_the_original(client, relay):
    run = _completed_greeting(client)
    run_id = run["run_id"]
    original = _events(client, run_id)
    fork = _one(original, "step_completed", step_id="ask")

    created = client.post(f"/v1/runs/{run_id}/branches", json={"from_event_id": fork["event_id"]})
    assert created.status_code == 201, created.text
    branch, after = created.json()["branch"], created.json()["run"]
    assert branch["branch_id"].startswith("br_") and branch["parent_branch_id"] == "main"
    assert branch["branch_point_event_id"] == fork["event_id"] and branch["branch_point_seq"] == fork["seq"]
    assert branch["first_seq"] == len(original) + 1 and branch["status"] == "active"
    assert after["branch_id"] == branch["branch_id"] and after["status"] == "running"
    assert after["state"] == {"name": "Ada"} and after["current_step"] == "pick"
    assert after["ended_at"] is None and "execution_arn" not in after
    assert execution_arn(relay, run_id).endswith(run_id + "-g2")
    assert created.headers["location"] == f"/v1/runs/{run_id}/branches/{branch['branch_id']}"
    assert client.get(created.headers["location"]).json() == branch
    assert client.get(f"/v1/runs/{run_id}/branches/main").json()["children"] == [branch["branch_id"]]

    paused = wait_for_status(client, run_id, "awaiting_input")
    assert paused["pending_input"]["step_id"] == "pick" and paused["branch_id"] == branch["branch_id"]
    _answer(client, run_id, "pick", "formal")
    done = wait_for_status(client, run_id, "completed")
    assert done["state"]["greeting"] == "Hello Ada (formal)"

    everything = _events(client, run_id)
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))
    assert everything[: len(original)] == original  # earlier events never change
    own = _events(client, run_id, branch_id=branch["branch_id"])
    assert own == everything[len(original) :]
    assert own[0]["event_type"] == "branch_created" and own[0]["data"]["state"] == {"name": "Ada"}
    assert own[0]["data"]["from_event_id"] == fork["event_id"]
    assert {e["branch_id"] for e in own} == {branch["branch_id"]}
    assert "ask" not in [e["step_id"] for e in own if e["event_type"] == "step_started"]  # not re-run
    assert _events(client, run_id, branch_id="main") == original

    tree = client.get(f"/v1/runs/{run_id}/branches").json()
    assert tree["active_branch_id"] == branch["branch_id"]
    assert [(b["branch_id"], b["parent_branch_id"], b["status"]) for b in tree["items"]] == [
        ("main", None, "inactive"),
        (branch["branch_id"], "main", "active"),
    ]
    assert tree["items"][0]["children"] == [branch["branch_id"]]


def test_state_is_rebuilt_mid_step_from_module_outputs_with_overrides(client):
    """A branch from the first module of a three-module step: the state is the previous
    step's snapshot plus that module's outputs (not the later ones), with the override on top."""
    wf = workflow(
        "rebuild-mid-step",
        step("seed", module("transform.format", {"template": "s0"}, value="seed")),
        step(
            "chain",
            module("transform.format", {"template": "a-{s}", "values": {"s": "$state.seed"}}, value="a"),
            module("transform.format", {"template": "b-{a}", "values": {"a": "$state.a"}}, value="b"),
            module("transform.format", {"template": "c-{b}", "values": {"b": "$state.b"}}, value="nested.c"),
        ),
    )
    run_id = _start(client, wf)["run_id"]
    assert wait_for_status(client, run_id, "completed")["state"] == {
        "seed": "s0",
        "a": "a-s0",
        "b": "b-a-s0",
        "nested": {"c": "c-b-a-s0"},
    }
    events = _events(client, run_id)
    first = next(e for e in events if e["event_type"] == "module_completed" and e["step_id"] == "chain")

    created = client.post(
        f"/v1/runs/{run_id}/branches", json={"from_event_id": first["event_id"], "state_overrides": {"a": "A!", "extra.k": 1}}
    )
    assert created.status_code == 201, created.text
    assert created.json()["run"]["state"] == {"seed": "s0", "a": "A!", "extra": {"k": 1}}
    done = wait_for_status(client, run_id, "completed")
    assert done["state"] == {"seed": "s0", "a": "A!", "extra": {"k": 1}, "b": "b-A!", "nested": {"c": "c-b-A!"}}
    own = _events(client, run_id, branch_id=done["branch_id"])
    ran = [(e["step_id"], e["data"]["module_index"]) for e in own if e["event_type"] == "module_completed"]
    assert ran == [("chain", 1), ("chain", 2)]

    # A branch of that branch, from its own first module: rebuilt from the branch's snapshot.
    second = own[1]
    assert second["event_type"] == "module_completed" and second["data"]["module_index"] == 1
    nested = client.post(f"/v1/runs/{run_id}/branches", json={"from_event_id": second["event_id"]})
    assert nested.status_code == 201, nested.text
    assert nested.json()["branch"]["parent_branch_id"] == done["branch_id"]
    assert nested.json()["run"]["state"] == {"seed": "s0", "a": "A!", "extra": {"k": 1}, "b": "b-A!"}
    assert wait_for_status(client, run_id, "completed")["state"]["nested"] == {"c": "c-b-A!"}
    tree = client.get(f"/v1/runs/{run_id}/branches").json()["items"]
    assert [b["parent_branch_id"] for b in tree] == [None, "main", done["branch_id"]]

    # ?lineage=true: main up to the first fork, the first branch up to the second, then its own.
    everything = _events(client, run_id)
    b1, b2 = tree[1], tree[2]
    expected = [e for e in everything if e["branch_id"] == "main" and e["seq"] <= b1["branch_point_seq"]]
    expected += [e for e in everything if e["branch_id"] == b1["branch_id"] and e["seq"] <= b2["branch_point_seq"]]
    expected += [e for e in everything if e["branch_id"] == b2["branch_id"]]
    paged, cursor = [], None
    while True:
        page = client.get(
            f"/v1/runs/{run_id}/events", params={"lineage": "true", "limit": 3, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        paged += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert paged == expected and len(expected) < len(everything)
    first = _events(client, run_id, lineage="true", branch_id=b1["branch_id"])
    assert first == [e for e in expected if e["seq"] <= b2["branch_point_seq"]] + [
        e for e in everything if e["branch_id"] == b1["branch_id"] and e["seq"] > b2["branch_point_seq"]
    ]
    assert _events(client, run_id, lineage="true", branch_id="main") == [e for e in everything if e["branch_id"] == "main"]
    plain = client.get(f"/v1/runs/{run_id}/events", params={"limit": 1}).json()["next_cursor"]
    for foreign in (plain, "e30"):  # another list's cursor, a cursor of no list ({})
        assert_problem(
            client.get(f"/v1/runs/{run_id}/events", params={"lineage": "true", "cursor": foreign}), 400, "INVALID_CURSOR"
        )
    assert [b["status"] for b in tree] == ["inactive", "inactive", "active"]


def test_branching_a_waiting_run_supersedes_its_pause(client, relay):
    run = _start(client, greeting("branch-waiting"))
    run_id = run["run_id"]
    waited_in = execution_arn(relay, run_id)
    wait_for_status(client, run_id, "awaiting_input")
    _answer(client, run_id, "ask", "Ada")
    waiting = wait_for_status(client, run_id, "awaiting_input")
    old_input = waiting["pending_input"]["input_id"]
    asked = _one(_events(client, run_id), "input_requested", step_id="ask")

    created = client.post(f"/v1/runs/{run_id}/branches", json={"from_event_id": asked["event_id"]})
    assert created.status_code == 201, created.text
    assert created.json()["run"]["state"] == {} and created.json()["run"]["current_step"] == "ask"
    assert relay.run_repository.get_pending(run_id, old_input).status == "superseded"
    deadline = time.monotonic() + 20
    while relay.stepfunctions.describe_execution(executionArn=waited_in)["status"] != "ABORTED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    again = wait_for_status(client, run_id, "awaiting_input")
    assert again["pending_input"]["step_id"] == "ask" and again["pending_input"]["input_id"] != old_input
    _answer(client, run_id, "ask", "Bo")
    wait_for_status(client, run_id, "awaiting_input")
    _answer(client, run_id, "pick", "warm")
    assert wait_for_status(client, run_id, "completed")["state"]["greeting"] == "Hello Bo (warm)"
    deadline = time.monotonic() + 20  # the run's record completes just before its execution does
    while _executions(relay, run_id, statusFilter="RUNNING"):
        assert time.monotonic() < deadline, "an execution of the run is still running"
        time.sleep(0.1)
    assert sorted(_executions(relay, run_id)) == [(run_id, "ABORTED"), (run_id + "-g2", "SUCCEEDED")]


def test_bad_branch_requests_change_nothing(client, make_client, fake_providers):
    run = _completed_greeting(client, "branch-bad")
    run_id = run["run_id"]
    before = _events(client, run_id)
    other_run = _completed_greeting(client, "branch-bad-other")
    theirs = _events(client, other_run["run_id"])[0]["event_id"]
    ended = _one(before, "run_completed")["event_id"]
    answered = _one(before, "input_answered", step_id="ask")["event_id"]
    fork = _one(before, "step_completed", step_id="ask")["event_id"]
    post = lambda body, c=client: c.post(f"/v1/runs/{run_id}/branches", json=body)  # noqa: E731

    assert_problem(post({"from_event_id": "evt_doesnotexist"}), 404, "EVENT_NOT_FOUND")
    assert_problem(post({"from_event_id": theirs}), 404, "EVENT_NOT_FOUND")
    assert_problem(post({"from_event_id": fork}, make_client()), 404, "NOT_FOUND")
    assert_problem(post({"from_event_id": ended}), 400, "INVALID_BRANCH_POINT")
    assert_problem(post({"from_event_id": answered}), 400, "INVALID_BRANCH_POINT")
    assert_problem(post({"from_event_id": fork, "state_overrides": ["x"]}), 400, "INVALID_REQUEST")
    assert_problem(post({"from_event_id": fork, "state_overrides": {"$bad key": 1}}), 400, "INVALID_STATE_OVERRIDES")
    assert_problem(post({"from_event_id": fork, "state_overrides": {"big": "x" * 70_000}}), 413, "STATE_OVERRIDES_TOO_LARGE")
    assert_problem(client.get(f"/v1/runs/{run_id}/events", params={"branch_id": "br_nosuchbranch"}), 404, "BRANCH_NOT_FOUND")
    assert_problem(client.get(f"/v1/runs/{run_id}/events", params={"branch_id": "nonsense"}), 404, "BRANCH_NOT_FOUND")
    assert_problem(make_client().get(f"/v1/runs/{run_id}/branches"), 404, "NOT_FOUND")
    assert_problem(client.get(f"/v1/runs/{run_id}/branches/br_nosuchbranch"), 404, "BRANCH_NOT_FOUND")
    assert_problem(make_client().get(f"/v1/runs/{run_id}/branches/main"), 404, "NOT_FOUND")
    assert _events(client, run_id) == before
    assert [b["branch_id"] for b in client.get(f"/v1/runs/{run_id}/branches").json()["items"]] == ["main"]
    assert client.get(f"/v1/runs/{run_id}").json()["branch_id"] == "main"

    # While a step runs (a provider call that takes 3 s): one execution per run, so 409.
    slow = _start(
        client,
        workflow(
            "branch-busy",
            step(
                "slow",
                module(
                    "api.llm",
                    {"provider": "openai", "model": "m-slow-branch", "messages": [{"role": "user", "content": "x"}]},
                    text="t",
                ),
            ),
        ),
    )
    deadline = time.monotonic() + 10
    while not fake_providers.calls_of("m-slow-branch"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first = _events(client, slow["run_id"])[0]["event_id"]
    assert_problem(client.post(f"/v1/runs/{slow['run_id']}/branches", json={"from_event_id": first}), 409, "RUN_BUSY")
    wait_for_status(client, slow["run_id"], "completed", timeout=30)
