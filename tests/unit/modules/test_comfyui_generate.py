"""media.generate through advance(): the first invocation uploads and queues and returns
`waiting` with the job on the cursor; later ones poll once each (no events while nothing
changes), then download the outputs into artifacts. A retried attempt does not queue twice;
node_errors, an execution error, the deadline, a lost job and an unreachable server each end
clearly. ctx.media is the real RunMedia, its ComfyUI the fake server on loopback."""

from __future__ import annotations

import base64
import hashlib
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest

from builders import compile_workflow, document, step
from fake_comfyui import PNG_HEAD, TEST_NODE_ALLOW_LIST, FakeComfyUI, graph
from relay.domain import Cursor, RunStatus
from relay.domain.comfyui_nodes import ModulePolicy, parse_node_allow_list
from relay.domain.media import Media, MediaStatus
from relay.ids import iso, utcnow
from relay.runtime.engine import advance
from relay.runtime.modules.capabilities import Capabilities
from relay.runtime.providers import ProviderUnavailableError
from relay.runtime.scope import attempt_id
from relay.runtime.services.run_media import RunMediaFactory
from relay.workflows import validate_workflow

INPUT_PNG = PNG_HEAD + b"the input picture"
TEST_POLICY = ModulePolicy(comfyui_node_classes=parse_node_allow_list(TEST_NODE_ALLOW_LIST))  # + the fake's control node


@pytest.fixture(scope="module")
def comfy():
    server = FakeComfyUI().start()
    yield server
    server.stop()


@dataclass
class FakeArtifacts:
    stored: list = field(default_factory=list)

    def store(self, *, step_id, name, artifact_type, fmt, data, content_type):
        body = base64.b64decode(data)
        art = SimpleNamespace(
            artifact_id=f"art_{len(self.stored) + 1}",
            content_type=content_type,
            size_bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            name=name,
            artifact_type=artifact_type,
            body=body,
        )
        self.stored.append(art)
        return art


class FakeMediaRepo:
    def __init__(self, *media):
        self.items = {m.media_id: m for m in media}

    def get(self, media_id):
        return self.items.get(media_id)


class FakeStorage:
    def read(self, key):
        return INPUT_PNG


def media_record(media_id="media_in1", user_id="usr_1", content_type="image/png"):
    now = iso(utcnow())
    return Media(
        media_id=media_id,
        user_id=user_id,
        filename="in.png",
        content_type=content_type,
        declared_size=len(INPUT_PNG),
        size_bytes=len(INPUT_PNG),
        status=MediaStatus.ready,
        key=f"uploads/{user_id}/{media_id}/in.png",
        retention="1d",
        created_at=now,
        updated_at=now,
    )


def workflow(timeout_seconds=600, **control):
    module = {
        "module_id": "media.generate",
        "inputs": {
            "workflow": graph(**control),
            "images": [{"image": "$state.picture", "node_id": "10"}],
            "poll_seconds": 2,
            "timeout_seconds": timeout_seconds,
        },
        "outputs_to_state": {"artifact_id": "image", "files": "files", "job": "job"},
    }
    return validate_workflow(document(step("make", module)), policy=TEST_POLICY)


class Runner:
    def __init__(self, comfy_url, rev=3):
        self.run = SimpleNamespace(run_id="run_gen", user_id="usr_1", rev=rev)
        self.factory = RunMediaFactory(
            media=FakeMediaRepo(media_record()),
            storage=FakeStorage(),
            comfyui_url=comfy_url,
            fetcher=None,
            max_ingest_bytes=1 << 20,
            node_classes=TEST_POLICY.comfyui_node_classes,
        )
        self.artifacts = FakeArtifacts()
        self.state = {"prompt": "a lighthouse at dusk", "picture": {"media_id": "media_in1"}}
        self.cursor = Cursor()

    def advance(self, wf, commit=True):
        result = advance(
            wf,
            run_id=self.run.run_id,
            project_name=None,
            inputs={},
            state=self.state,
            cursor=self.cursor,
            pending=None,
            answer=None,
            default_timeout_seconds=60,
            capabilities=Capabilities(
                artifacts=self.artifacts, media=self.factory.for_run(self.run, attempt_id(self.run), self.artifacts)
            ),
        )
        if commit and result.events:  # as RunStep: nothing to commit, nothing changes
            self.state, self.cursor = result.state, result.cursor
            self.run.rev += 1
        return result


