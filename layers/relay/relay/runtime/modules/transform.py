"""Modules that reshape state without calling anything: `transform.format`."""

from __future__ import annotations

import re
import string
from typing import Any

from pydantic import Field

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import ModuleError, ModuleInputError

MAX_OUTPUT_CHARS = 1_000_000
_NUMBERS = re.compile(r"\d+")


class _PlainFormatter(string.Formatter):
    """str.format over named values only: no attribute or index access (`{x.__class__}`),
    and no format width or precision that could build a huge string (`{x:>999999999}`)."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            raise ModuleError(f"format field {{{field_name}}} must be a plain name", code="FORMAT_ERROR")
        return super().get_field(field_name, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if any(int(n) > 10_000 for n in _NUMBERS.findall(format_spec)):
            raise ModuleError(f"format spec {format_spec!r} is too wide", code="FORMAT_ERROR")
        return super().format_field(value, format_spec)

    def bounded(self, template: str, values: dict[str, Any], limit: int, depth: int = 2) -> str:
        """str.format's result, built piece by piece and refused (INVALID_MODULE_INPUT) as soon
        as it passes `limit` characters: a 100 KB template of `{a}` with a 64 KiB value would
        otherwise join about 2 GB before any check could see it."""
        if depth < 0:
            raise ValueError("Max string recursion exceeded")
        pieces: list[str] = []
        size = 0
        for literal, field_name, format_spec, conversion in self.parse(template):
            found = [literal] if literal else []
            if field_name is not None:
                value, _ = self.get_field(field_name, (), values)
                value = self.convert_field(value, conversion)
                spec = self.bounded(format_spec, values, 10_000, depth - 1) if format_spec else ""
                found.append(self.format_field(value, spec))
            for piece in found:
                size += len(piece)
                if size > limit:
                    raise FormatTooLargeError(
                        f"transform.format: the formatted value passes {limit} characters "
                        f"(stopped at field {{{field_name}}}); format less, or smaller values"
                    )
                pieces.append(piece)
        return "".join(pieces)


class FormatTooLargeError(ModuleInputError):
    """The formatted value would pass MAX_OUTPUT_CHARS (INVALID_MODULE_INPUT)."""


class FormatInputs(ModuleInputs):
    template: str = Field(min_length=1, max_length=100_000)
    values: dict[str, Any] = Field(default_factory=dict)


class Format(Module):
    module_id = "transform.format"
    Inputs = FormatInputs

    def execute(self, inputs: FormatInputs, ctx: ModuleContext) -> dict[str, Any]:
        try:
            return {"value": _PlainFormatter().bounded(inputs.template, inputs.values, MAX_OUTPUT_CHARS)}
        except KeyError as exc:
            raise ModuleError(f"format value {exc} is missing", code="FORMAT_ERROR") from exc
        except (ValueError, IndexError) as exc:
            raise ModuleError(f"bad format template: {exc}", code="FORMAT_ERROR") from exc
