"""Modules that reshape state without calling anything: `transform.format`."""

from __future__ import annotations

import re
import string
from typing import Any

from pydantic import Field

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import ModuleError


MAX_OUTPUT_CHARS = 1_000_000
_NUMBERS = re.compile(r"\d+")


class _PlainFormatter(string.Formatter):
    """str.format over named values only: no attribute or index access (`{x.__class__}`),
    and no format width or precision that could build a huge string (`{x:>999999999}`)."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            raise ModuleError(
                f"format field {{{field_name}}} must be a plain name", code="FORMAT_ERROR"
            )
        return super().get_field(field_name, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if any(int(n) > 10_000 for n in _NUMBERS.findall(format_spec)):
            raise ModuleError(f"format spec {format_spec!r} is too wide", code="FORMAT_ERROR")
        return super().format_field(value, format_spec)


class FormatInputs(ModuleInputs):
    template: str = Field(min_length=1, max_length=100_000)
    values: dict[str, Any] = Field(default_factory=dict)


class Format(Module):
    module_id = "transform.format"
    Inputs = FormatInputs

    def execute(self, inputs: FormatInputs, ctx: ModuleContext) -> dict[str, Any]:
        try:
            value = _PlainFormatter().format(inputs.template, **inputs.values)
            if len(value) > MAX_OUTPUT_CHARS:
                raise ModuleError(f"formatted value is over {MAX_OUTPUT_CHARS} characters", code="FORMAT_ERROR")
            return {"value": value}
        except KeyError as exc:
            raise ModuleError(f"format value {exc} is missing", code="FORMAT_ERROR") from exc
        except (ValueError, IndexError) as exc:
            raise ModuleError(f"bad format template: {exc}", code="FORMAT_ERROR") from exc
