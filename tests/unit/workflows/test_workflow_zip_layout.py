"""read_workflow_zip: where workflow.json is, and resolving refs inside the archive."""

from __future__ import annotations

import json

import pytest

from relay.workflows import read_workflow_zip
from relay.workflows.exceptions import (
    InvalidWorkflowJsonError,
    RefNotFoundError,
    RefOutsideArchiveError,
    ZipNoWorkflowError,
)

WORKFLOW = {"workflow_id": "w", "prompt": {"$ref": "prompts/p.txt"}, "schema": {"$ref": "s.json"}}
RESOLVED = {"workflow_id": "w", "prompt": "Hello", "schema": {"type": "object"}}


def entries(prefix: str = "") -> list[tuple[str, bytes]]:
    return [
        (f"{prefix}workflow.json", json.dumps(WORKFLOW).encode()),
        (f"{prefix}prompts/p.txt", b"Hello"),
        (f"{prefix}s.json", b'{"type": "object"}'),
    ]


def test_workflow_json_at_the_root(zip_of):
    archive = read_workflow_zip(zip_of(entries()))
    assert archive.document == RESOLVED
    assert archive.root == ""
    assert archive.files == ("prompts/p.txt", "s.json", "workflow.json")


def test_single_top_level_folder_is_the_root(zip_of):
    data = zip_of([("myflow/", b""), *entries("myflow/")])
    archive = read_workflow_zip(data)
    assert archive.document == RESOLVED
    assert archive.root == "myflow/"
    assert "workflow.json" in archive.files


def test_macos_metadata_is_ignored(zip_of):
    data = zip_of([*entries("myflow/"), ("__MACOSX/myflow/._workflow.json", b"\x00junk"), (".DS_Store", b"x")])
    assert read_workflow_zip(data).document == RESOLVED


def test_refs_cannot_leave_the_root_folder(zip_of):
    data = zip_of([("f/workflow.json", b'{"x": {"$ref": "../f/p.txt"}}'), ("f/p.txt", b"p")])
    with pytest.raises(RefOutsideArchiveError):
        read_workflow_zip(data)


def test_missing_referenced_file(zip_of):
    with pytest.raises(RefNotFoundError):
        read_workflow_zip(zip_of([("workflow.json", b'{"x": {"$ref": "gone.txt"}}')]))


@pytest.mark.parametrize(
    "names",
    [
        ["flow.json"],
        ["a/workflow.json", "b/other.txt"],  # two top-level folders
        ["a/workflow.json", "readme.txt"],  # a root file beside the folder
        ["a/b/workflow.json"],  # two levels down
    ],
)
def test_no_workflow_json(zip_of, names):
    with pytest.raises(ZipNoWorkflowError) as caught:
        read_workflow_zip(zip_of([(name, b"{}") for name in names]))
    assert caught.value.code == "ZIP_NO_WORKFLOW"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_workflow_json_must_be_a_json_object(zip_of, body):
    with pytest.raises(InvalidWorkflowJsonError) as caught:
        read_workflow_zip(zip_of([("workflow.json", body)]))
    assert caught.value.code == "INVALID_WORKFLOW_JSON"


def test_workflow_json_with_utf8_bom_is_accepted(zip_of):
    data = zip_of([("workflow.json", b'\xef\xbb\xbf{"a": "\xc3\xa9"}')])
    assert read_workflow_zip(data).document == {"a": "é"}
