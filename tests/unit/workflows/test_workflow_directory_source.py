"""DirectorySource: what the CLI resolves a folder with; it must not leave the folder."""

from __future__ import annotations

import os

import pytest

from relay.workflows import DirectorySource, resolve_refs
from relay.workflows.exceptions import RefNotFoundError, RefOutsideArchiveError, RefTooLargeError


def test_reads_files_relative_to_the_folder(tmp_path):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "p.txt").write_text("hi", encoding="utf-8")
    assert resolve_refs({"p": {"$ref": "prompts/p.txt"}}, DirectorySource(tmp_path)) == {"p": "hi"}


def test_missing_and_directories_are_not_found(tmp_path):
    (tmp_path / "dir").mkdir()
    for ref in ("nope.txt", "dir"):
        with pytest.raises(RefNotFoundError):
            resolve_refs({"$ref": ref}, DirectorySource(tmp_path))


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("s")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    with pytest.raises(RefOutsideArchiveError):
        resolve_refs({"$ref": "link.txt"}, DirectorySource(root))


def test_large_file_is_refused_before_reading(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 100)
    with pytest.raises(RefTooLargeError):
        resolve_refs({"$ref": "big.txt"}, DirectorySource(tmp_path, max_file_bytes=10))