def test_queue_wait_poll_until_done_then_outputs_as_artifacts(comfy):
    runner = Runner(comfy.url)
    wf = workflow(polls=2)
    first = runner.advance(wf)
    assert first.outcome == "waiting" and first.status is RunStatus.running and first.wait_seconds == 2
    job = first.cursor.job
    assert job["prompt_id"] and job["status"] == "queued" and job["server"] == comfy.url and job["backend"] == "comfyui"
    assert [e.event_type for e in first.events] == ["step_started", "module_waiting"]
    assert first.events[-1].data["job"] == job and first.events[-1].data["module_id"] == "media.generate"
    # The input image was uploaded and named in the LoadImage node; the state's prompt text reached the graph.
    queued = comfy.prompts[job["prompt_id"]]["graph"]
    assert comfy.uploads[queued["10"]["inputs"]["image"]] == INPUT_PNG
    assert queued["6"]["inputs"]["text"] == "a lighthouse at dusk"
    assert job["uploaded"] == [queued["10"]["inputs"]["image"]]

    second = runner.advance(wf)  # history {} and the queue says pending: nothing changed, nothing to commit
    assert second.outcome == "waiting" and second.events == [] and second.cursor.job == job
    third = runner.advance(wf)  # now running: the job changes, an event records it
    assert third.outcome == "waiting" and [e.event_type for e in third.events] == ["module_waiting"]
    assert third.cursor.job["status"] == "running" and "started_at" in third.cursor.job

    done = runner.advance(wf)
    assert done.outcome == "completed" and done.cursor.job is None
    [art] = runner.artifacts.stored
    assert art.name == "generated.9.1" and art.content_type == "image/png" and art.artifact_type == "deliverable"
    assert art.body.startswith(PNG_HEAD) and b"a lighthouse at dusk" in art.body
    assert done.state["image"] == art.artifact_id
    assert done.state["files"] == [
        {
            "artifact_id": art.artifact_id,
            "content_type": "image/png",
            "size_bytes": len(art.body),
            "sha256": art.sha256,
            "node_id": "9",
            "filename": done.state["files"][0]["filename"],
            "subfolder": "",
            "type": "output",
            "kind": "images",
        }
    ]
    assert done.state["job"]["status"] == "completed" and done.state["job"]["seconds"] >= 0
    assert comfy.queued[job["prompt_id"]] == 1


def test_a_retried_attempt_does_not_queue_the_job_twice(comfy):
    runner = Runner(comfy.url, rev=11)
    wf = workflow(polls=5)
    lost_commit = runner.advance(wf, commit=False)  # the RunStep died before its commit
    again = runner.advance(wf)  # Step Functions retries it: same rev, same prompt id
    assert lost_commit.cursor.job["prompt_id"] == again.cursor.job["prompt_id"]
    assert comfy.queued[again.cursor.job["prompt_id"]] == 1
    other = Runner(comfy.url, rev=12).advance(wf)  # another attempt (a later rev) is another job
    assert other.cursor.job["prompt_id"] != again.cursor.job["prompt_id"]


def test_node_errors_fail_the_module_clearly(comfy):
    runner = Runner(comfy.url, rev=20)
    wf = compile_workflow(
        step(
            "make",
            {
                "module_id": "media.generate",
                "inputs": {
                    "workflow": {
                        "6": {"class_type": "CLIPTextEncode", "inputs": {}},
                        "9": {"class_type": "SaveImage", "inputs": {"images": []}},
                    }
                },
                "outputs_to_state": {},
            },
        )
    )
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "COMFYUI_NODE_ERRORS"
    assert "node 6 (CLIPTextEncode): Required input is missing (text)" in result.error.message
    assert result.cursor.job is None


def test_an_execution_error_fails_the_module_with_comfyuis_message(comfy):
    runner = Runner(comfy.url, rev=30)
    wf = workflow(fail="out of memory")
    assert runner.advance(wf).outcome == "waiting"
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "MEDIA_GENERATION_FAILED"
    assert "node 3 (KSampler): out of memory" in result.error.message and result.cursor.job is None


