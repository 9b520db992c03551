"""Submitted workflows: `$ref` resolution, safe zip reading, validation and the canonical
content hash. Pure domain code: no AWS, no web framework.

Resolution, zips and the hash are `relay_workflow`'s (shared with the client); here they are
re-exported, their functions through `formats`, which raises the server's `RelayError` twins
of its errors (`exceptions`). The models and validation (pydantic) are the server's own."""

# The parts are imported on first use (PEP 562 `__getattr__`), so importing this package, or one
# of its modules, costs only what is used: the API's schemas need `models` (and
# `relay_workflow.canonical`) at every cold start; resolution, zips and validation (and the step modules validation loads)
# only when a workflow is submitted.

from __future__ import annotations

from typing import TYPE_CHECKING

from relay_workflow.lazy import lazy_exports

_EXPORTS = {
    "canonical_json": "formats",
    "check_claimed_hash": "formats",
    "content_hash": "formats",
    "DictSource": "relay_workflow.refs",
    "DirectorySource": "relay_workflow.refs",
    "DocumentTooDeepError": "exceptions",
    "FileSource": "relay_workflow.refs",
    "HASH_PREFIX": "relay_workflow.canonical",
    "HashMismatchError": "exceptions",
    "InvalidContentHashError": "exceptions",
    "InvalidJsonValueError": "exceptions",
    "InvalidRefError": "exceptions",
    "InvalidWorkflowJsonError": "exceptions",
    "InvalidZipError": "exceptions",
    "ModuleSpec": "models",
    "NoFiles": "relay_workflow.refs",
    "prepare_workflow": "prepare",
    "prepare_workflow_zip": "prepare",
    "PreparedWorkflow": "prepare",
    "read_workflow_zip": "formats",
    "RefCycleError": "exceptions",
    "RefError": "exceptions",
    "RefInvalidJsonError": "exceptions",
    "RefInvalidTextError": "exceptions",
    "RefLimits": "relay_workflow.refs",
    "RefNotFoundError": "exceptions",
    "RefOutsideArchiveError": "exceptions",
    "RefTooDeepError": "exceptions",
    "RefTooLargeError": "exceptions",
    "resolve_refs": "formats",
    "Step": "models",
    "UnresolvedRefError": "exceptions",
    "validate_workflow": "validation",
    "verify_content_hash": "formats",
    "Workflow": "models",
    "WorkflowArchive": "relay_workflow.archive",
    "WorkflowError": "exceptions",
    "WorkflowValidationError": "exceptions",
    "ZipBombError": "exceptions",
    "ZipError": "exceptions",
    "ZipLimits": "relay_workflow.archive",
    "ZipNoWorkflowError": "exceptions",
    "ZipTooLargeError": "exceptions",
    "ZipTooManyEntriesError": "exceptions",
    "ZipUnsafeEntryError": "exceptions",
}

# Literal, so that linters and type checkers see the re-exports (a test holds it to the table).
__all__ = [
    "HASH_PREFIX",
    "DictSource",
    "DirectorySource",
    "DocumentTooDeepError",
    "FileSource",
    "HashMismatchError",
    "InvalidContentHashError",
    "InvalidJsonValueError",
    "InvalidRefError",
    "InvalidWorkflowJsonError",
    "InvalidZipError",
    "ModuleSpec",
    "NoFiles",
    "PreparedWorkflow",
    "RefCycleError",
    "RefError",
    "RefInvalidJsonError",
    "RefInvalidTextError",
    "RefLimits",
    "RefNotFoundError",
    "RefOutsideArchiveError",
    "RefTooDeepError",
    "RefTooLargeError",
    "Step",
    "UnresolvedRefError",
    "Workflow",
    "WorkflowArchive",
    "WorkflowError",
    "WorkflowValidationError",
    "ZipBombError",
    "ZipError",
    "ZipLimits",
    "ZipNoWorkflowError",
    "ZipTooLargeError",
    "ZipTooManyEntriesError",
    "ZipUnsafeEntryError",
    "canonical_json",
    "check_claimed_hash",
    "content_hash",
    "prepare_workflow",
    "prepare_workflow_zip",
    "read_workflow_zip",
    "resolve_refs",
    "validate_workflow",
    "verify_content_hash",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from relay_workflow.archive import WorkflowArchive, ZipLimits
    from relay_workflow.canonical import HASH_PREFIX
    from relay_workflow.refs import DictSource, DirectorySource, FileSource, NoFiles, RefLimits

    from .exceptions import (
        DocumentTooDeepError,
        HashMismatchError,
        InvalidContentHashError,
        InvalidJsonValueError,
        InvalidRefError,
        InvalidWorkflowJsonError,
        InvalidZipError,
        RefCycleError,
        RefError,
        RefInvalidJsonError,
        RefInvalidTextError,
        RefNotFoundError,
        RefOutsideArchiveError,
        RefTooDeepError,
        RefTooLargeError,
        UnresolvedRefError,
        WorkflowError,
        WorkflowValidationError,
        ZipBombError,
        ZipError,
        ZipNoWorkflowError,
        ZipTooLargeError,
        ZipTooManyEntriesError,
        ZipUnsafeEntryError,
    )
    from .formats import (
        canonical_json,
        check_claimed_hash,
        content_hash,
        read_workflow_zip,
        resolve_refs,
        verify_content_hash,
    )
    from .models import (
        ModuleSpec,
        Step,
        Workflow,
    )
    from .prepare import (
        PreparedWorkflow,
        prepare_workflow,
        prepare_workflow_zip,
    )
    from .validation import (
        validate_workflow,
    )
