"""Modules that pause the run for a human: `user.text_input`, `user.select`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import InvalidAnswerError


class TextInputInputs(ModuleInputs):
    prompt: str = Field(min_length=1)
    default: str | None = None
    max_length: int | None = Field(default=None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _default_fits(self) -> TextInputInputs:
        if self.default is not None and self.max_length is not None and len(self.default) > self.max_length:
            raise ValueError(f"default is longer than max_length ({self.max_length})")
        return self


class TextInput(Module):
    module_id = "user.text_input"
    Inputs = TextInputInputs
    pauses = True

    def request(self, inputs: TextInputInputs, ctx: ModuleContext) -> dict[str, Any]:
        return {"prompt": inputs.prompt, "default": inputs.default, "max_length": inputs.max_length}

    def accept(self, request: dict[str, Any], value: Any) -> dict[str, Any]:
        if value is None and request.get("default") is not None:
            value = request["default"]
        if not isinstance(value, str):
            raise InvalidAnswerError("value must be a string")
        limit = request.get("max_length")
        if limit is not None and len(value) > limit:
            raise InvalidAnswerError(f"value is {len(value)} characters; at most {limit} allowed")
        return {"value": value}


class SelectOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1)
    label: str | None = None


class SelectInputs(ModuleInputs):
    prompt: str = Field(min_length=1)
    options: list[SelectOption] = Field(min_length=1, max_length=1000)
    multiple: bool = False
    order_by: Literal["given", "recent_usage"] = Field(
        default="given",
        description="recent_usage: options this template's runs used before first, most recently used first (history.option_usage)",
    )
    usage_step: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="with recent_usage: the step whose option usage counts (default: this step)",
    )

    @field_validator("options", mode="before")
    @classmethod
    def _plain_strings(cls, options: Any) -> Any:
        if isinstance(options, list):
            return [{"value": o} if isinstance(o, str) else o for o in options]
        return options

    @model_validator(mode="after")
    def _unique(self) -> SelectInputs:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        return self


class Select(Module):
    module_id = "user.select"
    Inputs = SelectInputs
    pauses = True

    def request(self, inputs: SelectInputs, ctx: ModuleContext) -> dict[str, Any]:
        options = [o.model_dump() for o in inputs.options]
        if inputs.order_by == "recent_usage":
            options = _by_recent_usage(options, inputs.usage_step or ctx.step_id, ctx)
        return {"prompt": inputs.prompt, "options": options, "multiple": inputs.multiple}

    def accept(self, request: dict[str, Any], value: Any) -> dict[str, Any]:
        offered = [o["value"] for o in request["options"]]
        if request.get("multiple"):
            if not isinstance(value, list) or not value:
                raise InvalidAnswerError("value must be a non-empty list of offered options")
            if len(set(map(str, value))) != len(value):
                raise InvalidAnswerError("value lists an option more than once")
            chosen = value
        else:
            chosen = [value]
        for item in chosen:
            if not isinstance(item, str) or item not in offered:
                raise InvalidAnswerError(f"{item!r} is not one of the offered options {offered}")
        return {"value": value}


def _by_recent_usage(options: list[dict[str, Any]], step_id: str, ctx: ModuleContext) -> list[dict[str, Any]]:
    """The options reordered by the template's option usage at `step_id`; each used one
    carries its `last_used` and `uses`."""
    from relay.domain.history import order_by_recent_usage

    from .history import history_of

    usage = history_of(ctx, "user.select").option_usage(step_id, [o["value"] for o in options])
    by_value = {o["value"]: o for o in options}
    ordered = []
    for value in order_by_recent_usage(list(by_value), usage):
        option = dict(by_value[value])
        if value in usage:
            option.update(last_used=usage[value].last_used, uses=usage[value].uses)
        ordered.append(option)
    return ordered
