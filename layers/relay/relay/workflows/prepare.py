"""Resolve, validate and hash a submitted workflow: the whole path from a document (or a zip)
to what is stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from relay.domain.comfyui_nodes import ModulePolicy
from relay_workflow.archive import ZipLimits
from relay_workflow.canonical import HASH_PREFIX
from relay_workflow.refs import FileSource, NoFiles, RefLimits

from .formats import canonical_json, check_claimed_hash, read_workflow_zip, resolve_refs
from .models import Workflow
from .validation import validate_workflow


@dataclass(frozen=True)
class PreparedWorkflow:
    workflow: Workflow  # the validated model
    resolved: dict[str, Any]  # the resolved document as submitted: what is stored and hashed
    content_hash: str  # "sha256:<hex>" of canonical_json(resolved)
    canonical_size: int  # len(canonical_json(resolved))
    canonical: bytes = field(default=b"", repr=False)  # canonical_json(resolved)


def prepare_workflow(
    document: Any,
    source: FileSource = NoFiles(),
    *,
    claimed_hash: str | None = None,
    limits: RefLimits = RefLimits(),
    policy: ModulePolicy | None = None,
) -> PreparedWorkflow:
    """Resolve `$ref`s (from `source`; none allowed with `NoFiles`), validate, and hash the
    resolved document. A `claimed_hash` must match (HASH_MISMATCH / INVALID_CONTENT_HASH)."""
    if not isinstance(document, dict):
        validate_workflow(document)  # raises INVALID_WORKFLOW: not an object
    return _finish(resolve_refs(document, source, limits=limits), claimed_hash, policy)


def _finish(resolved: dict[str, Any], claimed_hash: str | None, policy: ModulePolicy | None = None) -> PreparedWorkflow:
    workflow = validate_workflow(resolved, policy=policy)
    canonical = canonical_json(resolved)
    digest = HASH_PREFIX + hashlib.sha256(canonical).hexdigest()
    check_claimed_hash(digest, claimed_hash)
    return PreparedWorkflow(workflow, resolved, digest, len(canonical), canonical)


def prepare_workflow_zip(
    data: bytes, limits: ZipLimits = ZipLimits(), *, claimed_hash: str | None = None, policy: ModulePolicy | None = None
) -> PreparedWorkflow:
    """`read_workflow_zip` then validate and hash, as `prepare_workflow`."""
    return _finish(read_workflow_zip(data, limits).document, claimed_hash, policy)
