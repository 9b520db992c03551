from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from relay.api import metrics
from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.schemas import (
    Page,
    TemplateCreate,
    TemplatePublic,
    TemplateSubmitted,
    VersionDetail,
    VersionPublic,
)
from relay.exceptions import InvalidRequestError, PayloadTooLargeError, RelayError
from relay.services import SubmittedTemplate

router = APIRouter(prefix="/v1", tags=["templates"])

MAX_BODY_BYTES = 10 * 1024 * 1024

_SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": TemplateCreate.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "zip with workflow.json"},
                        "template_name": {"type": "string"},
                        "display_name": {"type": "string"},
                        "content_hash": {"type": "string"},
                    },
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is over {MAX_BODY_BYTES} bytes")
    body = await request.body()  # cached, so request.form() can parse it afterwards
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is over {MAX_BODY_BYTES} bytes")
    return body


class UnsupportedMediaTypeError(RelayError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


_SUBMIT_FIELDS = ("template_name", "display_name", "content_hash")
_ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


async def _submission(request: Request, user, relay) -> SubmittedTemplate:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    templates = relay.templates
    body = await _read_body(request)
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidRequestError("multipart submissions need a 'file' part holding the zip", code="MISSING_FILE")
        data = await upload.read()
        fields = {k: v for k in _SUBMIT_FIELDS if isinstance(v := form.get(k), str) and v}
        return await run_in_threadpool(templates.submit_zip, user, data, **fields)
    if content_type in _ZIP_TYPES:
        fields = {k: v for k in _SUBMIT_FIELDS if (v := request.query_params.get(k))}
        return await run_in_threadpool(templates.submit_zip, user, body, **fields)
    if content_type not in ("application/json", ""):
        raise UnsupportedMediaTypeError(
            f"send application/json, multipart/form-data or application/zip, not {content_type}"
        )
    try:
        submission = TemplateCreate.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from exc
    return await run_in_threadpool(
        templates.submit_json,
        user,
        submission.workflow,
        template_name=submission.template_name,
        display_name=submission.display_name,
        content_hash=submission.content_hash,
    )


@router.post(
    "/templates",
    response_model=TemplateSubmitted,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_SUBMIT_BODY,
    responses={200: {"model": TemplateSubmitted, "description": "this content is already a version"}},
)
async def submit_template(request: Request, response: Response, user: CurrentUser, relay: RelayDep) -> TemplateSubmitted:
    """Submit a workflow (JSON, or a zip with `workflow.json` and the files its `$ref`s name)."""
    submitted = await _submission(request, user, relay)
    metrics.count("VersionsCreated" if submitted.created else "VersionsResubmitted")
    if not submitted.created:
        response.status_code = status.HTTP_200_OK
    return TemplateSubmitted(
        template=TemplatePublic.of(submitted.template),
        version=VersionPublic.of(submitted.version),
        created=submitted.created,
    )


@router.get("/templates", response_model=Page[TemplatePublic])
def list_templates(user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    items, next_cursor = relay.templates.list_templates(user, cursor, limit)
    return Page(items=[TemplatePublic.of(t) for t in items], next_cursor=next_cursor)


@router.get("/templates/{template_id}", response_model=TemplatePublic)
def get_template(template_id: str, user: CurrentUser, relay: RelayDep):
    return TemplatePublic.of(relay.templates.get_template(user, template_id))


@router.get("/templates/{template_id}/versions", response_model=Page[VersionPublic])
def list_versions(template_id: str, user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    items, next_cursor = relay.templates.list_versions(user, template_id, cursor, limit)
    return Page(items=[VersionPublic.of(v) for v in items], next_cursor=next_cursor)


@router.get("/versions/{version_id}", response_model=VersionDetail)
def get_version(version_id: str, user: CurrentUser, relay: RelayDep):
    version = relay.templates.get_version(user, version_id)
    return VersionDetail.model_validate(version.model_dump())
