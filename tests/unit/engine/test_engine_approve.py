"""advance() with artifact modules and user.approve: the store is injected as ctx.artifacts;
an approval continues, a rejection ends the run with REJECTED or jumps to `on_reject` (the
rest of the step skipped, a step_jumped event), an artifact decided before the pause is not
asked about, and a jump to a step the workflow lacks fails with UNKNOWN_STEP."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from engine_helpers import DEFAULT_TIMEOUT, pending_for, types

from builders import compile_workflow, fmt, step
from relay.domain import Cursor, RunStatus
from relay.domain.artifacts import ArtifactStatus
from relay.runtime.engine import Answer, advance
from relay.runtime.modules.capabilities import Capabilities


class FakeRunArtifacts:
    """ctx.artifacts: stores references in a dict, like RunArtifacts over the service."""

    def __init__(self, status: str = "pending"):
        self.status = status
        self.stored: list[dict[str, Any]] = []

    def _artifact(self, name: str, version: int = 1):
        ref = {
            "artifact_id": f"art_{name}{version}",
            "artifact_name": name,
            "version": version,
            "status": self.status,
            "format": "json",
            "content_type": "application/json",
            "size_bytes": 2,
            "sha256": "0" * 64,
        }
        status = ArtifactStatus(self.status)
        return SimpleNamespace(
            artifact_id=ref["artifact_id"],
            version=version,
            status=status,
            reason="why",
            decided_by="bob",
            format=SimpleNamespace(value="json"),
            reference=lambda: ref,
        )

    def store(self, *, step_id, name, artifact_type, fmt, data, content_type):
        self.stored.append({"step_id": step_id, "name": name, "type": artifact_type, "data": data})
        return self._artifact(name)

    def find(self, *, artifact_id=None, name=None):
        return self._artifact(name or "draft") if self.stored else None

    def content(self, artifact):
        return self.stored[-1]["data"]


def approve(**inputs: Any) -> dict[str, Any]:
    return {
        "module_id": "user.approve",
        "inputs": {"artifact_name": "draft", **inputs},
        "outputs_to_state": {"artifact_id": "approved", "status": "approval"},
    }


def store_draft() -> dict[str, Any]:
    return {
        "module_id": "artifact.store",
        "inputs": {"data": {"t": 1}, "artifact_name": "draft", "artifact_type": "deliverable", "format": "json"},
        "outputs_to_state": {"artifact_id": "draft_id"},
    }


def run(workflow, artifacts, **kwargs):
    return advance(
        workflow,
        run_id="run_1",
        project_name=None,
        inputs={},
        state=kwargs.pop("state", {}),
        cursor=kwargs.pop("cursor", Cursor()),
        pending=kwargs.pop("pending", None),
        answer=kwargs.pop("answer", None),
        default_timeout_seconds=DEFAULT_TIMEOUT,
        capabilities=Capabilities(artifacts=artifacts),
        **kwargs,
    )


def flow(on_reject: str | None = None, **approve_inputs: Any):
    extra = {"on_reject": on_reject} if on_reject else {}
    return compile_workflow(
        step("write", store_draft()),
        step("review", approve(**extra, **approve_inputs), fmt("after approve", to="skipped_on_reject")),
        step("publish", fmt("published", to="published")),
        step("rework", fmt("rework", to="rework")),
    )


def paused(workflow, artifacts):
    first = run(workflow, artifacts)
    assert first.outcome == "paused" and first.pause.module_id == "user.approve"
    return first, pending_for(first.pause)


def answered(workflow, artifacts, decision: str, reason: str | None = None):
    first, pending = paused(workflow, artifacts)
    value = {"decision": decision, "reason": reason, "artifact_id": "art_draft2", "version": 2}
    return run(
        workflow,
        artifacts,
        state=first.state,
        cursor=first.cursor,
        pending=pending,
        answer=Answer(input_id="inp_1", step_id="review", value=value, decided_by="alice"),
    )


def test_store_gets_the_injected_store_and_the_pause_names_the_latest_version():
    artifacts = FakeRunArtifacts()
    first, _ = paused(flow(timeout_seconds=60), artifacts)
    assert artifacts.stored == [{"step_id": "write", "name": "draft", "type": "deliverable", "data": {"t": 1}}]
    assert first.state["draft_id"] == "art_draft1"
    assert first.pause.request["artifact_id"] == "art_draft1" and first.pause.request["version"] == 1
    assert first.pause.timeout_seconds == 60  # the module's own timeout wins over the default


def test_approval_continues_with_the_decided_version():
    result = answered(flow(), FakeRunArtifacts(), "approve")
    assert result.status is RunStatus.completed
    assert result.state["approved"] == "art_draft2" and result.state["approval"] == "approved"
    assert result.state["published"] == "published" and "step_jumped" not in types(result)


def test_rejection_without_on_reject_ends_the_run_rejected_with_the_answer_recorded():
    result = answered(flow(), FakeRunArtifacts(), "reject", "off brand")
    assert result.status is RunStatus.error and result.error.code == "REJECTED"
    assert "off brand" in result.error.message
    assert types(result)[:2] == ["input_received", "module_completed"]
    assert types(result)[-2:] == ["module_failed", "run_failed"]


def test_rejection_with_on_reject_jumps_there_skipping_the_rest_of_the_step():
    result = answered(flow(on_reject="rework"), FakeRunArtifacts(), "reject")
    assert result.status is RunStatus.completed
    assert result.state["approval"] == "rejected" and result.state["rework"] == "rework"
    assert "skipped_on_reject" not in result.state and "published" not in result.state
    jumped = [e for e in result.events if e.event_type == "step_jumped"]
    assert [(e.step_id, e.data["to_step"]) for e in jumped] == [("review", "rework")]


def test_a_jump_to_a_missing_step_fails_with_unknown_step():
    # A literal unknown step is refused at submit; one from a reference is found at run time.
    workflow, artifacts = flow(on_reject="$state.where"), FakeRunArtifacts()
    first = run(workflow, artifacts, state={"where": "nowhere"})
    assert first.outcome == "paused" and first.pause.request["on_reject"] == "nowhere"
    value = {"decision": "reject", "reason": None, "artifact_id": "art_draft1", "version": 1}
    result = run(
        workflow,
        artifacts,
        state=first.state,
        cursor=first.cursor,
        pending=pending_for(first.pause),
        answer=Answer(input_id="inp_1", step_id="review", value=value),
    )
    assert result.status is RunStatus.error and result.error.code == "UNKNOWN_STEP"


def test_an_artifact_decided_before_the_pause_is_not_asked_about():
    approved = run(flow(), FakeRunArtifacts(status="approved"))
    assert approved.status is RunStatus.completed and approved.state["approval"] == "approved"
    rejected = run(flow(on_reject="rework"), FakeRunArtifacts(status="rejected"))
    assert rejected.status is RunStatus.completed and rejected.state["rework"] == "rework"
    assert "published" not in rejected.state


def test_without_a_store_artifact_modules_fail_clearly():
    result = run(flow(), None)
    assert result.status is RunStatus.error and result.error.code == "ARTIFACTS_UNAVAILABLE"


def test_approving_a_missing_artifact_fails_the_run():
    workflow = compile_workflow(step("review", approve()))
    result = run(workflow, FakeRunArtifacts())
    assert result.status is RunStatus.error and result.error.code == "ARTIFACT_NOT_FOUND"