def test_past_the_deadline_the_job_is_dropped_and_the_module_fails(comfy):
    runner = Runner(comfy.url, rev=40)
    wf = workflow(never=True)
    first = runner.advance(wf)
    runner.cursor = first.cursor.model_copy(
        update={"job": {**first.cursor.job, "deadline_at": iso(utcnow() - timedelta(seconds=1))}}
    )
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "MEDIA_GENERATION_TIMEOUT"
    assert first.cursor.job["prompt_id"] in comfy.deleted


def test_the_wait_never_outlasts_the_deadline(comfy):
    runner = Runner(comfy.url, rev=45)
    wf = workflow(never=True)
    first = runner.advance(wf)
    runner.cursor = first.cursor.model_copy(
        update={"job": {**first.cursor.job, "deadline_at": iso(utcnow() + timedelta(milliseconds=300))}}
    )
    assert runner.advance(wf).wait_seconds == 1


def test_a_job_the_server_forgot_is_lost(comfy):
    runner = Runner(comfy.url, rev=50)
    wf = workflow(lose=True)
    assert runner.advance(wf).outcome == "waiting"
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "MEDIA_JOB_LOST"


def test_an_unreachable_server_leaves_advance_for_step_functions_retry():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runner = Runner(f"http://127.0.0.1:{port}", rev=60)
    with pytest.raises(ProviderUnavailableError):
        runner.advance(workflow())


def test_without_a_server_configured_the_module_fails_clearly(comfy):
    runner = Runner(None, rev=70)
    result = runner.advance(workflow())
    assert result.outcome == "failed" and result.error.code == "COMFYUI_NOT_CONFIGURED"


def test_an_input_image_of_another_user_is_refused_before_queueing(comfy):
    runner = Runner(comfy.url, rev=80)
    runner.factory.media.items["media_in1"] = media_record(user_id="usr_other")
    before = len(comfy.prompts)
    result = runner.advance(workflow())
    assert result.outcome == "failed" and result.error.code == "INVALID_MEDIA_REF" and len(comfy.prompts) == before


def test_submit_checks_the_graph_and_the_image_nodes():
    from relay.runtime.modules import get_module

    module = get_module("media.generate")
    assert module.check_inputs({"workflow": graph(), "images": [{"image": "media_x", "node_id": "404"}]}) == [
        "images.0.node_id: the workflow has no node '404'",
        "workflow.10.inputs.image: LoadImage may only load an image this run uploads (name the node in `images`), not a file by name",
    ]
    assert module.check_inputs({"workflow": {"1": {"inputs": {}}}}) == ["workflow.1: a node is {class_type, inputs}"]
    assert module.check_inputs({"workflow": graph(), "poll_seconds": 0})[0].startswith("poll_seconds")
    assert module.check_inputs({"workflow": "$state.graph", "images": [{"image": "$state.x", "node_id": "7"}]}) == []


def test_progress_is_reported_when_the_job_changes_only(comfy):
    """ctx.progress is stored per report (an event each): a poll that finds nothing new reports nothing."""
    reports = []
    runner = Runner(comfy.url, rev=90)
    wf = workflow(polls=3)

    def advance_reporting():
        result = advance(
            wf,
            run_id=runner.run.run_id,
            project_name=None,
            inputs={},
            state=runner.state,
            cursor=runner.cursor,
            pending=None,
            answer=None,
            default_timeout_seconds=60,
            capabilities=Capabilities(
                artifacts=runner.artifacts,
                media=runner.factory.for_run(runner.run, attempt_id(runner.run), runner.artifacts),
                report_progress=lambda value, stage, message, **where: reports.append((stage, value)),
            ),
        )
        runner.state, runner.cursor = result.state, result.cursor
        runner.run.rev += 1
        return result

    outcomes = [advance_reporting().outcome for _ in range(5)]
    assert outcomes == ["waiting", "waiting", "waiting", "waiting", "completed"]
    assert [stage for stage, _ in reports] == ["queued", "running", "completed"]
