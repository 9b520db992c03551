"""What the interpreter makes of a module's results: outputs mapped into the state (all or
none, within the size limits), the checked request of a pause, and the events that record them."""

from __future__ import annotations

import copy
from typing import Any

from relay.domain import NewEvent, RunError
from relay.domain.limits import MAX_REQUEST_BYTES, MAX_STATE_BYTES, json_size
from relay.domain.state_paths import set_path
from relay.exceptions import RelayError
from relay.runtime.modules.base import Waiting
from relay.runtime.modules.exceptions import ModuleError
from relay.workflows.models import ModuleSpec


def apply_outputs(spec: ModuleSpec, outputs: dict[str, Any], state: dict[str, Any]) -> None:
    """All of a module's mapped outputs, or (when one is missing or the state would outgrow
    its limit) none of them."""
    missing = [name for name in spec.outputs_to_state if name not in outputs]
    if missing:
        raise ModuleError(
            f"{spec.module_id} has no output {missing[0]!r} (it has {sorted(outputs)})",
            code="UNKNOWN_OUTPUT",
        )
    size = json_size(outputs)
    if size > MAX_STATE_BYTES:
        raise ModuleError(
            f"{spec.module_id} returned {size} bytes of outputs; at most {MAX_STATE_BYTES} allowed",
            code="OUTPUT_TOO_LARGE",
        )
    roots = {target.split(".", 1)[0] for target in spec.outputs_to_state.values()}
    saved = {root: copy.deepcopy(state[root]) for root in roots if root in state}
    for output_name, target in spec.outputs_to_state.items():
        set_path(state, target, outputs[output_name])
    size = json_size(state)
    if size > MAX_STATE_BYTES:
        for root in roots:  # put back what was there, so the run keeps its last good state
            if root in saved:
                state[root] = saved[root]
            else:
                state.pop(root, None)
        raise ModuleError(
            f"the state would be {size} bytes after {spec.module_id}; at most {MAX_STATE_BYTES} allowed",
            code="STATE_TOO_LARGE",
        )


def checked_request(request: dict[str, Any]) -> dict[str, Any]:
    size = json_size(request)
    if size > MAX_REQUEST_BYTES:
        raise ModuleError(
            f"the pause asks {size} bytes (prompt, options …); at most {MAX_REQUEST_BYTES} allowed",
            code="REQUEST_TOO_LARGE",
        )
    return request


def module_completed(step_id: str, module_index: int, spec: ModuleSpec, outputs: dict[str, Any]) -> NewEvent:
    return NewEvent(
        event_type="module_completed",
        step_id=step_id,
        data={"module_index": module_index, "module_id": spec.module_id, "outputs": outputs},
    )


def module_waiting(step_id: str, module_index: int, spec: ModuleSpec, waiting: Waiting) -> NewEvent:
    return NewEvent(
        event_type="module_waiting",
        step_id=step_id,
        data={
            "module_index": module_index,
            "module_id": spec.module_id,
            "job": waiting.job,
            "wait_seconds": waiting.wait_seconds,
        },
    )


def as_error(exc: Exception) -> RunError:
    if isinstance(exc, RelayError):
        return RunError(code=exc.code, message=exc.detail)
    return RunError(code="MODULE_EXCEPTION", message=f"{type(exc).__name__}: {exc}")
