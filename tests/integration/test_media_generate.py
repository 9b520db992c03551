"""media.generate through the local cloud against the fake ComfyUI: the run waits in Step
Functions (the WaitForJob state, no Lambda waiting) and RunStep polls once per wait; the job
is recorded (module_waiting events, the job in the outputs), outputs land as artifacts with
their node ids, and a long wait crosses a continue-as-new. node_errors, an execution error,
the deadline and another user's input image each end the run clearly."""

from __future__ import annotations

import httpx

from documents import module, step, workflow
from executions import execution_arn
from fake_comfyui import PNG_HEAD, graph
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status


def generate(nodes, images=None, **extra):
    inputs = {"workflow": nodes, "poll_seconds": 1, **extra}
    if images is not None:
        inputs["images"] = images
    return module("media.generate", inputs, artifact_id="image", files="files", job="job", prompt_id="prompt_id")


def _ready_media(client):
    created = create(client, PNG)
    assert upload(created, PNG).status_code == 204
    return wait_for_media(client, created["media_id"], "ready")["media_id"]


def _start(client, wf, **body):
    response = client.post("/v1/runs", json={"workflow": wf, **body})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def _events(client, run_id):
    items, cursor = [], None
    while True:
        page = client.get(f"/v1/runs/{run_id}/events", params={"cursor": cursor} if cursor else {}).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def test_a_generation_waits_in_step_functions_and_lands_as_artifacts(client, fake_comfyui, relay):
    picture = _ready_media(client)
    wf = workflow(
        "generate-ok",
        step("make", generate(graph(polls=4), images=[{"image": "$state.picture", "node_id": "10"}], timeout_seconds=120)),
        step("after", module("artifact.load", {"artifact_id": "$state.image"}, content_type="loaded_type")),
    )
    run_id = _start(client, wf, inputs={"picture": picture, "prompt": "a lighthouse at dusk"})
    run = wait_for_status(client, run_id, "completed", "error", timeout=60)
    assert run["status"] == "completed", run.get("error")
    state = run["state"]
    prompt_id = state["prompt_id"]

    # ComfyUI got the uploaded input in the LoadImage node and the state's text; queued once.
    queued = fake_comfyui.prompts[prompt_id]
    assert fake_comfyui.queued[prompt_id] == 1
    assert fake_comfyui.uploads[queued["graph"]["10"]["inputs"]["image"]] == PNG
    assert queued["graph"]["6"]["inputs"]["text"] == "a lighthouse at dusk" and queued["client_id"] == f"relay-{run_id}"

    # The job, recorded on our side: queued → running in module_waiting events, completed in the outputs.
    waiting = [e for e in _events(client, run_id) if e["event_type"] == "module_waiting"]
    assert [e["data"]["job"]["status"] for e in waiting] == ["queued", "running"]
    assert {e["data"]["job"]["prompt_id"] for e in waiting} == {prompt_id}
    assert waiting[0]["data"]["job"]["server"] == fake_comfyui.url
    job = state["job"]
    assert job["status"] == "completed" and job["prompt_id"] == prompt_id and job["seconds"] > 0
    assert job["queued_at"] <= job["started_at"] <= job["completed_at"]

    # The output, as a binary deliverable artifact named by its node.
    [file] = state["files"]
    assert file["node_id"] == "9" and file["kind"] == "images" and state["image"] == file["artifact_id"]
    artifact = client.get(f"/v1/artifacts/{state['image']}").json()
    assert artifact["artifact_name"] == "generated.9.1" and artifact["content_type"] == "image/png"
    assert artifact["artifact_type"] == "deliverable" and artifact["status"] == "pending"
    content = httpx.get(client.get(f"/v1/artifacts/{state['image']}/content").headers["location"], timeout=10).content
    assert content.startswith(PNG_HEAD) and b"a lighthouse at dusk" in content and len(content) == file["size_bytes"]
    assert state["loaded_type"] == "image/png"
    # The run's latest image deliverable is the generated one (seed 002's /media/image/<run_id>).
    latest = client.get(f"/v1/runs/{run_id}/media/image")
    assert latest.status_code == 307 and httpx.get(latest.headers["location"], timeout=10).content == content

    # The run waited in Step Functions' Wait state, not in a Lambda, and (4 RunSteps per
    # execution in these tests) went on in a new execution while it waited.
    assert execution_arn(relay, run_id).endswith(f"{run_id}-g2")
    history = relay.stepfunctions.get_execution_history(
        executionArn=execution_arn(relay, run_id).replace("-g2", ""), maxResults=1000
    )
    entered = [e["stateEnteredEventDetails"]["name"] for e in history["events"] if "stateEnteredEventDetails" in e]
    assert entered.count("WaitForJob") == 3 and entered.count("RunStep") == 4


