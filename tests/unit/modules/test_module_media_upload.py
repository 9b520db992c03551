"""user.media_upload: what it asks, the answer's shape, and the pure check of a resolved media."""

from __future__ import annotations

import pytest

from relay.runtime.modules import InvalidAnswerError, ModuleContext, ModuleInputError, get_module

CTX = ModuleContext(run_id="run_1", step_id="upload", module_index=0)
MODULE = get_module("user.media_upload")
RECORD = {
    "media_id": "media_1",
    "status": "ready",
    "content_type": "image/png",
    "size_bytes": 2048,
    "sha256": "ab" * 32,
    "filename": "pic.png",
    "reason": None,
}


def request(**inputs):
    return MODULE.request(MODULE.parse_inputs(inputs), CTX)


def test_what_it_asks_and_that_it_looks_media_up():
    assert MODULE.pauses and MODULE.answer_lookup == "media"
    assert request(accepted_types=["image/png", "audio/*"], max_size_mb=2) == {
        "prompt": None,
        "accepted_types": ["image/png", "audio/*"],
        "max_size_mb": 2.0,
    }


@pytest.mark.parametrize(
    "inputs",
    [
        {"accepted_types": [], "max_size_mb": 1},
        {"accepted_types": ["text/html"], "max_size_mb": 1},
        {"accepted_types": ["image/png"], "max_size_mb": 0},
        {"accepted_types": ["image/png"]},
    ],
)
def test_bad_inputs(inputs):
    with pytest.raises(ModuleInputError):
        MODULE.parse_inputs(inputs)
    assert MODULE.check_inputs(inputs)


@pytest.mark.parametrize("value", [None, "media_1", {"media_id": 5}, {"media_id": "media_1", "x": 1}, ["media_1"]])
def test_the_answer_names_one_media(value):
    with pytest.raises(InvalidAnswerError):
        MODULE.answer_key(value)


def test_a_ready_media_of_an_accepted_type_within_the_size():
    req = request(accepted_types=["image/*"], max_size_mb=1)
    resolved = MODULE.resolve_answer(req, {"media_id": "media_1"}, RECORD)
    assert MODULE.accept(req, resolved) == {
        k: RECORD[k] for k in ("media_id", "content_type", "size_bytes", "sha256", "filename")
    }


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_not_ready(status):
    with pytest.raises(InvalidAnswerError, match=status):
        MODULE.resolve_answer(
            request(accepted_types=["image/png"], max_size_mb=1),
            {"media_id": "media_1"},
            {**RECORD, "status": status, "size_bytes": None, "sha256": None},
        )


def test_wrong_type_and_too_large():
    resolved = MODULE.resolve_answer({}, {"media_id": "media_1"}, RECORD)
    with pytest.raises(InvalidAnswerError, match="accepted"):
        MODULE.accept(request(accepted_types=["audio/*"], max_size_mb=1), resolved)
    with pytest.raises(InvalidAnswerError, match="at most"):
        MODULE.accept(request(accepted_types=["image/png"], max_size_mb=0.001), resolved)
    with pytest.raises(InvalidAnswerError):
        MODULE.accept(request(accepted_types=["image/png"], max_size_mb=1), {"media_id": "media_1"})  # unresolved
