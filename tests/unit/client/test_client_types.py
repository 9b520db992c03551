"""The SDK's typed results (relay_client/types.py) against the server's own OpenAPI document,
made in-process from the FastAPI app (as tests/unit/api/test_openapi_document.py does): each
TypedDict has exactly its schema's members, each of the type the schema gives, so neither side
can drift. And each SDK call's return type is the schema its route answers."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, get_args, get_origin, get_type_hints

import pytest

from relay.api import create_app
from relay_client import types as client_types
from relay_client.resources.artifacts import Approvals, Artifacts
from relay_client.resources.media import MediaUploads
from relay_client.resources.runs import Runs
from relay_client.resources.templates import Templates

SCHEMA_OF = client_types.OPENAPI_SCHEMAS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(SimpleNamespace()).openapi()


def from_schema(node: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """A schema node as a comparable value: "str", ("list", …), ("ref", name), frozenset(union) …"""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        target = schemas[name]
        return ("ref", name) if "properties" in target else from_schema(target, schemas)
    if "anyOf" in node:
        return _union(from_schema(n, schemas) for n in node["anyOf"])
    if "enum" in node:
        return ("literal", frozenset(node["enum"]))
    kind = node.get("type")
    if kind == "array":
        return ("list", from_schema(node.get("items", {}), schemas))
    if kind == "object" and "properties" not in node:
        extra = node.get("additionalProperties", True)
        return ("dict", from_schema(extra, schemas) if isinstance(extra, dict) else "Any")
    return {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None", None: "Any"}[kind]


def from_hint(hint: Any) -> Any:
    """A Python annotation as the same kind of value."""
    origin = get_origin(hint)
    if hint is Any:
        return "Any"
    if hint is type(None):
        return "None"
    if hint in (str, int, float, bool):
        return hint.__name__
    if origin in (typing.Union, types.UnionType):
        return _union(from_hint(a) for a in get_args(hint))
    if origin is typing.Literal:
        return ("literal", frozenset(get_args(hint)))
    if origin is list:
        return ("list", from_hint(get_args(hint)[0]))
    if origin is dict:
        key, value = get_args(hint)
        assert key is str, hint
        return ("dict", from_hint(value))
    if typing.is_typeddict(hint):
        return ("ref", SCHEMA_OF[hint.__name__])
    raise AssertionError(f"no JSON type for {hint!r}")


def _union(items: Iterator[Any] | Any) -> Any:
    found = frozenset(items)
    return next(iter(found)) if len(found) == 1 else found


def typed_dicts() -> list[str]:
    return sorted(n for n, v in vars(client_types).items() if typing.is_typeddict(v))


def test_every_typed_dict_names_its_schema():
    assert sorted(SCHEMA_OF) == typed_dicts()


@pytest.mark.parametrize("name", typed_dicts())
def test_a_typed_dict_is_its_schema_member_for_member(name, document):
    schemas = document["components"]["schemas"]
    schema = schemas[SCHEMA_OF[name]]
    hints = get_type_hints(getattr(client_types, name))
    assert set(hints) == set(schema["properties"]), f"{name} vs {SCHEMA_OF[name]}"
    for member, hint in hints.items():
        assert from_hint(hint) == from_schema(schema["properties"][member], schemas), f"{name}.{member}"


# SDK call → the route it calls (its 200/201/202 answer; an iterator: the items of its page).
CALLS = [
    (Runs.start, "post", "/v1/runs"),
    (Runs.get, "get", "/v1/runs/{run_id}"),
    (Runs.list, "get", "/v1/runs"),
    (Runs.events, "get", "/v1/runs/{run_id}/events"),
    (Runs.cancel, "post", "/v1/runs/{run_id}/cancel"),
    (Runs.export, "get", "/v1/runs/{run_id}/export"),
    (Templates.list, "get", "/v1/templates"),
    (Templates.get, "get", "/v1/templates/{template_id}"),
    (Templates.versions, "get", "/v1/templates/{template_id}/versions"),
    (MediaUploads.get, "get", "/v1/media/{media_id}"),
    (MediaUploads.upload, "post", "/v1/media/{media_id}/complete"),
    (Artifacts.list, "get", "/v1/runs/{run_id}/artifacts"),
    (Approvals.list, "get", "/v1/approvals"),
]


def _answer_schema(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses = document["paths"][path][method]["responses"]
    status = next(s for s in ("200", "201", "202") if s in responses)
    return responses[status]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(("call", "method", "path"), CALLS, ids=[c[0].__qualname__ for c in CALLS])
def test_each_sdk_call_returns_the_type_of_its_routes_answer(call, method, path, document):
    schemas = document["components"]["schemas"]
    answer = _answer_schema(document, method, path)
    returned = get_type_hints(call)["return"]
    if get_origin(returned) is Iterator:
        page = schemas[answer["$ref"].rsplit("/", 1)[1]]
        answer = page["properties"]["items"]["items"]
        returned = get_args(returned)[0]
    assert from_hint(returned) == from_schema(answer, schemas)
