"""The composition root's base: settings → boto3 clients → adapters.

Nothing here talks to AWS when built; the boto3 session and clients are made on first use
(thread-safe, since the local API serves sync routes from a thread pool). `refresh()` drops
them, so that a Lambda SnapStart restore makes its own (see `relay.snapstart`).

Each adapter is imported where it is first built: a cold start imports what its first request
uses, not the whole domain (tests/bench/cold_start.py). Add new ones the same way.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from relay.settings import ApiSettings, Settings

if TYPE_CHECKING:
    from relay.adapters.api_calls import ApiCallRepository
    from relay.adapters.artifacts import ArtifactRepository
    from relay.adapters.media import MediaRepository
    from relay.adapters.quotas import QuotaRepository
    from relay.adapters.runs import RunRepository
    from relay.adapters.templates import TemplateRepository, WorkflowStore
    from relay.adapters.users import UserRepository

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=30)
# Presigned POSTs and URLs signed with SigV4 (botocore's default for presigning is still SigV2).
_S3_CONFIG = _CLIENT_CONFIG.merge(Config(signature_version="s3v4"))


class AdapterContainer:
    """AWS clients and the repositories over them, for every function."""

    def __init__(self, settings: Settings, session: boto3.session.Session | None = None) -> None:
        self.settings = settings
        self._given_session = session
        self._session = session
        self._lock = threading.RLock()

    def client(self, service: str, config: Config = _CLIENT_CONFIG) -> BaseClient:
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
            for cls in type(self).__mro__:
                for name, value in vars(cls).items():
                    if isinstance(value, cached_property):
                        self.__dict__.pop(name, None)

    @cached_property
    def dynamodb(self) -> BaseClient:
        return self.client("dynamodb")

    @cached_property
    def s3(self) -> BaseClient:
        return self.client("s3", _S3_CONFIG)

    @cached_property
    def stepfunctions(self) -> BaseClient:
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
        api = s if isinstance(s, ApiSettings) else None  # branches and the search index: the API's only
        return RunRepository(
            self.dynamodb,
            s.runs_table,
            s.events_table,
            s.pending_inputs_table,
            self.quota_repository,
            artifacts_table=s.artifacts_table,
            branches_table=api.branches_table if api else None,
            run_search_table=api.run_search_table if api else None,
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
