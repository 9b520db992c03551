"""What a step module may use beyond its inputs, as Protocols the modules own. RunStep's
attempt (relay.runtime.scope) provides them; the unit tests' fakes too. A module does no I/O
of its own: everything it reads or keeps goes through one of these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from relay.domain.artifacts import Artifact
from relay.domain.history import KeywordEntry, KeywordRecord, OptionUsage
from relay.domain.media import Media

if TYPE_CHECKING:
    from relay.runtime.net.fetch import Fetched
    from relay.runtime.providers import Image, Message
    from relay.runtime.providers.comfyui import ComfyUIClient
    from relay.runtime.services.run_media import InputImage

# ctx.progress(value, stage, message) → where the module's report goes.
ProgressSink = Callable[[float, str | None, str | None], None]


class ProgressReport(Protocol):
    """RunStep's progress reporter (relay.runtime.services.progress.ProgressReporter.report):
    one module's report, with the module's place and its share (`span`) of the run's 0..1."""

    def __call__(
        self,
        value: float,
        stage: str | None,
        message: str | None,
        *,
        step_id: str,
        module_index: int,
        module_id: str,
        span: tuple[float, float],
    ) -> object: ...


class ArtifactsCapability(Protocol):
    """ctx.artifacts: the run's artifacts (relay.runtime.scope.RunArtifacts)."""

    def store(
        self, *, step_id: str, name: str, artifact_type: str, fmt: str, data: object, content_type: str | None
    ) -> Artifact: ...

    def find(self, *, artifact_id: str | None = None, name: str | None = None) -> Artifact | None: ...

    def content(self, artifact: Artifact) -> object: ...


class HistoryCapability(Protocol):
    """ctx.history: the run's template's history (relay.runtime.scope.RunHistory)."""

    def record_keywords(self, records: list[KeywordRecord], *, step_id: str, module_index: int) -> bool: ...

    def keywords(self, *, order: str, categories: list[str] | None, limit: int) -> list[KeywordEntry]: ...

    def record_options(self, options: list[str], *, select_step: str, step_id: str, module_index: int) -> bool: ...

    def recent_options(self, select_step: str, limit: int) -> list[OptionUsage]: ...

    def option_usage(self, select_step: str, options: list[str]) -> dict[str, OptionUsage]: ...


class LlmCapability(Protocol):
    """ctx.llm: the run's provider calls (relay.runtime.services.run_llm.RunLlm)."""

    def choose(self, provider: str | None, model: str | None) -> tuple[str, str]: ...

    def image(self, ref: object) -> Image: ...

    def complete(
        self,
        *,
        step_id: str,
        module_index: int,
        provider: str,
        model: str,
        messages: list[Message],
        temperature: float | None,
        max_tokens: int | None,
        response_schema: dict[str, object] | None,
    ) -> dict[str, object]: ...


class MediaCapability(Protocol):
    """ctx.media: ComfyUI jobs and fetched media of the run (relay.runtime.services.run_media.RunMedia)."""

    @property
    def node_classes(self) -> frozenset[str]: ...

    @property
    def upload_folder(self) -> str: ...

    @property
    def max_ingest_bytes(self) -> int: ...

    def comfyui(self) -> ComfyUIClient: ...

    def job_id(self, step_id: str, module_index: int) -> str: ...

    def input_image(self, ref: object) -> InputImage: ...

    def ingest(
        self,
        url: str,
        *,
        step_id: str,
        module_index: int,
        filename: str | None,
        accept: list[str] | None,
        max_bytes: int,
        deadline_seconds: float,
    ) -> tuple[Media, Fetched | None]: ...


@dataclass(frozen=True)
class Capabilities:
    """Everything one attempt offers its modules; None where it is not wired (a module that
    needs it fails with its own code, e.g. ARTIFACTS_UNAVAILABLE)."""

    artifacts: ArtifactsCapability | None = None
    llm: LlmCapability | None = None
    media: MediaCapability | None = None
    history: HistoryCapability | None = None
    report_progress: ProgressReport | None = None


NO_CAPABILITIES = Capabilities()
