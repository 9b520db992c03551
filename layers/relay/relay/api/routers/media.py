"""Media uploads: the browser POSTs the file straight to S3 with a presigned form; the API
never sees the bytes. Verified on S3's ObjectCreated (MediaUploaded) or on `complete`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from relay.api.deps import CurrentUser, RelayDep
from relay.api.problems import raises
from relay.api.schemas.common import Strict, documented
from relay.domain.media import ALLOWED_TYPES, MAX_TTL_HOURS, Media
from relay.ids import id_pattern

router = APIRouter(prefix="/v1/media", tags=["media"])

MediaId = Annotated[str, Path(description="a media's id", json_schema_extra={"pattern": id_pattern("media")})]
S3_POST_MAX_BYTES = 5 * 1024**3  # what one S3 POST takes; the deployment's cap is lower


def _integral(value: object) -> object:
    """JSON Schema's integer includes 1.0; strict pydantic would refuse it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[int, BeforeValidator(_integral)]


class MediaCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"filename": "cat.png", "content_type": "image/png", "size_bytes": 48213}]}
    )

    filename: str = Field(min_length=1, max_length=255, description="kept as given; the key uses a safe form of it")
    content_type: str = Field(
        max_length=100,
        description="the file's type; only these are accepted (else 400 UNSUPPORTED_CONTENT_TYPE)",
        json_schema_extra=documented(enum=list(ALLOWED_TYPES)),
    )
    size_bytes: JsonInt = Field(
        ge=1,
        le=S3_POST_MAX_BYTES,
        description="the file's exact size; at most the deployment's cap (MediaMaxUploadMb, default 25 MB; "
        "else 400 MEDIA_TOO_LARGE). The upload form takes 1..size_bytes; another size is rejected on verification.",
    )
    ttl_hours: JsonInt = Field(default=24, ge=1, le=MAX_TTL_HOURS, description="an unattached upload is gone after this (404)")
    run_id: str | None = Field(
        default=None,
        max_length=64,
        description="attach to this run of yours now: no expiry, kept with the run",
        json_schema_extra=documented(pattern=id_pattern("run")),
    )


class UploadForm(BaseModel):
    url: str = Field(description="POST a multipart/form-data form here")
    fields: dict[str, str] = Field(
        description="every one as a form field, in any order, then the file as `file` (last); `Content-Type` and "
        "`Content-Disposition` are signed: the object is stored as the type it is served as (an image, audio or "
        "video type inline; anything else application/octet-stream, `attachment`)"
    )
    expires_at: str = Field(description="the form is refused after this")


class MediaPublic(BaseModel):
    media_id: str
    run_id: str | None
    filename: str
    content_type: str
    declared_size: int
    size_bytes: int | None = Field(description="the object's real size, once verified")
    sha256: str | None
    status: str = Field(description="pending | ready | rejected")
    reason: str | None = Field(description="why it was rejected")
    created_at: str
    verified_at: str | None
    expires_at: str | None = Field(description="unattached uploads: gone (404) after this")

    @classmethod
    def fields_of(cls, media: Media) -> dict:
        return media.model_dump(mode="json", include=set(MediaPublic.model_fields))


class MediaCreated(MediaPublic):
    upload: UploadForm


class MediaDetail(MediaPublic):
    download_url: str | None = Field(
        description="ready media: a presigned GET, served inline with its content_type if an image, audio or video; "
        "else (model/gltf-binary) as application/octet-stream, an attachment"
    )
    download_expires_at: str | None


def _detail(relay, media: Media) -> MediaDetail:
    download = relay.media.download_url(media)
    return MediaDetail.model_validate(
        {
            **MediaPublic.fields_of(media),
            "download_url": download[0] if download else None,
            "download_expires_at": download[1] if download else None,
        }
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MediaCreated,
    openapi_extra=raises("UNSUPPORTED_CONTENT_TYPE", "MEDIA_TOO_LARGE", "NOT_FOUND", "QUOTA_EXCEEDED"),
)
def create_media(body: MediaCreate, response: Response, user: CurrentUser, relay: RelayDep):
    """Sign a browser upload straight to S3: POST `upload.fields` and the file (`file`, last) as
    multipart/form-data to `upload.url`. S3 takes only that key, that Content-Type and at most
    `size_bytes`, until `upload.expires_at`. Then the media is verified (it becomes `ready` or
    `rejected`): on S3's notification, or at once with `POST /v1/media/{id}/complete`."""
    created = relay.media.create(user, **body.model_dump())
    response.headers["Location"] = f"/v1/media/{created.media.media_id}"
    return MediaCreated.model_validate(
        {
            **MediaPublic.fields_of(created.media),
            "upload": {"url": created.url, "fields": created.fields, "expires_at": created.upload_expires_at},
        }
    )


@router.post(
    "/{media_id}/complete",
    response_model=MediaDetail,
    openapi_extra=raises("MEDIA_NOT_UPLOADED", "MEDIA_REJECTED"),
)
def complete_media(media_id: MediaId, user: CurrentUser, relay: RelayDep):
    """Verify the upload now (size, Content-Type, magic bytes; sha256): 200 `ready`, or 422
    MEDIA_REJECTED (the object is deleted). Idempotent: a decided media answers as decided."""
    return _detail(relay, relay.media.complete(user, media_id))


@router.get("/{media_id}", response_model=MediaDetail)
def get_media(media_id: MediaId, user: CurrentUser, relay: RelayDep):
    """The media's record and, when ready, a short-lived download URL."""
    return _detail(relay, relay.media.get(user, media_id))
