"""Keyword history and option usage through the local cloud: runs of two versions of one
template share them; user.select orders by recent usage; GET /v1/keywords and
/v1/option-usage (by template id or name, paginated, mine only); bad input; many runs
recording at once count every recording once."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from documents import module, step, workflow
from polling import wait_for_status
from problems import assert_problem

OPTIONS = ["dark", "light", "pastel"]
# Rounds of 8 runs recording at once (RELAY_HISTORY_ROUNDS=50 makes it the long run).
ROUNDS = int(os.environ.get("RELAY_HISTORY_ROUNDS", "3"))


def ideas(extra_step: bool = False) -> dict:
    """recall keywords → record the run's keywords → pick a look (ordered by usage) and record it."""
    steps = [
        step(
            "recall",
            module(
                "history.keyword_history", {"limit": 10, "categories": ["style"]}, keywords="previous", entries="previous_entries"
            ),
        ),
        step(
            "remember",
            module(
                "history.keyword_history",
                {"record": "$run.inputs.keywords", "category": "style", "source": "generated"},
                recorded="recorded",
            ),
        ),
        step(
            "pick",
            module("user.select", {"prompt": "Look?", "options": OPTIONS, "order_by": "recent_usage"}, value="look"),
            module("history.option_usage", {"record": "$state.look", "limit": 5}, recent="looks_before"),
        ),
    ]
    if extra_step:
        steps.append(
            step("sum", module("transform.format", {"template": "{look}", "values": {"look": "$state.look"}}, value="summary"))
        )
    return workflow("ideas", *steps)


def every_page(client, path, **params):
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def submit(client, wf, name="ideas"):
    response = client.post("/v1/templates", json={"workflow": wf, "template_name": name})
    assert response.status_code in (200, 201), response.text
    return response.json()


def start(client, name, **inputs):
    response = client.post("/v1/runs", json={"template_name": name, "inputs": inputs})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def pick(client, run_id, value):
    paused = wait_for_status(client, run_id, "awaiting_input", "error")
    assert paused["status"] == "awaiting_input", paused
    offered = [o["value"] for o in paused["pending_input"]["options"]]
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": value}).status_code == 202
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed", done
    return offered, paused["pending_input"]["options"], done["state"]


