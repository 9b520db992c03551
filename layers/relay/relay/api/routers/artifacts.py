"""Artifacts: a run's typed, versioned outputs; their content, lineage, edits and approval.

Approving or rejecting an artifact a run is paused on (user.approve) claims that pause, as
an answer at `POST /v1/runs/{id}/input` would: whichever door comes first wins."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep, RunId
from relay.api.problems import raises
from relay.api.routers.media import S3_POST_MAX_BYTES, UploadForm, _integral
from relay.api.schemas.common import Page, Strict
from relay.domain.artifacts import Artifact, ArtifactType
from relay.domain.content_types import serving
from relay.exceptions import InvalidRequestError, NotFoundError
from relay.ids import id_pattern

router = APIRouter(tags=["artifacts"])

ArtifactId = Annotated[str, Path(description="an artifact's id", json_schema_extra={"pattern": id_pattern("art")})]
REASON_MAX = 2000


class MediaKind(StrEnum):
    image = "image"
    audio = "audio"
    video = "video"


class ArtifactPublic(BaseModel):
    artifact_id: str
    run_id: str
    step_id: str | None = Field(description="the step that stored it; None for versions made through the API")
    artifact_name: str
    artifact_type: str = Field(description="debug | state | deliverable")
    format: str = Field(description="json | text | binary")
    content_type: str = Field(
        description="what the content is stored and served as: an image, audio or video type of the media allow-list "
        "whose bytes match it, text/plain or application/json are served inline; anything else (HTML, SVG, unknown "
        "types, mismatched bytes) is application/octet-stream, served as an attachment"
    )
    declared_content_type: str | None = Field(
        default=None, description="what the step or the edit declared, when the content is served as something else"
    )
    size_bytes: int
    sha256: str
    version: int
    parent_artifact_id: str | None
    is_latest: bool = Field(description="exactly one version of (run, artifact_name) is the latest")
    status: str = Field(description="pending | approved | rejected | auto_approved | edited")
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    retention: str = Field(description="the `relay:retention` tag: 7d (debug), run (state), keep (deliverable)")
    created_at: str
    expires_at: str | None = Field(description="debug artifacts: gone (404) after this")

    @classmethod
    def of(cls, artifact: Artifact) -> ArtifactPublic:
        return cls.model_validate(artifact.model_dump(mode="json", include=set(cls.model_fields)))


class ArtifactDetail(ArtifactPublic):
    inline: bool = Field(description="content kept in the record (GET …/content answers it) rather than in S3")
    download_url: str | None = Field(
        description="content kept in S3: a presigned GET, served with its content_type, inline or as an attachment"
    )
    download_expires_at: str | None


class ArtifactDecided(BaseModel):
    artifact: ArtifactPublic
    input_id: str | None = Field(
        description="the run's user.approve pause this decision answered (the run continues); None if no run waited"
    )


def _one_of_content_or_upload(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["content"]}, {"required": ["content_type", "size_bytes"]}]
    schema["examples"] = [{"content": {"title": "An edited title"}}, {"content_type": "image/png", "size_bytes": 48213}]


class VersionCreate(Strict):
    """`content` for a json or text artifact; `content_type` and `size_bytes` for a binary
    one (a presigned upload, then `POST …/versions/{version_id}/complete`)."""

    model_config = ConfigDict(json_schema_extra=_one_of_content_or_upload)

    content: Any = Field(
        default=None,
        description="the edited content: any JSON value for a json artifact, a string for a text one; at most 5 MiB "
        "(else 413 ARTIFACT_TOO_LARGE)",
    )
    content_type: str | None = Field(default=None, min_length=1, max_length=100, description="binary: the file's type")
    # The bounds on the integer itself: on the optional field pydantic wrote them into the
    # document as unknown `ge`/`le` keys, so the schema allowed what the server refused.
    size_bytes: Annotated[int, Field(ge=1, le=S3_POST_MAX_BYTES), BeforeValidator(_integral)] | None = Field(
        default=None,
        description="binary: the file's exact size; at most the upload cap (MediaMaxUploadMb; else 413 ARTIFACT_TOO_LARGE)",
    )


class VersionUploadPublic(BaseModel):
    artifact_id: str = Field(description="the new version's id, once completed")
    parent_artifact_id: str
    version: int
    upload: UploadForm
    complete_url: str = Field(description="POST here once the form is uploaded")


class ApproveBody(Strict):
    reason: str | None = Field(default=None, max_length=REASON_MAX)


class RejectBody(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "off brand"}]})

    reason: str = Field(min_length=1, max_length=REASON_MAX)


def _detail(relay, artifact: Artifact) -> ArtifactDetail:
    download = relay.artifacts.download_url(artifact)
    return ArtifactDetail.model_validate(
        {
            **ArtifactPublic.of(artifact).model_dump(),
            "inline": artifact.inline,
            "download_url": download[0] if download else None,
            "download_expires_at": download[1] if download else None,
        }
    )


@router.get("/v1/runs/{run_id}/artifacts", response_model=Page[ArtifactPublic])
def list_run_artifacts(
    run_id: RunId,
    user: CurrentUser,
    relay: RelayDep,
    type_: Annotated[ArtifactType | None, Query(alias="type", description="only this artifact_type")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """The run's artifacts, every version, grouped by type, oldest first (a Query on ByRun)."""
    items, next_cursor = relay.artifacts.list_for_run(user, run_id, type_, cursor, limit)
    return Page(items=[ArtifactPublic.of(a) for a in items], next_cursor=next_cursor)


