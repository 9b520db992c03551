"""GET /v1/runs?q=&status=&template=&since=&until= through the local cloud: runs found by the
words of their project name, template name, inputs, workflow prompts and text answers (an
index written with the run and the answer; Query and BatchGetItem, never Scan), several words
together, newest first, paginated, filtered with and without q; other tenants never see mine;
bad input is a 400."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from documents import module, step, workflow
from polling import wait_for_status
from problems import assert_problem


def _scene_wf(workflow_id: str) -> dict:
    return workflow(
        workflow_id,
        step("ask", module("user.text_input", {"prompt": "Describe the NEON skyline", "max_length": 200}, value="scene")),
        step(
            "draft",
            module(
                "api.llm",
                {
                    "provider": "echo",
                    "model": "echo-1",
                    "messages": [{"role": "user", "content": [{"type": "text", "text": "Write a haiku about lanterns"}]}],
                },
                text="haiku",
            ),
        ),
    )


def _quick_wf(workflow_id: str) -> dict:
    return workflow(workflow_id, step("s", module("transform.format", {"template": "done"}, value="v")))


def _start(client, template: str, project: str | None = None, inputs: dict | None = None) -> str:
    body = {"template_name": template, "inputs": inputs or {}}
    if project is not None:
        body["project_name"] = project
    started = client.post("/v1/runs", json=body)
    assert started.status_code == 201, started.text
    time.sleep(0.002)  # distinct created_at
    return started.json()["run_id"]


def _ids(client, **params) -> list[str]:
    response = client.get("/v1/runs", params=params)
    assert response.status_code == 200, response.text
    return [r["run_id"] for r in response.json()["items"]]


def _all(client, **params) -> list[str]:
    ids, cursor = [], None
    for _ in range(100):
        page = client.get("/v1/runs", params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= params.get("limit", 20)
        ids += [r["run_id"] for r in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pages never ended")


def test_words_of_project_inputs_prompts_and_answers_find_my_runs(client, make_client, cloud):
    for wf in (_scene_wf("scenes"), _quick_wf("quick")):
        assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    city = _start(client, "quick", "Cyberpunk City", {"style": "Foggy morning", "n": 3, "nested": {"tags": ["rust"]}})
    harbor = _start(client, "quick", "Harbor", {"style": "foggy evening"})
    scene = _start(client, "scenes", "Night walk")
    wait_for_status(client, scene, "awaiting_input")
    answered = client.post(f"/v1/runs/{scene}/input", json={"step_id": "ask", "value": "Rainy alley, glowing signs"})
    assert answered.status_code == 202, answered.text
    wait_for_status(client, scene, "completed", "error")
    for run_id in (city, harbor):
        wait_for_status(client, run_id, "completed")
    # A prompt made from state: its words are not the workflow's prompts (a transform's template is not).
    asking = workflow(
        "asking",
        step("make", module("transform.format", {"template": "Describe the lighthouse"}, value="question")),
        step("ask", module("user.text_input", {"prompt": "$state.question"}, value="a")),
    )
    assert client.post("/v1/templates", json={"workflow": asking}).status_code in (200, 201)
    prompted = _start(client, "asking")
    wait_for_status(client, prompted, "awaiting_input")
    assert _ids(client, q="lighthouse") == []
    assert client.post(f"/v1/runs/{prompted}/input", json={"step_id": "ask", "value": "tall"}).status_code == 202

    meter = cloud.meter.snapshot()
    assert _ids(client, q="cyberpunk") == [city]
    assert _ids(client, q="FOGGY") == [harbor, city]  # newest first, case-insensitive
    assert _ids(client, q="foggy morning") == [city]  # every word
    assert _ids(client, q="morning harbor") == []
    assert _ids(client, q="rust") == [city]  # nested input strings
    assert _ids(client, q="neon") == [scene]  # a pause's prompt in the workflow
    assert _ids(client, q="lanterns haiku") == [scene]  # api.llm message text
    assert _ids(client, q="alley") == [scene]  # a text answer
    assert _ids(client, q="scenes walk") == [scene]  # template and project names
    assert _ids(client, q="zeppelin") == []
    assert _ids(client, q="lighthouse") == [prompted]  # a prompt resolved from state, once answered
    after = cloud.meter.snapshot()
    assert after["dynamodb:Scan"] == meter["dynamodb:Scan"]
    assert after["dynamodb:Query"] > meter["dynamodb:Query"]

    results = client.get("/v1/runs", params={"q": "cyberpunk"}).json()["items"]
    assert results[0]["project_name"] == "Cyberpunk City" and results[0]["template_name"] == "quick"
    assert "inputs" not in results[0] and "state" not in results[0]
    listed = {r["run_id"]: r for r in client.get("/v1/runs", params={"limit": 100}).json()["items"]}
    assert results[0] == listed[city]  # found by words, a run looks as it does in the list

    # Another tenant with the same words finds only its own.
    other = make_client()
    assert other.post("/v1/templates", json={"workflow": _quick_wf("quick")}).status_code == 201
    theirs = _start(other, "quick", "Cyberpunk City")
    assert _ids(other, q="cyberpunk") == [theirs]
    assert _ids(client, q="cyberpunk") == [city]
    assert _ids(other, q="foggy") == [] and _ids(other, q="alley") == []


def test_search_pages_and_filters_with_and_without_q(client):
    for wf in (_quick_wf("alpha"), _quick_wf("beta"), _scene_wf("gamma")):
        assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    begin = datetime.now(UTC) - timedelta(seconds=1)
    alphas = [_start(client, "alpha", f"batch {i}") for i in range(5)]
    middle = datetime.now(UTC)
    time.sleep(0.01)
    betas = [_start(client, "beta", f"batch {i}") for i in range(3)]
    waiting = _start(client, "gamma", "batch waiting")
    for run_id in alphas + betas:
        wait_for_status(client, run_id, "completed")
    wait_for_status(client, waiting, "awaiting_input")
    newest_first = list(reversed(alphas + betas + [waiting]))

    # Pages of 2: every run once, in order, with and without words.
    assert _all(client, q="batch", limit=2) == newest_first
    assert _all(client, limit=2) == newest_first
    assert _all(client, q="batch", template="alpha", limit=2) == list(reversed(alphas))
    assert _all(client, template="beta", limit=2) == list(reversed(betas))
    assert _all(client, template="nope", limit=2) == []

    # Status, with and without words (the index knows no status: the run is read).
    assert _all(client, q="batch", status="awaiting_input", limit=2) == [waiting]
    assert _all(client, status="awaiting_input", template="gamma") == [waiting]
    assert _all(client, q="batch", status="completed", template="beta", limit=1) == list(reversed(betas))

    # Dates: since/until bound creation, inclusive, with and without words.
    iso = lambda d: d.isoformat().replace("+00:00", "Z")  # noqa: E731
    assert _all(client, q="batch", since=iso(middle), limit=2) == list(reversed([*betas, waiting]))
    assert _all(client, since=iso(middle), limit=3) == list(reversed([*betas, waiting]))
    assert _all(client, q="batch", until=iso(middle), limit=2) == list(reversed(alphas))
    assert _all(client, until=iso(middle), since=iso(begin), template="alpha") == list(reversed(alphas))
    assert _all(client, q="batch", since=iso(datetime.now(UTC) + timedelta(days=1))) == []
    created = client.get(f"/v1/runs/{alphas[2]}").json()["created_at"]
    assert _all(client, q="batch", since=created, until=created) == [alphas[2]]
    assert _all(client, since=created, until=created) == [alphas[2]]


def test_bad_searches_are_400s(client, make_client):
    assert client.post("/v1/templates", json={"workflow": _quick_wf("bad")}).status_code in (200, 201)
    for i in range(3):
        _start(client, "bad", f"word{i} shared")
    assert_problem(client.get("/v1/runs", params={"q": "a !"}), 400, "INVALID_SEARCH")
    assert_problem(client.get("/v1/runs", params={"q": " ".join(f"w{i}" for i in range(9))}), 400, "INVALID_SEARCH")
    assert_problem(
        client.get("/v1/runs", params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}),
        400,
        "INVALID_SEARCH",
    )
    assert_problem(client.get("/v1/runs", params={"q": ""}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"q": "x" * 257}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"template": "-bad"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"since": "yesterday"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"until": "0.5"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"since": "2026-01-01"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"since": "2026-02-30T00:00:00Z"}), 400, "INVALID_SEARCH")
    assert_problem(client.get("/v1/runs", params={"status": "sleeping"}), 400, "INVALID_REQUEST")

    # A cursor belongs to its list: another word's, another user's, or outside the dates is refused.
    page = client.get("/v1/runs", params={"q": "shared", "limit": 1}).json()
    assert page["next_cursor"]
    assert_problem(client.get("/v1/runs", params={"q": "word1", "cursor": page["next_cursor"]}), 400, "INVALID_CURSOR")
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert_problem(
        client.get("/v1/runs", params={"q": "shared", "since": later, "cursor": page["next_cursor"]}), 400, "INVALID_CURSOR"
    )
    assert_problem(make_client().get("/v1/runs", params={"q": "shared", "cursor": page["next_cursor"]}), 400, "INVALID_CURSOR")
    listing = client.get("/v1/runs", params={"template": "bad", "limit": 1}).json()["next_cursor"]
    assert_problem(client.get("/v1/runs", params={"q": "shared", "cursor": listing}), 400, "INVALID_CURSOR")
    assert_problem(client.get("/v1/runs", params={"q": "shared", "cursor": "e30"}), 400, "INVALID_CURSOR")
    # Far-off dates are bounds, not errors.
    assert _ids(client, since="0001-01-01T00:00:00+05:00", q="shared") != []
    assert _ids(client, until="9999-12-31T23:59:59-05:00", q="shared") != []


def test_concurrent_starts_and_likes_are_each_indexed_once(client):
    """12 clients start runs at once while others search; then 10 clients re-run one of them
    with the same Idempotency-Key at once: every run is found exactly once, in order, and the
    re-run is one run."""
    from concurrent.futures import ThreadPoolExecutor

    assert client.post("/v1/templates", json={"workflow": _quick_wf("crowd")}).status_code in (200, 201)

    def start(i: int) -> str:
        response = client.post("/v1/runs", json={"template_name": "crowd", "project_name": f"crowd member{i}"})
        assert response.status_code == 201, response.text
        return response.json()["run_id"]

    def search(_: int) -> list[str]:
        return _all(client, q="crowd", limit=3)

    for trial in range(3):
        with ThreadPoolExecutor(max_workers=16) as pool:
            starts = [pool.submit(start, i) for i in range(12)]
            searches = [pool.submit(search, i) for i in range(4)]
            started = {f.result() for f in starts}
            for seen in (f.result() for f in searches):
                assert len(seen) == len(set(seen))  # never the same run twice in one listing
        found = _all(client, q="crowd", limit=5)
        assert len(found) == len(set(found)) == 12 * (trial + 1)
        assert started <= set(found)
        assert len(_all(client, q="crowd member7")) == trial + 1  # one "member7" a trial
        created = [client.get(f"/v1/runs/{r}").json()["created_at"] for r in found]
        assert created == sorted(created, reverse=True)

    source = next(iter(started))

    def like(_: int) -> tuple[int, str]:
        response = client.post(
            "/v1/runs", json={"like_run_id": source, "project_name": "crowd again"}, headers={"Idempotency-Key": "crowd-like"}
        )
        return response.status_code, response.json().get("run_id", response.text)

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(like, range(10)))
    winners = {run_id for status, run_id in outcomes if status == 201}
    assert len(winners) == 1, outcomes
    assert all(status in (201, 409) for status, _ in outcomes), outcomes  # 409: IDEMPOTENCY_IN_PROGRESS
    assert _ids(client, q="again", limit=100) == list(winners)


def test_the_rarest_word_is_read_and_its_cursor_keeps_the_pages_on_it(client, cloud):
    assert client.post("/v1/templates", json={"workflow": _quick_wf("rarity")}).status_code in (200, 201)
    plenty = [_start(client, "rarity", f"plenty {i}") for i in range(30)]
    rare = [_start(client, "rarity", f"plenty unusual {i}") for i in range(2)]
    for run_id in plenty + rare:  # nothing else queries while the search's calls are counted
        wait_for_status(client, run_id, "completed")
    pages = []
    cursor = None
    meter = cloud.meter.snapshot()
    for _ in range(5):
        params = {"q": "plenty unusual", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/runs", params=params).json()
        pages += [r["run_id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    after = cloud.meter.snapshot()
    assert pages == list(reversed(rare))
    # Page 1 counts both words (2 Queries) and reads `unusual`'s 2 items; page 2 reads on.
    assert after["dynamodb:Query"] - meter["dynamodb:Query"] <= 4
    first = client.get("/v1/runs", params={"q": "plenty unusual", "limit": 1}).json()["next_cursor"]
    assert [r["run_id"] for r in client.get("/v1/runs", params={"q": "unusual", "cursor": first}).json()["items"]] == [rare[0]]
    assert_problem(client.get("/v1/runs", params={"q": "plenty", "cursor": first}), 400, "INVALID_CURSOR")
    assert len(_all(client, q="plenty", limit=7)) == len(plenty) + len(rare)
