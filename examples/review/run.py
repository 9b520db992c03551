"""The review example against `relay local` (no provider keys needed): submit the workflow,
start a run, upload a picture straight to S3 (presigned form POST), let the run store it and
a JSON post as deliverables, edit the post, approve the edited version (the artifact door),
then export the run as a zip.

    make dev                                   # prints the dev key; or set RELAY_DEV_API_KEY
    RELAY_KEY=rk_… .venv/bin/python examples/review/run.py [--api http://127.0.0.1:8000]

Standard library only."""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Api:
    def __init__(self, base: str, key: str) -> None:
        self.base, self.key = base.rstrip("/"), key

    def call(self, method: str, path: str, body: object = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")

    def wait(self, run_id: str, *statuses: str) -> dict:
        for _ in range(200):
            run = self.call("GET", f"/v1/runs/{run_id}")
            if run["status"] in statuses:
                return run
            if run["status"] in ("completed", "error", "cancelled"):
                break
            time.sleep(0.1)
        raise SystemExit(f"run {run_id} stayed {run['status']} {run.get('error') or ''}")


def post_form(url: str, fields: dict[str, str], filename: str, data: bytes) -> int:
    """multipart/form-data as a browser sends it: every field, then the file, last."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode() + data + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(url, data=b"".join(parts), method="POST")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(request) as response:
        return response.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    api = Api(args.api, os.environ.get("RELAY_KEY") or os.environ["RELAY_DEV_API_KEY"])

    workflow = json.loads((HERE / "workflow.json").read_text())
    api.call("POST", "/v1/templates", {"workflow": workflow})
    run_id = api.call("POST", "/v1/runs", {"template_name": "review", "project_name": "example"})["run_id"]
    print("run", run_id, "→", api.wait(run_id, "awaiting_input")["pending_input"]["request"]["prompt"])

    media = api.call("POST", "/v1/media", {"filename": "cover.png", "content_type": "image/png", "size_bytes": len(PNG), "run_id": run_id})
    print("upload to S3:", post_form(media["upload"]["url"], media["upload"]["fields"], "cover.png", PNG))
    print("media", api.call("POST", f"/v1/media/{media['media_id']}/complete")["status"])
    api.call("POST", f"/v1/runs/{run_id}/input", {"step_id": "upload", "value": {"media_id": media["media_id"]}})

    paused = api.wait(run_id, "awaiting_input")
    while paused["current_step"] != "review":
        time.sleep(0.1)
        paused = api.wait(run_id, "awaiting_input")
    draft = paused["state"]["draft_id"]
    approval = next(p for p in api.call("GET", "/v1/approvals")["items"] if p["run_id"] == run_id)
    print("to judge:", approval["artifact"]["artifact_id"], "preview", approval["artifact"]["preview_url"])
    print("draft:", api.call("GET", f"/v1/artifacts/{draft}/content"))

    edited = api.call("POST", f"/v1/artifacts/{draft}/versions", {"content": {"title": "A better title", "cover": paused["state"]["cover_id"]}})
    print("edited: version", edited["version"], edited["status"])
    decided = api.call("POST", f"/v1/artifacts/{edited['artifact_id']}/approve", {"reason": "ship it"})
    print("approved:", decided["artifact"]["status"], "answering pause", decided["input_id"])

    done = api.wait(run_id, "completed", "error")
    print("run", done["status"], "→", done["state"]["summary"], done["state"]["published"])
    print("lineage:", [(v["version"], v["status"], v["is_latest"]) for v in api.call("GET", f"/v1/artifacts/{draft}/versions")["items"]])

    export = api.call("GET", f"/v1/runs/{run_id}/export")
    with urllib.request.urlopen(export["download_url"]) as response:
        archive = zipfile.ZipFile(BytesIO(response.read()))
    print("export:", export["size_bytes"], "bytes,", archive.namelist())


if __name__ == "__main__":
    main()
