"""media.generate's graph rules (issue 15, item 4): node classes on the deployment's
allow-list, checked at submit and again after `$state` resolution; file inputs only the run's
own uploads, which go to its own subfolder under random names. Run time goes through
advance() with the real RunMedia against the fake ComfyUI, which records what it received."""

from __future__ import annotations

import re

import pytest
from test_comfyui_generate import TEST_POLICY, Runner

from builders import document, step
from fake_comfyui import FakeComfyUI
from relay.domain.comfyui_nodes import DEFAULT_NODE_CLASSES, FILE_INPUTS, ModulePolicy, parse_node_allow_list
from relay.domain.exceptions import InvalidNodeAllowListError
from relay.workflows import WorkflowValidationError, validate_workflow

RANDOM_NAME = re.compile(r"^relay/run_gen/[0-9a-f]{32}\.png$")


@pytest.fixture(scope="module")
def comfy():
    server = FakeComfyUI().start()
    yield server
    server.stop()


def generate(nodes, images=None, **extra):
    inputs = {"workflow": nodes, "poll_seconds": 1, **extra}
    if images is not None:
        inputs["images"] = images
    return {"module_id": "media.generate", "inputs": inputs, "outputs_to_state": {"job": "job", "files": "files"}}


def text_to_image(**extra_nodes):
    return {
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "$state.prompt"}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
        **extra_nodes,
    }


def compiled(module, policy=TEST_POLICY):
    return validate_workflow(document(step("make", module)), policy=policy)


# -- the allow-list setting --------------------------------------------------------------------
def test_the_allow_list_setting():
    assert parse_node_allow_list("") == parse_node_allow_list(None) == parse_node_allow_list(" , ") == DEFAULT_NODE_CLASSES
    assert parse_node_allow_list("KSampler, SaveImage") == {"KSampler", "SaveImage"}
    assert parse_node_allow_list("DEFAULT,MyUpscaler") == DEFAULT_NODE_CLASSES | {"MyUpscaler"}
    with pytest.raises(InvalidNodeAllowListError):
        parse_node_allow_list("KSampler,<script>")


def test_the_default_holds_builtins_that_reach_no_network_and_no_chosen_path():
    for cls in (
        "CheckpointLoaderSimple",
        "CLIPTextEncode",
        "KSampler",
        "KSamplerAdvanced",
        "EmptyLatentImage",
        "VAEDecode",
        "VAEEncode",
        "SaveImage",
        "PreviewImage",
        "LoadImage",
        "ImageScale",
        "LatentUpscale",
        "LoraLoader",
        "ControlNetLoader",
        "ControlNetApply",
    ):
        assert cls in DEFAULT_NODE_CLASSES
    for cls in (
        "LoadImageOutput",
        "LoadLatent",
        "SaveLatent",
        "CheckpointSave",
        "LoadImageFromUrl",
        "Image Load",
        "RelayFakeControl",
    ):
        assert cls not in DEFAULT_NODE_CLASSES
    assert set(FILE_INPUTS) <= DEFAULT_NODE_CLASSES


# -- at submit -------------------------------------------------------------------------------
def test_a_node_not_on_the_list_is_refused_at_submit_naming_step_module_and_node():
    nodes = text_to_image(**{"7": {"class_type": "LoadImageFromUrl", "inputs": {"url": "http://169.254.169.254/"}}})
    with pytest.raises(WorkflowValidationError) as info:
        validate_workflow(document(step("make", generate(nodes))))
    assert info.value.code == "INVALID_WORKFLOW"
    assert info.value.detail == (
        "step 'make' module 1 (media.generate): workflow.7: node class 'LoadImageFromUrl' "
        "is not allowed on this deployment (ComfyUINodeAllowList)"
    )
    # A deployment that allows it takes it; one that lists only some built-ins refuses others.
    compiled(generate(nodes), ModulePolicy(comfyui_node_classes=DEFAULT_NODE_CLASSES | {"LoadImageFromUrl"}))
    with pytest.raises(WorkflowValidationError, match=r"workflow\.6: node class 'CLIPTextEncode'"):
        compiled(generate(text_to_image()), ModulePolicy(comfyui_node_classes=frozenset({"SaveImage"})))


