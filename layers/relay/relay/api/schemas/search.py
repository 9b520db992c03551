"""The query parameters of `GET /v1/runs` that find runs (relay.services.run_search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from relay.domain.search import INSTANT_PATTERN, MAX_QUERY_WORDS
from relay.services.templates import TEMPLATE_NAME_PATTERN

SearchText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=256,
        description="words to find (letters and digits, 2 or more, case-insensitive): runs holding every one "
        f"in their project name, template name, inputs, workflow prompts or text answers. At most "
        f"{MAX_QUERY_WORDS} words; none, or more, is a 400 INVALID_SEARCH",
    ),
]
SearchTemplate = Annotated[
    str | None,
    Query(min_length=1, max_length=128, pattern=TEMPLATE_NAME_PATTERN, description="runs of this template (its name)"),
]
SearchSince = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=INSTANT_PATTERN,
        json_schema_extra={"format": "date-time"},
        description="runs created at or after this instant (RFC 3339, with `Z` or an offset); a date that does "
        "not exist (month 13) is a 400 INVALID_SEARCH",
    ),
]
SearchUntil = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=INSTANT_PATTERN,
        json_schema_extra={"format": "date-time"},
        description="runs created at or before this instant (RFC 3339); before `since` is a 400 INVALID_SEARCH",
    ),
]
