"""What the runtime needs from outside it, as Protocols the runtime owns.

The adapters (relay.adapters) and the API side's services implement them structurally (no
base class to inherit); tests/unit/fakes.py implements them for the unit tests. The
composition root (relay.bootstrap's runtime container) wires one of each. Nothing here imports an
adapter: the runtime knows the shape of a repository, not DynamoDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from relay.domain import NewEvent, PendingInput, Progress, Run, RunError, Version
from relay.domain.api_calls import ApiCall
from relay.domain.artifacts import Artifact, ArtifactFormat, ArtifactType
from relay.domain.history import KeywordEntry, KeywordRecord, OptionUsage
from relay.domain.media import Media

if TYPE_CHECKING:
    from relay.domain.changes import Change  # what a commit applies besides the run and its events
    from relay.runtime.net.fetch import Fetched


class RunStore(Protocol):
    """A run, its events and its pending inputs (relay.adapters.runs.RunRepository)."""

    def get(self, run_id: str) -> Run | None: ...

    def get_pending(self, run_id: str, input_id: str) -> PendingInput | None: ...

    def commit(
        self, before: Run, after: Run, events: list[NewEvent], correlation_id: str, changes: Sequence[Change] | None = None
    ) -> Run: ...

    def force_error(self, run: Run, error: RunError) -> None: ...


class ProgressStore(Protocol):
    """Where ctx.progress reports go: the run's progress and a `progress` event, one transaction."""

    def record_progress(self, run: Run, event_seq: int, progress: Progress, event: NewEvent, correlation_id: str) -> int: ...


class VersionStore(Protocol):
    """Workflow versions (relay.adapters.templates.TemplateRepository)."""

    def get_version(self, version_id: str) -> Version | None: ...


class WorkflowDocuments(Protocol):
    """Resolved workflows too large for their version item (relay.adapters.templates.WorkflowStore)."""

    def get(self, key: str) -> dict[str, object]: ...


class Orchestrator(Protocol):
    """Starts a run's next execution (relay.adapters.orchestrator.RunOrchestrator)."""

    def start(self, run_id: str, execution_name: str | None = None) -> str: ...


class ArtifactBook(Protocol):
    """Artifacts by run (relay.services.artifacts.ArtifactService, shared with the API)."""

    def store(
        self,
        *,
        artifact_id: str,
        run_id: str,
        user_id: str,
        step_id: str | None,
        name: str,
        artifact_type: ArtifactType,
        fmt: ArtifactFormat,
        data: object,
        content_type: str | None = None,
    ) -> Artifact: ...

    def for_run(self, run_id: str, artifact_id: str | None = None, name: str | None = None) -> Artifact | None: ...

    def content(self, artifact: Artifact) -> object: ...


class HistoryBook(Protocol):
    """A template's keyword and option history (relay.services.history.HistoryService)."""

    def record_keywords(self, template_id: str, user_id: str, op_id: str, records: list[KeywordRecord], step_id: str) -> bool: ...

    def read_keywords(self, template_id: str, *, order: str, categories: list[str] | None, limit: int) -> list[KeywordEntry]: ...

    def record_options(self, template_id: str, user_id: str, op_id: str, step_id: str, options: list[str]) -> bool: ...

    def recent_options(self, template_id: str, step_id: str, limit: int) -> list[OptionUsage]: ...

    def option_usage(self, template_id: str, step_id: str, options: list[str]) -> dict[str, OptionUsage]: ...


class MediaRecords(Protocol):
    """Media records (relay.adapters.media.MediaRepository)."""

    def get(self, media_id: str) -> Media | None: ...

    def add(self, media: Media) -> Media: ...


class MediaObjects(Protocol):
    """The media bucket (relay.adapters.media.MediaStorage)."""

    def read(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes, content_type: str, tags: dict[str, str], disposition: str | None = None) -> str: ...

    def delete(self, key: str) -> None: ...


class ApiCallRecords(Protocol):
    """Provider call records (relay.adapters.api_calls.ApiCallRepository)."""

    def put(self, call: ApiCall) -> None: ...


class ApiCallObjects(Protocol):
    """Provider call bodies and images too large for their record (relay.adapters.api_calls.ApiCallStorage)."""

    def put_json(self, key: str, value: object, retention: str) -> None: ...

    def put_image_once(self, key: str, data: bytes, media_type: str, retention: str) -> None: ...


class UrlFetch(Protocol):
    """The SSRF-safe fetch of media.ingest_url (relay.runtime.net.fetch.UrlFetcher)."""

    def fetch(self, url: str, *, max_bytes: int, deadline_seconds: float, accept: list[str] | None = None) -> Fetched: ...
