from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from relay import metrics
from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep, TemplateId, VersionId
from relay.api.exceptions import UnsupportedMediaTypeError
from relay.api.problems import REQUEST_BODY_KEY, WORKFLOW_CODES, ZIP_CODES, raises
from relay.api.schemas.common import Page
from relay.api.schemas.templates import (
    SubmitFields,
    SubmitQuery,
    TemplateCreate,
    TemplatePublic,
    TemplateSubmitted,
    VersionDetail,
    VersionPublic,
)
from relay.exceptions import InvalidRequestError, PayloadTooLargeError
from relay.metrics import names as metric
from relay.services import SubmittedTemplate

router = APIRouter(prefix="/v1", tags=["templates"])

MAX_BODY_BYTES = 10 * 1024 * 1024


def _submit_body() -> dict[str, Any]:
    """The request body's three forms, built with the document (relay.api.openapi), not at import."""
    ref = "#/components/schemas/{model}"  # relay.api.openapi moves `$defs` into components
    fields = SubmitFields.model_json_schema(ref_template=ref)
    return {
        "required": True,
        "content": {
            "application/json": {"schema": TemplateCreate.model_json_schema(ref_template=ref)},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a zip holding workflow.json and the files its $refs name",
                        },
                        **fields["properties"],
                    },
                    "additionalProperties": False,
                }
            },
            "application/zip": {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "the zip; template_name, display_name and content_hash as query parameters",
                }
            },
        },
    }


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is over {MAX_BODY_BYTES} bytes")
    body = await request.body()  # cached, so request.form() can parse it afterwards
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is over {MAX_BODY_BYTES} bytes")
    return body


_ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


def _validated(model: type[SubmitFields], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**e, "loc": (where, *e["loc"])} for e in errors]) from exc


def _fields(query: SubmitQuery, body: SubmitFields | None = None) -> dict[str, str]:
    """The query's fields, overridden by those the body gives."""
    given = {k: v for k, v in query.model_dump().items() if v is not None}
    if body is not None:
        given.update({k: v for k, v in body.model_dump(exclude={"workflow"}).items() if v is not None})
    return given


async def _submission(request: Request, query: SubmitQuery, user, relay) -> SubmittedTemplate:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    templates = relay.templates
    body = await _read_body(request)
    if content_type in _ZIP_TYPES:
        return await run_in_threadpool(templates.submit_zip, user, body, **_fields(query))
    if content_type not in ("multipart/form-data", "application/json", ""):
        raise UnsupportedMediaTypeError(
            f"send application/json, multipart/form-data or application/zip, not {content_type[:100]}"
        )
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidRequestError("multipart submissions need a 'file' part holding the zip", code="MISSING_FILE")
        data = await upload.read()
        given = {k: v for k, v in form.multi_items() if k != "file"}
        fields = _validated(SubmitFields, given, "body")  # unknown or non-text parts are a 400
        return await run_in_threadpool(templates.submit_zip, user, data, **_fields(query, fields))
    try:
        submission = TemplateCreate.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from exc
    return await run_in_threadpool(templates.submit_json, user, submission.workflow, **_fields(query, submission))


@router.post(
    "/templates",
    response_model=TemplateSubmitted,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        REQUEST_BODY_KEY: f"{__name__}:_submit_body",
        **raises(
            "MISSING_FILE",
            "INVALID_TEMPLATE_NAME",
            "INVALID_CONTENT_HASH",
            "HASH_MISMATCH",
            *WORKFLOW_CODES,
            *ZIP_CODES,
            "PAYLOAD_TOO_LARGE",
            "UNSUPPORTED_MEDIA_TYPE",
        ),
    },
    responses={200: {"model": TemplateSubmitted, "description": "this content is already a version"}},
)
async def submit_template(
    request: Request,
    response: Response,
    user: CurrentUser,
    relay: RelayDep,
    query: Annotated[SubmitQuery, Query()],
) -> TemplateSubmitted:
    """Submit a workflow (JSON, or a zip with `workflow.json` and the files its `$ref`s name).
    New content is a new version (201, `Location` names it); the same content again is that
    version (200). `template_name`, `display_name` and `content_hash` may also be query
    parameters (how an `application/zip` body names them); a field the body gives wins."""
    submitted = await _submission(request, query, user, relay)
    metrics.count(metric.VERSIONS_CREATED if submitted.created else metric.VERSIONS_RESUBMITTED)
    if submitted.created:
        response.headers["Location"] = f"/v1/versions/{submitted.version.version_id}"
    else:
        response.status_code = status.HTTP_200_OK
    return TemplateSubmitted(
        template=TemplatePublic.of(submitted.template),
        version=VersionPublic.of(submitted.version),
        created=submitted.created,
    )


@router.get("/templates", response_model=Page[TemplatePublic])
def list_templates(user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """My templates, by name."""
    items, next_cursor = relay.templates.list_templates(user, cursor, limit)
    return Page(items=[TemplatePublic.of(t) for t in items], next_cursor=next_cursor)


@router.get("/templates/{template_id}", response_model=TemplatePublic)
def get_template(template_id: TemplateId, user: CurrentUser, relay: RelayDep):
    return TemplatePublic.of(relay.templates.get_template(user, template_id))


@router.get("/templates/{template_id}/versions", response_model=Page[VersionPublic])
def list_versions(template_id: TemplateId, user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """A template's versions, newest first."""
    items, next_cursor = relay.templates.list_versions(user, template_id, cursor, limit)
    return Page(items=[VersionPublic.of(v) for v in items], next_cursor=next_cursor)


@router.get("/versions/{version_id}", response_model=VersionDetail)
def get_version(version_id: VersionId, user: CurrentUser, relay: RelayDep):
    version = relay.templates.get_version(user, version_id)
    return VersionDetail.model_validate(version.model_dump())
