"""Errors raised while reading, resolving, validating and hashing a submitted workflow.

All are 400s (`InvalidRequestError`); each raised class has its own stable `code`. The three
base classes (`WorkflowError`, `RefError`, `ZipError`) exist for `except` clauses and are
never raised themselves.
"""

from __future__ import annotations

from typing import Any

from relay.exceptions import InvalidRequestError


class WorkflowError(InvalidRequestError):
    code = "WORKFLOW_ERROR"


# -- validation ---------------------------------------------------------------------------
class WorkflowValidationError(WorkflowError):
    """The workflow does not fit the schema or names unknown modules / bad inputs.

    `problems` (also in `extra["problems"]`) lists every problem found, each a dict
    `{step_id, step_index, module_index, module_id, message}` (indexes 0-based; `None` where
    a problem is not about a step or a module)."""

    code = "INVALID_WORKFLOW"

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.extra.get("problems", []))


class InvalidWorkflowJsonError(WorkflowError):
    """`workflow.json` in a zip is not valid JSON (or not a JSON object)."""

    code = "INVALID_WORKFLOW_JSON"


class DocumentTooDeepError(WorkflowError):
    """The (resolved) document nests objects/arrays deeper than allowed."""

    code = "DOCUMENT_TOO_DEEP"


# -- canonical form and hash ------------------------------------------------------------
class InvalidJsonValueError(WorkflowError):
    """A value has no canonical JSON form: NaN/Infinity, non-string keys, lone surrogates,
    non-JSON types."""

    code = "INVALID_JSON_VALUE"


class InvalidContentHashError(WorkflowError):
    """A client-sent content_hash is not of the form `sha256:<64 hex digits>`."""

    code = "INVALID_CONTENT_HASH"


class HashMismatchError(WorkflowError):
    """A client-sent content_hash differs from the hash of the resolved workflow."""

    code = "HASH_MISMATCH"


# -- $ref resolution --------------------------------------------------------------------
class RefError(WorkflowError):
    code = "REF_ERROR"


class InvalidRefError(RefError):
    """A `$ref` object is malformed (non-string or empty path, unknown `type`, extra keys)."""

    code = "INVALID_REF"


class UnresolvedRefError(RefError):
    """A plain-JSON submission still contains a file `$ref`."""

    code = "UNRESOLVED_REF"


class RefNotFoundError(RefError):
    code = "REF_NOT_FOUND"


class RefCycleError(RefError):
    code = "REF_CYCLE"


class RefOutsideArchiveError(RefError):
    """The path is absolute, has backslashes, a drive letter, empty segments, or `..`
    climbing above the root."""

    code = "REF_OUTSIDE_ARCHIVE"


class RefInvalidJsonError(RefError):
    code = "REF_INVALID_JSON"


class RefInvalidTextError(RefError):
    code = "REF_INVALID_TEXT"


class RefTooLargeError(RefError):
    code = "REF_TOO_LARGE"


class RefTooDeepError(RefError):
    """Files referencing files nest deeper than allowed."""

    code = "REF_TOO_DEEP"


# -- zip archives -----------------------------------------------------------------------
class ZipError(WorkflowError):
    code = "ZIP_ERROR"


class InvalidZipError(ZipError):
    code = "INVALID_ZIP"


class ZipTooLargeError(ZipError):
    """Compressed or (actually read) uncompressed size over the cap."""

    code = "ZIP_TOO_LARGE"


class ZipTooManyEntriesError(ZipError):
    code = "ZIP_TOO_MANY_ENTRIES"


class ZipBombError(ZipError):
    """An entry decompresses to far more than its compressed size."""

    code = "ZIP_BOMB"


class ZipUnsafeEntryError(ZipError):
    """An entry name is absolute, climbs with `..`, has backslashes or a drive letter, is a
    symlink, or appears twice."""

    code = "ZIP_UNSAFE_ENTRY"


class ZipNoWorkflowError(ZipError):
    code = "ZIP_NO_WORKFLOW"
