"""ComfyUI graphs cannot reach other tenants or the network (issue 15, item 4), through the
local cloud and real HTTP against the fake ComfyUI, which records what it received: a node
class off the allow-list is a 400 at submit, or (hidden behind `$state`) ends the run with
COMFYUI_NODE_NOT_ALLOWED before anything reaches ComfyUI; uploads land in the run's own
subfolder under random names; a graph naming another run's upload is refused before
queueing. Many users at once, several rounds."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from documents import module, step, workflow
from fake_comfyui import graph
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status

RANDOM_FILE = re.compile(r"[0-9a-f]{32}\.png")


def generate(nodes, images=None):
    inputs = {"workflow": nodes, "poll_seconds": 1}
    if images is not None:
        inputs["images"] = images
    return module("media.generate", inputs, artifact_id="image", job="job", prompt_id="prompt_id")


def _picture(client):
    created = create(client, PNG)
    assert upload(created, PNG).status_code == 204
    return wait_for_media(client, created["media_id"], "ready")["media_id"]


def _start(client, wf, **inputs):
    response = client.post("/v1/runs", json={"workflow": wf, "inputs": inputs})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def _sent_for(fake, run_id):
    """What the fake ComfyUI received for a run: its uploads and its queued prompts."""
    uploads = [u for u in list(fake.upload_log) if u["subfolder"] == f"relay/{run_id}"]
    prompts = [p for p in list(fake.prompts.values()) if p["client_id"] == f"relay-{run_id}"]
    return uploads, prompts


def _legit(client, tag):
    """A generation with an input picture: LoadImage gets the run's upload."""
    wf = workflow(f"graph-ok-{tag}", step("make", generate(graph(), images=[{"image": "$state.picture", "node_id": "10"}])))
    return _start(client, wf, picture=_picture(client), prompt=f"picture {tag}")


def test_a_node_off_the_allow_list_is_refused_at_submit_and_nothing_is_made(client, fake_comfyui):
    url_loader = {"class_type": "LoadImageFromUrl", "inputs": {"url": "http://169.254.169.254/latest/meta-data/"}}
    wf = workflow(
        "graph-ssrf", step("make", generate({**graph(), "7": url_loader}, images=[{"image": "media_x", "node_id": "10"}]))
    )
    requests = len(fake_comfyui.requests)
    for path, body in (("/v1/runs", {"workflow": wf}), ("/v1/templates", {"workflow": wf, "template_name": "graph-ssrf"})):
        response = client.post(path, json=body)
        assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "INVALID_WORKFLOW"
        assert problem["problems"] == [
            {
                "step_id": "make",
                "step_index": 0,
                "module_index": 0,
                "module_id": "media.generate",
                "message": "step 'make' module 1 (media.generate): workflow.7: node class 'LoadImageFromUrl' is not allowed on "
                "this deployment (ComfyUINodeAllowList)",
            }
        ]
    assert all(t["template_name"] != "graph-ssrf" for t in client.get("/v1/templates").json()["items"])
    assert len(fake_comfyui.requests) == requests


def test_a_graph_naming_a_file_by_name_is_refused_at_submit(client):
    stolen = {"class_type": "LoadImage", "inputs": {"image": "ComfyUI_00001_.png [output]"}}
    wf = workflow(
        "graph-by-name", step("make", generate({**graph(), "11": stolen}, images=[{"image": "media_x", "node_id": "10"}]))
    )
    response = client.post("/v1/runs", json={"workflow": wf})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_WORKFLOW"
    assert "workflow.11.inputs.image: LoadImage may only load an image this run uploads" in response.json()["detail"]


def test_a_node_that_is_off_the_list_only_after_resolution_fails_the_run_before_comfyui_sees_it(client, fake_comfyui):
    wf = workflow("graph-late", step("make", generate({k: v for k, v in graph().items() if k != "10"} | {"7": "$state.node"})))
    node = {"class_type": "Image Load", "inputs": {"image_path": "/etc/passwd"}}
    run_id = _start(client, wf, node=node, prompt="x")
    run = wait_for_status(client, run_id, "completed", "error", timeout=30)
    assert run["status"] == "error" and run["error"]["code"] == "COMFYUI_NODE_NOT_ALLOWED"
    assert "workflow.7: node class 'Image Load' is not allowed on this deployment" in run["error"]["message"]
    assert _sent_for(fake_comfyui, run_id) == ([], [])


