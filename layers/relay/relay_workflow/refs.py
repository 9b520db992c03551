"""`$ref` resolution: replace file references by the files' contents before hashing.

A file reference is a JSON object whose keys are exactly ``$ref`` (a relative path, `/`
separated) and optionally ``type`` (``"json"`` or ``"text"``; by default ``json`` when the
path ends in ``.json``, else ``text``). Text is the file decoded as strict UTF-8 (a leading
BOM dropped); JSON is the parsed file, whose own references resolve relative to *that*
file's directory. A ``$ref`` whose value starts with ``#`` is a JSON-Schema internal pointer
(``{"$ref": "#/$defs/item"}``), not a file: it is left untouched, with its siblings.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .canonical import loads_strict
from .exceptions import (
    DocumentTooDeepError,
    InvalidRefError,
    RefCycleError,
    RefInvalidJsonError,
    RefInvalidTextError,
    RefNotFoundError,
    RefOutsideArchiveError,
    RefTooDeepError,
    RefTooLargeError,
    UnresolvedRefError,
)

MiB = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
REF_TYPES = ("json", "text")


class FileSource(Protocol):
    """Where referenced files come from. Paths are normalised, `/`-separated, relative to
    the source's root (never absolute, never `..`)."""

    def read(self, path: str) -> bytes:
        """The file's bytes; KeyError when there is no such file."""
        ...


class NoFiles:
    """For plain-JSON submissions: there are no files, so any file `$ref` is UNRESOLVED_REF."""

    def read(self, path: str) -> bytes:
        raise KeyError(path)


@dataclass(frozen=True)
class DictSource:
    """Files held in memory, e.g. the entries of a zip archive."""

    files: Mapping[str, bytes] = field(default_factory=dict)

    def read(self, path: str) -> bytes:
        return self.files[path]


class DirectorySource:
    """Files of a local folder (what the CLI resolves before submitting). Symlinks are
    followed only while they stay inside the folder; files over `max_file_bytes` are refused."""

    def __init__(self, root: str | os.PathLike[str], *, max_file_bytes: int = 20 * MiB) -> None:
        self.root = Path(root).resolve()
        self.max_file_bytes = max_file_bytes

    def read(self, path: str) -> bytes:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root):
            raise RefOutsideArchiveError(f"$ref {path!r} leads outside {self.root}", path=path)
        if not target.is_file():
            raise KeyError(path)
        if target.stat().st_size > self.max_file_bytes:
            raise RefTooLargeError(f"$ref {path!r} is over {self.max_file_bytes} bytes", path=path)
        return target.read_bytes()


@dataclass(frozen=True)
class RefLimits:
    max_total_bytes: int = 20 * MiB  # sum of referenced files' sizes, once per inclusion
    max_refs: int = 10_000  # file references resolved in total
    max_depth: int = 32  # files referencing files
    max_nesting: int = 256  # object/array nesting of the resolved document


def normalize_ref_path(ref: str, base: str = "") -> str:
    """Join a `$ref` path to the directory `base` and normalise it, refusing anything that
    could leave the root: absolute paths, backslashes, drive letters, NUL, empty segments,
    and `..` above the root (REF_OUTSIDE_ARCHIVE). `.` segments are dropped."""
    if "\\" in ref or "\x00" in ref or ref.startswith("/") or _DRIVE.match(ref):
        raise RefOutsideArchiveError(f"$ref {ref!r} must be a relative '/'-separated path inside the archive", ref=ref)
    parts = [p for p in base.split("/") if p] if base else []
    for segment in ref.split("/"):
        if segment == "":
            raise RefOutsideArchiveError(f"$ref {ref!r} has an empty path segment", ref=ref)
        if segment == ".":
            continue
        if segment == "..":
            if not parts:
                raise RefOutsideArchiveError(f"$ref {ref!r} climbs above the root", ref=ref)
            parts.pop()
            continue
        parts.append(segment)
    if not parts:
        raise InvalidRefError(f"$ref {ref!r} names a directory, not a file", ref=ref)
    return "/".join(parts)


def is_file_ref(value: Any) -> bool:
    """True for an object with a `$ref` that is not a `#...` JSON-Schema pointer."""
    if not isinstance(value, dict) or "$ref" not in value:
        return False
    target = value["$ref"]
    return not (isinstance(target, str) and target.startswith("#"))


