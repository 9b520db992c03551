"""Settings, read once from the environment (the function's env in template.yaml).

A missing required value fails at cold start with pydantic's error naming the variable.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What every function needs: the tables and buckets of template.yaml's Globals."""

    model_config = SettingsConfigDict(env_prefix="RELAY_", frozen=True, extra="ignore")

    users_table: str
    templates_table: str
    versions_table: str
    runs_table: str
    events_table: str
    pending_inputs_table: str
    idempotency_table: str
    media_table: str
    artifacts_table: str
    artifacts_bucket: str
    media_bucket: str
    api_calls_table: str
    history_table: str  # keyword_history and option_usage
    # Media uploads: the largest accepted (MediaMaxUploadMb), how long an upload form and a
    # download URL stay valid.
    media_max_upload_mb: int = 25
    media_upload_expiry_seconds: int = 900
    media_download_expiry_seconds: int = 900
    default_input_timeout_seconds: int = 7 * 24 * 3600
    # RunStep invocations per execution before the run continues as a new one.
    continue_as_new_after: int = 1000
    # Resolved workflows larger than this go to S3 (DynamoDB items stop at 400 KB).
    inline_workflow_max_bytes: int = 64_000
    idempotency_ttl_seconds: int = 24 * 3600
    # LLM providers (api.llm). Keys live in the ProviderKeysSecret (Secrets Manager, JSON
    # {"openai_api_key", "anthropic_api_key"}), read through Powertools Parameters; where the
    # providers are is the SDKs' own variables (empty: the provider's public endpoint).
    provider_keys_secret: str | None = None
    openai_base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    anthropic_base_url: str | None = Field(default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL"))
    comfyui_url: str | None = None
    # ComfyUINodeAllowList: node classes media.generate may send, comma-separated; empty is the
    # default of ComfyUI's built-ins (relay.domain.comfyui_nodes), DEFAULT stands for it.
    comfyui_node_allow_list: str = ""
    # Per HTTP request, and the SDKs' own retries (429, 5xx, timeouts) before Step Functions'.
    provider_timeout_seconds: float = 270
    provider_max_retries: int = 2
    # What a workflow without `provider`/`model` gets when the run's model_preferences do not say.
    default_llm_provider: str = "echo"
    default_openai_model: str = "gpt-5-mini"
    default_anthropic_model: str = "claude-haiku-4-5"
    # ctx.progress: reports of one module closer together than this are skipped (the first,
    # the last and a new stage always go through).
    progress_min_interval_seconds: float = 1.0
    # Per-user quotas (template parameters Quota*; an admin overrides them per user:
    # PUT /v1/admin/users/{id}/quotas). docs/quotas.md says how each is counted.
    quota_active_runs: int = Field(default=20, ge=0)
    quota_runs_per_day: int = Field(default=500, ge=0)
    quota_stored_bytes: int = Field(default=5 * 1024**3, ge=0)
    quota_pending_uploads: int = Field(default=50, ge=0)

    @field_validator("comfyui_node_allow_list")
    @classmethod
    def _node_classes_parse(cls, value: str) -> str:
        from relay.domain.comfyui_nodes import parse_node_allow_list

        parse_node_allow_list(value)  # a name that cannot be a class fails at cold start
        return value


class ApiSettings(Settings):
    """The API also starts executions, so it needs the state machine."""

    run_state_machine_arn: str
    # GET /v1/runs?q=: the words runs are found by (written by the API with runs and answers).
    run_search_table: str
    # GET /v1/runs/{id}/events/stream: how long one stream stays open (EventStreamSeconds,
    # under API Gateway's 30 s), and how often it polls the events table meanwhile: the min
    # right after an event, doubling while nothing comes, up to the (idle) poll seconds.
    event_stream_seconds: float = 25.0
    event_stream_poll_seconds: float = Field(default=1.0, gt=0)
    event_stream_min_poll_seconds: float = Field(default=0.1, gt=0)
    # The functions' log groups (comma-separated) GET /v1/runs/{id}/logs and /v1/admin/logs read.
    log_groups: str
    # A run's branches besides main (POST/GET /v1/runs/{id}/branches).
    branches_table: str
    # Chains and their steps (issue 19; ChainsTable). Optional until the chain routes ship.
    chains_table: str | None = None
