"""The composition root: settings → boto3 clients → adapters → services.

Nothing here talks to AWS when built; the boto3 session and clients are made on first use
(thread-safe, since the local API serves sync routes from a thread pool). `refresh()` drops
them, so that a Lambda SnapStart restore makes its own (see `relay.snapstart`).
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from relay.settings import ApiSettings, Settings

# Each adapter and service is imported where it is first built: a cold start imports what its
# first request uses, not the whole domain (tests/bench/cold_start.py). Add new ones the same way.
if TYPE_CHECKING:
    from relay.adapters.api_calls import ApiCallRepository
    from relay.domain.comfyui_nodes import ModulePolicy
    from relay.adapters.artifacts import ArtifactRepository
    from relay.adapters.media import MediaRepository
    from relay.adapters.quotas import QuotaRepository
    from relay.adapters.runs import RunRepository
    from relay.adapters.templates import TemplateRepository, WorkflowStore
    from relay.adapters.users import UserRepository
    from relay.services.api_calls import ApiCallService
    from relay.services.artifacts import ArtifactService
    from relay.services.media import MediaService
    from relay.services.quotas import QuotaService
    from relay.services.runs import RunService
    from relay.services.templates import TemplateService
    from relay.services.users import UserService
    from relay.runtime.services.execution import ExecutionService
    from relay.runtime.services.llm import LlmService

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=30)
# Presigned POSTs and URLs signed with SigV4 (botocore's default for presigning is still SigV2).
_S3_CONFIG = _CLIENT_CONFIG.merge(Config(signature_version="s3v4"))


class Relay:
    def __init__(self, settings: Settings, session: Any | None = None) -> None:
        self.settings = settings
        self._given_session = session
        self._session = session
        self._lock = threading.RLock()

    def client(self, service: str, config: Config = _CLIENT_CONFIG) -> Any:
        with self._lock:
            if self._session is None:
                self._session = boto3.session.Session()
            return self._session.client(service, config=config)

    def refresh(self) -> None:
        """Forget every client, adapter and service built so far, and the session made here.

        They hold what must not be shared between execution environments: resolved credentials
        and pooled connections (a restored snapshot's sockets are dead). The next use builds
        them again. A session passed in (tests, the CLI, the local cloud) is kept."""
        with self._lock:
            self._session = self._given_session
            for name, value in vars(type(self)).items():
                if isinstance(value, cached_property):
                    self.__dict__.pop(name, None)

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def s3(self) -> Any:
        return self.client("s3", _S3_CONFIG)

    @cached_property
    def stepfunctions(self) -> Any:
        return self.client("stepfunctions")

    # -- adapters -------------------------------------------------------------------------
    @cached_property
    def user_repository(self) -> UserRepository:
        from relay.adapters.users import UserRepository

        return UserRepository(self.dynamodb, self.settings.users_table)

    @cached_property
    def template_repository(self) -> TemplateRepository:
        from relay.adapters.templates import TemplateRepository

        return TemplateRepository(self.dynamodb, self.settings.templates_table, self.settings.versions_table)

    @cached_property
    def run_repository(self) -> RunRepository:
        from relay.adapters.runs import RunRepository

        s = self.settings
        return RunRepository(
            self.dynamodb, s.runs_table, s.events_table, s.pending_inputs_table, self.quota_repository
        )

    @cached_property
    def quota_repository(self) -> QuotaRepository:
        from relay.adapters.quotas import QuotaRepository
        from relay.domain.quotas import Quota

        s = self.settings
        defaults = {
            Quota.active_runs: s.quota_active_runs,
            Quota.runs_per_day: s.quota_runs_per_day,
            Quota.stored_bytes: s.quota_stored_bytes,
            Quota.pending_uploads: s.quota_pending_uploads,
        }
        return QuotaRepository(self.dynamodb, s.users_table, defaults)

    @cached_property
    def media_repository(self) -> MediaRepository:
        from relay.adapters.media import MediaRepository

        return MediaRepository(self.dynamodb, self.settings.media_table, self.quota_repository)

    @cached_property
    def artifact_repository(self) -> ArtifactRepository:
        from relay.adapters.artifacts import ArtifactRepository

        return ArtifactRepository(self.dynamodb, self.settings.artifacts_table, self.quota_repository)

    @cached_property
    def api_call_repository(self) -> ApiCallRepository:
        from relay.adapters.api_calls import ApiCallRepository

        return ApiCallRepository(self.dynamodb, self.settings.api_calls_table)

    @cached_property
    def workflow_store(self) -> WorkflowStore:
        from relay.adapters.templates import WorkflowStore

        return WorkflowStore(self.s3, self.settings.artifacts_bucket)

    # -- services -------------------------------------------------------------------------
    @cached_property
    def users(self) -> UserService:
        from relay.services.users import UserService

        return UserService(self.user_repository)

    @cached_property
    def quotas(self) -> QuotaService:
        from relay.services.quotas import QuotaService

        return QuotaService(self.quota_repository, self.users)

    @cached_property
    def templates(self) -> TemplateService:
        from relay.services.templates import TemplateService

        return TemplateService(
            self.template_repository,
            self.workflow_store,
            inline_max_bytes=self.settings.inline_workflow_max_bytes,
            module_policy=self.module_policy,
        )

    @cached_property
    def module_policy(self) -> ModulePolicy:
        """What step modules may do on this deployment (ComfyUINodeAllowList), at submit and run time."""
        from relay.domain.comfyui_nodes import ModulePolicy, parse_node_allow_list

        return ModulePolicy(comfyui_node_classes=parse_node_allow_list(self.settings.comfyui_node_allow_list))

    @cached_property
    def media(self) -> MediaService:
        from relay.adapters.media import MediaStorage
        from relay.services.media import MediaService

        s = self.settings
        return MediaService(
            self.media_repository,
            MediaStorage(self.s3, s.media_bucket),
            self.run_repository,
            max_bytes=s.media_max_upload_mb * 1024 * 1024,
            upload_expiry_seconds=s.media_upload_expiry_seconds,
            download_expiry_seconds=s.media_download_expiry_seconds,
        )

    @cached_property
    def artifacts(self) -> ArtifactService:
        from relay.adapters.artifacts import ArtifactStorage
        from relay.services.artifacts import ArtifactService

        s = self.settings
        return ArtifactService(
            self.artifact_repository,
            ArtifactStorage(self.s3, s.artifacts_bucket),
            self.run_repository,
            self.media_repository,
            s.media_bucket,
            download_expiry_seconds=s.media_download_expiry_seconds,
            upload_expiry_seconds=s.media_upload_expiry_seconds,
            max_upload_bytes=s.media_max_upload_mb * 1024 * 1024,
        )

    @cached_property
    def exports(self) -> Any:
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
    def llm(self) -> LlmService:
        from relay.adapters.api_calls import ApiCallStorage
        from relay.adapters.media import MediaStorage
        from relay.runtime.services.llm import LlmConfig, LlmService  # api.llm's calls and their records

        s = self.settings
        return LlmService(
            self.api_call_repository,
            ApiCallStorage(self.s3, s.artifacts_bucket),
            self.media_repository,
            MediaStorage(self.s3, s.media_bucket),
            self.artifacts,
            LlmConfig(
                keys_secret=s.provider_keys_secret,
                base_urls={"openai": s.openai_base_url or None, "anthropic": s.anthropic_base_url or None},
                timeout_seconds=s.provider_timeout_seconds,
                max_retries=s.provider_max_retries,
                default_provider=s.default_llm_provider,
                default_models={"openai": s.default_openai_model, "anthropic": s.default_anthropic_model, "echo": "echo-1"},
            ),
        )

    @cached_property
    def history(self) -> Any:
        """Keyword history and option usage (GET /v1/keywords, /v1/option-usage; ctx.history)."""
        from relay.adapters.history import HistoryRepository
        from relay.services.history import HistoryService

        return HistoryService(HistoryRepository(self.dynamodb, self.settings.history_table), self.templates)

    @cached_property
    def runs(self) -> RunService:
        if not isinstance(self.settings, ApiSettings):
            raise TypeError("starting runs needs ApiSettings (RELAY_RUN_STATE_MACHINE_ARN)")
        from relay.adapters.idempotency import IdempotentCall  # Powertools: only when a run starts
        from relay.adapters.orchestrator import RunOrchestrator
        from relay.services.runs import RunService

        return RunService(
            self.run_repository,
            self.templates,
            RunOrchestrator(self.stepfunctions, self.settings.run_state_machine_arn),
            IdempotentCall(
                self.dynamodb, self.settings.idempotency_table, self.settings.idempotency_ttl_seconds
            ),
            media=self.media,
            artifacts=self.artifacts,
            search=self.run_search,
        )

    @cached_property
    def run_search(self) -> Any:
        """The run search index (API only: runs and answers are indexed where they are made)."""
        if not isinstance(self.settings, ApiSettings):
            raise TypeError("the run search index needs ApiSettings (RELAY_RUN_SEARCH_TABLE)")
        from relay.adapters.run_index import RunIndex
        from relay.services.run_search import RunSearchService

        return RunSearchService(RunIndex(self.dynamodb, self.settings.run_search_table, self.settings.runs_table))

    @cached_property
    def inbox(self) -> Any:
        from relay.adapters.inbox import Inbox
        from relay.services.inbox import InboxService

        s = self.settings
        return InboxService(Inbox(self.dynamodb, s.pending_inputs_table, s.runs_table), self.artifacts)

    @cached_property
    def compare(self) -> Any:
        from relay.services.compare import CompareService  # only when two runs are compared

        return CompareService(self.runs, self.artifacts)

    @cached_property
    def orchestrator(self) -> Any:
        if not isinstance(self.settings, ApiSettings):
            raise TypeError("controlling runs needs ApiSettings (RELAY_RUN_STATE_MACHINE_ARN)")
        from relay.adapters.orchestrator import RunOrchestrator

        return RunOrchestrator(self.stepfunctions, self.settings.run_state_machine_arn)

    @cached_property
    def run_control(self) -> Any:
        """Cancel and retry (POST /v1/runs/{id}/cancel, /retry)."""
        from relay.services.run_control import RunControlService

        return RunControlService(self.run_repository, self.orchestrator)

    @cached_property
    def branches(self) -> Any:
        """POST/GET /v1/runs/{id}/branches and ?branch_id= of the run's events."""
        if not isinstance(self.settings, ApiSettings):
            raise TypeError("branches need ApiSettings (RELAY_BRANCHES_TABLE)")
        from relay.adapters.branches import BranchRepository
        from relay.services.branches import BranchService

        repository = BranchRepository(self.dynamodb, self.settings.branches_table, self.settings.events_table)
        return BranchService(self.run_repository, repository, self.templates, self.orchestrator)

    @cached_property
    def resume(self) -> Any:
        """POST /v1/runs/{id}/resume and /resume/confirm."""
        from relay.services.resume import ResumeService

        return ResumeService(self.run_repository, self.templates, self.orchestrator, self.runs)

    @cached_property
    def logs(self) -> Any:
        from relay.adapters.logs import LogReader  # the logs routes only
        from relay.services.logs import LogService

        groups = [g for g in self.settings.log_groups.split(",") if g]
        return LogService(LogReader(self.client("logs")), groups)

    @cached_property
    def event_stream(self) -> Any:
        from relay.services.event_stream import EventStream  # the SSE route only

        s = self.settings
        return EventStream(self.run_repository, poll_seconds=s.event_stream_poll_seconds,
                           min_poll_seconds=s.event_stream_min_poll_seconds)

    @cached_property
    def execution(self) -> ExecutionService:
        from relay.adapters.orchestrator import RunOrchestrator
        from relay.runtime.services.execution import ExecutionService  # task Lambdas only, not the API

        return ExecutionService(
            self.run_repository,
            self.template_repository,
            self.workflow_store,
            default_input_timeout_seconds=self.settings.default_input_timeout_seconds,
            continue_as_new_after=self.settings.continue_as_new_after,
            orchestrator_for=lambda arn: RunOrchestrator(self.stepfunctions, arn),
            artifacts=self.artifacts,
            llm=self.llm,
            history=self.history,
            progress_min_interval_seconds=self.settings.progress_min_interval_seconds,
            media=self.run_media,
        )

    @cached_property
    def run_media(self) -> Any:
        """ctx.media of media.generate and media.ingest_url (RunStep only)."""
        from relay.adapters.media import MediaStorage
        from relay.runtime.net.fetch import UrlFetcher
        from relay.runtime.services.run_media import RunMediaFactory

        s = self.settings
        return RunMediaFactory(
            media=self.media_repository,
            storage=MediaStorage(self.s3, s.media_bucket),
            comfyui_url=s.comfyui_url or None,
            fetcher=UrlFetcher(),
            max_ingest_bytes=s.media_max_upload_mb * 1024 * 1024,
            node_classes=self.module_policy.comfyui_node_classes,
        )
