"""Keyword history and option usage (seed 000 §4, seed 001): per template, shared by all its
versions. Pure: no AWS.

A keyword is kept per (template, category, keyword compared case-insensitively) with its
`total_weight` (the sum of what was recorded), `uses`, the `source` and step of its last
recording, and an expiry: each recording sets `expires_at` to its own `expires_in_days` from
now, and an expired keyword counts as gone (re-recording it starts again from its new weight).

Option usage is kept per (template, select step, option): how often, first and last use. It
does not expire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"  # categories and sources
NAME = re.compile(NAME_PATTERN)
KEYWORD_MAX_CHARS = 200
OPTION_MAX_CHARS = 500
MAX_RECORDS_PER_CALL = 50  # one DynamoDB transaction: these and the applied-marker
DEFAULT_CATEGORY = "general"
DEFAULT_SOURCE = "generated"
DEFAULT_EXPIRES_IN_DAYS = 30
MAX_EXPIRES_IN_DAYS = 3650
KEYWORD_ORDERS = ("weight", "recent")


def keyword_key(keyword: str) -> str:
    """What makes two spellings one keyword: trimmed, inner whitespace collapsed, casefolded."""
    return " ".join(keyword.split()).casefold()


def clean_keyword(keyword: str) -> str:
    return " ".join(keyword.split())


@dataclass(frozen=True)
class KeywordRecord:
    """One keyword to record: its weight is added to the keyword's total."""

    keyword: str
    weight: int
    category: str
    source: str
    expires_in_days: int


class KeywordEntry(BaseModel):
    keyword: str = Field(description="as last recorded (trimmed); matched case-insensitively")
    category: str
    total_weight: int = Field(description="the sum of the weights recorded since it was (re)created")
    uses: int = Field(description="how many recordings added to it")
    source: str = Field(description="the source of its last recording (generated, selected …)")
    step_id: str = Field(description="the step that last recorded it")
    created_at: str
    last_used: str
    expires_at: str = Field(description="it counts as gone after this (each recording moves it)")


class OptionUsage(BaseModel):
    option: str
    step_id: str = Field(description="the step whose user.select offered the option")
    uses: int
    created_at: str = Field(description="first recorded")
    last_used: str


def merge_keywords(records: list[KeywordRecord]) -> list[KeywordRecord]:
    """One record per (category, keyword): repeated keywords in one call add up; the last
    spelling, source and expiry win."""
    merged: dict[tuple[str, str], KeywordRecord] = {}
    for record in records:
        key = (record.category, keyword_key(record.keyword))
        before = merged.get(key)
        weight = record.weight + (before.weight if before else 0)
        merged[key] = KeywordRecord(
            keyword=clean_keyword(record.keyword),
            weight=weight,
            category=record.category,
            source=record.source,
            expires_in_days=record.expires_in_days,
        )
    return list(merged.values())


def order_by_recent_usage(values: list[str], usage: dict[str, OptionUsage]) -> list[str]:
    """Options used before first, most recently used first; the others after them in the
    order given."""
    used = sorted((v for v in values if v in usage), key=lambda v: usage[v].last_used, reverse=True)
    return used + [v for v in values if v not in usage]
