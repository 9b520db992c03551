"""Every error leaves the API as application/problem+json (RFC 9457), mapped here only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from relay.adapters.dynamo import is_transient
from relay.exceptions import RelayError

logger = logging.getLogger("relay.api")

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
# Starlette/FastAPI's own HTTPExceptions: unknown path, wrong method, unparseable multipart.
_HTTP_CODES = {
    400: "INVALID_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def problem(status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:relay:problem:{code.lower()}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    elif status == 503:
        headers["Retry-After"] = "1"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route takes on this path, for `Allow` (Starlette's 405 names only
    the first route's, and FastAPI makes one route per method): asked of the router itself."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def install(app: FastAPI) -> None:
    @app.exception_handler(RelayError)
    async def relay_error(request: Request, exc: RelayError) -> JSONResponse:
        if exc.status >= 500:
            logger.error("request failed: %s", exc.code, exc_info=exc)
        # An error may name headers of its own (QUOTA_EXCEEDED: Retry-After).
        headers = getattr(exc, "headers", None)
        return problem(exc.status, exc.code, exc.detail, headers=headers or None, **_jsonable(exc.extra))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        content_type = request.headers.get("content-type", "")
        if not _is_json(content_type) and any(tuple(e.get("loc", ())) == ("body",) and e.get("type") != "missing" for e in raw):
            # A JSON operation got a body in another (or no) content type: FastAPI left it
            # unparsed (raw bytes), and the model refused the whole body.
            detail = (
                f"send application/json, not {content_type[:100]}"
                if content_type
                else "send the body as Content-Type: application/json"
            )
            return problem(415, "UNSUPPORTED_MEDIA_TYPE", detail)
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in raw
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
        return problem(400, "INVALID_REQUEST", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = allowed_methods(request)
        code = _HTTP_CODES.get(status, f"HTTP_{status}")
        return problem(status, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_transient(exc):  # throttled or unreachable after botocore's retries
            logger.warning("AWS call failed for now", exc_info=exc)
            return problem(503, "SERVICE_UNAVAILABLE", "the service is busy; retry the request")
        logger.error("unhandled error", exc_info=exc)
        return problem(500, "INTERNAL_ERROR", "the server failed to handle this request")
