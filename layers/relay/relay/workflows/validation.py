"""Submit-time validation: the model's shape plus what a model alone cannot know (unique step
ids, known modules, each module's inputs, reference syntax). Every problem is collected, so
one 400 can show them all."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from relay.domain.comfyui_nodes import ModulePolicy
from relay.runtime.modules import UnknownModuleError, get_module, malformed_references

from .exceptions import WorkflowValidationError
from .models import Workflow

MAX_PROBLEMS = 100  # kept in `problems`
MAX_IN_MESSAGE = 10  # spelled out in the error's message


class _Problems:
    def __init__(self, document: Any) -> None:
        self.steps = document.get("steps") if isinstance(document, dict) else None
        self.items: list[dict[str, Any]] = []
        self._seen: set[tuple[Any, ...]] = set()

    def _raw(self, step_index: int | None, module_index: int | None) -> tuple[Any, Any]:
        step = module = None
        if step_index is not None and isinstance(self.steps, list) and step_index < len(self.steps):
            step = self.steps[step_index]
            modules = step.get("modules") if isinstance(step, dict) else None
            if module_index is not None and isinstance(modules, list) and module_index < len(modules):
                module = modules[module_index]
        return step, module

    def add(self, message: str, step_index: int | None = None, module_index: int | None = None) -> None:
        step, module = self._raw(step_index, module_index)
        step_id = step.get("step_id") if isinstance(step, dict) else None
        step_id = step_id if isinstance(step_id, str) else None
        module_id = module.get("module_id") if isinstance(module, dict) else None
        module_id = module_id if isinstance(module_id, str) else None
        where = []
        if step_index is not None:
            where.append(f"step {step_id!r}" if step_id is not None else f"step {step_index + 1}")
        if module_index is not None:
            where.append(f"module {module_index + 1} ({module_id})" if module_id else f"module {module_index + 1}")
        problem = {
            "step_id": step_id,
            "step_index": step_index,
            "module_index": module_index,
            "module_id": module_id,
            "message": f"{' '.join(where)}: {message}" if where else message,
        }
        key = (step_index, module_index, problem["message"])
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(problem)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        problems = sorted(
            self.items,
            key=lambda p: (
                p["step_index"] is not None,
                p["step_index"] or 0,
                -1 if p["module_index"] is None else p["module_index"],
            ),
        )
        messages = [p["message"] for p in problems]
        if len(messages) == 1:
            detail = messages[0]
        else:
            shown = "; ".join(messages[:MAX_IN_MESSAGE])
            more = len(messages) - MAX_IN_MESSAGE
            detail = f"{len(messages)} problems: {shown}" + (f"; and {more} more" if more > 0 else "")
        raise WorkflowValidationError(detail, problems=problems[:MAX_PROBLEMS])


def _shape(document: Any, problems: _Problems) -> Workflow | None:
    try:
        return Workflow.model_validate(document)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            message = error["msg"]
            if error["type"] == "value_error" and "error" in error.get("ctx", {}):
                message = str(error["ctx"]["error"])
            step_index = module_index = None
            rest = loc
            if len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
                step_index, rest = rest[1], rest[2:]
                if len(rest) >= 2 and rest[0] == "modules" and isinstance(rest[1], int):
                    module_index, rest = rest[1], rest[2:]
            field = ".".join(str(part) for part in rest)
            problems.add(f"{field}: {message}" if field else message, step_index, module_index)
        return None


def _semantics(document: dict[str, Any], problems: _Problems, policy: ModulePolicy) -> None:
    steps = document.get("steps")
    if not isinstance(steps, list):
        return
    first_seen: dict[str, int] = {}
    targets: list[tuple[int, int, str]] = []  # steps modules may continue at (on_reject …)
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        step_id = step.get("step_id")
        if isinstance(step_id, str):
            if step_id in first_seen:
                problems.add(f"duplicate step_id (also step {first_seen[step_id] + 1})", i)
            else:
                first_seen[step_id] = i
        modules = step.get("modules")
        if not isinstance(modules, list):
            continue
        for j, spec in enumerate(modules):
            if not isinstance(spec, dict):
                continue
            module_id = spec.get("module_id")
            if not isinstance(module_id, str) or not module_id:
                continue  # the shape check reports it
            try:
                module = get_module(module_id)
            except UnknownModuleError as exc:
                problems.add(exc.detail, i, j)
                continue
            inputs = spec.get("inputs", {})
            if not isinstance(inputs, dict):
                continue  # the shape check reports it
            for problem in module.check_inputs(inputs):
                problems.add(problem, i, j)
            for problem in module.policy_problems(inputs, policy):
                problems.add(problem, i, j)
            targets += [(i, j, target) for target in module.step_targets(inputs)]
            for bad in malformed_references(inputs):
                problems.add(
                    f"inputs: malformed reference {bad!r} (expected $state.<path>, $run.<field> or $step.<field>)",
                    i,
                    j,
                )
    for i, j, target in targets:
        if target not in first_seen:
            problems.add(f"inputs: continues at step {target!r}, which this workflow does not have", i, j)


def validate_workflow(document: Any, *, policy: ModulePolicy | None = None) -> Workflow:
    """The workflow model, or WorkflowValidationError (INVALID_WORKFLOW, 400) listing every
    problem, each naming its step and module, e.g.
    ``step 'ask' module 2 (user.select): options: Field required``. `policy` is what the
    deployment allows (ComfyUINodeAllowList); None is the default."""
    problems = _Problems(document)
    if not isinstance(document, dict):
        problems.add("the workflow must be a JSON object")
        problems.raise_if_any()
    workflow = _shape(document, problems)
    _semantics(document, problems, policy or ModulePolicy())
    problems.raise_if_any()
    assert workflow is not None
    return workflow
