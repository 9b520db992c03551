"""The OpenAPI document, completed in one place: every operation's problem responses.

FastAPI documents what routes return on success; what they answer on failure is derived
here, per operation, from

- its dependencies: a caller (`CurrentUser`) can be 401, an admin route (`AdminUser`) 403, a
  route reaching AWS (`RelayDep`) 503, an id in the path 404, query/header/body parameters
  400 `INVALID_REQUEST`, a JSON body 415, a `cursor` 400 `INVALID_CURSOR`;
- the codes the route declares with `openapi_extra=raises(...)` (relay.api.problems).

Each status is one response whose body is the one shared `Problem` schema, with the codes it
may carry listed (description and `x-problem-codes`). FastAPI's default 422 goes where no
422 code is declared. Called on the first GET /openapi.json (relay.api.app), never at import.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from fastapi import routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from . import deps
from .errors import PROBLEM_JSON
from .headers import PUBLIC_PATHS
from .problems import OPENAPI_KEY, PROBLEM_CODES, REQUEST_BODY_KEY, markdown_table, run_error_table

COMPONENTS = "#/components/schemas/"

PROBLEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "Problem",
        "description": (
            "RFC 9457 problem details, the body of every error (`application/problem+json`). "
            "`code` is stable and listed in the API description; other members may be added "
            "(extension members, e.g. `input_id`, `decided_by`, `decided_at` on "
            "INPUT_ALREADY_ANSWERED), so clients must ignore members they do not know."
        ),
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "description": "`urn:relay:problem:` and the code in lower case",
                "examples": ["urn:relay:problem:not_found"],
            },
            "title": {"type": "string", "description": "the status's reason phrase"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "what went wrong, for people"},
            "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "description": "for programs: see the list"},
            "errors": {
                "type": "array",
                "description": "INVALID_REQUEST: each value that does not fit the schema",
                "items": {"$ref": COMPONENTS + "ValidationIssue"},
            },
            "problems": {
                "type": "array",
                "description": "INVALID_WORKFLOW: every problem found, each naming its step and module",
                "items": {"$ref": COMPONENTS + "WorkflowProblem"},
            },
        },
        "additionalProperties": True,
    },
    "ValidationIssue": {
        "title": "ValidationIssue",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"type": "array", "items": {"type": "string"}, "description": 'where, e.g. ["body", "steps", "0"]'},
            "msg": {"type": "string"},
            "type": {"type": "string", "description": "pydantic's error type, e.g. string_too_long"},
        },
        "additionalProperties": False,
    },
    "WorkflowProblem": {
        "title": "WorkflowProblem",
        "type": "object",
        "required": ["message"],
        "properties": {
            "step_id": {"type": ["string", "null"]},
            "step_index": {"type": ["integer", "null"], "minimum": 0, "description": "0-based"},
            "module_index": {"type": ["integer", "null"], "minimum": 0, "description": "0-based"},
            "module_id": {"type": ["string", "null"]},
            "message": {"type": "string"},
        },
        "additionalProperties": False,
    },
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "`Bearer`",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "seconds until the quota frees, where that is known (runs_per_day, pending_uploads)",
            "required": False,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    },
    503: {
        "Retry-After": {
            "description": "seconds to wait before retrying",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    },
}
_LOCATION = {
    "Location": {
        "description": "the path of the created resource (GET it)",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    }
}
# What relay.api.headers.SecurityHeaders puts on every answer.
_NOSNIFF = {
    "X-Content-Type-Options": {
        "description": "`nosniff`, on every response: the declared Content-Type is the type",
        "required": True,
        "schema": {"type": "string", "enum": ["nosniff"]},
    }
}
_NO_STORE = {
    "Cache-Control": {
        "description": "`no-store`: answers carry keys, presigned URLs and tenant data, which nothing may keep",
        "required": True,
        "schema": {"type": "string", "enum": ["no-store"]},
    }
}
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    503: "Service Unavailable",
}

_DESCRIPTION = """

## Response headers

Every response carries `X-Content-Type-Options: nosniff`, and every one but the public
documents (`/healthz`, `/openapi.json`, `/docs` asked without credentials) carries
`Cache-Control: no-store`. Stored content is served inline only as an image, audio or video
type whose bytes match it, `text/plain` or `application/json`; anything else (HTML, SVG,
unknown types) as `application/octet-stream` with `Content-Disposition: attachment`.

## Errors

