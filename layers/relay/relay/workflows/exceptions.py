"""The server's workflow errors: what `relay_workflow` raises, as `RelayError`s (400 problems).

`relay_workflow` (shared with the client) knows nothing of HTTP; each of its errors has a
server twin here with the same name and code, and `from_format_error` is the one place a
`relay_workflow` error becomes the server's (`relay.workflows.formats` calls it). Only
`WorkflowValidationError` (the pydantic schema) is the server's own. The three base classes
(`WorkflowError`, `RefError`, `ZipError`) exist for `except` clauses and are never raised.
"""

from __future__ import annotations

from typing import Any

import relay_workflow.exceptions as pure
from relay.exceptions import InvalidRequestError


class WorkflowError(InvalidRequestError):
    code = pure.WorkflowFormatError.code


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
    code = pure.InvalidWorkflowJsonError.code


class DocumentTooDeepError(WorkflowError):
    code = pure.DocumentTooDeepError.code


# -- canonical form and hash ------------------------------------------------------------
class InvalidJsonValueError(WorkflowError):
    code = pure.InvalidJsonValueError.code


class InvalidContentHashError(WorkflowError):
    code = pure.InvalidContentHashError.code


class HashMismatchError(WorkflowError):
    code = pure.HashMismatchError.code


# -- $ref resolution --------------------------------------------------------------------
class RefError(WorkflowError):
    code = pure.RefError.code


class InvalidRefError(RefError):
    code = pure.InvalidRefError.code


class UnresolvedRefError(RefError):
    code = pure.UnresolvedRefError.code


class RefNotFoundError(RefError):
    code = pure.RefNotFoundError.code


class RefCycleError(RefError):
    code = pure.RefCycleError.code


class RefOutsideArchiveError(RefError):
    code = pure.RefOutsideArchiveError.code


class RefInvalidJsonError(RefError):
    code = pure.RefInvalidJsonError.code


class RefInvalidTextError(RefError):
    code = pure.RefInvalidTextError.code


class RefTooLargeError(RefError):
    code = pure.RefTooLargeError.code


class RefTooDeepError(RefError):
    code = pure.RefTooDeepError.code


# -- zip archives -----------------------------------------------------------------------
class ZipError(WorkflowError):
    code = pure.ZipError.code


class InvalidZipError(ZipError):
    code = pure.InvalidZipError.code


class ZipTooLargeError(ZipError):
    code = pure.ZipTooLargeError.code


class ZipTooManyEntriesError(ZipError):
    code = pure.ZipTooManyEntriesError.code


class ZipBombError(ZipError):
    code = pure.ZipBombError.code


class ZipUnsafeEntryError(ZipError):
    code = pure.ZipUnsafeEntryError.code


class ZipNoWorkflowError(ZipError):
    code = pure.ZipNoWorkflowError.code


SERVER_ERRORS: dict[type[pure.WorkflowFormatError], type[WorkflowError]] = {
    pure.WorkflowFormatError: WorkflowError,
    pure.InvalidWorkflowJsonError: InvalidWorkflowJsonError,
    pure.DocumentTooDeepError: DocumentTooDeepError,
    pure.InvalidJsonValueError: InvalidJsonValueError,
    pure.InvalidContentHashError: InvalidContentHashError,
    pure.HashMismatchError: HashMismatchError,
    pure.RefError: RefError,
    pure.InvalidRefError: InvalidRefError,
    pure.UnresolvedRefError: UnresolvedRefError,
    pure.RefNotFoundError: RefNotFoundError,
    pure.RefCycleError: RefCycleError,
    pure.RefOutsideArchiveError: RefOutsideArchiveError,
    pure.RefInvalidJsonError: RefInvalidJsonError,
    pure.RefInvalidTextError: RefInvalidTextError,
    pure.RefTooLargeError: RefTooLargeError,
    pure.RefTooDeepError: RefTooDeepError,
    pure.ZipError: ZipError,
    pure.InvalidZipError: InvalidZipError,
    pure.ZipTooLargeError: ZipTooLargeError,
    pure.ZipTooManyEntriesError: ZipTooManyEntriesError,
    pure.ZipBombError: ZipBombError,
    pure.ZipUnsafeEntryError: ZipUnsafeEntryError,
    pure.ZipNoWorkflowError: ZipNoWorkflowError,
}


def from_format_error(exc: pure.WorkflowFormatError) -> WorkflowError:
    """The server's twin of `exc`, same detail, code and extra; the caller raises it
    `from exc`. A class without a twin (there is none today) keeps its code on the nearest
    mapped base."""
    for cls in type(exc).__mro__:
        server = SERVER_ERRORS.get(cls)
        if server is not None:
            return server(exc.detail, code=exc.code, **exc.extra)
    return WorkflowError(exc.detail, code=exc.code, **exc.extra)
