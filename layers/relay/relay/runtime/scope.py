"""One RunStep attempt: its id, and the capabilities its modules may use.

An attempt's id derives from the run's `rev` (which only a commit moves on): a retried RunStep
(the same rev, nothing committed) has the same id, so whatever it stores or records, artifacts,
media, history counts, ComfyUI prompts, derives the same ids and nothing is kept twice. The id
is computed here, once, and handed to every capability of the attempt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from relay.domain import Run
from relay.domain.artifacts import Artifact, ArtifactFormat, ArtifactType
from relay.domain.history import KeywordEntry, KeywordRecord, OptionUsage
from relay.ids import derived_id

from .modules.capabilities import Capabilities
from .ports import ArtifactBook, HistoryBook, ProgressStore
from .services.llm import LlmService
from .services.progress import ProgressReporter
from .services.run_llm import RunLlm
from .services.run_media import RunMediaFactory


def attempt_id(run: Run) -> str:
    return f"rev{run.rev}"


def op_id(*parts: object) -> str:
    """A history recording's id, derived from the attempt: a retry makes the same one."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


class RunArtifacts:
    """What a run's modules see as `ctx.artifacts`: the artifact service bound to one run
    and one RunStep attempt (ids derive from the attempt, so a retry stores nothing twice)."""

    def __init__(self, service: ArtifactBook, run_id: str, user_id: str, attempt: str) -> None:
        self._service = service
        self.run_id = run_id
        self.user_id = user_id
        self._attempt = attempt
        self._stored = 0

    def store(self, *, step_id: str, name: str, artifact_type: str, fmt: str, data: object, content_type: str | None) -> Artifact:
        self._stored += 1
        artifact_id = derived_id("art", self.run_id, self._attempt, self._stored, step_id, name)
        return self._service.store(
            artifact_id=artifact_id,
            run_id=self.run_id,
            user_id=self.user_id,
            step_id=step_id,
            name=name,
            artifact_type=ArtifactType(artifact_type),
            fmt=ArtifactFormat(fmt),
            data=data,
            content_type=content_type,
        )

    def find(self, *, artifact_id: str | None = None, name: str | None = None) -> Artifact | None:
        found = self._service.for_run(self.run_id, artifact_id, name)
        return found if found is not None and found.user_id == self.user_id else None

    def content(self, artifact: Artifact) -> object:
        return self._service.content(artifact)


class RunHistory:
    """What a run's modules see as `ctx.history`: the history of the run's template, recorded
    under ids derived from the RunStep attempt, so a retried RunStep, which runs the same
    modules in the same order, counts nothing twice."""

    def __init__(self, service: HistoryBook, run_id: str, user_id: str, template_id: str, attempt: str) -> None:
        self._service = service
        self.run_id = run_id
        self.user_id = user_id
        self.template_id = template_id
        self._attempt = attempt
        self._recorded = 0

    def _next_op(self, kind: str, step_id: str, module_index: int) -> str:
        self._recorded += 1
        return op_id(self.run_id, self._attempt, self._recorded, kind, step_id, module_index)

    def record_keywords(self, records: list[KeywordRecord], *, step_id: str, module_index: int) -> bool:
        op = self._next_op("keywords", step_id, module_index)
        return self._service.record_keywords(self.template_id, self.user_id, op, records, step_id)

    def keywords(self, *, order: str, categories: list[str] | None, limit: int) -> list[KeywordEntry]:
        return self._service.read_keywords(self.template_id, order=order, categories=categories, limit=limit)

    def record_options(self, options: list[str], *, select_step: str, step_id: str, module_index: int) -> bool:
        op = self._next_op("options", step_id, module_index)
        return self._service.record_options(self.template_id, self.user_id, op, select_step, options)

    def recent_options(self, select_step: str, limit: int) -> list[OptionUsage]:
        return self._service.recent_options(self.template_id, select_step, limit)

    def option_usage(self, select_step: str, options: list[str]) -> dict[str, OptionUsage]:
        return self._service.option_usage(self.template_id, select_step, options)


@dataclass(frozen=True)
class Attempt:
    """One RunStep attempt of `run`: `attempt_id`, what its modules may use, and the two
    capabilities RunStep reads back after the walk (the LLM totals, the progress events)."""

    run: Run
    correlation_id: str
    attempt_id: str
    capabilities: Capabilities
    llm: RunLlm | None = None
    reporter: ProgressReporter | None = None


@dataclass(frozen=True)
class AttemptFactory:
    """Wired once per container (the composition root): what each attempt binds to its run.
    None where a capability is not wired (its modules then fail with their own code)."""

    artifacts: ArtifactBook | None = None
    llm: LlmService | None = None
    history: HistoryBook | None = None
    media: RunMediaFactory | None = None
    progress: ProgressStore | None = None
    progress_min_interval_seconds: float | None = None  # None: ctx.progress records nothing

    def begin(self, run: Run, correlation_id: str) -> Attempt:
        attempt = attempt_id(run)
        artifacts = RunArtifacts(self.artifacts, run.run_id, run.user_id, attempt) if self.artifacts is not None else None
        llm = RunLlm(self.llm, run, correlation_id, artifacts) if self.llm is not None else None
        reporter = None
        if self.progress is not None and self.progress_min_interval_seconds is not None:
            reporter = ProgressReporter(
                self.progress, run, correlation_id, min_interval_seconds=self.progress_min_interval_seconds
            )
        capabilities = Capabilities(
            artifacts=artifacts,
            llm=llm,
            media=self.media.for_run(run, attempt, artifacts) if self.media is not None else None,
            history=RunHistory(self.history, run.run_id, run.user_id, run.template_id, attempt)
            if self.history is not None
            else None,
            report_progress=reporter.report if reporter is not None else None,
        )
        return Attempt(run, correlation_id, attempt, capabilities, llm, reporter)
