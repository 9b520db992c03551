"""`media.ingest_url`: download an image, audio or video file from a URL into the run's
media (a `ready` media record attached to the run, stored in the media bucket like uploads).

SSRF-safe (relay.runtime.net.fetch): http/https only, every resolved address public, the connection
pinned to a checked address, each redirect (at most 3) checked the same way, size and time
caps, and the type taken from the content's magic bytes."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import ModuleError

_KIND_OR_TYPE = r"^(image|audio|video)/([a-z0-9.+-]+|\*)$"


class IngestInputs(ModuleInputs):
    url: str = Field(min_length=1, max_length=4096, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")
    filename: str | None = Field(default=None, min_length=1, max_length=200, description="default: the URL's last segment")
    accept: list[str] | None = Field(
        default=None, min_length=1, max_length=20, description='types or kinds, e.g. ["image/*"]; default image, audio, video'
    )
    max_size_mb: int | None = Field(default=None, ge=1, le=5 * 1024, description="at most the deployment's cap")
    timeout_seconds: int = Field(default=30, ge=1, le=120, description="the whole fetch, redirects included")


class IngestUrl(Module):
    """Outputs: `media_id`, `content_type`, `size_bytes`, `sha256`, `filename`, `url` (as
    given) and `final_url` (after redirects)."""

    module_id = "media.ingest_url"
    Inputs = IngestInputs

    def check_inputs(self, inputs: dict[str, Any]) -> list[str]:
        problems = super().check_inputs(inputs)
        accept = inputs.get("accept") if isinstance(inputs, dict) else None
        if not problems and isinstance(accept, list):
            problems += [
                f"accept.{i}: {a!r} is not image/…, audio/… or video/…"
                for i, a in enumerate(accept)
                if isinstance(a, str) and not re.match(_KIND_OR_TYPE, a)
            ]
        return problems

    def execute(self, inputs: IngestInputs, ctx: ModuleContext) -> dict[str, Any]:
        if ctx.media is None:
            raise ModuleError("no media service is available to this run", code="MEDIA_UNAVAILABLE")
        bad = [a for a in inputs.accept or [] if not re.match(_KIND_OR_TYPE, a)]
        if bad:
            raise ModuleError(
                f"{self.module_id}: accept {bad[0]!r} is not image/…, audio/… or video/…", code="INVALID_MODULE_INPUT"
            )
        cap = ctx.media.max_ingest_bytes
        max_bytes = min(cap, inputs.max_size_mb * 1024 * 1024) if inputs.max_size_mb else cap
        from relay.domain.exceptions import QuotaExceededError

        try:
            media, fetched = ctx.media.ingest(
                inputs.url,
                step_id=ctx.step_id,
                module_index=ctx.module_index,
                filename=inputs.filename,
                accept=inputs.accept,
                max_bytes=max_bytes,
                deadline_seconds=inputs.timeout_seconds,
            )
        except QuotaExceededError as exc:
            raise ModuleError(f"{self.module_id}: {exc.detail}", code="STORAGE_QUOTA_EXCEEDED") from exc
        return {
            "media_id": media.media_id,
            "content_type": media.content_type,
            "size_bytes": media.size_bytes,
            "sha256": media.sha256,
            "filename": media.filename,
            "url": inputs.url,
            "final_url": fetched.url if fetched is not None else None,
        }