@router.get(
    "/v1/runs/{run_id}/media/{kind}",
    response_class=Response,
    responses={
        307: {
            "description": "a redirect to a presigned GET of the run's latest deliverable of this kind",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "the presigned URL"}},
        }
    },
)
def get_run_media(
    run_id: RunId,
    # Any other kind names nothing: a 404, like an id of the wrong shape.
    kind: Annotated[str, Path(description="image | audio | video", json_schema_extra={"enum": [k.value for k in MediaKind]})],
    user: CurrentUser,
    relay: RelayDep,
):
    """The run's latest deliverable artifact of this kind (by its content_type; the latest
    version, not rejected), as a 307 to its content in S3; 404 if the run has none."""
    if kind not in MediaKind.__members__:
        raise NotFoundError(f"no media kind {kind[:20]!r}; image, audio or video")
    artifact = relay.artifacts.latest_deliverable(user, run_id, kind)
    download = relay.artifacts.download_url(artifact)
    if download is None:  # inline content has no URL (latest_deliverable picks stored ones only)
        raise NotFoundError(f"run {run_id} has no {kind} deliverable")
    return RedirectResponse(download[0], status_code=status.HTTP_307_TEMPORARY_REDIRECT)


class RunExportPublic(BaseModel):
    export_id: str
    run_id: str
    size_bytes: int
    sha256: str
    artifacts: int = Field(description="artifact files in the zip: the latest version of each")
    events: int
    download_url: str = Field(
        description="a presigned GET of the zip: metadata.json (run, version, events, artifact index), inputs.json, "
        "artifacts/<name>/v<version>.<ext>"
    )
    expires_at: str


@router.get("/v1/runs/{run_id}/export", response_model=RunExportPublic)
def export_run(run_id: RunId, user: CurrentUser, relay: RelayDep):
    """The run as one zip, made now: `metadata.json` (the run, its version, its events, the
    index of every artifact version), `inputs.json` (its inputs and every answer) and the
    latest version of each artifact; answered with a short-lived download URL."""
    made = relay.exports.export(user, run_id)
    return RunExportPublic.model_validate(made, from_attributes=True)


@router.get("/v1/artifacts/{artifact_id}", response_model=ArtifactDetail)
def get_artifact(artifact_id: ArtifactId, user: CurrentUser, relay: RelayDep):
    """The artifact's record; content kept in S3 comes with a short-lived download URL."""
    return _detail(relay, relay.artifacts.get(user, artifact_id))


