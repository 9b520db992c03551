"""`relay run`'s options checked against the workflow before anything is sent: inputs it reads,
steps it has, media files that exist and are of an accepted type."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import ClientInputError
from ..resources.media import check_file
from ..workflow_source import LoadedWorkflow

MEDIA_STEP = "user.media_upload"


def pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    """`k=v` items of a repeated option."""
    found = []
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ClientInputError(f"{option} {item!r}: expected NAME=VALUE", code="INVALID_OPTION")
        found.append((key, value))
    return found


def parse_inputs(values: list[str] | None) -> dict[str, Any]:
    """`--input k=v` is the string v; `--input k:=JSON` a JSON value (number, list, object …)."""
    inputs: dict[str, Any] = {}
    for key, value in pairs(values, "--input"):
        if key.endswith(":"):
            try:
                inputs[key[:-1]] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ClientInputError(f"--input {key}={value}: not JSON ({exc})", code="INVALID_OPTION") from exc
        else:
            inputs[key] = value
    return inputs


@dataclass
class RunPlan:
    inputs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)  # step → --answer text
    input_media: dict[str, Path] = field(default_factory=dict)  # input name → file
    step_media: dict[str, Path] = field(default_factory=dict)  # media_upload step → file


def _known(names: set[str] | list[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def plan(
    workflow: LoadedWorkflow | None, inputs: list[str] | None, media: list[str] | None, answers: list[str] | None
) -> RunPlan:
    """Everything checked here; ClientInputError (exit 2) names what is wrong. Without the
    workflow (--like) only the forms are checked: the server judges the rest."""
    result = RunPlan(inputs=parse_inputs(inputs), answers=dict(pairs(answers, "--answer")))
    steps = workflow.steps() if workflow else {}
    names = workflow.input_names() if workflow else set()
    if workflow is not None:
        unknown = sorted(set(result.inputs) - names)
        if unknown:
            raise ClientInputError(
                f"--input {', '.join(unknown)}: the workflow reads no such input (it reads: {_known(names)})",
                code="UNKNOWN_INPUT",
            )
        bad_steps = sorted(set(result.answers) - set(steps))
        if bad_steps:
            raise ClientInputError(
                f"--answer {', '.join(bad_steps)}: no such step (steps: {_known(list(steps))})", code="UNKNOWN_STEP"
            )
    for key, raw in pairs(media, "--media"):
        path = Path(raw).expanduser()
        if workflow is not None and steps.get(key) == MEDIA_STEP:
            asks = workflow.first_module_inputs(key)  # the pause's own limits, checked now
            size = asks.get("max_size_mb")
            check_file(path, asks.get("accepted_types") or ["*/*"], float(size) if size is not None else None)
            result.step_media[key] = path
            continue
        check_file(path)  # exists, non-empty, an accepted type: before anything is sent
        if workflow is None or key in names:
            result.input_media[key] = path
        else:
            uploads = [s for s, m in steps.items() if m == MEDIA_STEP]
            raise ClientInputError(
                f"--media {key}: neither a media upload step ({_known(uploads)}) nor an input "
                f"the workflow reads ({_known(names)})",
                code="UNKNOWN_INPUT",
            )
    return result
