"""The API function's use cases (relay.services), over the shared services. Nothing here
imports the runtime package (tests/unit/test_import_graph.py)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from relay.settings import ApiSettings

from .shared import SharedServices

if TYPE_CHECKING:
    from relay.adapters.orchestrator import RunOrchestrator
    from relay.services.api_calls import ApiCallService
    from relay.services.branches import BranchService
    from relay.services.chains import ChainService
    from relay.services.compare import CompareService
    from relay.services.event_stream import EventStream
    from relay.services.exports import ExportService
    from relay.services.inbox import InboxService
    from relay.services.logs import LogService
    from relay.services.resume import ResumeService
    from relay.services.run_control import RunControlService
    from relay.services.run_search import RunSearchService
    from relay.services.runs import RunService


class ApiContainer(SharedServices):
    @property
    def api_settings(self) -> ApiSettings:
        """The API function's own settings; a container built on the shared ones (a task
        Lambda's, some tests') has no API use cases."""
        if not isinstance(self.settings, ApiSettings):
            raise TypeError("the API's use cases need ApiSettings (the API function's environment)")
        return self.settings

    @cached_property
    def runs(self) -> RunService:
        s = self.api_settings
        from relay.adapters.idempotency import IdempotentCall  # Powertools: only when a run starts
        from relay.adapters.orchestrator import RunOrchestrator
        from relay.services.runs import RunService

        return RunService(
            self.run_repository,
            self.templates,
            RunOrchestrator(self.stepfunctions, s.run_state_machine_arn),
            IdempotentCall(self.dynamodb, s.idempotency_table, s.idempotency_ttl_seconds),
            media=self.media,
            artifacts=self.artifacts,
            search=self.run_search,
        )

    @cached_property
    def run_search(self) -> RunSearchService:
        """The run search index (API only: runs and answers are indexed where they are made)."""
        s = self.api_settings
        from relay.adapters.run_index import RunIndex
        from relay.services.run_search import RunSearchService

        return RunSearchService(RunIndex(self.dynamodb, s.run_search_table, s.runs_table))

    @cached_property
    def orchestrator(self) -> RunOrchestrator:
        arn = self.api_settings.run_state_machine_arn
        from relay.adapters.orchestrator import RunOrchestrator

        return RunOrchestrator(self.stepfunctions, arn)

    @cached_property
    def run_control(self) -> RunControlService:
        """Cancel and retry (POST /v1/runs/{id}/cancel, /retry)."""
        from relay.services.run_control import RunControlService

        return RunControlService(self.run_repository, self.orchestrator)

    @cached_property
    def branches(self) -> BranchService:
        """POST/GET /v1/runs/{id}/branches and ?branch_id= of the run's events."""
        s = self.api_settings
        from relay.adapters.branches import BranchRepository
        from relay.services.branches import BranchService

        repository = BranchRepository(self.dynamodb, s.branches_table, s.events_table)
        return BranchService(self.run_repository, repository, self.templates, self.orchestrator)

    @cached_property
    def resume(self) -> ResumeService:
        """POST /v1/runs/{id}/resume and /resume/confirm."""
        from relay.services.resume import ResumeService

        return ResumeService(self.run_repository, self.templates, self.orchestrator, self.runs)

    @cached_property
    def inbox(self) -> InboxService:
        from relay.adapters.inbox import Inbox
        from relay.services.inbox import InboxService

        s = self.settings
        return InboxService(Inbox(self.dynamodb, s.pending_inputs_table, s.runs_table), self.artifacts)

    @cached_property
    def compare(self) -> CompareService:
        from relay.services.compare import CompareService  # only when two runs are compared

        return CompareService(self.runs, self.artifacts)

    @cached_property
    def exports(self) -> ExportService:
        from relay.adapters.artifacts import ArtifactStorage
        from relay.services.exports import ExportService  # only when a run is exported

        return ExportService(
            self.runs,
            self.run_repository,
            self.templates,
            self.artifacts,
            ArtifactStorage(self.s3, self.settings.artifacts_bucket),
            download_expiry_seconds=self.settings.media_download_expiry_seconds,
        )

    @cached_property
    def api_calls(self) -> ApiCallService:
        from relay.adapters.api_calls import ApiCallStorage
        from relay.services.api_calls import ApiCallService

        return ApiCallService(
            self.api_call_repository, ApiCallStorage(self.s3, self.settings.artifacts_bucket), self.run_repository
        )

    @cached_property
    def logs(self) -> LogService:
        from relay.adapters.logs import LogReader  # the logs routes only
        from relay.services.logs import LogService

        groups = [g for g in self.api_settings.log_groups.split(",") if g]
        return LogService(LogReader(self.client("logs")), groups)

    @cached_property
    def event_stream(self) -> EventStream:
        from relay.services.event_stream import EventStream  # the SSE route only

        s = self.api_settings
        return EventStream(
            self.run_repository, poll_seconds=s.event_stream_poll_seconds, min_poll_seconds=s.event_stream_min_poll_seconds
        )

    @cached_property
    def chains(self) -> ChainService:
        """Chains (issue 19): submit, read, list."""
        if not isinstance(self.settings, ApiSettings) or not self.settings.chains_table:
            raise TypeError("chains need ApiSettings with RELAY_CHAINS_TABLE")
        from relay.adapters.chains import ChainRepository
        from relay.services.chains import ChainService

        return ChainService(ChainRepository(self.dynamodb, self.settings.chains_table), self.templates)
