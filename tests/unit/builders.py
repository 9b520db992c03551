"""Small builders for workflow documents and users, shared by the unit tests."""

from __future__ import annotations

from typing import Any

from relay.domain import User
from relay.workflows import Workflow, validate_workflow


def make_user(name: str = "alice", *, is_admin: bool = False) -> User:
    return User(
        user_id=f"usr_{name}",
        username=name,
        email=f"{name}@example.com",
        is_admin=is_admin,
        created_at="2024-01-01T00:00:00.000000Z",
    )


def document(*steps: dict[str, Any], workflow_id: str = "wf", **extra: Any) -> dict[str, Any]:
    return {"workflow_id": workflow_id, "schema_version": "1.0", "steps": list(steps), **extra}


def step(step_id: str, *modules: dict[str, Any], timeout_seconds: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"step_id": step_id, "modules": list(modules)}
    if timeout_seconds is not None:
        out["timeout_seconds"] = timeout_seconds
    return out


def _outputs(to: str | dict[str, str] | None) -> dict[str, str]:
    if to is None:
        return {}
    return {"value": to} if isinstance(to, str) else dict(to)


def fmt(template: str, values: dict[str, Any] | None = None, *, to: str | dict[str, str] | None = None) -> dict[str, Any]:
    """A transform.format module; `to` is the state target of its `value` output."""
    inputs: dict[str, Any] = {"template": template}
    if values is not None:
        inputs["values"] = values
    return {"module_id": "transform.format", "inputs": inputs, "outputs_to_state": _outputs(to)}


def text(prompt: str = "Topic?", *, to: str | dict[str, str] | None = None, **inputs: Any) -> dict[str, Any]:
    return {
        "module_id": "user.text_input",
        "inputs": {"prompt": prompt, **inputs},
        "outputs_to_state": _outputs(to),
    }


def select(prompt: str, options: list[Any], *, to: str | None = None, **inputs: Any) -> dict[str, Any]:
    return {
        "module_id": "user.select",
        "inputs": {"prompt": prompt, "options": options, **inputs},
        "outputs_to_state": _outputs(to),
    }


def compile_workflow(*steps: dict[str, Any], **extra: Any) -> Workflow:
    return validate_workflow(document(*steps, **extra))
