"""What the task Lambdas (RunStep, AwaitInput, RecordFailure) are built from: the runtime's
use cases (relay.runtime.services) over the shared services, each capability of a RunStep
attempt wired once per container (relay.runtime.scope.AttemptFactory)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .shared import SharedServices

if TYPE_CHECKING:
    from relay.runtime.services.execution import ExecutionService
    from relay.runtime.services.llm import LlmService
    from relay.runtime.services.run_media import RunMediaFactory


class RuntimeContainer(SharedServices):
    @cached_property
    def execution(self) -> ExecutionService:
        from relay.adapters.orchestrator import RunOrchestrator
        from relay.runtime.scope import AttemptFactory
        from relay.runtime.services.execution import ExecutionService

        return ExecutionService(
            self.run_repository,
            self.template_repository,
            self.workflow_store,
            default_input_timeout_seconds=self.settings.default_input_timeout_seconds,
            continue_as_new_after=self.settings.continue_as_new_after,
            orchestrator_for=lambda arn: RunOrchestrator(self.stepfunctions, arn),
            attempts=AttemptFactory(
                artifacts=self.artifacts,
                llm=self.llm,
                history=self.history,
                media=self.run_media,
                progress=self.run_repository,
                progress_min_interval_seconds=self.settings.progress_min_interval_seconds,
            ),
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
    def run_media(self) -> RunMediaFactory:
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
