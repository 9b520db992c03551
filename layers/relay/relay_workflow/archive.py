"""Reading a submitted workflow zip safely.

The archive holds `workflow.json` and the files its `$ref`s name. `workflow.json` sits at the
root, or — as when a folder is zipped — every entry sits under one top-level folder that holds
`workflow.json`, and that folder is the root. Entries under `__MACOSX/` and `.DS_Store` files
are ignored. Every entry is checked and read (sizes are measured while decompressing, never
taken from the headers) before anything is parsed.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from .canonical import loads_strict
from .exceptions import (
    InvalidWorkflowJsonError,
    InvalidZipError,
    ZipBombError,
    ZipNoWorkflowError,
    ZipTooLargeError,
    ZipTooManyEntriesError,
    ZipUnsafeEntryError,
)
from .refs import DictSource, RefLimits, resolve_refs

MiB = 1024 * 1024
ENTRY_POINT = "workflow.json"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_compressed_bytes: int = 10 * MiB  # the zip itself
    max_entries: int = 1000  # central-directory entries, folders included
    max_total_bytes: int = 50 * MiB  # sum of decompressed entries, as actually read
    max_ratio: float = 200.0  # decompressed / compressed, per entry …
    ratio_min_bytes: int = 1 * MiB  # … judged once an entry has produced more than this
    refs: RefLimits = field(default_factory=RefLimits)


@dataclass(frozen=True)
class WorkflowArchive:
    document: dict[str, Any]  # workflow.json with every $ref resolved
    root: str  # "" or the top-level folder holding workflow.json, with a trailing "/"
    files: tuple[str, ...]  # the files, relative to root, sorted


def _check_name(info: zipfile.ZipInfo) -> str:
    """The entry's name if safe; a directory's name without its trailing slash."""
    name = info.filename
    unsafe = not name or "\\" in name or "\x00" in name or name.startswith("/") or _DRIVE.match(name) is not None
    path = name[:-1] if info.is_dir() else name
    segments = path.split("/")
    if unsafe or any(s in ("", ".", "..") for s in segments):
        raise ZipUnsafeEntryError(
            f"zip entry {name!r} must be a relative '/'-separated path inside the archive",
            entry=name,
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ZipUnsafeEntryError(f"zip entry {name!r} is a symbolic link", entry=name)
    return path


def _ignored(path: str) -> bool:
    return path.split("/")[0] == "__MACOSX" or path.rsplit("/", 1)[-1] == ".DS_Store"


class _Budget:
    def __init__(self, limits: ZipLimits) -> None:
        self.limits = limits
        self.total = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """Decompress one entry, stopping as soon as a cap is crossed."""
        limits = self.limits
        allowed_by_ratio = limits.max_ratio * max(info.compress_size, 1)
        chunks: list[bytes] = []
        produced = 0
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                produced += len(chunk)
                self.total += len(chunk)
                if self.total > limits.max_total_bytes:
                    raise ZipTooLargeError(
                        f"zip decompresses to more than {limits.max_total_bytes} bytes",
                        entry=info.filename,
                    )
                if produced > limits.ratio_min_bytes and produced > allowed_by_ratio:
                    raise ZipBombError(
                        f"zip entry {info.filename!r} decompresses to over {limits.max_ratio:g} times its compressed size",
                        entry=info.filename,
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def _read_entries(data: bytes, limits: ZipLimits) -> dict[str, bytes]:
    if len(data) > limits.max_compressed_bytes:
        raise ZipTooLargeError(f"zip is over {limits.max_compressed_bytes} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InvalidZipError(f"not a readable zip archive: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise ZipTooManyEntriesError(f"zip has {len(infos)} entries; at most {limits.max_entries} allowed")
        seen: set[str] = set()
        wanted: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            path = _check_name(info)
            if path in seen:
                raise ZipUnsafeEntryError(f"zip entry {path!r} appears twice", entry=path)
            seen.add(path)
            if info.flag_bits & 0x1:
                raise InvalidZipError(f"zip entry {info.filename!r} is encrypted")
            if not info.is_dir() and not _ignored(path):
                wanted.append((path, info))
        budget = _Budget(limits)
        files: dict[str, bytes] = {}
        for path, info in wanted:
            try:
                files[path] = budget.read(archive, info)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                RuntimeError,
                NotImplementedError,  # zipfile: an unsupported compression method
                ValueError,
            ) as exc:
                raise InvalidZipError(f"zip entry {info.filename!r} is unreadable: {exc}") from exc
        # A name may be both a file and a folder ("a" and "a/b"): ambiguous, refuse it.
        for path in files:
            if any(parent in files for parent in _parents(path)):
                raise ZipUnsafeEntryError(f"zip entry {path!r} sits under a file", entry=path)
        return files


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _find_root(files: dict[str, bytes]) -> str:
    if ENTRY_POINT in files:
        return ""
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1 and all("/" in path for path in files):
        root = f"{tops.pop()}/"
        if f"{root}{ENTRY_POINT}" in files:
            return root
    raise ZipNoWorkflowError(f"the zip has no {ENTRY_POINT} at its root (nor in a single top-level folder)")


def read_workflow_zip(data: bytes, limits: ZipLimits = ZipLimits()) -> WorkflowArchive:
    """Check and read a workflow zip; return `workflow.json` with its `$ref`s resolved
    against the archive's files (relative to the root folder).

    Errors: INVALID_ZIP, ZIP_TOO_LARGE, ZIP_TOO_MANY_ENTRIES, ZIP_BOMB, ZIP_UNSAFE_ENTRY,
    ZIP_NO_WORKFLOW, INVALID_WORKFLOW_JSON, and the `$ref` errors of `resolve_refs`.
    """
    files = _read_entries(data, limits)
    root = _find_root(files)
    local = {path[len(root) :]: body for path, body in files.items() if path.startswith(root)}
    try:
        document = loads_strict(local[ENTRY_POINT])
    except ValueError as exc:
        raise InvalidWorkflowJsonError(f"{ENTRY_POINT} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidWorkflowJsonError(f"{ENTRY_POINT} must hold a JSON object")
    resolved = resolve_refs(document, DictSource(local), origin=ENTRY_POINT, limits=limits.refs)
    return WorkflowArchive(document=resolved, root=root, files=tuple(sorted(local)))
