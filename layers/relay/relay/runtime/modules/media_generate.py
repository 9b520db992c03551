"""`media.generate`: run a ComfyUI workflow and keep what it makes as artifacts.

The first RunStep uploads the input images (`/upload/image`), queues the graph (`POST
/prompt`) under a prompt id derived from the run's attempt, and returns Waiting: the job
(prompt id, server, status, timings) goes on the run's cursor and into a `module_waiting`
event, and the run waits in Step Functions (`WaitForJob`), not in a Lambda. Each later
RunStep polls once (`/history/{id}`; `{}` means not yet, then `/queue` says pending or
running) and either waits again or downloads every output (`/view`) into a binary artifact
named `<artifact_name>.<node_id>.<n>`. A retried attempt finds its prompt on the server and
does not queue it again. Past `timeout_seconds` the job is dropped from ComfyUI's queue and
the module fails.

The graph goes to a server every user shares, so its node classes must be on the
deployment's allow-list (ComfyUINodeAllowList), checked at submit and again after `$state`
resolution, and its file inputs may only name this run's uploads, which go to a subfolder
of the run under random names (modules/comfyui_graph.py)."""

from __future__ import annotations

import base64
import copy
import dataclasses
import secrets
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from relay.domain.artifacts import ArtifactType
from relay.domain.comfyui_nodes import ModulePolicy
from relay.exceptions import RelayError
from relay.ids import iso, parse_iso, utcnow
from relay.workflows.models import ID_PATTERN

from .base import Module, ModuleContext, ModuleInputs, Waiting
from .comfyui_graph import (
    ComfyUIInputNotAllowedError,
    ComfyUINodeNotAllowedError,
    file_input_problems,
    node_class_problems,
    uploaded_file_problems,
)
from .exceptions import ModuleError, ModuleInputError
from .references import is_reference

_MAX_OUTPUTS = 32


class MediaGenerationFailedError(ModuleError):
    """ComfyUI ran the prompt and reported an execution error (or made no output)."""

    code = "MEDIA_GENERATION_FAILED"


class MediaGenerationTimeoutError(ModuleError):
    code = "MEDIA_GENERATION_TIMEOUT"


class MediaJobLostError(ModuleError):
    """ComfyUI has the prompt neither in its queue nor in its history (it restarted)."""

    code = "MEDIA_JOB_LOST"


class InputImage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image: str | dict[str, Any] = Field(description="a media_… or art_… id, or an object holding one ($state)")
    node_id: str = Field(min_length=1, max_length=64, description="the LoadImage node whose input gets the upload")
    input: str = Field(default="image", min_length=1, max_length=64)


class GenerateInputs(ModuleInputs):
    workflow: dict[str, Any] = Field(min_length=1, description="ComfyUI's API-format graph: node id → {class_type, inputs}")
    images: list[InputImage] = Field(default_factory=list, max_length=16)
    output_nodes: list[str] | None = Field(default=None, min_length=1, max_length=64, description="only these nodes' files")
    artifact_name: str = Field(default="generated", min_length=1, max_length=100, pattern=ID_PATTERN)
    artifact_type: ArtifactType = ArtifactType.deliverable
    poll_seconds: int = Field(default=5, ge=1, le=300, description="the wait between polls")
    timeout_seconds: int = Field(default=1800, ge=1, le=24 * 3600, description="from queueing to done")


def _graph_problems(workflow: dict[str, Any], images: list[Any]) -> list[str]:
    problems = []
    for node_id, node in workflow.items():
        if is_reference(node):
            continue  # checked when the run resolves it
        inputs = node.get("inputs", {}) if isinstance(node, dict) else None
        if (
            not isinstance(node, dict)
            or not isinstance(node.get("class_type"), str)
            or not (isinstance(inputs, dict) or is_reference(inputs))
        ):
            problems.append(f"workflow.{node_id}: a node is {{class_type, inputs}}")
    for i, image in enumerate(images):
        node_id = image.get("node_id") if isinstance(image, dict) else getattr(image, "node_id", None)
        if isinstance(node_id, str) and node_id not in workflow:
            problems.append(f"images.{i}.node_id: the workflow has no node {node_id!r}")
    return problems


