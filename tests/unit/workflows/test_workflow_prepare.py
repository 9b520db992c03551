"""prepare_workflow / prepare_workflow_zip: resolve → validate → hash."""

from __future__ import annotations

import hashlib
import json

import pytest

from relay.workflows import (
    DictSource,
    canonical_json,
    content_hash,
    prepare_workflow,
    prepare_workflow_zip,
)
from relay.workflows.exceptions import (
    HashMismatchError,
    UnresolvedRefError,
    WorkflowValidationError,
)


def test_plain_json(workflow):
    prepared = prepare_workflow(workflow)
    assert prepared.resolved == workflow
    assert prepared.workflow.workflow_id == "demo_flow"
    expected = canonical_json(workflow)
    assert prepared.canonical == expected
    assert prepared.canonical_size == len(expected)
    assert prepared.content_hash == "sha256:" + hashlib.sha256(expected).hexdigest()


def test_hash_is_over_the_resolved_document_as_submitted(workflow):
    workflow["metadata"] = {"note": "kept"}  # extra keys are hashed, not dropped
    workflow["steps"][0]["modules"][0]["inputs"]["prompt"] = {"$ref": "p.txt"}
    prepared = prepare_workflow(workflow, DictSource({"p.txt": b"Topic?"}))
    inlined = json.loads(json.dumps(workflow))
    inlined["steps"][0]["modules"][0]["inputs"]["prompt"] = "Topic?"
    assert prepared.resolved == inlined
    assert prepared.content_hash == content_hash(inlined)
    # Same content sent already resolved hashes the same: one version, not two.
    assert prepare_workflow(inlined).content_hash == prepared.content_hash


def test_refs_in_plain_json_are_refused(workflow):
    workflow["steps"][0]["modules"][0]["inputs"]["prompt"] = {"$ref": "p.txt"}
    with pytest.raises(UnresolvedRefError):
        prepare_workflow(workflow)


def test_claimed_hash(workflow):
    good = content_hash(workflow)
    assert prepare_workflow(workflow, claimed_hash=good).content_hash == good
    with pytest.raises(HashMismatchError):
        prepare_workflow(workflow, claimed_hash=content_hash({"other": 1}))


def test_invalid_workflow_is_reported(workflow):
    workflow["steps"][0]["modules"][0]["module_id"] = "nope"
    with pytest.raises(WorkflowValidationError):
        prepare_workflow(workflow)
    with pytest.raises(WorkflowValidationError):
        prepare_workflow(["not", "an", "object"])


def test_zip_and_folder_layouts_hash_like_the_resolved_json(workflow, zip_of):
    with_ref = json.loads(json.dumps(workflow))
    with_ref["steps"][1]["modules"][0]["inputs"]["template"] = {"$ref": "templates/title.txt"}
    body = json.dumps(with_ref, indent=2).encode()
    template = workflow["steps"][1]["modules"][0]["inputs"]["template"].encode()
    at_root = prepare_workflow_zip(zip_of([("workflow.json", body), ("templates/title.txt", template)]))
    in_folder = prepare_workflow_zip(zip_of([("w/workflow.json", body), ("w/templates/title.txt", template)]))
    assert at_root.content_hash == in_folder.content_hash == content_hash(workflow)
    assert at_root.resolved == workflow
