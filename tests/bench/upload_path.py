"""The upload path on one `relay local`: what passes through the API function, and what the
artifact store costs over raw S3.

Starts the local cloud and the API (uvicorn) in-process, as `make dev` does, with a counting
ASGI wrapper around the API app, then:

1. Uploads `--files` media of `--mb` MB each as a browser does (POST /v1/media, the form POST
   straight to the presigned URL, POST /v1/media/{id}/complete, GET /v1/media/{id}) and
   prints the request and response body bytes the API handled per MB uploaded: control JSON
   only (the goal for file bytes is zero), and whether any API request carried the file.
2. Stores and loads `--reps` artifacts of `--kb` KiB (binary: the S3 path) through
   ArtifactService (the record, the content put with its tag, the latest lookup; the load by
   id) and puts/gets the same bytes with raw S3 calls, interleaved in the same run: prints
   the median ratios.

Prints figures; never asserts.

    .venv/bin/python tests/bench/upload_path.py [--files 5] [--mb 4] [--reps 30] [--kb 256]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

warnings.filterwarnings("ignore")


class CountingApp:
    """ASGI wrapper: request and response body bytes, and the largest request body."""

    def __init__(self, app) -> None:
        self.app = app
        self.request_bytes = self.response_bytes = self.largest_request = 0
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
            return message

        async def counting_send(message):
            if message["type"] == "http.response.body":
                with self._lock:
                    self.response_bytes += len(message.get("body", b""))
            await send(message)

        await self.app(scope, counting_receive, counting_send)
        with self._lock:
            self.request_bytes += seen
            self.largest_request = max(self.largest_request, seen)


def _png(size: int) -> bytes:
    head = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
    return head + os.urandom(size - len(head))


def _uploads(client, counter: CountingApp, files: int, mb: float) -> None:
    from media_helpers import upload, wait_for_media

    size = int(mb * 1024 * 1024)
    before = (counter.request_bytes, counter.response_bytes)
    for i in range(files):
        data = _png(size)
        created = client.post("/v1/media", json={"filename": f"f{i}.png", "content_type": "image/png", "size_bytes": size}).json()
        assert upload(created, data).status_code == 204
        client.post(f"/v1/media/{created['media_id']}/complete")
        wait_for_media(client, created["media_id"], "ready")
    uploaded_mb = files * size / (1024 * 1024)
    requests = counter.request_bytes - before[0]
    responses = counter.response_bytes - before[1]
    print(f"uploaded: {files} files, {uploaded_mb:.1f} MB, straight to S3 by presigned form POST")
    print(f"api_request_bytes_per_mb_uploaded: {requests / uploaded_mb:.0f}   (control JSON; file bytes: 0)")
    print(f"api_response_bytes_per_mb_uploaded: {responses / uploaded_mb:.0f}")
    print(f"largest_api_request_bytes: {counter.largest_request}   (a file would be {size})")


def _store_load(relay, reps: int, kb: int) -> None:
    from relay.domain.artifacts import ArtifactFormat, ArtifactType

    service = relay.artifacts
    s3, bucket = relay.s3, relay.settings.artifacts_bucket
    body = os.urandom(kb * 1024)
    data = base64.b64encode(body).decode()
    ratios_store, ratios_load = [], []
    for i in range(reps):
        started = time.perf_counter()
        artifact = service.store(
            artifact_id=f"art_bench{i}x{time.time_ns() % 10**9}",
            run_id="run_bench",
            user_id="usr_bench",
            step_id="bench",
            name=f"blob{i}",
            artifact_type=ArtifactType.deliverable,
            fmt=ArtifactFormat.binary,
            data=data,
        )
        store = time.perf_counter() - started
        started = time.perf_counter()
        s3.put_object(Bucket=bucket, Key=f"bench/raw{i}", Body=body, ContentType="application/octet-stream")
        raw_put = time.perf_counter() - started
        started = time.perf_counter()
        loaded = service.content(service.for_run("run_bench", artifact.artifact_id))
        load = time.perf_counter() - started
        started = time.perf_counter()
        s3.get_object(Bucket=bucket, Key=f"bench/raw{i}")["Body"].read()
        raw_get = time.perf_counter() - started
        assert loaded == body
        ratios_store.append(store / raw_put)
        ratios_load.append(load / raw_get)
    print(
        f"artifact_store_ratio: {statistics.median(ratios_store):.2f}   ({kb} KiB binary: S3 put + record + latest lookup / raw put)"
    )
    print(f"artifact_load_ratio: {statistics.median(ratios_load):.2f}   (record read + S3 get / raw get)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--mb", type=float, default=4)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--kb", type=int, default=256)
    args = parser.parse_args()

    import httpx

    from relay_tools.local import LocalCloud
    from servers import serving

    cloud = LocalCloud(parameters={"LogLevel": "WARNING"})
    cloud.start()
    from relay.api import create_app
    from relay.bootstrap import Relay
    from relay.settings import ApiSettings

    relay = Relay(ApiSettings())
    _, key = relay.users.create_user("bench", "bench@example.com")
    counter = CountingApp(create_app(relay))
    with serving(counter) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        _uploads(client, counter, args.files, args.mb)
    _store_load(relay, args.reps, args.kb)
    cloud.stop()


if __name__ == "__main__":
    main()
