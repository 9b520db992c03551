"""`artifact.store`, `artifact.load` and `user.approve`: a run's typed, versioned artifacts.

Modules do no I/O of their own: the run's artifact store comes injected as `ctx.artifacts`
(relay.services.artifacts.RunArtifacts, wired by RunStep). The state carries references
(`artifact_id`, version, status …), never large content.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from relay.domain.artifacts import ArtifactFormat, ArtifactStatus, ArtifactType
from relay.exceptions import RelayError
from relay.workflows.models import ID_PATTERN

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import InvalidAnswerError, ModuleError, ModuleInputError
from .references import contains_reference

NAME_PATTERN = ID_PATTERN
_MAX_TIMEOUT = 365 * 24 * 3600


def _store_of(ctx: ModuleContext) -> Any:
    if ctx.artifacts is None:
        raise ModuleError("no artifact store is available to this run", code="ARTIFACTS_UNAVAILABLE")
    return ctx.artifacts


def _as_module_error(exc: RelayError) -> ModuleError:
    """A refusal of the store (a bad media reference, content too large, a full quota) ends the run."""
    if exc.code == "QUOTA_EXCEEDED":
        return ModuleError(f"artifact: {exc.detail}", code="STORAGE_QUOTA_EXCEEDED")
    return ModuleError(f"artifact: {exc.detail}", code="ARTIFACT_ERROR")


class StoreInputs(ModuleInputs):
    data: Any = Field(description="json: any JSON value; text: a string; binary: base64 or {media_id}")
    artifact_name: str = Field(min_length=1, max_length=128, pattern=NAME_PATTERN)
    artifact_type: ArtifactType
    format: ArtifactFormat
    content_type: str | None = Field(default=None, min_length=1, max_length=100)


class ArtifactStore(Module):
    module_id = "artifact.store"
    Inputs = StoreInputs

    def execute(self, inputs: StoreInputs, ctx: ModuleContext) -> dict[str, Any]:
        store = _store_of(ctx)
        try:
            artifact = store.store(
                step_id=ctx.step_id,
                name=inputs.artifact_name,
                artifact_type=inputs.artifact_type.value,
                fmt=inputs.format.value,
                data=inputs.data,
                content_type=inputs.content_type,
            )
        except RelayError as exc:
            raise _as_module_error(exc) from exc
        return artifact.reference()


class LoadInputs(ModuleInputs):
    artifact_name: str | None = Field(default=None, min_length=1, max_length=128, pattern=NAME_PATTERN)
    artifact_id: str | None = Field(default=None, min_length=1, max_length=64)

    def check(self) -> None:
        """Exactly one of the two; checked at run time (either may be a `$state` reference)."""
        if (self.artifact_name is None) == (self.artifact_id is None):
            raise ModuleInputError("artifact.load: give exactly one of artifact_name or artifact_id")


class ArtifactLoad(Module):
    """The latest version of a name in this run, or any artifact of the run's user by id.
    Outputs the reference and, for json and text, `content` (binary: `content` is None)."""

    module_id = "artifact.load"
    Inputs = LoadInputs

    def check_inputs(self, inputs: dict[str, Any]) -> list[str]:
        problems = super().check_inputs(inputs)
        if isinstance(inputs, dict) and not problems and ("artifact_name" in inputs) == ("artifact_id" in inputs):
            problems.append("give exactly one of artifact_name or artifact_id")
        return problems

    def execute(self, inputs: LoadInputs, ctx: ModuleContext) -> dict[str, Any]:
        inputs.check()
        store = _store_of(ctx)
        artifact = store.find(artifact_id=inputs.artifact_id, name=inputs.artifact_name)
        if artifact is None:
            what = inputs.artifact_id or repr(inputs.artifact_name)
            raise ModuleError(f"artifact {what} not found", code="ARTIFACT_NOT_FOUND")
        try:
            content = None if artifact.format is ArtifactFormat.binary else store.content(artifact)
        except RelayError as exc:
            raise _as_module_error(exc) from exc
        return {**artifact.reference(), "content": content}


class ApproveInputs(ModuleInputs):
    artifact_name: str = Field(min_length=1, max_length=128, pattern=NAME_PATTERN)
    prompt: str | None = Field(default=None, min_length=1, max_length=10_000)
    timeout_seconds: int | None = Field(default=None, ge=1, le=_MAX_TIMEOUT)
    on_reject: str | None = Field(default=None, min_length=1, max_length=128, pattern=ID_PATTERN)


_DECISIONS = ("approve", "reject")


class UserApprove(Module):
    """Pause until the latest version of `artifact_name` is approved or rejected, through
    either door: `POST /v1/artifacts/{id}/approve|reject` or the run's input
    `{"decision": "approve"|"reject", "reason"?}`. The service answering the pause looks up
    the latest version (`answer_lookup = "artifact"`) and records the decision on it in the
    same transaction that claims the pause."""

    module_id = "user.approve"
    Inputs = ApproveInputs
    pauses = True
    answer_lookup = "artifact"

    def request(self, inputs: ApproveInputs, ctx: ModuleContext) -> dict[str, Any]:
        latest = _store_of(ctx).find(name=inputs.artifact_name)
        if latest is None:
            raise ModuleError(f"artifact {inputs.artifact_name!r} not found in this run", code="ARTIFACT_NOT_FOUND")
        return {
            "prompt": inputs.prompt or f"Approve {inputs.artifact_name}?",
            "artifact_name": inputs.artifact_name,
            "artifact_id": latest.artifact_id,  # the latest when the run paused; an edit may follow
            "version": latest.version,
            "on_reject": inputs.on_reject,
            "timeout_seconds": inputs.timeout_seconds,
        }

    def pause_timeout(self, request: dict[str, Any]) -> int | None:
        return request.get("timeout_seconds")

    def step_targets(self, inputs: dict[str, Any]) -> list[str]:
        target = inputs.get("on_reject")
        return [target] if isinstance(target, str) and not contains_reference(target) else []

    def decided(self, request: dict[str, Any], ctx: ModuleContext) -> dict[str, Any] | None:
        """Decided before the run got here (outside any pause): no need to ask."""
        latest = _store_of(ctx).find(name=request["artifact_name"])
        if latest is None or latest.status in (ArtifactStatus.pending, ArtifactStatus.edited):
            return None
        approved = latest.status is not ArtifactStatus.rejected
        return self._outputs(latest.reference(), "approve" if approved else "reject", latest.reason)

    @staticmethod
    def _outputs(ref: dict[str, Any], decision: str, reason: str | None) -> dict[str, Any]:
        return {
            "artifact_id": ref["artifact_id"],
            "version": ref["version"],
            "status": ref["status"],
            "decision": decision,
            "reason": reason,
        }

    def answer_key(self, value: Any) -> str:
        """The decision asked for (validates the answer's shape)."""
        if (
            not isinstance(value, dict)
            or value.get("decision") not in _DECISIONS
            or not set(value) <= {"decision", "reason"}
            or not isinstance(value.get("reason", ""), (str, type(None)))
            or len(value.get("reason") or "") > 2000
        ):
            raise InvalidAnswerError('value must be {"decision": "approve" | "reject", "reason"?: "…" (at most 2000)}')
        return value["decision"]

    def resolve_answer(self, request: dict[str, Any], value: Any, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "decision": value["decision"],
            "reason": value.get("reason"),
            "artifact_id": record["artifact_id"],
            "version": record["version"],
        }

    def accept(self, request: dict[str, Any], value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or value.get("decision") not in _DECISIONS or "artifact_id" not in value:
            raise InvalidAnswerError('value must be {"decision": "approve" | "reject", "reason"?}')
        decision = value["decision"]
        status = "approved" if decision == "approve" else "rejected"
        return self._outputs({**value, "status": status}, decision, value.get("reason"))

    def route(self, request: dict[str, Any], outputs: dict[str, Any]) -> str | None:
        if outputs["decision"] != "reject":
            return None
        if request.get("on_reject"):
            return request["on_reject"]
        why = f": {outputs['reason']}" if outputs.get("reason") else ""
        raise ModuleError(f"artifact {request['artifact_name']!r} was rejected{why}", code="REJECTED")
