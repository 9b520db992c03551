"""Errors raised while reading a workflow zip, resolving `$ref`s and hashing a workflow.

Each raised class has its own stable `code` (the server answers it as a 400 problem of that
code; the client shows it before anything is sent). The three base classes
(`WorkflowFormatError`, `RefError`, `ZipError`) exist for `except` clauses and are never
raised themselves.
"""

from __future__ import annotations

from typing import ClassVar


class WorkflowFormatError(Exception):
    """Base of every error of this package. `detail` is the human sentence; `extra` the
    machine-readable context (`path`, `ref`, `entry`, `chain`, `claimed`, `computed`)."""

    code: ClassVar[str] = "WORKFLOW_ERROR"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidWorkflowJsonError(WorkflowFormatError):
    """`workflow.json` in a zip is not valid JSON (or not a JSON object)."""

    code = "INVALID_WORKFLOW_JSON"


class DocumentTooDeepError(WorkflowFormatError):
    """The (resolved) document nests objects/arrays deeper than allowed."""

    code = "DOCUMENT_TOO_DEEP"


# -- canonical form and hash ------------------------------------------------------------
class InvalidJsonValueError(WorkflowFormatError):
    """A value has no canonical JSON form: NaN/Infinity, non-string keys, lone surrogates,
    non-JSON types."""

    code = "INVALID_JSON_VALUE"


class InvalidContentHashError(WorkflowFormatError):
    """A claimed content_hash is not of the form `sha256:<64 hex digits>`."""

    code = "INVALID_CONTENT_HASH"


class HashMismatchError(WorkflowFormatError):
    """A claimed content_hash differs from the hash of the resolved workflow."""

    code = "HASH_MISMATCH"


# -- $ref resolution --------------------------------------------------------------------
class RefError(WorkflowFormatError):
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
class ZipError(WorkflowFormatError):
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
