"""Media uploads: the record, the content types accepted, their magic bytes, retention tags.

Pure: no AWS. The API, the MediaUploaded function and `user.media_upload` share these rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

# Content type → (kind, extension). Anything else is refused before anything is signed.
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "image/png": ("image", "png"),
    "image/jpeg": ("image", "jpg"),
    "image/webp": ("image", "webp"),
    "image/gif": ("image", "gif"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/wav": ("audio", "wav"),
    "audio/ogg": ("audio", "ogg"),
    "audio/flac": ("audio", "flac"),
    "video/mp4": ("video", "mp4"),
    "video/webm": ("video", "webm"),
    "model/gltf-binary": ("model", "glb"),
}

# The object tag S3 lifecycle rules match (template.yaml, MediaBucket): unattached uploads
# get the shortest rule that outlives their `ttl_hours`; media attached to a run get `run`,
# which no rule expires (the run's own retention applies).
RETENTION_TAG = "relay:retention"
RETENTION_RUN = "run"
_RETENTION_RULES = ((24, "1d"), (7 * 24, "7d"), (30 * 24, "30d"))
MAX_TTL_HOURS = _RETENTION_RULES[-1][0]
SNIFF_BYTES = 32


def retention_for(ttl_hours: int) -> str:
    for hours, tag in _RETENTION_RULES:
        if ttl_hours <= hours:
            return tag
    raise ValueError(f"ttl_hours {ttl_hours} is over {MAX_TTL_HOURS}")


class MediaStatus(StrEnum):
    pending = "pending"
    ready = "ready"
    rejected = "rejected"


class Media(BaseModel):
    media_id: str
    user_id: str
    run_id: str | None = None  # attached to this run: no expiry, follows the run
    filename: str
    content_type: str
    declared_size: int
    size_bytes: int | None = None  # the object's real size, once verified
    sha256: str | None = None
    etag: str | None = None  # of the verified object
    status: MediaStatus = MediaStatus.pending
    reason: str | None = None  # why it was rejected
    key: str
    retention: str
    created_at: str
    updated_at: str
    verified_at: str | None = None
    expires_at: str | None = None  # unattached uploads only; reads treat it as gone after
    ttl: int | None = None  # DynamoDB TTL (epoch seconds) mirroring the expiry
    # Counted in its user's quotas when added (relay.adapters.quotas): only then does a
    # status change give anything back.
    quota_counted: bool = False

    def expired(self, now: str) -> bool:
        return self.run_id is None and self.expires_at is not None and self.expires_at <= now


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(filename: str, content_type: str) -> str:
    """The last path segment, reduced to `A-Z a-z 0-9 . _ -` (at most 100 characters)."""
    base = re.split(r"[/\\]", filename)[-1]
    name = _UNSAFE.sub("_", base).strip("._")[:100]
    return name or f"upload.{ALLOWED_TYPES.get(content_type, ('', 'bin'))[1]}"


def _mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "image/png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "image/gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "audio/mpeg": _mp3,
    "audio/wav": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE",
    "audio/ogg": lambda h: h.startswith(b"OggS"),
    "audio/flac": lambda h: h.startswith(b"fLaC"),
    "video/mp4": lambda h: h[4:8] == b"ftyp",
    "video/webm": lambda h: h.startswith(b"\x1a\x45\xdf\xa3"),
    "model/gltf-binary": lambda h: h.startswith(b"glTF"),
}


def content_matches(content_type: str, head: bytes) -> bool:
    """Whether the first bytes of a file are what `content_type` files start with."""
    check = _MAGIC.get(content_type)
    return bool(check and check(head))


def sniff(head: bytes) -> str | None:
    """The allowed content type these first bytes belong to, if any."""
    return next((ct for ct, check in _MAGIC.items() if check(head)), None)


def type_accepted(content_type: str, accepted: list[str]) -> bool:
    """`accepted` holds exact types or `kind/*` wildcards (`image/*`)."""
    kind = content_type.split("/", 1)[0]
    return content_type in accepted or f"{kind}/*" in accepted


def epoch(dt: datetime) -> int:
    return int(dt.timestamp())
