"""The ComfyUI client against the fake ComfyUI server on loopback (tests/support/fake_comfyui.py):
upload, queue under our prompt id, node_errors and refusals, history ({} until done, then the
outputs with their node ids), the queue, view, cancel, and an unreachable server."""

from __future__ import annotations

import socket

import pytest

from fake_comfyui import PNG_HEAD, FakeComfyUI
from relay.runtime.providers import ProviderUnavailableError
from relay.runtime.providers.comfyui import ComfyUIClient, ComfyUIError, ComfyUINodeErrorsError

PROMPT_ID = "5b0c9d3e-4f6a-4b8c-9d0e-1f2a3b4c5d6e"


def graph(**control):
    nodes = {
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox"}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
    }
    if control:
        nodes["99"] = {"class_type": "RelayFakeControl", "inputs": control}
    return nodes


@pytest.fixture(scope="module")
def fake():
    server = FakeComfyUI().start()
    yield server
    server.stop()


@pytest.fixture
def client(fake):
    return ComfyUIClient(fake.url, timeout_seconds=5)


def test_upload_then_queue_poll_and_download(fake, client):
    name = client.upload_image("in.png", PNG_HEAD + b"input", "image/png", subfolder="relay")
    assert name == "relay/in.png" and fake.uploads["relay/in.png"] == PNG_HEAD + b"input"
    nodes = {**graph(polls=2), "10": {"class_type": "LoadImage", "inputs": {"image": name}}}
    client.queue(nodes, prompt_id=PROMPT_ID, client_id="relay-run_x")
    assert fake.prompts[PROMPT_ID]["client_id"] == "relay-run_x"
    assert client.history(PROMPT_ID) is None and client.queue_state(PROMPT_ID) == "pending"
    assert client.history(PROMPT_ID) is None and client.queue_state(PROMPT_ID) == "running"
    entry = client.history(PROMPT_ID)
    assert entry is not None and entry.status == "success" and entry.completed
    assert [(f.node_id, f.kind, f.type) for f in entry.outputs] == [("9", "images", "output")]
    assert client.queue_state(PROMPT_ID) is None
    data, content_type = client.view(entry.outputs[0])
    assert data.startswith(PNG_HEAD) and b"a red fox" in data and content_type == "image/png"


def test_node_errors_name_the_node_and_nothing_is_queued(fake, client):
    nodes = {
        **graph(),
        "10": {"class_type": "LoadImage", "inputs": {"image": "never-uploaded.png"}},
        "11": {"class_type": "CLIPTextEncode", "inputs": {}},
    }
    with pytest.raises(ComfyUINodeErrorsError) as caught:
        client.queue(nodes, prompt_id="7d1e0b5a-0000-4000-8000-000000000001", client_id="c")
    assert caught.value.code == "COMFYUI_NODE_ERRORS"
    assert "node 10 (LoadImage)" in caught.value.detail and "Invalid image file" in caught.value.detail
    assert "node 11 (CLIPTextEncode): Required input is missing (text)" in caught.value.detail
    assert set(caught.value.extra["node_errors"]) == {"10", "11"}
    assert "7d1e0b5a-0000-4000-8000-000000000001" not in fake.prompts


def test_an_unknown_node_class_is_refused_with_comfyuis_message(client):
    with pytest.raises(ComfyUINodeErrorsError, match="node NoSuchNode does not exist"):
        client.queue({"1": {"class_type": "NoSuchNode", "inputs": {}}}, prompt_id="p-unknown", client_id="c")


def test_an_execution_error_is_reported_with_the_node_and_message(client):
    client.queue(graph(fail="CUDA out of memory"), prompt_id="p-fails", client_id="c")
    entry = client.history("p-fails")
    assert entry.status == "error" and not entry.completed
    assert entry.error_message() == "node 3 (KSampler): CUDA out of memory"


def test_cancel_drops_the_prompt_from_the_queue(fake, client):
    client.queue(graph(never=True), prompt_id="p-never", client_id="c")
    assert client.queue_state("p-never") == "pending"
    client.cancel("p-never")
    assert "p-never" in fake.deleted and "p-never" in fake.interrupted
    assert client.queue_state("p-never") is None and client.history("p-never") is None


def test_view_of_a_missing_file_is_a_clear_error(client):
    from relay.runtime.providers.comfyui import OutputFile

    with pytest.raises(ComfyUIError, match=r"no output nothing\.png of node 9: 404"):
        client.view(OutputFile("9", "nothing.png", "", "output", "images"))


def test_a_download_over_the_cap_is_refused(fake):
    fake.files["big.png"] = PNG_HEAD + bytes(5000)
    from relay.runtime.providers.comfyui import OutputFile

    with pytest.raises(ComfyUIError, match="over 1000 bytes"):
        ComfyUIClient(fake.url, max_download_bytes=1000).view(OutputFile("9", "big.png", "", "output", "images"))


def test_an_unreachable_server_is_retryable():
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ProviderUnavailableError) as caught:
        ComfyUIClient(f"http://127.0.0.1:{port}", timeout_seconds=2).history("p")
    assert caught.value.retryable and "unreachable" in caught.value.detail


def test_an_upload_sends_its_subfolder_and_a_folder_outside_the_inputs_is_refused(fake, client):
    name = client.upload_image("ab12.png", PNG_HEAD + b"x", "image/png", subfolder="relay/run_1")
    assert name == "relay/run_1/ab12.png" and fake.uploads[name] == PNG_HEAD + b"x"
    assert fake.upload_log[-1] == {"subfolder": "relay/run_1", "filename": "ab12.png", "type": "input", "overwrite": "true"}
    with pytest.raises(ComfyUIError, match=r"refused the upload of c\.png: 400"):
        client.upload_image("c.png", PNG_HEAD, "image/png", subfolder="relay/../../etc")
    assert "relay/../../etc/c.png" not in fake.uploads
