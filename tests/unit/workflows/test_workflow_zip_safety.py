"""read_workflow_zip refuses unsafe entries, oversize archives and zip bombs."""

from __future__ import annotations

import zipfile

import pytest

from relay.workflows import ZipLimits, read_workflow_zip
from relay.workflows.exceptions import (
    InvalidZipError,
    ZipBombError,
    ZipTooLargeError,
    ZipTooManyEntriesError,
    ZipUnsafeEntryError,
)

OK = ("workflow.json", b'{"workflow_id": "w"}')


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04garbage"])
def test_not_a_zip(data):
    with pytest.raises(InvalidZipError) as caught:
        read_workflow_zip(data)
    assert (caught.value.code, caught.value.status) == ("INVALID_ZIP", 400)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "a/../../evil.txt",
        "a/../b.txt",
        "/etc/passwd",
        "C:/evil.txt",
        "a\\evil.txt",
        "a//b.txt",
        "./x.txt",
    ],
)
def test_unsafe_entry_names(zip_of, name):
    with pytest.raises(ZipUnsafeEntryError) as caught:
        read_workflow_zip(zip_of([OK, (name, b"x")]))
    assert caught.value.code == "ZIP_UNSAFE_ENTRY"


def test_symlink_entry(zip_of, symlink_entry):
    with pytest.raises(ZipUnsafeEntryError) as caught:
        read_workflow_zip(zip_of([OK, (symlink_entry("link.txt"), b"/etc/passwd")]))
    assert "link" in str(caught.value)


def test_duplicate_names(zip_of):
    with pytest.raises(ZipUnsafeEntryError) as caught:
        read_workflow_zip(zip_of([OK, ("p.txt", b"one"), ("p.txt", b"two")]))
    assert "twice" in str(caught.value)


def test_a_file_and_a_folder_of_the_same_name(zip_of):
    with pytest.raises(ZipUnsafeEntryError):
        read_workflow_zip(zip_of([OK, ("p", b"file"), ("p/q.txt", b"nested")]))


def test_too_many_entries(zip_of):
    data = zip_of([OK, *((f"f{i}.txt", b"x") for i in range(10))])
    assert read_workflow_zip(data, ZipLimits(max_entries=11)).document == {"workflow_id": "w"}
    with pytest.raises(ZipTooManyEntriesError) as caught:
        read_workflow_zip(data, ZipLimits(max_entries=10))
    assert caught.value.code == "ZIP_TOO_MANY_ENTRIES"


def test_compressed_size_cap(zip_of):
    data = zip_of([OK])
    with pytest.raises(ZipTooLargeError) as caught:
        read_workflow_zip(data, ZipLimits(max_compressed_bytes=len(data) - 1))
    assert caught.value.code == "ZIP_TOO_LARGE"


def test_total_uncompressed_cap_is_measured(zip_of):
    incompressible = bytes(range(256)) * 40  # ~10 KB, ratio ~1
    data = zip_of([OK, ("a.bin", incompressible), ("b.bin", incompressible)])
    with pytest.raises(ZipTooLargeError):
        read_workflow_zip(data, ZipLimits(max_total_bytes=15_000))


def _patch_central_size(data: bytes, entry_index: int, declared: int) -> bytes:
    """Overwrite the uncompressed size the central directory declares for one entry."""
    patched = bytearray(data)
    at = -1
    for _ in range(entry_index + 1):
        at = patched.index(b"PK\x01\x02", at + 1)
    patched[at + 24 : at + 28] = declared.to_bytes(4, "little")
    return bytes(patched)


def test_header_under_reporting_the_size_is_refused(zip_of):
    data = zip_of([OK, ("big.bin", b"\0" * 100_000)])
    lying = _patch_central_size(data, 1, 100)
    with pytest.raises(InvalidZipError):
        read_workflow_zip(lying)


def test_header_over_reporting_the_size_does_not_trip_the_cap(zip_of):
    """The cap is on what is actually decompressed, not on what the headers claim."""
    data = zip_of([OK, ("small.txt", b"tiny")])
    lying = _patch_central_size(data, 1, 0xFFFF_FFF0)
    archive = read_workflow_zip(lying, ZipLimits(max_total_bytes=1000))
    assert archive.files == ("small.txt", "workflow.json")


def test_bomb_highly_compressible_entry(zip_of):
    data = zip_of([OK, ("bomb.txt", b"\0" * 2_000_000)])
    assert len(data) < 10_000
    with pytest.raises(ZipBombError) as caught:
        read_workflow_zip(data, ZipLimits(max_ratio=50, ratio_min_bytes=64 * 1024))
    assert caught.value.code == "ZIP_BOMB"


def test_small_compressible_files_are_not_bombs(zip_of):
    data = zip_of([OK, ("blank.txt", b" " * 50_000)])
    assert read_workflow_zip(data).files == ("blank.txt", "workflow.json")


def test_encrypted_entry_is_refused(zip_of):
    data = bytearray(zip_of([OK], compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in both the local header and the central directory.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x01
    with pytest.raises(InvalidZipError):
        read_workflow_zip(bytes(data))