def test_what_a_reference_hides_waits_for_run_time():
    compiled(generate({**text_to_image(), "7": "$state.node", "8": {"class_type": "$state.cls", "inputs": {}}}), None)


def test_file_inputs_at_submit():
    loader = {"10": {"class_type": "LoadImage", "inputs": {"image": "placeholder.png"}}}
    compiled(generate(text_to_image(**loader), images=[{"image": "$state.picture", "node_id": "10"}]))
    compiled(generate(text_to_image(**loader), images="$state.images"))  # which nodes: known at run time
    with pytest.raises(
        WorkflowValidationError, match=r"workflow.10.inputs.image: LoadImage may only load an image this run uploads"
    ):
        compiled(generate(text_to_image(**loader)))  # a file by name, filled by no upload
    with pytest.raises(WorkflowValidationError, match=r"workflow.10.inputs.image: LoadImage may only load"):
        compiled(generate(text_to_image(**{"10": {"class_type": "LoadImage", "inputs": {"image": "$state.name"}}})))
    with pytest.raises(WorkflowValidationError, match=r"images.0: node '6' \(CLIPTextEncode\) loads no file by its input 'text'"):
        compiled(generate(text_to_image(), images=[{"image": "$state.picture", "node_id": "6", "input": "text"}]))


# -- at run time -----------------------------------------------------------------------------
def test_a_node_that_is_not_allowed_only_after_resolution_fails_the_run_and_sends_nothing(comfy):
    runner = Runner(comfy.url, rev=200)
    runner.state["node"] = {"class_type": "LoadImageFromUrl", "inputs": {"url": "http://169.254.169.254/latest/meta-data/"}}
    wf = compiled(generate({**text_to_image(), "7": "$state.node"}))
    requests = len(comfy.requests)
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "COMFYUI_NODE_NOT_ALLOWED"
    assert "workflow.7: node class 'LoadImageFromUrl' is not allowed" in result.error.message
    assert len(comfy.requests) == requests  # not even a look at the queue


def test_a_class_named_by_a_reference_is_checked_after_resolution(comfy):
    runner = Runner(comfy.url, rev=205)
    runner.state["cls"] = "Image Load"
    result = runner.advance(compiled(generate({**text_to_image(), "7": {"class_type": "$state.cls", "inputs": {}}})))
    assert result.error.code == "COMFYUI_NODE_NOT_ALLOWED" and "'Image Load'" in result.error.message


def test_uploads_go_to_the_runs_subfolder_under_random_names(comfy):
    loader = {
        "10": {"class_type": "LoadImage", "inputs": {"image": "placeholder.png"}},
        "11": {"class_type": "LoadImageMask", "inputs": {"image": "mask.png", "channel": "alpha"}},
    }
    images = [{"image": "$state.picture", "node_id": "10"}, {"image": "$state.picture", "node_id": "11"}]
    wf = compiled(generate({**text_to_image(), **loader}, images=images))
    names = []
    for rev in (210, 211):
        runner = Runner(comfy.url, rev=rev)
        logged = len(comfy.upload_log)
        try:
            result = runner.advance(wf)
        finally:
            sent = comfy.upload_log[logged:]
        assert result.outcome == "waiting", result.error
        queued = comfy.prompts[result.cursor.job["prompt_id"]]["graph"]
        assert [queued[n]["inputs"]["image"] for n in ("10", "11")] == [f"{u['subfolder']}/{u['filename']}" for u in sent]
        assert [u["subfolder"] for u in sent] == ["relay/run_gen", "relay/run_gen"]
        assert all(re.fullmatch(r"[0-9a-f]{32}\.png", u["filename"]) for u in sent)
        names += [f"{u['subfolder']}/{u['filename']}" for u in sent]
    assert len(set(names)) == 4  # the same picture, the same run: new names each time


