"""The step-module contract: a typed input model, and either `execute` (runs and returns
outputs) or, for pausing modules, `request` (what to ask a human) and `accept` (checks an
answer against what was asked and returns outputs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from relay.domain.comfyui_nodes import ModulePolicy

from .capabilities import ArtifactsCapability, HistoryCapability, LlmCapability, MediaCapability, ProgressSink
from .exceptions import ModuleInputError
from .references import contains_reference


class ModuleInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class ModuleContext:
    run_id: str
    step_id: str
    module_index: int
    project_name: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    # What RunStep's attempt (relay.runtime.scope) offers; None where nothing is wired (a
    # module that needs it fails with its own code, e.g. ARTIFACTS_UNAVAILABLE).
    artifacts: ArtifactsCapability | None = None  # artifact.*, user.approve, media.generate's outputs
    llm: LlmCapability | None = None  # api.llm
    media: MediaCapability | None = None  # media.generate, media.ingest_url
    history: HistoryCapability | None = None  # history.*, user.select's order_by
    # Where ctx.progress goes (RunStep's reporter, placed by the interpreter); None where
    # nothing records progress (then ctx.progress only checks).
    on_progress: ProgressSink | None = None

    def progress(self, value: float, stage: str | None = None, message: str | None = None) -> None:
        """Report how far this module is (0..1), e.g. during a long provider call or a
        generation job. While the module still runs, `GET /v1/runs/{id}` shows it as the
        run's progress and a `progress` event records it (rate-limited: reports closer
        together than RELAY_PROGRESS_MIN_INTERVAL_SECONDS are skipped, except the first,
        the last (value 1) and a change of stage). Never fails the module over storage."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or not 0 <= value <= 1:
            raise ValueError(f"progress must be a number from 0 to 1, not {value!r}")
        if self.on_progress is not None:
            self.on_progress(float(value), stage, message)


@dataclass(frozen=True)
class Waiting:
    """What `execute` or `poll` returns while the module's outside job (a generation) is not
    done: the job's record (JSON; the run keeps it on its cursor until the module completes,
    and a `module_waiting` event records each change of it) and how many seconds the run
    waits in Step Functions before RunStep calls `poll` again. No Lambda waits meanwhile."""

    job: dict[str, Any]
    wait_seconds: int


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "inputs"
    return f"{where}: {error['msg']}"


class Module:
    module_id: ClassVar[str]
    Inputs: ClassVar[type[ModuleInputs]] = ModuleInputs
    pauses: ClassVar[bool] = False
    # A pausing module whose answer names a stored record (e.g. "media"): the service that
    # answers the pause looks it up (answer_key → the record's id) and passes it to
    # resolve_answer; accept then checks the resolved value. Modules themselves do no I/O.
    answer_lookup: ClassVar[str | None] = None
    # A module that may take minutes (a provider call, a generation job) and reports progress:
    # RunStep commits the events before it first (outcome `continue`), so the progress events
    # it writes while it runs come after them in the run's sequence.
    long_running: ClassVar[bool] = False

    # -- validation ---------------------------------------------------------------------
    def parse_inputs(self, resolved: dict[str, Any]) -> ModuleInputs:
        """Validate inputs after references are resolved (at run time)."""
        try:
            return self.Inputs.model_validate(resolved)
        except ValidationError as exc:
            problems = "; ".join(_describe(e) for e in exc.errors())
            raise ModuleInputError(f"{self.module_id}: {problems}") from exc

    def check_inputs(self, inputs: dict[str, Any]) -> list[str]:
        """Problems visible at submit time. A field holding a reference is checked at run time."""
        if not isinstance(inputs, dict):
            return ["inputs must be an object"]
        deferred = {name for name, value in inputs.items() if contains_reference(value)}
        try:
            self.Inputs.model_validate({k: v for k, v in inputs.items() if k not in deferred})
        except ValidationError as exc:
            return [_describe(e) for e in exc.errors() if not (e["loc"] and e["loc"][0] in deferred)]
        return []

    def policy_problems(self, inputs: dict[str, Any], policy: ModulePolicy) -> list[str]:
        """Problems with what this deployment allows (settings), visible at submit time."""
        return []

    # -- running ------------------------------------------------------------------------
    def execute(self, inputs: Any, ctx: ModuleContext) -> dict[str, Any]:
        raise TypeError(f"{self.module_id} pauses for input; it has no execute()")

    def poll(self, inputs: Any, job: dict[str, Any], ctx: ModuleContext) -> dict[str, Any] | Waiting:
        """For modules whose `execute` returned Waiting: look at the job again; outputs when
        it is done, Waiting (perhaps with a changed job) while it is not."""
        raise TypeError(f"{self.module_id} does not wait for a job")

    def request(self, inputs: Any, ctx: ModuleContext) -> dict[str, Any]:
        """For pausing modules: the JSON description of what the human is asked."""
        raise TypeError(f"{self.module_id} does not pause")

    def accept(self, request: dict[str, Any], value: Any) -> dict[str, Any]:
        """For pausing modules: validate `value` against the stored request; return outputs."""
        raise TypeError(f"{self.module_id} does not pause")

    def decided(self, request: dict[str, Any], ctx: ModuleContext) -> dict[str, Any] | None:
        """For pausing modules: outputs when no human needs asking (e.g. the artifact to
        approve was decided already); None to pause."""
        return None

    def route(self, request: dict[str, Any], outputs: dict[str, Any]) -> str | None:
        """After a pausing module's outputs are applied: a step_id to continue at (the rest
        of this step is skipped), or None to go on. May raise ModuleError to end the run."""
        return None

    def step_targets(self, inputs: dict[str, Any]) -> list[str]:
        """Step ids the module may send the run to (checked at submit: each must exist)."""
        return []

    def pause_timeout(self, request: dict[str, Any]) -> int | None:
        """A pause's own timeout (seconds), over the step's `timeout_seconds`."""
        return None

    def answer_key(self, value: Any) -> str:
        """With `answer_lookup`: the id of the record the answer names."""
        raise TypeError(f"{self.module_id} looks nothing up")

    def resolve_answer(self, request: dict[str, Any], value: Any, record: dict[str, Any]) -> Any:
        """With `answer_lookup`: the answer and its record → the value the run receives."""
        raise TypeError(f"{self.module_id} looks nothing up")
