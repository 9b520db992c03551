"""The workflow format, shared by the server and the client: `$ref` resolution, reading a
workflow zip safely, the canonical JSON form and the content hash. Standard library only (no
pydantic, nothing of `relay`), so the client installs it without the server's dependencies.

Errors are `relay_workflow.exceptions.WorkflowFormatError`s, each with a stable `code` (the
server answers them as 400 problems of the same code).
"""

# The parts load on first use (PEP 562 `__getattr__`): the API's cold start needs only
# `canonical` (the hash pattern of its schemas), not zips or `$ref` resolution.

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

_EXPORTS = {
    "canonical_json": "canonical",
    "check_claimed_hash": "canonical",
    "content_hash": "canonical",
    "CONTENT_HASH_PATTERN": "canonical",
    "HASH_PREFIX": "canonical",
    "loads_strict": "canonical",
    "verify_content_hash": "canonical",
    "DictSource": "refs",
    "DirectorySource": "refs",
    "FileSource": "refs",
    "NoFiles": "refs",
    "RefLimits": "refs",
    "resolve_refs": "refs",
    "ENTRY_POINT": "archive",
    "read_workflow_zip": "archive",
    "WorkflowArchive": "archive",
    "ZipLimits": "archive",
    "WorkflowFormatError": "exceptions",
    "RefError": "exceptions",
    "ZipError": "exceptions",
}

# Literal, so that linters and type checkers see the re-exports (a test holds it to the table).
__all__ = [
    "CONTENT_HASH_PATTERN",
    "ENTRY_POINT",
    "HASH_PREFIX",
    "DictSource",
    "DirectorySource",
    "FileSource",
    "NoFiles",
    "RefError",
    "RefLimits",
    "WorkflowArchive",
    "WorkflowFormatError",
    "ZipError",
    "ZipLimits",
    "canonical_json",
    "check_claimed_hash",
    "content_hash",
    "loads_strict",
    "read_workflow_zip",
    "resolve_refs",
    "verify_content_hash",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from .archive import ENTRY_POINT, WorkflowArchive, ZipLimits, read_workflow_zip
    from .canonical import (
        CONTENT_HASH_PATTERN,
        HASH_PREFIX,
        canonical_json,
        check_claimed_hash,
        content_hash,
        loads_strict,
        verify_content_hash,
    )
    from .exceptions import RefError, WorkflowFormatError, ZipError
    from .refs import DictSource, DirectorySource, FileSource, NoFiles, RefLimits, resolve_refs
