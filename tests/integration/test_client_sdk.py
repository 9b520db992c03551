"""The SDK (relay_client) against the API on the local cloud: real HTTP, real presigned POSTs
to S3, real event streams (closed every 0.5 s here, so every run's stream is resumed with
Last-Event-ID many times)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from client_setup import GREETING, PNG
from relay_client import ClientInputError, NotFoundError, Relay, RelayAPIError
from relay_client.workflow_source import load_workflow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sdk(make_client):
    def make() -> Relay:
        http = make_client()
        return Relay(str(http.base_url), http.headers["Authorization"].removeprefix("Bearer "))

    return make


def _zip_of(folder: Path) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return data.getvalue()


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/workflow.json")))
def test_the_client_hash_is_the_servers_for_each_example_as_a_folder_and_as_a_zip(sdk, example, tmp_path):
    relay = sdk()
    folder = ROOT / "examples" / example
    local = load_workflow(folder).content_hash
    first = relay.templates.submit(folder)
    assert first.created and first.version["content_hash"] == local == first.content_hash
    archive = tmp_path / f"{example}.zip"
    archive.write_bytes(_zip_of(folder))
    again = relay.templates.submit(archive)  # the server reads the zip itself, then hashes
    assert load_workflow(archive).content_hash == local
    assert (again.created, again.version["version_id"], again.version["source_type"]) == (
        False,
        first.version["version_id"],
        "json",
    )


def test_a_zip_with_refs_hashes_the_same_on_both_sides(sdk, tmp_path):
    relay = sdk()
    folder = tmp_path / "flow"
    (folder / "prompts").mkdir(parents=True)
    (folder / "prompts" / "ask.txt").write_text("Your name, é?")
    workflow = json.loads(json.dumps(GREETING))
    workflow["workflow_id"] = "greeting-refs"
    workflow["steps"][0]["modules"][0]["inputs"]["prompt"] = {"$ref": "prompts/ask.txt"}
    (folder / "workflow.json").write_text(json.dumps(workflow))
    archive = tmp_path / "flow.zip"
    archive.write_bytes(_zip_of(folder))
    from_zip = relay.templates.submit(archive)
    assert from_zip.created and from_zip.version["source_type"] == "zip"
    assert from_zip.version["content_hash"] == load_workflow(folder).content_hash == from_zip.content_hash
    assert relay.templates.submit(folder).version["version_id"] == from_zip.version["version_id"]


def test_a_run_answered_from_its_event_stream_completes(sdk):
    relay = sdk()
    relay.templates.submit(GREETING)
    run = relay.runs.start(template_name="greeting", project_name="demo", idempotency_key="start-1")
    assert relay.runs.start(template_name="greeting", project_name="demo", idempotency_key="start-1")["run_id"] == run["run_id"]
    answers = {"ask": "Ada", "pick": "warm"}
    stream = relay.events.stream(run["run_id"])
    seqs = []
    for event in stream:
        seqs.append(event["seq"])
        if event["event_type"] == "input_requested":
            relay.runs.answer(run["run_id"], event["step_id"], answers[event["step_id"]])
    assert seqs == list(range(1, len(seqs) + 1))  # resumed many times: nothing twice, nothing skipped
    assert stream.end is not None and stream.end.status == "completed" and stream.end.last_event_id == seqs[-1]
    done = relay.runs.get(run["run_id"])
    assert done["state"]["greeting"] == "Hello Ada (warm)"
    assert [r["run_id"] for r in relay.runs.list(status="completed")] == [run["run_id"]]
    assert [r["run_id"] for r in relay.runs.search(q="ada")] == [run["run_id"]]


def test_media_upload_goes_to_s3_and_is_verified(sdk, tmp_path):
    relay = sdk()
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    media = relay.media.upload(picture)
    assert media["status"] == "ready" and media["size_bytes"] == len(PNG)
    fake = tmp_path / "text.png"
    fake.write_bytes(b"not a png at all")
    with pytest.raises(RelayAPIError) as caught:
        relay.media.upload(fake)
    assert caught.value.code == "MEDIA_REJECTED"


def test_a_file_over_the_servers_cap_is_refused_before_any_byte_is_sent(sdk, tmp_path):
    relay = sdk()
    big = tmp_path / "big.png"
    with big.open("wb") as handle:  # sparse: 26 MB on paper, nothing written
        handle.write(PNG)
        handle.truncate(26 * 1024 * 1024)
    with pytest.raises(RelayAPIError) as caught:
        relay.media.upload(big)
    assert (caught.value.status, caught.value.code) == (400, "MEDIA_TOO_LARGE")


def test_review_example_through_the_sdk_edit_approve_and_export(sdk, tmp_path):
    relay = sdk()
    relay.templates.submit(ROOT / "examples" / "review")
    run = relay.runs.start(template_name="review")
    picture = tmp_path / "cover.png"
    picture.write_bytes(PNG)
    for event in relay.events.stream(run["run_id"]):
        if event["event_type"] != "input_requested":
            continue
        if event["step_id"] == "upload":
            relay.runs.answer(run["run_id"], "upload", {"media_id": relay.media.upload(picture)["media_id"]})
        else:
            inbox = [i for i in relay.approvals.list() if i["run_id"] == run["run_id"]]
            artifact = inbox[0]["artifact"]
            content = relay.artifacts.content(artifact["artifact_id"])
            assert content.format == "json" and content.data["title"] == "First draft"
            edited = relay.artifacts.edit(artifact["artifact_id"], {**content.data, "title": "Edited"})
            relay.artifacts.approve(edited["artifact_id"], reason="ok")
    done = relay.runs.get(run["run_id"])
    assert done["status"] == "completed" and done["state"]["published"]["title"] == "Edited"
    cover = next(a for a in relay.artifacts.latest(run["run_id"]) if a["artifact_name"] == "cover")
    assert relay.artifacts.content(cover["artifact_id"]).raw == PNG  # the 307 to S3, followed without the key
    made = relay.runs.export(run["run_id"], tmp_path)
    names = zipfile.ZipFile(tmp_path / f"{run['run_id']}.zip").namelist()
    assert made["size_bytes"] == (tmp_path / f"{run['run_id']}.zip").stat().st_size and "artifacts/post/v2.json" in names


def test_another_users_run_is_not_found_and_a_bad_key_is_refused(sdk, api_url):
    owner, other = sdk(), sdk()
    owner.templates.submit(GREETING)
    run = owner.runs.start(template_name="greeting")
    with pytest.raises(NotFoundError):
        other.runs.get(run["run_id"])
    with pytest.raises(NotFoundError):
        other.runs.answer(run["run_id"], "ask", "Mallory")
    assert list(other.runs.list()) == [] and list(other.approvals.list()) == []
    with pytest.raises(RelayAPIError) as caught:
        list(Relay(api_url, "rk_wrong_key_0123456789abcdef").runs.list())
    assert (caught.value.status, caught.value.code) == (401, "INVALID_API_KEY")
    owner.runs.cancel(run["run_id"])


def test_a_dict_with_a_file_ref_is_refused_here(sdk):
    with pytest.raises(ClientInputError) as caught:
        sdk().templates.submit({**GREETING, "x": {"$ref": "file.txt"}})
    assert caught.value.code == "UNRESOLVED_REF"