@router.get(
    "/v1/artifacts/{artifact_id}/content",
    response_class=Response,
    responses={
        200: {
            "description": "the content kept inline: a json artifact as JSON, a text artifact as text; one whose "
            "content_type is application/octet-stream (declared as HTML, SVG …) as an attachment",
            "content": {
                "application/json": {"schema": {}},
                "text/plain": {"schema": {"type": "string"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
            "headers": {
                "Content-Disposition": {
                    "schema": {"type": "string"},
                    "description": "`attachment; filename=…` for application/octet-stream",
                }
            },
        },
        307: {
            "description": "content kept in S3: a redirect to a presigned GET, answered with the artifact's content_type "
            "and Content-Disposition (inline, or attachment for application/octet-stream)",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "the presigned URL"}},
        },
    },
)
def get_artifact_content(artifact_id: ArtifactId, user: CurrentUser, relay: RelayDep):
    """The content: inline JSON or text, or a 307 to S3 for what is kept there."""
    artifact = relay.artifacts.get(user, artifact_id)
    download = relay.artifacts.download_url(artifact)
    if download is not None:
        return RedirectResponse(download[0], status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    served = serving(artifact.content_type)
    if not served.inline:  # declared as HTML, SVG …: a download, never a page on this origin
        from relay.services.artifact_content import encode_content

        body = encode_content(artifact.format, artifact.content)
        disposition = served.disposition(f"{artifact.artifact_id}.bin")
        return Response(body, media_type=served.content_type, headers={"Content-Disposition": disposition})
    if artifact.format.value == "json":
        return JSONResponse(artifact.content)
    return PlainTextResponse(artifact.content)


@router.get("/v1/artifacts/{artifact_id}/versions", response_model=Page[ArtifactPublic])
def list_artifact_versions(artifact_id: ArtifactId, user: CurrentUser, relay: RelayDep):
    """The lineage: every version of this artifact's (run, artifact_name), oldest first."""
    versions = relay.artifacts.versions(user, artifact_id)
    return Page(items=[ArtifactPublic.of(a) for a in versions], next_cursor=None)


@router.post(
    "/v1/artifacts/{artifact_id}/versions",
    status_code=status.HTTP_201_CREATED,
    response_model=ArtifactDetail,
    responses={202: {"model": VersionUploadPublic, "description": "binary: upload the form, then complete"}},
    openapi_extra=raises(
        "NOT_LATEST_VERSION", "ARTIFACT_TOO_LARGE", "INVALID_ARTIFACT_CONTENT", "CONCURRENT_UPDATE", "QUOTA_EXCEEDED"
    ),
)
def create_artifact_version(artifact_id: ArtifactId, body: VersionCreate, response: Response, user: CurrentUser, relay: RelayDep):
    """An edited version of the latest version: `version + 1`, `parent_artifact_id`, status
    `edited` (awaiting a decision), and the only latest. json and text: `{content}` → 201.
    Binary: `{content_type, size_bytes}` → 202 with a presigned form to POST the file to (as
    for media), then `POST …/versions/{version_id}/complete` makes the version. Editing a
    version that is not the latest (or losing a race with another edit) is a 409."""
    if "content" not in body.model_fields_set:
        if body.content_type is None or body.size_bytes is None:
            raise InvalidRequestError(
                "send {content} (json, text) or {content_type, size_bytes} (binary)", code="INVALID_ARTIFACT_CONTENT"
            )
        started = relay.artifact_uploads.begin_upload(user, artifact_id, body.content_type, body.size_bytes)
        record = started.artifact
        public = VersionUploadPublic(
            artifact_id=record.artifact_id,
            parent_artifact_id=artifact_id,
            version=record.version,
            upload=UploadForm(url=started.url, fields=started.fields, expires_at=started.expires_at),
            complete_url=f"/v1/artifacts/{artifact_id}/versions/{record.artifact_id}/complete",
        )
        return JSONResponse(public.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    if body.content_type is not None or body.size_bytes is not None:
        raise InvalidRequestError("send content, or content_type and size_bytes, not both", code="INVALID_ARTIFACT_CONTENT")
    created = relay.artifacts.edit(user, artifact_id, body.content)
    response.headers["Location"] = f"/v1/artifacts/{created.artifact_id}"
    return _detail(relay, created)


@router.post(
    "/v1/artifacts/{artifact_id}/versions/{version_id}/complete",
    status_code=status.HTTP_201_CREATED,
    response_model=ArtifactDetail,
    openapi_extra=raises(
        "NOT_LATEST_VERSION", "ARTIFACT_NOT_UPLOADED", "ARTIFACT_UPLOAD_REJECTED", "CONCURRENT_UPDATE", "QUOTA_EXCEEDED"
    ),
)
def complete_artifact_version(
    artifact_id: ArtifactId, version_id: ArtifactId, response: Response, user: CurrentUser, relay: RelayDep
):
    """Verify a binary edit's upload (size, Content-Type, magic bytes of known media types;
    sha256) and make it the next version, if `artifact_id` is still the latest (else 409,
    nothing changes). A rejected upload is deleted (422). Idempotent."""
    created = relay.artifact_uploads.complete_upload(user, artifact_id, version_id)
    response.headers["Location"] = f"/v1/artifacts/{created.artifact_id}"
    return _detail(relay, created)


_DECISION_CODES = (
    "NOT_LATEST_VERSION",
    "ARTIFACT_NOT_PENDING",
    "INPUT_ALREADY_ANSWERED",
    "NOT_AWAITING_INPUT",
    "INPUT_EXPIRED",
    "CONCURRENT_UPDATE",
)


@router.post("/v1/artifacts/{artifact_id}/approve", response_model=ArtifactDecided, openapi_extra=raises(*_DECISION_CODES))
def approve_artifact(artifact_id: ArtifactId, user: CurrentUser, relay: RelayDep, body: ApproveBody | None = None):
    """Approve the latest version (pending or edited). A run paused on it (user.approve)
    continues with it; an answer at the run's input racing this one gets 409, or this gets it."""
    artifact, input_id = relay.runs.decide_artifact(user, artifact_id, True, body.reason if body else None)
    return ArtifactDecided(artifact=ArtifactPublic.of(artifact), input_id=input_id)


@router.post("/v1/artifacts/{artifact_id}/reject", response_model=ArtifactDecided, openapi_extra=raises(*_DECISION_CODES))
def reject_artifact(artifact_id: ArtifactId, body: RejectBody, user: CurrentUser, relay: RelayDep):
    """Reject the latest version (pending or edited) with a reason. A run paused on it ends in
    `error` with REJECTED, or continues at the step its user.approve names in `on_reject`."""
    artifact, input_id = relay.runs.decide_artifact(user, artifact_id, False, body.reason)
    return ArtifactDecided(artifact=ArtifactPublic.of(artifact), input_id=input_id)
