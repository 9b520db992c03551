"""verify_content_hash: a client-sent hash must be well formed and must match."""

from __future__ import annotations

import pytest

from relay.exceptions import InvalidRequestError
from relay.workflows import content_hash, verify_content_hash
from relay.workflows.exceptions import HashMismatchError, InvalidContentHashError

DOC = {"workflow_id": "w", "steps": [1]}


def test_no_claim_returns_the_hash():
    assert verify_content_hash(DOC, None) == content_hash(DOC)


def test_matching_claim_passes_even_with_reordered_keys():
    claimed = content_hash({"steps": [1], "workflow_id": "w"})
    assert verify_content_hash(DOC, claimed) == claimed


def test_hex_case_is_ignored():
    claimed = content_hash(DOC)
    upper = "sha256:" + claimed.removeprefix("sha256:").upper()
    assert verify_content_hash(DOC, upper) == claimed


def test_mismatch_is_hash_mismatch_400():
    other = content_hash({"workflow_id": "other"})
    with pytest.raises(HashMismatchError) as caught:
        verify_content_hash(DOC, other)
    error = caught.value
    assert isinstance(error, InvalidRequestError)
    assert (error.code, error.status) == ("HASH_MISMATCH", 400)
    assert error.extra["computed"] == content_hash(DOC)
    assert error.extra["claimed"] == other


@pytest.mark.parametrize(
    "claimed",
    [
        content_hash(DOC).removeprefix("sha256:"),  # bare hex
        "sha1:" + "0" * 64,
        "sha256:" + "0" * 63,
        "sha256:" + "g" * 64,
        "SHA256:" + "0" * 64,
        "",
        123,
    ],
)
def test_malformed_claim_is_invalid_content_hash(claimed):
    with pytest.raises(InvalidContentHashError) as caught:
        verify_content_hash(DOC, claimed)
    assert caught.value.code == "INVALID_CONTENT_HASH"