Every error is `application/problem+json` ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)):
`type`, `title`, `status`, `detail` and a stable `code`, with `errors` (INVALID_REQUEST) or
`problems` (INVALID_WORKFLOW) where there are several, and possibly other members. Each
operation lists the statuses it can answer and, per status, the codes (`x-problem-codes`).
A 400 whose code is not INVALID_REQUEST (or another rule the schemas state) enforces what a
schema cannot: an unknown module, a cursor the server did not issue, a hash that does not match.

{codes}

A run that ends in `error` carries one of these in `error.code`:

{run_codes}
"""


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def api_routes(routes: list[Any]) -> Iterator[Any]:
    """The app's API routes as the document sees them (FastAPI ≥ 0.160 keeps included
    routers nested and resolves each route's prefix and context on the fly)."""
    contexts = getattr(routing, "iter_route_contexts", None)
    for route in contexts(routes) if contexts else routes:
        if isinstance(getattr(route, "original_route", route), APIRoute) and route.include_in_schema:
            yield route


def derived_codes(route: Any) -> set[str]:
    """The codes a route can answer because of what it depends on."""
    dependants = list(_dependants(route.dependant))
    calls = {d.call for d in dependants}
    codes: set[str] = set()
    if deps.current_user in calls:
        codes |= {"MISSING_API_KEY", "INVALID_API_KEY"}
    if deps.admin_user in calls:
        codes.add("ADMIN_ONLY")
    if deps.get_relay in calls:
        codes.add("SERVICE_UNAVAILABLE")
    if any(d.path_params for d in dependants):
        codes.add("NOT_FOUND")
    if any(d.query_params or d.header_params or d.cookie_params or d.body_params for d in dependants):
        codes.add("INVALID_REQUEST")
    if any(d.body_params for d in dependants):
        codes.add("UNSUPPORTED_MEDIA_TYPE")
    if any(f.alias == "cursor" for d in dependants for f in d.query_params):
        codes.add("INVALID_CURSOR")
    return codes


def _problem_response(status: int, codes: list[str]) -> dict[str, Any]:
    lines = "\n".join(f"- `{code}`: {PROBLEM_CODES[code].when}" for code in codes)
    response: dict[str, Any] = {
        "description": f"{_REASONS.get(status, 'Error')}. `code` is one of:\n{lines}",
        "content": {PROBLEM_JSON: {"schema": {"$ref": COMPONENTS + "Problem"}}},
        OPENAPI_KEY: codes,
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _hoist_defs(node: Any, components: dict[str, Any]) -> Any:
    """Move pydantic's nested `$defs` into components and point their refs there."""
    if isinstance(node, dict):
        for name, definition in node.pop("$defs", {}).items():
            components.setdefault(name, _hoist_defs(definition, components))
        for key, value in list(node.items()):
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                node[key] = COMPONENTS + value.removeprefix("#/$defs/")
            else:
                node[key] = _hoist_defs(value, components)
    elif isinstance(node, list):
        return [_hoist_defs(item, components) for item in node]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def complete(document: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for route in api_routes(routes):
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            body = operation.pop(REQUEST_BODY_KEY, None)
            if body is not None:
                module, _, function = body.partition(":")
                operation["requestBody"] = getattr(importlib.import_module(module), function)()
            codes = derived_codes(route) | set(operation.pop(OPENAPI_KEY, []))
            by_status: dict[int, list[str]] = defaultdict(list)
            for code in sorted(codes):
                by_status[PROBLEM_CODES[code].status].append(code)
            responses = operation["responses"]
            if 422 not in by_status:
                responses.pop("422", None)
            for status, status_codes in sorted(by_status.items()):
                responses[str(status)] = _problem_response(status, status_codes)
            if "201" in responses:
                responses["201"].setdefault("headers", {}).update(_LOCATION)
            for response in responses.values():
                security = _NOSNIFF if route.path_format in PUBLIC_PATHS else {**_NOSNIFF, **_NO_STORE}
                response["headers"] = {**response.get("headers", {}), **security}
            operation["responses"] = dict(sorted(responses.items()))
    document["paths"] = _hoist_defs(document["paths"], components)
    components.update(PROBLEM_SCHEMAS)
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 body, if now unused
        if COMPONENTS + name not in set(_refs(document)):
            components.pop(name, None)
    info = document["info"]
    info["description"] = info.get("description", "") + _DESCRIPTION.format(codes=markdown_table(), run_codes=run_error_table())
    return document
