"""The services both runtimes use: users and quotas, templates, media, artifacts, history.
The API answers with them; RunStep's modules reach artifacts and history through the runtime's
ports (relay.runtime.ports), which these services implement."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .adapters import AdapterContainer

if TYPE_CHECKING:
    from relay.domain.comfyui_nodes import ModulePolicy
    from relay.services.artifact_uploads import ArtifactUploads
    from relay.services.artifacts import ArtifactService
    from relay.services.history import HistoryService
    from relay.services.media import MediaService
    from relay.services.pauses import PauseMonitorService
    from relay.services.quotas import QuotaService
    from relay.services.templates import TemplateService
    from relay.services.users import UserService


class SharedServices(AdapterContainer):
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
    def pause_monitor(self) -> PauseMonitorService:
        from relay.adapters.pending_inputs import WaitingPauses
        from relay.services.pauses import PauseMonitorService

        return PauseMonitorService(WaitingPauses(self.dynamodb, self.settings.pending_inputs_table))

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
        )

    @cached_property
    def artifact_uploads(self) -> ArtifactUploads:
        """Binary edits: POST /v1/artifacts/{id}/versions with {content_type, size_bytes}, then complete."""
        from relay.adapters.artifacts import ArtifactStorage
        from relay.services.artifact_uploads import ArtifactUploads

        s = self.settings
        return ArtifactUploads(
            self.artifacts,
            self.artifact_repository,
            ArtifactStorage(self.s3, s.artifacts_bucket),
            max_upload_bytes=s.media_max_upload_mb * 1024 * 1024,
            upload_expiry_seconds=s.media_upload_expiry_seconds,
        )

    @cached_property
    def history(self) -> HistoryService:
        """Keyword history and option usage (GET /v1/keywords, /v1/option-usage; ctx.history)."""
        from relay.adapters.history import HistoryRepository
        from relay.services.history import HistoryService

        return HistoryService(HistoryRepository(self.dynamodb, self.settings.history_table), self.templates)
