"""A workflow to submit, from a folder, a JSON file, a dict or a zip, resolved and hashed here
with the server's own code (relay_workflow): the hash this side computes is the one the server
checks (HASH_MISMATCH otherwise). Every refusal is a ClientInputError, before anything is sent."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exceptions import ClientInputError

ENTRY_POINT = "workflow.json"
_INPUT_REFERENCE = re.compile(r"^\$(?:state|run\.inputs)\.([A-Za-z0-9_\-]+)")
WorkflowLike = str | os.PathLike[str] | Mapping[str, Any] | bytes


@dataclass(frozen=True)
class LoadedWorkflow:
    document: dict[str, Any]  # every $ref inlined
    content_hash: str
    zip_bytes: bytes | None = None  # a zip is sent as it is (the server reads it again)

    @property
    def workflow_id(self) -> str:
        return str(self.document.get("workflow_id") or "")

    def steps(self) -> dict[str, str]:
        """Each step id with the module_id of its first module (what its pause would be)."""
        found: dict[str, str] = {}
        for step in self.document.get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("step_id"), str):
                modules = step.get("modules") or [{}]
                found[step["step_id"]] = str((modules[0] or {}).get("module_id", ""))
        return found

    def first_module_inputs(self, step_id: str) -> dict[str, Any]:
        for step in self.document.get("steps") or []:
            if isinstance(step, dict) and step.get("step_id") == step_id and step.get("modules"):
                return dict(step["modules"][0].get("inputs") or {})
        return {}

    def input_names(self) -> set[str]:
        """The names the workflow reads from the run's inputs: `$run.inputs.x`, or `$state.x`
        that no module writes before (inputs are the run's first state)."""
        read: set[str] = set()
        written: set[str] = set()
        for step in self.document.get("steps") or []:
            for module in (step or {}).get("modules") or []:
                for name in _references(module.get("inputs")):
                    if name not in written:
                        read.add(name)
                targets = module.get("outputs_to_state") or {}
                written.update(str(t).split(".")[0] for t in targets.values())
        return read


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _references(v)]
    if isinstance(value, list):
        return [n for v in value for n in _references(v)]
    match = _INPUT_REFERENCE.match(value) if isinstance(value, str) else None
    return [match.group(1)] if match else []


def _workflow_error(exc: Exception) -> ClientInputError:
    code = getattr(exc, "code", None) or "INVALID_WORKFLOW"
    return ClientInputError(str(getattr(exc, "detail", None) or exc), code=code)


def load_workflow(source: WorkflowLike) -> LoadedWorkflow:
    """Resolve and hash `source`: a folder holding workflow.json, a .json file, a .zip, the
    bytes of a zip, or a dict (which may hold no file `$ref`)."""
    from relay_workflow.canonical import content_hash
    from relay_workflow.exceptions import WorkflowFormatError
    from relay_workflow.refs import NoFiles, resolve_refs

    try:
        if isinstance(source, Mapping):
            document = resolve_refs(dict(source), NoFiles())
            return LoadedWorkflow(document, content_hash(document))
        if isinstance(source, bytes):
            return _from_zip(source)
        path = Path(source)
        if path.is_dir():
            path = path / ENTRY_POINT
        if not path.is_file():
            raise ClientInputError(f"no such file: {path}", code="FILE_NOT_FOUND")
        if path.suffix.lower() == ".zip":
            return _from_zip(path.read_bytes())
        return _from_file(path)
    except WorkflowFormatError as exc:
        raise _workflow_error(exc) from exc


def _from_file(path: Path) -> LoadedWorkflow:
    from relay_workflow.canonical import content_hash, loads_strict
    from relay_workflow.refs import DirectorySource, resolve_refs

    try:
        document = loads_strict(path.read_bytes())
    except ValueError as exc:
        raise ClientInputError(f"{path} is not valid JSON: {exc}", code="INVALID_WORKFLOW_JSON") from exc
    if not isinstance(document, dict):
        raise ClientInputError(f"{path} must hold a JSON object", code="INVALID_WORKFLOW_JSON")
    resolved = resolve_refs(document, DirectorySource(path.parent), origin=path.name)
    return LoadedWorkflow(resolved, content_hash(resolved))


def _from_zip(data: bytes) -> LoadedWorkflow:
    from relay_workflow.archive import read_workflow_zip
    from relay_workflow.canonical import content_hash

    archive = read_workflow_zip(data)
    return LoadedWorkflow(archive.document, content_hash(archive.document), zip_bytes=data)