def test_uploads_land_in_the_runs_subfolder_under_random_names(client, fake_comfyui):
    run_id = _legit(client, "folder")
    run = wait_for_status(client, run_id, "completed", "error", timeout=60)
    assert run["status"] == "completed", run.get("error")
    uploads, [prompt] = _sent_for(fake_comfyui, run_id)
    [sent] = uploads
    assert RANDOM_FILE.fullmatch(sent["filename"]) and sent["type"] == "input"
    name = f"relay/{run_id}/{sent['filename']}"
    assert prompt["graph"]["10"]["inputs"]["image"] == name and fake_comfyui.uploads[name] == PNG
    assert run["state"]["job"]["uploaded"] == [name]


def test_a_graph_naming_another_runs_upload_is_refused_before_queueing(client, make_client, fake_comfyui):
    victim = make_client()
    victim_run = _legit(victim, "victim")
    assert wait_for_status(victim, victim_run, "completed", "error", timeout=60)["status"] == "completed"
    [theirs], _ = _sent_for(fake_comfyui, victim_run)
    stolen = f"relay/{victim_run}/{theirs['filename']}"
    wf = workflow("graph-steal", step("make", generate({**graph(), "10": "$state.loader"})))
    run_id = _start(client, wf, loader={"class_type": "LoadImage", "inputs": {"image": stolen}}, prompt="x")
    run = wait_for_status(client, run_id, "completed", "error", timeout=30)
    assert run["status"] == "error" and run["error"]["code"] == "COMFYUI_INPUT_NOT_ALLOWED"
    assert "workflow.10.inputs.image: LoadImage may only load an image this run uploads" in run["error"]["message"]
    assert _sent_for(fake_comfyui, run_id) == ([], [])
    assert not [
        p
        for p in fake_comfyui.prompts.values()
        if p["graph"].get("10", {}).get("inputs", {}).get("image") == stolen and p["client_id"] != f"relay-{victim_run}"
    ]


def test_many_users_at_once_each_load_only_their_own_uploads(make_client, fake_comfyui):
    """6 users generate with an input picture while 6 others, at the same moment, name the
    uploads of the round before (and of runs still going): every honest run completes with
    its own upload in its own folder, every hostile one is refused with nothing queued. Three
    rounds."""
    honest = [make_client() for _ in range(6)]
    hostile = [make_client() for _ in range(6)]
    known: list[str] = [f"relay/run_guess{i}/{'0' * 32}.png" for i in range(6)]
    names: set[str] = set()

    def attack(targets, i):
        wf = workflow(f"graph-steal-{i}", step("make", generate({**graph(), "10": "$state.loader"})))
        return _start(hostile[i], wf, loader={"class_type": "LoadImage", "inputs": {"image": targets[i]}}, prompt="x")

    for round_ in range(3):
        targets = list(known[-6:])
        with ThreadPoolExecutor(max_workers=12) as pool:
            good = [pool.submit(_legit, honest[i], f"{round_}-{i}") for i in range(6)]
            bad = [pool.submit(attack, targets, i) for i in range(6)]
            good_ids, bad_ids = [f.result() for f in good], [f.result() for f in bad]
        for client, run_id in zip(honest, good_ids, strict=True):
            run = wait_for_status(client, run_id, "completed", "error", timeout=90)
            assert run["status"] == "completed", run.get("error")
            [sent], [prompt] = _sent_for(fake_comfyui, run_id)
            name = f"relay/{run_id}/{sent['filename']}"
            assert RANDOM_FILE.fullmatch(sent["filename"]) and prompt["graph"]["10"]["inputs"]["image"] == name
            assert name not in names
            names.add(name)
            known.append(name)
        for client, run_id in zip(hostile, bad_ids, strict=True):
            run = wait_for_status(client, run_id, "completed", "error", timeout=60)
            assert run["status"] == "error" and run["error"]["code"] == "COMFYUI_INPUT_NOT_ALLOWED", run
            assert _sent_for(fake_comfyui, run_id) == ([], [])
