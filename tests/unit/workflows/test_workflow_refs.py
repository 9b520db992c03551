"""resolve_refs: file references inlined, relative to the referring file."""

from __future__ import annotations

import json

import pytest

from relay.workflows import DictSource, NoFiles, resolve_refs
from relay.workflows.exceptions import InvalidRefError, RefNotFoundError, UnresolvedRefError


def src(mapping: dict[str, str | bytes | object]) -> DictSource:
    out = {}
    for path, body in mapping.items():
        if isinstance(body, bytes):
            out[path] = body
        elif isinstance(body, str):
            out[path] = body.encode()
        else:
            out[path] = json.dumps(body).encode()
    return DictSource(out)


def test_text_ref_by_extension():
    doc = {"prompt": {"$ref": "prompts/intro.txt"}}
    assert resolve_refs(doc, src({"prompts/intro.txt": "Hello ✓\n"})) == {"prompt": "Hello ✓\n"}


def test_json_ref_by_extension():
    doc = {"schema": {"$ref": "schema.json"}}
    assert resolve_refs(doc, src({"schema.json": {"type": "object"}})) == {"schema": {"type": "object"}}


def test_explicit_type_overrides_extension():
    source = src({"data.txt": '{"a": 1}', "raw.json": '{"b": 2}'})
    doc = [{"$ref": "data.txt", "type": "json"}, {"$ref": "raw.json", "type": "text"}]
    assert resolve_refs(doc, source) == [{"a": 1}, '{"b": 2}']


def test_nested_refs_resolve_relative_to_the_referring_file():
    source = src(
        {
            "parts/step.json": {
                "prompt": {"$ref": "text/p.txt"},
                "shared": {"$ref": "../common/c.txt"},
            },
            "parts/text/p.txt": "inner",
            "common/c.txt": "common",
        }
    )
    doc = {"steps": [{"$ref": "parts/step.json"}]}
    assert resolve_refs(doc, source) == {"steps": [{"prompt": "inner", "shared": "common"}]}


def test_base_and_dot_segments():
    source = src({"sub/a.txt": "A"})
    assert resolve_refs({"$ref": "./a.txt"}, source, base="sub") == "A"
    assert resolve_refs({"$ref": "x/../a.txt"}, source, base="sub") == "A"


def test_same_file_may_be_included_twice():
    source = src({"p.txt": "P"})
    assert resolve_refs([{"$ref": "p.txt"}, {"$ref": "p.txt"}], source) == ["P", "P"]


def test_input_is_not_modified():
    doc = {"a": {"$ref": "p.txt"}}
    resolve_refs(doc, src({"p.txt": "P"}))
    assert doc == {"a": {"$ref": "p.txt"}}


def test_json_schema_pointer_is_left_alone():
    doc = {"schema": {"items": {"$ref": "#/$defs/item"}, "$defs": {"item": {"type": "string"}}}}
    assert resolve_refs(doc, NoFiles()) == doc


def test_missing_file():
    with pytest.raises(RefNotFoundError) as caught:
        resolve_refs({"a": {"$ref": "nope.txt"}}, src({}))
    assert caught.value.code == "REF_NOT_FOUND"
    assert "nope.txt" in str(caught.value)


def test_no_files_means_unresolved_ref():
    with pytest.raises(UnresolvedRefError) as caught:
        resolve_refs({"a": [{"$ref": "p.txt"}]}, NoFiles())
    assert (caught.value.code, caught.value.status) == ("UNRESOLVED_REF", 400)
    assert "zip" in str(caught.value)


def test_plain_json_without_refs_passes_no_files():
    doc = {"a": [1, {"b": "$state.x"}], "ref": "not a ref"}
    assert resolve_refs(doc, NoFiles()) == doc


@pytest.mark.parametrize(
    "ref",
    [
        {"$ref": 3},
        {"$ref": ""},
        {"$ref": "a.txt", "type": "yaml"},
        {"$ref": "a.txt", "extra": 1},
        {"$ref": "."},
        {"$ref": "sub/.."},
    ],
)
def test_malformed_ref_objects(ref):
    with pytest.raises(InvalidRefError) as caught:
        resolve_refs({"x": ref}, src({"a.txt": "A"}))
    assert caught.value.code == "INVALID_REF"
