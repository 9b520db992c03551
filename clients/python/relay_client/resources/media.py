"""Media: upload a file straight to S3 through the presigned form POST, then complete."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, cast

from ..exceptions import ClientInputError
from ..types import Media
from . import Resource

# What POST /v1/media accepts (the server is the judge; this only refuses early, sending nothing).
ACCEPTED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "audio/mpeg",
    "audio/wav",
    "audio/ogg",
    "audio/flac",
    "video/mp4",
    "video/webm",
    "model/gltf-binary",
)
_BY_SUFFIX = {
    ".glb": "model/gltf-binary",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".webp": "image/webp",
    ".ogg": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".webm": "video/webm",
}
MiB = 1024 * 1024
Progress = Callable[[int, int], None]  # (bytes sent, total)


def guess_type(path: Path) -> str | None:
    return _BY_SUFFIX.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]


def type_matches(content_type: str, accepted: Sequence[str]) -> bool:
    """`image/png` against a list holding `image/png` or `image/*`."""
    major = content_type.split("/")[0]
    return any(a == content_type or a == f"{major}/*" or a == "*/*" for a in accepted)


class _Counting:
    """A file whose reads report progress (httpx streams the multipart body by reads)."""

    def __init__(self, handle: IO[bytes], total: int, progress: Progress) -> None:
        self._handle, self._total, self._progress, self._sent = handle, total, progress, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._sent += len(chunk)
        self._progress(min(self._sent, self._total), self._total)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._sent = 0 if whence == os.SEEK_SET and offset == 0 else self._sent
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


def check_file(path: Path, accepted: Sequence[str] = ACCEPTED_TYPES, max_size_mb: float | None = None) -> tuple[str, int]:
    """The file's content type and size, or a ClientInputError saying why it cannot go."""
    if not path.is_file():
        raise ClientInputError(f"no such file: {path}", code="FILE_NOT_FOUND")
    size = path.stat().st_size
    content_type = guess_type(path)
    if content_type is None or not type_matches(content_type, ACCEPTED_TYPES):
        raise ClientInputError(
            f"{path.name}: {content_type or 'unknown type'} is not an accepted media type ({', '.join(ACCEPTED_TYPES)})",
            code="UNSUPPORTED_CONTENT_TYPE",
        )
    if not type_matches(content_type, accepted):
        raise ClientInputError(
            f"{path.name} is {content_type}; this asks for {', '.join(accepted)}", code="UNSUPPORTED_CONTENT_TYPE"
        )
    if size == 0:
        raise ClientInputError(f"{path.name} is empty", code="EMPTY_FILE")
    if max_size_mb is not None and size > max_size_mb * MiB:
        raise ClientInputError(
            f"{path.name} is {size / MiB:.1f} MB, over the {max_size_mb:g} MB asked for", code="MEDIA_TOO_LARGE"
        )
    return content_type, size


class MediaUploads(Resource):
    def upload(
        self,
        path: str | os.PathLike[str],
        *,
        run_id: str | None = None,
        ttl_hours: int | None = None,
        accepted_types: Sequence[str] = ACCEPTED_TYPES,
        max_size_mb: float | None = None,
        progress: Progress | None = None,
    ) -> Media:
        """Check the file (type, size), create the media (the server checks its cap: nothing
        uploaded yet), POST the bytes to S3, then complete: a `ready` media, or a RelayAPIError
        (MEDIA_REJECTED …)."""
        file = Path(path)
        content_type, size = check_file(file, accepted_types, max_size_mb)
        body: dict[str, object] = {"filename": file.name, "content_type": content_type, "size_bytes": size}
        if run_id:
            body["run_id"] = run_id
        if ttl_hours:
            body["ttl_hours"] = ttl_hours
        created = self._t.json("POST", "/v1/media", json=body)
        form = created["upload"]
        with file.open("rb") as handle:
            stream = _Counting(handle, size, progress) if progress else handle
            self._t.post_form(form["url"], form["fields"], file.name, stream)
        # Completing twice answers the same decision: safe to retry.
        return cast(Media, self._t.json("POST", f"/v1/media/{created['media_id']}/complete", idempotent=True))

    def get(self, media_id: str) -> Media:
        return cast(Media, self._t.json("GET", f"/v1/media/{media_id}"))
