"""Query parameters and response items of GET /v1/keywords and /v1/option-usage."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from relay.domain.history import NAME_PATTERN, KeywordEntry, OptionUsage
from relay.workflows.models import ID_PATTERN

TemplateRef = Annotated[
    str,
    Query(
        min_length=1,
        max_length=128,
        # A template name's pattern; a `tpl_…` id fits it too.
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$",
        description="a template of yours: its `tpl_…` id, or its name (an id that names none of yours is tried as a name)",
    ),
]
KeywordOrder = Annotated[
    Literal["weight", "recent"],
    Query(description="weight: heaviest total_weight first; recent: most recently used first"),
]
CategoryFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=NAME_PATTERN, description="only this category")]
StepFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=128, pattern=ID_PATTERN, description="only the options of this select step"),
]


class KeywordPublic(KeywordEntry):
    """A live keyword of the template (expired ones are not listed)."""


class OptionUsagePublic(OptionUsage):
    """An option a history.option_usage module recorded for the template's select step."""
