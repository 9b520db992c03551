"""Helpers for the relay.workflows tests: a valid workflow and an in-memory zip builder."""

from __future__ import annotations

import io
import stat
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

import pytest


def make_workflow() -> dict[str, Any]:
    return {
        "workflow_id": "demo_flow",
        "name": "Demo",
        "schema_version": "1.0",
        "steps": [
            {
                "step_id": "ask",
                "modules": [
                    {
                        "module_id": "user.text_input",
                        "inputs": {"prompt": "Topic?"},
                        "outputs_to_state": {"value": "topic"},
                    },
                    {
                        "module_id": "user.select",
                        "inputs": {"prompt": "Tone?", "options": ["calm", "loud"]},
                        "outputs_to_state": {"value": "style.tone"},
                    },
                ],
            },
            {
                "step_id": "write",
                "timeout_seconds": 60,
                "modules": [
                    {
                        "module_id": "transform.format",
                        "inputs": {
                            "template": "{t} ({s})",
                            "values": {"t": "$state.topic", "s": "$state.style.tone"},
                        },
                        "outputs_to_state": {"value": "title"},
                    }
                ],
            },
        ],
    }


@pytest.fixture
def workflow() -> dict[str, Any]:
    return make_workflow()


def build_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name or ZipInfo, data) pairs, in order; duplicates are kept."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" warnings are what some tests want
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.fixture
def zip_of() -> Callable[..., bytes]:
    return build_zip


@pytest.fixture
def symlink_entry() -> Callable[[str], zipfile.ZipInfo]:
    return symlink_info
