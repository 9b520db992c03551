"""Workflow documents the integration tests submit."""

from __future__ import annotations

from typing import Any


def module(module_id: str, inputs: dict[str, Any], **outputs_to_state: str) -> dict[str, Any]:
    return {"module_id": module_id, "inputs": inputs, "outputs_to_state": outputs_to_state}


def workflow(workflow_id: str, *steps: dict[str, Any]) -> dict[str, Any]:
    return {"workflow_id": workflow_id, "schema_version": "1.0", "steps": list(steps)}


def step(step_id: str, *modules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"step_id": step_id, "modules": list(modules), **extra}


def greeting(workflow_id: str = "greeting", **ask_extra: Any) -> dict[str, Any]:
    """Ask a name (text, max 20), pick a tone (select), then format a greeting."""
    return workflow(
        workflow_id,
        step(
            "ask",
            module("user.text_input", {"prompt": "Your name?", "max_length": 20}, value="name"),
            **ask_extra,
        ),
        step("pick", module("user.select", {"prompt": "Tone?", "options": ["warm", "formal"]}, value="tone")),
        step(
            "write",
            module(
                "transform.format",
                {"template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
                value="greeting",
            ),
        ),
    )