class _Resolver:
    def __init__(self, source: FileSource, limits: RefLimits) -> None:
        self.source = source
        self.limits = limits
        self.total_bytes = 0
        self.count = 0

    def walk(self, value: Any, base: str, chain: tuple[str, ...], nesting: int) -> Any:
        if isinstance(value, (dict, list)):
            if nesting >= self.limits.max_nesting:
                raise DocumentTooDeepError(f"document nests deeper than {self.limits.max_nesting} levels")
            if isinstance(value, list):
                return [self.walk(item, base, chain, nesting + 1) for item in value]
            if is_file_ref(value):
                return self.include(value, base, chain, nesting)
            return {k: self.walk(v, base, chain, nesting + 1) for k, v in value.items()}
        return value

    def include(self, ref: dict[str, Any], base: str, chain: tuple[str, ...], nesting: int) -> Any:
        where = f" (in {chain[-1]})" if chain else ""
        target = ref["$ref"]
        extra_keys = sorted(set(ref) - {"$ref", "type"})
        if extra_keys:
            raise InvalidRefError(f"a $ref object may only have '$ref' and 'type', not {extra_keys}{where}")
        if not isinstance(target, str) or not target:
            raise InvalidRefError(f"$ref must be a non-empty path string{where}")
        if isinstance(self.source, NoFiles):
            raise UnresolvedRefError(
                f"$ref {target!r}{where} is not resolved: resolve $refs before sending JSON "
                "(the CLI does this for a folder), or send a zip holding the files",
                ref=target,
            )
        kind = ref.get("type")
        if kind is None:
            kind = "json" if target.lower().endswith(".json") else "text"
        if kind not in REF_TYPES:
            raise InvalidRefError(f"$ref {target!r}{where}: type must be 'json' or 'text'")

        path = normalize_ref_path(target, base)
        if path in chain:
            cycle = " -> ".join((*chain[chain.index(path) :], path))
            raise RefCycleError(f"$ref cycle: {cycle}", chain=[*chain, path])
        if len(chain) >= self.limits.max_depth:
            raise RefTooDeepError(
                f"$refs nest deeper than {self.limits.max_depth} files at {path!r}",
                chain=[*chain, path],
            )
        self.count += 1
        if self.count > self.limits.max_refs:
            raise RefTooLargeError(f"more than {self.limits.max_refs} $refs to resolve")
        try:
            data = self.source.read(path)
        except KeyError:
            raise RefNotFoundError(f"$ref {target!r}{where}: no file {path!r}", path=path) from None
        self.total_bytes += len(data)
        if self.total_bytes > self.limits.max_total_bytes:
            raise RefTooLargeError(
                f"referenced files exceed {self.limits.max_total_bytes} bytes in total (at {path!r})",
                path=path,
            )
        if kind == "text":
            try:
                return data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise RefInvalidTextError(
                    f"$ref {path!r} is not valid UTF-8 text: {exc.reason} at byte {exc.start}",
                    path=path,
                ) from exc
        try:
            parsed = loads_strict(data)
        except ValueError as exc:
            raise RefInvalidJsonError(f"$ref {path!r} is not valid JSON: {exc}", path=path) from exc
        return self.walk(parsed, posixpath.dirname(path), (*chain, path), nesting)


def resolve_refs(
    document: Any,
    source: FileSource,
    base: str = "",
    *,
    origin: str | None = None,
    limits: RefLimits = RefLimits(),
) -> Any:
    """A copy of `document` with every file `$ref` replaced by the file's content.

    `base` is the directory (relative to the source root) that the document's own `$ref`s are
    relative to; `origin` is the document's own path (e.g. "workflow.json"), used to detect
    a file referring back to it and as `base` when `base` is not given. The input is not
    modified. Errors: INVALID_REF, UNRESOLVED_REF (with `NoFiles`), REF_NOT_FOUND, REF_CYCLE,
    REF_OUTSIDE_ARCHIVE, REF_INVALID_JSON, REF_INVALID_TEXT, REF_TOO_LARGE, REF_TOO_DEEP,
    DOCUMENT_TOO_DEEP.
    """
    chain: tuple[str, ...] = ()
    if origin is not None:
        origin = normalize_ref_path(origin)
        chain = (origin,)
        if not base:
            base = posixpath.dirname(origin)
    return _Resolver(source, limits).walk(document, base, chain, 0)
