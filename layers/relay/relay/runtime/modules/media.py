"""`user.media_upload`: pause until the user supplies a ready upload of an accepted type.

The answer a person sends is `{"media_id": "media_…"}`. Its record lives in DynamoDB, and
modules do no I/O, so the module declares `answer_lookup = "media"`: the service answering
the pause looks the record up (the caller's, not expired: else 404) and hands it to
`resolve_answer`, which turns it into the value the run receives (the media's id, type, size
and sha256). `accept` checks that value against what was asked, the same in the API (before
the pause is claimed) and in RunStep (when the answer is applied).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from relay.domain.media import ALLOWED_TYPES, type_accepted

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import InvalidAnswerError

_MB = 1024 * 1024
_KINDS = sorted({kind for kind, _ in ALLOWED_TYPES.values()})


class MediaUploadInputs(ModuleInputs):
    prompt: str | None = Field(default=None, min_length=1)
    accepted_types: list[str] = Field(min_length=1, max_length=50)
    max_size_mb: float = Field(gt=0, le=5120)

    @field_validator("accepted_types")
    @classmethod
    def _known(cls, types: list[str]) -> list[str]:
        wildcards = [f"{kind}/*" for kind in _KINDS]
        unknown = [t for t in types if t not in ALLOWED_TYPES and t not in wildcards]
        if unknown:
            raise ValueError(f"{unknown} not accepted media types; use {', '.join([*ALLOWED_TYPES, *wildcards])}")
        return types


class MediaUpload(Module):
    module_id = "user.media_upload"
    Inputs = MediaUploadInputs
    pauses = True
    answer_lookup = "media"

    def request(self, inputs: MediaUploadInputs, ctx: ModuleContext) -> dict[str, Any]:
        return {
            "prompt": inputs.prompt,
            "accepted_types": inputs.accepted_types,
            "max_size_mb": inputs.max_size_mb,
        }

    def answer_key(self, value: Any) -> str:
        if not isinstance(value, dict) or set(value) != {"media_id"} or not isinstance(value["media_id"], str):
            raise InvalidAnswerError('value must be {"media_id": "media_…"}: an upload made with POST /v1/media')
        return value["media_id"]

    def resolve_answer(self, request: dict[str, Any], value: Any, record: dict[str, Any]) -> dict[str, Any]:
        if record.get("status") != "ready":
            raise InvalidAnswerError(
                f"media {record.get('media_id')} is {record.get('status')}, not ready"
                + (f" ({record['reason']})" if record.get("reason") else "")
            )
        return {
            "media_id": record["media_id"],
            "content_type": record["content_type"],
            "size_bytes": record["size_bytes"],
            "sha256": record["sha256"],
            "filename": record["filename"],
        }

    def accept(self, request: dict[str, Any], value: Any) -> dict[str, Any]:
        needed = {"media_id", "content_type", "size_bytes", "sha256", "filename"}
        if not isinstance(value, dict) or not needed <= set(value):
            raise InvalidAnswerError('value must be {"media_id": "media_…"} of a ready upload')
        if not type_accepted(value["content_type"], request["accepted_types"]):
            raise InvalidAnswerError(
                f"media {value['media_id']} is {value['content_type']}; accepted: {', '.join(request['accepted_types'])}"
            )
        limit = request["max_size_mb"] * _MB
        if value["size_bytes"] > limit:
            raise InvalidAnswerError(
                f"media {value['media_id']} is {value['size_bytes']} bytes; at most {request['max_size_mb']} MB allowed"
            )
        return {k: value[k] for k in ("media_id", "content_type", "size_bytes", "sha256", "filename")}
