"""resolve_refs refuses cycles, escapes, bad content and oversize documents."""

from __future__ import annotations

import pytest

from relay.workflows import DictSource, RefLimits, resolve_refs
from relay.workflows.exceptions import (
    DocumentTooDeepError,
    RefCycleError,
    RefInvalidJsonError,
    RefInvalidTextError,
    RefOutsideArchiveError,
    RefTooDeepError,
    RefTooLargeError,
)


def test_cycle_names_the_chain():
    source = DictSource(
        {
            "a.json": b'{"next": {"$ref": "b/b.json"}}',
            "b/b.json": b'{"back": {"$ref": "../a.json"}}',
        }
    )
    with pytest.raises(RefCycleError) as caught:
        resolve_refs({"x": {"$ref": "a.json"}}, source)
    assert caught.value.code == "REF_CYCLE"
    assert "a.json -> b/b.json -> a.json" in str(caught.value)


def test_self_reference_is_a_cycle():
    with pytest.raises(RefCycleError):
        resolve_refs({"$ref": "s.json"}, DictSource({"s.json": b'[{"$ref": "s.json"}]'}))


def test_reference_back_to_the_origin_is_a_cycle():
    source = DictSource({"workflow.json": b"{}", "a.json": b'{"$ref": "workflow.json"}'})
    with pytest.raises(RefCycleError) as caught:
        resolve_refs({"a": {"$ref": "a.json"}}, source, origin="workflow.json")
    assert "workflow.json -> a.json -> workflow.json" in str(caught.value)


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "sub/../../secret.txt",
        "/etc/passwd",
        "C:/x.txt",
        "c:x.txt",
        "sub\\x.txt",
        "sub//x.txt",
        "sub/x.txt/",
    ],
)
def test_paths_escaping_the_root(path):
    source = DictSource({"secret.txt": b"s", "sub/x.txt": b"x", "x.txt": b"x"})
    with pytest.raises(RefOutsideArchiveError) as caught:
        resolve_refs({"a": {"$ref": path}}, source)
    assert caught.value.code == "REF_OUTSIDE_ARCHIVE"


def test_escape_from_a_nested_file_counts_from_the_root():
    source = DictSource({"d/a.json": b'{"$ref": "../../up.txt"}'})
    with pytest.raises(RefOutsideArchiveError):
        resolve_refs({"$ref": "d/a.json"}, source)


def test_invalid_json_in_a_referenced_file():
    with pytest.raises(RefInvalidJsonError) as caught:
        resolve_refs({"$ref": "bad.json"}, DictSource({"bad.json": b"{nope"}))
    assert caught.value.code == "REF_INVALID_JSON"


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": 1, "a": 2}'])
def test_json_without_a_canonical_form_is_invalid(body):
    with pytest.raises(RefInvalidJsonError):
        resolve_refs({"$ref": "x.json"}, DictSource({"x.json": body}))


def test_non_utf8_text():
    with pytest.raises(RefInvalidTextError) as caught:
        resolve_refs({"$ref": "latin1.txt"}, DictSource({"latin1.txt": "café".encode("latin-1")}))
    assert caught.value.code == "REF_INVALID_TEXT"


def test_total_size_cap_counts_every_inclusion():
    source = DictSource({"big.txt": b"x" * 600})
    limits = RefLimits(max_total_bytes=1000)
    assert resolve_refs({"$ref": "big.txt"}, source, limits=limits) == "x" * 600
    with pytest.raises(RefTooLargeError) as caught:
        resolve_refs([{"$ref": "big.txt"}, {"$ref": "big.txt"}], source, limits=limits)
    assert caught.value.code == "REF_TOO_LARGE"


def test_exponential_fan_out_is_capped():
    files = {f"f{i}.json": f'[{{"$ref": "f{i + 1}.json"}}, {{"$ref": "f{i + 1}.json"}}]'.encode() for i in range(30)}
    files["f30.json"] = b"1"
    with pytest.raises(RefTooLargeError):
        resolve_refs({"$ref": "f0.json"}, DictSource(files), limits=RefLimits(max_refs=500))


def test_depth_cap_on_files_referencing_files():
    files = {f"f{i}.json": f'{{"$ref": "f{i + 1}.json"}}'.encode() for i in range(10)}
    files["f10.json"] = b"1"
    assert resolve_refs({"$ref": "f0.json"}, DictSource(files)) == 1
    with pytest.raises(RefTooDeepError) as caught:
        resolve_refs({"$ref": "f0.json"}, DictSource(files), limits=RefLimits(max_depth=5))
    assert caught.value.code == "REF_TOO_DEEP"


def test_nesting_cap():
    deep: object = "leaf"
    for _ in range(50):
        deep = [deep]
    with pytest.raises(DocumentTooDeepError) as caught:
        resolve_refs(deep, DictSource({}), limits=RefLimits(max_nesting=20))
    assert caught.value.code == "DOCUMENT_TOO_DEEP"
