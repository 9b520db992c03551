"""`history.keyword_history` and `history.option_usage` (seed 000 §4, seed 001): what earlier
runs of the same template (any of its versions) used, so a workflow can prefer or avoid it.

Both read first (the history as it was before this module) and then record. The module does
no I/O of its own: the run's history comes injected as `ctx.history`
(relay.services.history.RunHistory, wired by RunStep), bound to the run's template.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from relay.domain.history import (
    DEFAULT_CATEGORY,
    DEFAULT_EXPIRES_IN_DAYS,
    DEFAULT_SOURCE,
    KEYWORD_MAX_CHARS,
    MAX_EXPIRES_IN_DAYS,
    MAX_RECORDS_PER_CALL,
    NAME_PATTERN,
    OPTION_MAX_CHARS,
    KeywordRecord,
    keyword_key,
)

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import ModuleError

CategoryName = Annotated[str, Field(pattern=NAME_PATTERN)]


def history_of(ctx: ModuleContext, module_id: str) -> Any:
    history = getattr(ctx, "history", None)
    if history is None:
        raise ModuleError(f"{module_id}: no history store is available to this run", code="HISTORY_UNAVAILABLE")
    return history


class KeywordIn(BaseModel):
    """One keyword to record; what it leaves out comes from the module's inputs."""

    model_config = ConfigDict(extra="forbid")
    keyword: str = Field(min_length=1, max_length=KEYWORD_MAX_CHARS)
    weight: int | None = Field(default=None, ge=1, le=1000)
    category: str | None = Field(default=None, pattern=NAME_PATTERN)
    source: str | None = Field(default=None, pattern=NAME_PATTERN)
    expires_in_days: int | None = Field(default=None, ge=1, le=MAX_EXPIRES_IN_DAYS)

    @field_validator("keyword")
    @classmethod
    def _not_blank(cls, keyword: str) -> str:
        if not keyword.split():
            raise ValueError("a keyword must not be blank")
        return keyword


class KeywordHistoryInputs(ModuleInputs):
    record: list[KeywordIn] = Field(
        default_factory=list,
        max_length=MAX_RECORDS_PER_CALL,
        description="keywords to record: strings, or {keyword, weight?, category?, source?, expires_in_days?}",
    )
    weight: int = Field(default=1, ge=1, le=1000, description="added to each keyword's total_weight")
    category: str = Field(default=DEFAULT_CATEGORY, pattern=NAME_PATTERN)
    source: str = Field(default=DEFAULT_SOURCE, pattern=NAME_PATTERN, description="e.g. generated, selected, user")
    expires_in_days: int = Field(default=DEFAULT_EXPIRES_IN_DAYS, ge=1, le=MAX_EXPIRES_IN_DAYS)
    order: Literal["weight", "recent"] = Field(default="weight", description="read: heaviest or most recently used first")
    categories: list[CategoryName] | None = Field(
        default=None, min_length=1, max_length=20, description="read only these categories (default: all)"
    )
    limit: int = Field(default=20, ge=0, le=200, description="how many keywords to read (0: read none)")

    @field_validator("record", mode="before")
    @classmethod
    def _plain_strings(cls, record: Any) -> Any:
        if record is None:  # e.g. a `$state` value an earlier step left null: nothing to record
            return []
        if isinstance(record, list):
            return [{"keyword": k} if isinstance(k, str) else k for k in record]
        return record


class KeywordHistory(Module):
    """Outputs: `keywords` (the keywords read, as strings), `entries` (each {keyword, category,
    total_weight, uses, source, step_id, created_at, last_used, expires_at}) and `recorded`
    (how many distinct keywords this module recorded)."""

    module_id = "history.keyword_history"
    Inputs = KeywordHistoryInputs

    def execute(self, inputs: KeywordHistoryInputs, ctx: ModuleContext) -> dict[str, Any]:
        history = history_of(ctx, self.module_id)
        entries = history.keywords(order=inputs.order, categories=inputs.categories, limit=inputs.limit) if inputs.limit else []
        records = [
            KeywordRecord(
                keyword=k.keyword,
                weight=k.weight or inputs.weight,
                category=k.category or inputs.category,
                source=k.source or inputs.source,
                expires_in_days=k.expires_in_days or inputs.expires_in_days,
            )
            for k in inputs.record
        ]
        if records:
            history.record_keywords(records, step_id=ctx.step_id, module_index=ctx.module_index)
        return {
            "keywords": [e.keyword for e in entries],
            "entries": [e.model_dump() for e in entries],
            "recorded": len({(r.category, keyword_key(r.keyword)) for r in records}),
        }


class OptionUsageInputs(ModuleInputs):
    record: list[str] = Field(
        default_factory=list,
        max_length=MAX_RECORDS_PER_CALL,
        description="the option(s) used (a string or a list, usually the `$state` value a user.select set)",
    )
    select_step: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="the step whose user.select offers the options (default: this step)",
    )
    limit: int = Field(default=20, ge=0, le=200, description="how many recently used options to read (0: none)")

    @field_validator("record", mode="before")
    @classmethod
    def _one_or_many(cls, record: Any) -> Any:
        if record is None:  # nothing chosen (e.g. a `$state` value left null): nothing to record
            return []
        return [record] if isinstance(record, str) else record

    @field_validator("record")
    @classmethod
    def _sizes(cls, record: list[str]) -> list[str]:
        for option in record:
            if not 1 <= len(option) <= OPTION_MAX_CHARS:
                raise ValueError(f"an option must be 1-{OPTION_MAX_CHARS} characters")
        return record


class OptionUsageModule(Module):
    """Outputs: `recent` (options used at the select step, most recently used first),
    `entries` (each {option, step_id, uses, created_at, last_used}) and `recorded`."""

    module_id = "history.option_usage"
    Inputs = OptionUsageInputs

    def execute(self, inputs: OptionUsageInputs, ctx: ModuleContext) -> dict[str, Any]:
        history = history_of(ctx, self.module_id)
        select_step = inputs.select_step or ctx.step_id
        entries = history.recent_options(select_step, inputs.limit) if inputs.limit else []
        if inputs.record:
            history.record_options(inputs.record, select_step=select_step, step_id=ctx.step_id, module_index=ctx.module_index)
        return {
            "recent": [e.option for e in entries],
            "entries": [e.model_dump() for e in entries],
            "recorded": len(set(inputs.record)),
        }