def test_two_versions_of_a_template_share_keywords_and_option_usage(client, make_client):
    first = submit(client, ideas())
    template_id = first["template"]["template_id"]
    run1 = start(client, "ideas", keywords=[{"keyword": "cinematic", "weight": 3}, "moody"])
    offered, options, state = pick(client, run1, "pastel")
    assert offered == OPTIONS and all("last_used" not in o for o in options)  # nothing used yet
    assert state["previous"] == [] and state["recorded"] == 2 and state["looks_before"] == []

    second = submit(client, ideas(extra_step=True))
    assert second["template"]["template_id"] == template_id
    assert second["version"]["version_id"] != first["version"]["version_id"]
    run2 = start(client, "ideas", keywords=["Cinematic", {"keyword": "neon", "weight": 2}])
    offered, options, state = pick(client, run2, "dark")
    assert state["previous"] == ["cinematic", "moody"]  # run 1's, heaviest first
    assert state["previous_entries"][0]["total_weight"] == 3 and state["previous_entries"][0]["category"] == "style"
    assert offered == ["pastel", "dark", "light"] and options[0]["uses"] == 1 and options[0]["last_used"]
    assert state["looks_before"] == ["pastel"] and state["summary"] == "dark"

    run3 = start(client, "ideas", keywords=[])
    offered, _, state = pick(client, run3, "light")
    assert offered == ["dark", "pastel", "light"]
    assert state["previous"] == ["Cinematic", "neon", "moody"]  # 4, 2, 1 (the last spelling kept)

    # GET /v1/keywords, by name or id; heaviest first, or most recent first; one category.
    for template in ("ideas", template_id):
        page = client.get("/v1/keywords", params={"template": template}).json()
        assert [(k["keyword"], k["total_weight"], k["uses"]) for k in page["items"]] == [
            ("Cinematic", 4, 2),
            ("neon", 2, 1),
            ("moody", 1, 1),
        ]
        assert page["next_cursor"] is None
    recent = client.get("/v1/keywords", params={"template": "ideas", "order": "recent"}).json()["items"]
    assert [k["keyword"] for k in recent][:1] in (["Cinematic"], ["neon"])  # run 2 recorded both at once
    assert recent[-1]["keyword"] == "moody"
    first_kw = recent[0]
    assert (
        first_kw["source"] == "generated" and first_kw["step_id"] == "remember" and first_kw["expires_at"] > first_kw["last_used"]
    )
    assert client.get("/v1/keywords", params={"template": "ideas", "category": "other"}).json() == {
        "items": [],
        "next_cursor": None,
    }

    # pages by cursor
    seen, cursor = [], None
    while True:
        params = {"template": template_id, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/keywords", params=params).json()
        seen += [k["keyword"] for k in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["Cinematic", "neon", "moody"]

    # GET /v1/option-usage: most recently used first, all select steps or one
    usage = client.get("/v1/option-usage", params={"template": "ideas"}).json()
    assert [(o["option"], o["step_id"], o["uses"]) for o in usage["items"]] == [
        ("light", "pick", 1),
        ("dark", "pick", 1),
        ("pastel", "pick", 1),
    ]
    page = client.get("/v1/option-usage", params={"template": template_id, "step_id": "pick", "limit": 2}).json()
    assert [o["option"] for o in page["items"]] == ["light", "dark"] and page["next_cursor"]
    rest = client.get(
        "/v1/option-usage", params={"template": template_id, "step_id": "pick", "limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [o["option"] for o in rest["items"]] == ["pastel"]
    assert client.get("/v1/option-usage", params={"template": "ideas", "step_id": "recall"}).json()["items"] == []

    # another tenant: the id and the name are not found; its own "ideas" has its own history
    other = make_client()
    assert_problem(other.get("/v1/keywords", params={"template": template_id}), 404, "TEMPLATE_NOT_FOUND")
    assert_problem(other.get("/v1/option-usage", params={"template": "ideas"}), 404, "TEMPLATE_NOT_FOUND")
    submit(other, ideas())
    assert other.get("/v1/keywords", params={"template": "ideas"}).json() == {"items": [], "next_cursor": None}
    run4 = start(other, "ideas", keywords=["theirs"])
    offered, _, state = pick(other, run4, "light")
    assert offered == OPTIONS and state["previous"] == []
    assert [k["keyword"] for k in client.get("/v1/keywords", params={"template": "ideas"}).json()["items"]].count("theirs") == 0
    # a cursor of my list is not another's
    assert_problem(
        other.get("/v1/keywords", params={"template": "ideas", "cursor": cursor or page["next_cursor"]}), 400, "INVALID_CURSOR"
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "INVALID_REQUEST"),
        ({"template": ""}, "INVALID_REQUEST"),
        ({"template": "has space"}, "INVALID_REQUEST"),
        ({"template": "ideas", "order": "random"}, "INVALID_REQUEST"),
        ({"template": "ideas", "category": "a/b"}, "INVALID_REQUEST"),
        ({"template": "ideas", "limit": 0}, "INVALID_REQUEST"),
        ({"template": "ideas", "cursor": "bm90LW91cnM"}, "INVALID_CURSOR"),
        ({"template": "no-such-template"}, "TEMPLATE_NOT_FOUND"),
    ],
)
def test_bad_keyword_queries_are_clear_problems(client, params, code):
    submit(client, ideas())
    assert_problem(client.get("/v1/keywords", params=params), 404 if code == "TEMPLATE_NOT_FOUND" else 400, code)


def test_bad_option_usage_queries_are_clear_problems(client):
    submit(client, ideas())
    assert_problem(client.get("/v1/option-usage", params={"template": "ideas", "step_id": "a b"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/option-usage", params={"template": "ideas", "cursor": "%%%"}), 400, "INVALID_CURSOR")
    assert_problem(client.get("/v1/option-usage"), 400, "INVALID_REQUEST")


def test_bad_module_inputs_are_refused_at_submit_and_at_run_time(client):
    bad = workflow(
        "bad-history",
        step(
            "s",
            module("history.keyword_history", {"record": [" "], "weight": 0}),
            module("history.option_usage", {"select_step": "no spaces"}),
            module("user.select", {"prompt": "p", "options": ["a"], "order_by": "sometimes"}),
        ),
    )
    body = assert_problem(client.post("/v1/templates", json={"workflow": bad}), 400, "INVALID_WORKFLOW")
    text = str(body["problems"])
    assert "history.keyword_history" in text and "history.option_usage" in text and "order_by" in text
    assert all(t["template_name"] != "bad-history" for t in client.get("/v1/templates").json()["items"])

    runtime = workflow("late-history", step("s", module("history.keyword_history", {"record": "$run.inputs.kw"})))
    submit(client, runtime, name="late-history")
    run_id = start(client, "late-history", kw=5)
    failed = wait_for_status(client, run_id, "error", "completed")
    assert failed["status"] == "error" and failed["error"]["code"] == "INVALID_MODULE_INPUT", failed
    assert client.get("/v1/keywords", params={"template": "late-history"}).json()["items"] == []


def test_many_runs_recording_at_once_count_each_recording_once(client):
    wf = workflow(
        "busy",
        step(
            "s",
            module("history.keyword_history", {"record": ["shared", "$run.inputs.own"], "weight": 2}),
            module("history.option_usage", {"record": "$run.inputs.look", "select_step": "pick"}),
        ),
    )
    submit(client, wf, name="busy")
    total = 0

    def one(round_, n):
        run_id = start(client, "busy", own=f"own-{round_}-{n}", look=OPTIONS[n % 3])
        return wait_for_status(client, run_id, "completed", "error", timeout=60)["status"]

    for round_ in range(ROUNDS):
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(functools.partial(one, round_), range(8)))
        assert statuses == ["completed"] * 8
        total += 8
        keywords = {k["keyword"]: k for k in every_page(client, "/v1/keywords", template="busy")}
        assert (keywords["shared"]["total_weight"], keywords["shared"]["uses"]) == (2 * total, total)
        assert len(keywords) == 1 + total and all(keywords[f"own-{round_}-{n}"]["total_weight"] == 2 for n in range(8))
        usage = every_page(client, "/v1/option-usage", template="busy")
        assert sum(o["uses"] for o in usage) == total and {o["option"] for o in usage} == set(OPTIONS)


class _CrashBeforeCommitOnce:
    """RunRepository whose first commit fails as a Lambda that timed out after its modules ran
    (they recorded history) but before its commit would: Step Functions then retries RunStep."""

    def __init__(self, runs):
        self._runs, self.crashed = runs, False

    def commit(self, *args, **kwargs):
        if not self.crashed:
            self.crashed = True
            from relay.exceptions import ServiceUnavailableError

            raise ServiceUnavailableError("the invocation ended before its commit")
        return self._runs.commit(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._runs, name)


def test_a_run_step_retried_after_recording_counts_nothing_twice(client, relay):
    from relay.domain import NewEvent, Run
    from relay.exceptions import ServiceUnavailableError
    from relay.ids import new_id, now_iso
    from relay.runtime.scope import AttemptFactory
    from relay.runtime.services.execution import ExecutionService

    wf = workflow(
        "retried",
        step(
            "s",
            module("history.keyword_history", {"record": ["once", {"keyword": "heavy", "weight": 5}]}),
            module("history.option_usage", {"record": ["x", "y"], "select_step": "pick"}),
        ),
    )
    submitted = submit(client, wf, name="retried")
    version_id = submitted["version"]["version_id"]
    now = now_iso()
    # A run RunStep drives here directly (no execution), so the retry is ours to make.
    run = Run(
        run_id=new_id("run"),
        user_id=client.user.user_id,
        template_id=submitted["template"]["template_id"],
        template_name="retried",
        initial_version_id=version_id,
        current_version_id=version_id,
        created_at=now,
        updated_at=now,
    )
    relay.run_repository.create(run, [NewEvent(event_type="run_created", data={})], "corr-create")
    runs = _CrashBeforeCommitOnce(relay.run_repository)
    step_function = ExecutionService(
        runs,
        relay.template_repository,
        relay.workflow_store,
        default_input_timeout_seconds=60,
        attempts=AttemptFactory(history=relay.history),
    )
    with pytest.raises(ServiceUnavailableError):
        step_function.run_step(run.run_id, None, "corr-1")
    assert step_function.run_step(run.run_id, None, "corr-2")["outcome"] == "completed"  # the retry

    keywords = client.get("/v1/keywords", params={"template": "retried"}).json()["items"]
    assert [(k["keyword"], k["total_weight"], k["uses"]) for k in keywords] == [("heavy", 5, 1), ("once", 1, 1)]
    usage = client.get("/v1/option-usage", params={"template": "retried"}).json()["items"]
    assert sorted((o["option"], o["uses"]) for o in usage) == [("x", 1), ("y", 1)]
    assert client.get(f"/v1/runs/{run.run_id}").json()["status"] == "completed"
    # a new attempt (the next rev) of the same module does count: a second run of the workflow
    run_id = start(client, "retried")
    assert wait_for_status(client, run_id, "completed", "error")["status"] == "completed"
    keywords = client.get("/v1/keywords", params={"template": "retried"}).json()["items"]
    assert [(k["keyword"], k["total_weight"], k["uses"]) for k in keywords] == [("heavy", 10, 2), ("once", 2, 2)]


def _documented_example() -> dict:
    """The workflow docs/api/history.md shows, as it is written there."""
    import json
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api" / "history.md").read_text()
    section = text[text.index("A workflow that avoids last runs' keywords") :]
    block = section[section.index("```json") + len("```json") : section.index("```\n", section.index("```json") + 7)]
    return json.loads(block)


def test_the_documented_example_runs_and_its_second_run_offers_the_last_pick_first(client):
    wf = _documented_example()
    wf["workflow_id"] = "readme-ideas"
    submit(client, wf, name="readme-ideas")
    offered_each = []
    for look in ("pastel", "dark"):
        run_id = start(client, "readme-ideas", prompt="a quiet harbour at dawn")
        paused = wait_for_status(client, run_id, "awaiting_input", "error")
        assert paused["status"] == "awaiting_input", paused
        offered_each.append([o["value"] for o in paused["pending_input"]["options"]])
        assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": look}).status_code == 202
        done = wait_for_status(client, run_id, "completed", "error")
        assert done["status"] == "completed", done
        assert isinstance(done["state"]["avoid"], list) and isinstance(done["state"]["draft"]["keywords"], list)
    assert offered_each == [["dark", "light", "pastel"], ["pastel", "dark", "light"]]
    usage = client.get("/v1/option-usage", params={"template": "readme-ideas"}).json()["items"]
    assert [o["option"] for o in usage] == ["dark", "pastel"]