def _seconds_between(start: str, end: str) -> float:
    return round((parse_iso(end) - parse_iso(start)).total_seconds(), 3)


class MediaGenerate(Module):
    """Outputs: `files` ([{artifact_id, node_id, filename, kind, content_type, size_bytes,
    sha256}]), `artifact_ids`, `artifact_id` (the first), `prompt_id`, and `job` (prompt id,
    server, status, queued/started/completed times, seconds)."""

    module_id = "media.generate"
    Inputs = GenerateInputs

    def check_inputs(self, inputs: dict[str, Any]) -> list[str]:
        problems = super().check_inputs(inputs)
        workflow = inputs.get("workflow") if isinstance(inputs, dict) else None
        images = inputs.get("images") if isinstance(inputs, dict) else None
        if not problems and isinstance(workflow, dict):
            problems += _graph_problems(workflow, images if isinstance(images, list) else [])
            problems += file_input_problems(workflow, images if "images" in inputs else [])
        return problems

    def policy_problems(self, inputs: dict[str, Any], policy: ModulePolicy) -> list[str]:
        workflow = inputs.get("workflow") if isinstance(inputs, dict) else None
        return node_class_problems(workflow, policy.comfyui_node_classes) if isinstance(workflow, dict) else []

    # -- the first RunStep: upload, queue, wait ---------------------------------------------
    def execute(self, inputs: GenerateInputs, ctx: ModuleContext) -> Waiting:
        media = _media_of(ctx)
        problems = _graph_problems(inputs.workflow, inputs.images)
        if problems:
            raise ModuleInputError(f"{self.module_id}: {'; '.join(problems)}")
        if problems := node_class_problems(inputs.workflow, media.node_classes):
            raise ComfyUINodeNotAllowedError(f"{self.module_id}: {'; '.join(problems[:10])}")
        if problems := file_input_problems(inputs.workflow, inputs.images):
            raise ComfyUIInputNotAllowedError(f"{self.module_id}: {'; '.join(problems[:10])}")
        client = media.comfyui()
        prompt_id = media.job_id(ctx.step_id, ctx.module_index)
        known = client.history(prompt_id) is not None or client.queue_state(prompt_id) is not None
        uploaded = []
        if not known:  # a retried attempt finds its prompt queued already: never queue it twice
            graph = copy.deepcopy(inputs.workflow)
            for image in inputs.images:
                loaded = media.input_image(image.image)
                # Random: no other graph can guess the name, let alone load it.
                filename = f"{secrets.token_hex(16)}{_extension(loaded.filename)}"
                name = client.upload_image(filename, loaded.data, loaded.content_type, subfolder=media.upload_folder)
                graph[image.node_id].setdefault("inputs", {})[image.input] = name
                uploaded.append(name)
            if problems := uploaded_file_problems(graph, uploaded):
                raise ComfyUIInputNotAllowedError(f"{self.module_id}: {'; '.join(problems[:10])}")
            client.queue(graph, prompt_id=prompt_id, client_id=f"relay-{ctx.run_id}")
        now = utcnow()
        job = {
            "backend": "comfyui",
            "server": media.comfyui_url,
            "prompt_id": prompt_id,
            "status": "queued",
            "queued_at": iso(now),
            "deadline_at": iso(now + timedelta(seconds=inputs.timeout_seconds)),
            "uploaded": uploaded,
        }
        ctx.progress(0.0, stage="queued", message=f"ComfyUI prompt {prompt_id}")
        return Waiting(job, inputs.poll_seconds)

    # -- every later RunStep: poll once ------------------------------------------------------
    def poll(self, inputs: GenerateInputs, job: dict[str, Any], ctx: ModuleContext) -> dict[str, Any] | Waiting:
        media = _media_of(ctx)
        client = media.comfyui()
        prompt_id = job["prompt_id"]
        entry = client.history(prompt_id)
        now = utcnow()
        if entry is None:
            state = client.queue_state(prompt_id)
            if state is None:
                entry = client.history(prompt_id)  # it may have finished between the two calls
                if entry is None:
                    raise MediaJobLostError(f"ComfyUI has prompt {prompt_id} neither queued nor in its history (restarted?)")
        if entry is None:
            remaining = (parse_iso(job["deadline_at"]) - now).total_seconds()
            if remaining <= 0:
                client.cancel(prompt_id)
                raise MediaGenerationTimeoutError(
                    f"ComfyUI prompt {prompt_id} was not done within {inputs.timeout_seconds} s (it was {state}); it was dropped"
                )
            changed = dict(job)
            if state == "running" and job["status"] != "running":
                changed.update(status="running", started_at=iso(now))
                # Reported on a change only: a poll that finds nothing new writes nothing.
                ctx.progress(0.5, stage="running", message=f"ComfyUI prompt {prompt_id}")
            return Waiting(changed, max(1, min(inputs.poll_seconds, int(remaining) + 1)))
        if entry.status == "error" or not entry.completed:
            raise MediaGenerationFailedError(f"ComfyUI prompt {prompt_id} failed: {entry.error_message()}")
        return self._collect(inputs, job, entry, client, ctx, iso(now))

    def _collect(
        self, inputs: GenerateInputs, job: dict[str, Any], entry: Any, client: Any, ctx: ModuleContext, completed_at: str
    ) -> dict[str, Any]:
        files = [f for f in entry.outputs if inputs.output_nodes is None or f.node_id in inputs.output_nodes]
        if not files:
            raise MediaGenerationFailedError(f"ComfyUI prompt {job['prompt_id']} made no output files")
        if len(files) > _MAX_OUTPUTS:
            raise MediaGenerationFailedError(
                f"ComfyUI prompt {job['prompt_id']} made {len(files)} files; at most {_MAX_OUTPUTS} are kept"
            )
        if ctx.artifacts is None:
            raise ModuleError("no artifact store is available to this run", code="ARTIFACTS_UNAVAILABLE")
        stored, counts = [], {}
        for file in files:
            data, content_type = client.view(file)
            counts[file.node_id] = counts.get(file.node_id, 0) + 1
            try:
                artifact = ctx.artifacts.store(
                    step_id=ctx.step_id,
                    name=f"{inputs.artifact_name}.{file.node_id}.{counts[file.node_id]}",
                    artifact_type=inputs.artifact_type.value,
                    fmt="binary",
                    data=base64.b64encode(data).decode(),
                    content_type=_content_type(content_type, data),
                )
            except RelayError as exc:
                if exc.code == "QUOTA_EXCEEDED":  # the run fails with the quota's code
                    raise ModuleError(
                        f"{self.module_id}: storing {file.filename}: {exc.detail}", code="STORAGE_QUOTA_EXCEEDED"
                    ) from exc
                raise ModuleError(f"{self.module_id}: storing {file.filename}: {exc.detail}", code="ARTIFACT_ERROR") from exc
            stored.append(
                {
                    "artifact_id": artifact.artifact_id,
                    "content_type": artifact.content_type,
                    "size_bytes": artifact.size_bytes,
                    "sha256": artifact.sha256,
                    **dataclasses.asdict(file),
                }
            )
        done = {
            **{k: v for k, v in job.items() if k != "deadline_at"},
            "status": "completed",
            "completed_at": completed_at,
            "seconds": _seconds_between(job["queued_at"], completed_at),
        }
        ctx.progress(1.0, stage="completed", message=f"{len(stored)} file(s)")
        return {
            "files": stored,
            "artifact_ids": [f["artifact_id"] for f in stored],
            "artifact_id": stored[0]["artifact_id"],
            "prompt_id": job["prompt_id"],
            "job": done,
        }


def _extension(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f".{suffix}" if suffix.isalnum() and len(suffix) <= 5 else ".png"


def _media_of(ctx: ModuleContext) -> Any:
    if ctx.media is None:
        raise ModuleError("no media service is available to this run", code="MEDIA_UNAVAILABLE")
    return ctx.media


def _content_type(declared: str, data: bytes) -> str:
    from relay.domain.media import SNIFF_BYTES, sniff

    found = sniff(data[:SNIFF_BYTES])
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if found:
        return found
    return declared if declared and "/" in declared and declared != "application/octet-stream" else "application/octet-stream"