def test_node_errors_end_the_run_clearly_and_queue_nothing(client, fake_comfyui):
    before = len(fake_comfyui.prompts)
    nodes = {
        "6": {"class_type": "CLIPTextEncode", "inputs": {}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
    }
    wf = workflow("generate-invalid", step("make", generate(nodes)))  # CLIPTextEncode without its text
    run = wait_for_status(client, _start(client, wf, inputs={"prompt": "x"}), "completed", "error", timeout=30)
    assert run["status"] == "error" and run["error"]["code"] == "COMFYUI_NODE_ERRORS"
    assert "node 6 (CLIPTextEncode): Required input is missing (text)" in run["error"]["message"]
    assert len(fake_comfyui.prompts) == before


def test_an_execution_error_ends_the_run_with_comfyuis_message(client, fake_comfyui):
    picture = _ready_media(client)
    wf = workflow(
        "generate-fails",
        step("make", generate(graph(fail="CUDA out of memory"), images=[{"image": "$state.picture", "node_id": "10"}])),
    )
    run = wait_for_status(
        client, _start(client, wf, inputs={"picture": picture, "prompt": "x"}), "completed", "error", timeout=30
    )
    assert run["status"] == "error" and run["error"]["code"] == "MEDIA_GENERATION_FAILED"
    assert "node 3 (KSampler): CUDA out of memory" in run["error"]["message"]


def test_a_job_past_its_deadline_is_dropped_and_the_run_ends(client, fake_comfyui):
    picture = _ready_media(client)
    wf = workflow(
        "generate-slow",
        step("make", generate(graph(never=True), images=[{"image": "$state.picture", "node_id": "10"}], timeout_seconds=2)),
    )
    run_id = _start(client, wf, inputs={"picture": picture, "prompt": "x"})
    run = wait_for_status(client, run_id, "completed", "error", timeout=30)
    assert run["status"] == "error" and run["error"]["code"] == "MEDIA_GENERATION_TIMEOUT"
    prompt_id = next(e for e in _events(client, run_id) if e["event_type"] == "module_waiting")["data"]["job"]["prompt_id"]
    assert prompt_id in fake_comfyui.deleted


def test_another_users_media_is_not_an_input_and_nothing_is_queued(client, make_client, fake_comfyui):
    theirs = _ready_media(make_client())
    before = len(fake_comfyui.prompts)
    wf = workflow("generate-tenancy", step("make", generate(graph(), images=[{"image": theirs, "node_id": "10"}])))
    run = wait_for_status(client, _start(client, wf, inputs={"prompt": "x"}), "completed", "error", timeout=30)
    assert run["status"] == "error" and run["error"]["code"] == "INVALID_MEDIA_REF" and theirs in run["error"]["message"]
    assert len(fake_comfyui.prompts) == before


def test_a_graph_that_names_a_missing_node_is_refused_at_submit(client):
    wf = workflow("generate-bad", step("make", generate(graph(), images=[{"image": "media_abc", "node_id": "404"}])))
    response = client.post("/v1/runs", json={"workflow": wf})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_WORKFLOW"
    assert "the workflow has no node '404'" in response.text


def test_many_generations_at_once_each_get_their_own_job_and_output(make_client, fake_comfyui):
    """8 users start a generation each at the same moment, twice over: every run completes with
    its own prompt (queued once), and its artifact holds its own prompt text."""
    import functools
    from concurrent.futures import ThreadPoolExecutor

    clients = [make_client() for _ in range(8)]

    def start(round_, i):
        text = f"picture {round_}-{i}"
        wf = workflow(f"generate-many-{i}", step("make", generate({k: v for k, v in graph(polls=1).items() if k != "10"})))
        return clients[i], _start(clients[i], wf, inputs={"prompt": text}), text

    for round_ in range(2):
        with ThreadPoolExecutor(max_workers=8) as pool:
            started = list(pool.map(functools.partial(start, round_), range(8)))
        prompt_ids = set()
        for client, run_id, text in started:
            run = wait_for_status(client, run_id, "completed", "error", timeout=60)
            assert run["status"] == "completed", run.get("error")
            prompt_id = run["state"]["prompt_id"]
            prompt_ids.add(prompt_id)
            assert fake_comfyui.queued[prompt_id] == 1
            content = httpx.get(
                client.get(f"/v1/artifacts/{run['state']['image']}/content").headers["location"], timeout=10
            ).content
            assert f'"{text}"'.encode() in content
        assert len(prompt_ids) == 8


def test_a_comfyui_that_stays_down_ends_the_run_with_provider_error_and_drops_the_job(client, fake_comfyui, relay):
    """/history answers 500: RunStep leaves as ProviderUnavailableError, the state machine's
    Retry runs it again with backoff, then RecordFailure ends the run; the job is given up (a
    retry of the run would queue afresh)."""
    wf = workflow("generate-down", step("make", generate({k: v for k, v in graph(history_status=500).items() if k != "10"})))
    run_id = _start(client, wf, inputs={"prompt": "x"})
    run = wait_for_status(client, run_id, "completed", "error", timeout=90)
    assert run["status"] == "error" and run["error"]["code"] == "PROVIDER_ERROR"
    assert "comfyui: 500" in run["error"]["message"]
    assert relay.run_repository.get(run_id).cursor.job is None
    prompt_id = next(e for e in _events(client, run_id) if e["event_type"] == "module_waiting")["data"]["job"]["prompt_id"]
    assert fake_comfyui.prompts[prompt_id]["seen"] >= 2  # polled again after the first 500


def test_relay_local_passes_its_comfyui_url_to_runstep(fake_comfyui):
    """RELAY_COMFYUI_URL in relay local's environment becomes the ComfyUIUrl parameter RunStep
    sees, and the banner names it: a generation through `relay local` reaches the fake ComfyUI."""
    import time

    from test_cli import _start_local, _stop

    key = "rk_local_comfy_key_0123456789"
    process, port = _start_local({"RELAY_DEV_API_KEY": key, "RELAY_COMFYUI_URL": fake_comfyui.url})
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        wf = workflow("local-generate", step("make", generate({k: v for k, v in graph().items() if k != "10"})))
        run_id = client.post("/v1/runs", json={"workflow": wf, "inputs": {"prompt": "from relay local"}}).json()["run_id"]
        deadline = time.monotonic() + 30
        while (run := client.get(f"/v1/runs/{run_id}").json())["status"] not in ("completed", "error"):
            assert time.monotonic() < deadline, run
            time.sleep(0.1)
        assert run["status"] == "completed", run["error"]
        assert fake_comfyui.prompts[run["state"]["prompt_id"]]["graph"]["6"]["inputs"]["text"] == "from relay local"
    finally:
        output = _stop(process)
    assert f"ComfyUI        {fake_comfyui.url}" in output


def test_a_poll_that_finds_nothing_new_writes_nothing(client, cloud):
    """Two generations differing only in how often the job is found still running (2 polls
    against 6): four more RunStep invocations and no more DynamoDB writes than the one the
    longer wait's continue-as-new hand-over makes (ContinueAsNewAfter is 4 in these tests: the
    new execution records itself on the run)."""
    writes = (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:TransactWriteItems",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
    )
    measured = {}
    for polls in (2, 6):
        wf = workflow(
            f"generate-quiet-{polls}", step("make", generate({k: v for k, v in graph(polls=polls).items() if k != "10"}))
        )
        before = cloud.meter.snapshot()
        run = wait_for_status(client, _start(client, wf, inputs={"prompt": "x"}), "completed", "error", timeout=60)
        after = cloud.meter.snapshot()
        assert run["status"] == "completed", run.get("error")
        measured[polls] = (
            {op: after[op] - before[op] for op in writes},
            after["lambda:Invoke"] - before["lambda:Invoke"],
            after["states:StartExecution"] - before["states:StartExecution"],
        )
    (short, short_invokes, short_starts), (long, long_invokes, long_starts) = measured[2], measured[6]
    assert long_invokes == short_invokes + 4, measured  # four more polls, each one RunStep
    assert long_starts == short_starts + 1, measured  # one hand-over to the run's next execution
    assert long == {**short, "dynamodb:TransactWriteItems": short["dynamodb:TransactWriteItems"] + 1}, measured
