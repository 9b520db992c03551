"""Submitted workflows: `$ref` resolution, safe zip reading, validation and the canonical
content hash. Pure domain code: no AWS, no web framework."""

# The parts are imported on first use (PEP 562 `__getattr__`), so importing this package, or one
# of its modules, costs only what is used: the API's schemas need `models` and `canonical` at
# every cold start; resolution, zips and validation (and the step modules validation loads)
# only when a workflow is submitted.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "canonical_json": "canonical",
    "check_claimed_hash": "canonical",
    "content_hash": "canonical",
    "DictSource": "refs",
    "DirectorySource": "refs",
    "DocumentTooDeepError": "exceptions",
    "FileSource": "refs",
    "HASH_PREFIX": "canonical",
    "HashMismatchError": "exceptions",
    "InvalidContentHashError": "exceptions",
    "InvalidJsonValueError": "exceptions",
    "InvalidRefError": "exceptions",
    "InvalidWorkflowJsonError": "exceptions",
    "InvalidZipError": "exceptions",
    "ModuleSpec": "models",
    "NoFiles": "refs",
    "prepare_workflow": "prepare",
    "prepare_workflow_zip": "prepare",
    "PreparedWorkflow": "prepare",
    "read_workflow_zip": "archive",
    "RefCycleError": "exceptions",
    "RefError": "exceptions",
    "RefInvalidJsonError": "exceptions",
    "RefInvalidTextError": "exceptions",
    "RefLimits": "refs",
    "RefNotFoundError": "exceptions",
    "RefOutsideArchiveError": "exceptions",
    "RefTooDeepError": "exceptions",
    "RefTooLargeError": "exceptions",
    "resolve_refs": "refs",
    "Step": "models",
    "UnresolvedRefError": "exceptions",
    "validate_workflow": "validation",
    "verify_content_hash": "canonical",
    "Workflow": "models",
    "WorkflowArchive": "archive",
    "WorkflowError": "exceptions",
    "WorkflowValidationError": "exceptions",
    "ZipBombError": "exceptions",
    "ZipError": "exceptions",
    "ZipLimits": "archive",
    "ZipNoWorkflowError": "exceptions",
    "ZipTooLargeError": "exceptions",
    "ZipTooManyEntriesError": "exceptions",
    "ZipUnsafeEntryError": "exceptions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from .archive import (
        WorkflowArchive,
        ZipLimits,
        read_workflow_zip,
    )
    from .canonical import (
        HASH_PREFIX,
        canonical_json,
        check_claimed_hash,
        content_hash,
        verify_content_hash,
    )
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
    from .refs import (
        DictSource,
        DirectorySource,
        FileSource,
        NoFiles,
        RefLimits,
        resolve_refs,
    )
    from .validation import (
        validate_workflow,
    )
