"""relay_workflow, the workflow format shared with the client: standard library only, and the
server answers each of its errors as its own `RelayError` twin (same name, code and extra)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import relay_workflow
import relay_workflow.exceptions as pure
from relay.exceptions import InvalidRequestError
from relay.workflows import DictSource, resolve_refs
from relay.workflows import exceptions as server

LAYER = Path(__file__).resolve().parents[3] / "layers" / "relay"

# Imports every part and uses it (a folder, a zip, the hash), with no site-packages on the path
# (-S -I): a third-party import would fail; any non-stdlib module would show in sys.modules.
_USE_EVERYTHING = """
import io, json, sys, tempfile, zipfile
sys.path.insert(0, sys.argv[1])
import relay_workflow as rw
for name in rw.__all__:
    getattr(rw, name)
with tempfile.TemporaryDirectory() as root:
    open(root + "/p.txt", "w").write("hi")
    doc = rw.resolve_refs({"p": {"$ref": "p.txt"}}, rw.DirectorySource(root))
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr("workflow.json", json.dumps(doc))
assert rw.read_workflow_zip(buffer.getvalue()).document == {"p": "hi"}
rw.verify_content_hash(doc, rw.content_hash(doc))
print(json.dumps(sorted(sys.modules)))
"""


def test_relay_workflow_imports_only_the_standard_library():
    result = subprocess.run(
        [sys.executable, "-S", "-I", "-c", _USE_EVERYTHING, str(LAYER)],
        check=True,
        capture_output=True,
        text=True,
    )
    loaded = json.loads(result.stdout)
    tops = {name.split(".")[0] for name in loaded}
    assert "relay_workflow.archive" in loaded and "relay_workflow.refs" in loaded
    assert sorted(tops - set(sys.stdlib_module_names) - {"__main__", "relay_workflow"}) == []


def _pure_error_classes() -> list[type[pure.WorkflowFormatError]]:
    return [
        cls
        for _, cls in inspect.getmembers(pure, inspect.isclass)
        if issubclass(cls, pure.WorkflowFormatError) and cls.__module__ == pure.__name__
    ]


def test_every_pure_error_has_a_server_twin_of_the_same_name_and_code():
    classes = _pure_error_classes()
    assert len(classes) == 23
    assert set(server.SERVER_ERRORS) == set(classes)
    for cls in classes:
        twin = server.SERVER_ERRORS[cls]
        assert issubclass(twin, InvalidRequestError) and twin.status == 400
        assert twin.code == cls.code
        if cls is not pure.WorkflowFormatError:
            assert twin.__name__ == cls.__name__
            assert getattr(server, cls.__name__) is twin


def test_pure_errors_are_not_relay_errors_and_carry_code_detail_extra():
    error = pure.RefNotFoundError("no file 'a.txt'", path="a.txt")
    assert not isinstance(error, InvalidRequestError)
    assert (error.code, error.detail, error.extra, str(error)) == (
        "REF_NOT_FOUND",
        "no file 'a.txt'",
        {"path": "a.txt"},
        "no file 'a.txt'",
    )


def test_the_server_raises_the_twin_from_the_pure_error():
    with pytest.raises(pure.RefCycleError) as pure_caught:
        relay_workflow.resolve_refs({"$ref": "a.json"}, DictSource({"a.json": b'{"$ref": "a.json"}'}))
    with pytest.raises(server.RefCycleError) as caught:
        resolve_refs({"$ref": "a.json"}, DictSource({"a.json": b'{"$ref": "a.json"}'}))
    error = caught.value
    assert isinstance(error.__cause__, pure.RefCycleError)
    assert (error.code, error.status, error.detail, error.extra) == (
        "REF_CYCLE",
        400,
        pure_caught.value.detail,
        {"chain": ["a.json", "a.json"]},
    )


def test_a_pure_error_without_a_twin_keeps_its_code():
    class NewFormatError(pure.RefError):
        code = "SOME_NEW_CODE"

    error = server.from_format_error(NewFormatError("new", path="p"))
    assert type(error) is server.RefError
    assert (error.code, error.extra) == ("SOME_NEW_CODE", {"path": "p"})
