"""Media uploads in the integration tests: sample files, creating an upload over the API,
and POSTing the form to S3 as a browser does (multipart/form-data, the file last)."""

from __future__ import annotations

import time
from typing import Any

import httpx

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(48)
TEXT = b"just some text pretending to be a picture\n"


def create(
    client: httpx.Client, data: bytes = PNG, *, content_type: str = "image/png", filename: str = "pic.png", **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/v1/media",
        json={"filename": filename, "content_type": content_type, "size_bytes": len(data), **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


def upload(
    created: dict[str, Any],
    data: bytes,
    *,
    filename: str = "pic.png",
    file_type: str = "application/octet-stream",
    **field_changes: Any,
) -> httpx.Response:
    """POST the form; `field_changes` overrides (or with None removes) form fields."""
    fields = dict(created["upload"]["fields"])
    for name, value in field_changes.items():
        name = name.replace("_", "-") if name == "Content_Type" else name
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return httpx.post(created["upload"]["url"], data=fields, files={"file": (filename, data, file_type)}, timeout=30)


def wait_for_media(client: httpx.Client, media_id: str, *statuses: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        media = client.get(f"/v1/media/{media_id}").json()
        if media.get("status") in statuses:
            return media
        if time.monotonic() > deadline:
            raise AssertionError(f"media {media_id} stayed {media.get('status')}, wanted {statuses}")
        time.sleep(0.05)