def test_the_queued_graph_names_only_the_runs_uploads(comfy):
    runner = Runner(comfy.url, rev=215)
    wf = compiled(
        generate(
            {**text_to_image(), "10": {"class_type": "LoadImage", "inputs": {"image": "x.png"}}},
            images=[{"image": "$state.picture", "node_id": "10"}],
        )
    )
    result = runner.advance(wf)
    assert result.outcome == "waiting"
    job = result.cursor.job
    queued = comfy.prompts[job["prompt_id"]]["graph"]
    assert RANDOM_NAME.fullmatch(queued["10"]["inputs"]["image"]) and job["uploaded"] == [queued["10"]["inputs"]["image"]]


@pytest.mark.parametrize(
    "stolen",
    [
        "relay/run_other/0123456789abcdef0123456789abcdef.png",
        "ComfyUI_00001_.png [output]",
        "../input/secret.png",
        "placeholder.png",
    ],
)
def test_a_file_input_that_is_not_the_runs_upload_is_refused_before_queueing(comfy, stolen):
    """The loader arrives through $state (so the submit check cannot see it): whatever file it
    names (another run's upload, an output, a path), nothing is uploaded or queued."""
    runner = Runner(comfy.url, rev=220)
    runner.state["loader"] = {"class_type": "LoadImage", "inputs": {"image": stolen}}
    wf = compiled(generate({**text_to_image(), "10": "$state.loader"}))
    prompts, uploads = len(comfy.prompts), len(comfy.upload_log)
    result = runner.advance(wf)
    assert result.outcome == "failed" and result.error.code == "COMFYUI_INPUT_NOT_ALLOWED"
    assert "workflow.10.inputs.image: LoadImage may only load an image this run uploads" in result.error.message
    assert len(comfy.prompts) == prompts and len(comfy.upload_log) == uploads


def test_images_hidden_behind_a_reference_may_not_fill_other_inputs(comfy):
    runner = Runner(comfy.url, rev=225)
    runner.state["images"] = [{"image": {"media_id": "media_in1"}, "node_id": "6", "input": "text"}]
    wf = compiled(generate(text_to_image(), images="$state.images"))
    prompts = len(comfy.prompts)
    result = runner.advance(wf)
    assert result.error.code == "COMFYUI_INPUT_NOT_ALLOWED" and "node '6' (CLIPTextEncode) loads no file" in result.error.message
    assert len(comfy.prompts) == prompts


def test_a_bad_allow_list_fails_at_cold_start_and_a_good_one_reaches_both_checks(monkeypatch):
    from pydantic import ValidationError

    from relay.bootstrap import Relay
    from relay.settings import Settings

    tables = {
        f"RELAY_{name}": "x"
        for name in (
            "USERS_TABLE",
            "TEMPLATES_TABLE",
            "VERSIONS_TABLE",
            "RUNS_TABLE",
            "EVENTS_TABLE",
            "PENDING_INPUTS_TABLE",
            "IDEMPOTENCY_TABLE",
            "MEDIA_TABLE",
            "ARTIFACTS_TABLE",
            "ARTIFACTS_BUCKET",
            "MEDIA_BUCKET",
            "API_CALLS_TABLE",
            "HISTORY_TABLE",
        )
    }
    for name, value in {**tables, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RELAY_COMFYUI_NODE_ALLOW_LIST", "KSampler,../evil")
    with pytest.raises(ValidationError, match="is not a node class name"):
        Settings()
    monkeypatch.setenv("RELAY_COMFYUI_NODE_ALLOW_LIST", "DEFAULT, MyUpscaler")
    relay = Relay(Settings())
    assert relay.module_policy.comfyui_node_classes == DEFAULT_NODE_CLASSES | {"MyUpscaler"}
    assert relay.run_media.node_classes == relay.module_policy.comfyui_node_classes
