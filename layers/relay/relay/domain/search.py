"""Words a run is found by (`GET /v1/runs?q=`): pure tokenising, shared by the index writer
and the search, so what is written and what is asked are cut the same way.

A word is a run of letters or digits (Unicode), lowercased, at least 2 and at most
`MAX_WORD_LENGTH` characters (longer ones are cut there, on both sides, so they still match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

MIN_WORD_LENGTH = 2
MAX_WORD_LENGTH = 40
# Index items a run gets when it starts (one per distinct word; the create transaction holds
# them with the run and its first event, well under DynamoDB's 100 items), and per answer.
MAX_WORDS_AT_START = 60
MAX_WORDS_PER_ANSWER = 20
# Words one query may combine (AND); more is a 400 INVALID_SEARCH.
MAX_QUERY_WORDS = 8

_WORD = re.compile(r"[^\W_]+")
# Strings nested deeper than this in inputs are not read (the inputs are bounded anyway).
_MAX_DEPTH = 12


def words(text: str) -> list[str]:
    """The distinct words of `text`, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        word = match.group()[:MAX_WORD_LENGTH]
        if len(word) >= MIN_WORD_LENGTH:
            seen.setdefault(word, None)
    return list(seen)


def strings_in(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string value in a JSON value (object keys are not read: they name, not say)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item, depth + 1)


def collect(texts: Iterable[str], cap: int) -> list[str]:
    """The distinct words of `texts` in order, at most `cap` (earlier texts win)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen.setdefault(word, None)
            if len(seen) >= cap:
                return list(seen)
    return list(seen)


def workflow_prompts(workflow: dict[str, Any] | None) -> Iterator[str]:
    """What a workflow asks in words: its pauses' prompts and its api.llm messages' text
    (as written; `$state` references are not resolved here)."""
    for step in (workflow or {}).get("steps") or []:
        modules = step.get("modules") if isinstance(step, dict) else None
        for module in modules or []:
            if not isinstance(module, dict):
                continue
            inputs = module.get("inputs") or {}
            if not isinstance(inputs, dict):
                continue
            module_id = str(module.get("module_id", ""))
            if module_id.startswith("user.") and isinstance(inputs.get("prompt"), str):
                yield inputs["prompt"]
            elif module_id == "api.llm":
                for message in inputs.get("messages") or []:
                    if isinstance(message, dict):
                        yield from _message_text(message.get("content"))


def _message_text(content: Any) -> Iterator[str]:
    if isinstance(content, str):
        if not content.startswith("$"):  # a whole-string reference names state, says nothing
            yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str) and not part["text"].startswith("$"):
                yield part["text"]


# `since`/`until`: RFC 3339 date-times (`T`, `t` or a space; `Z`, `z` or an offset).
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
_INSTANT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))")
_LOWEST, _HIGHEST = "0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"


def instant(text: str) -> str:
    """An RFC 3339 date-time as the runs' fixed-width UTC timestamps (lexical order is time
    order): a leap second counts as :59, digits past microseconds are cut, and an instant
    past either end of what they hold is that end. ValueError: not a date-time that exists."""
    match = _INSTANT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if match.group(9):
        hours, minutes = int(match.group(10)), int(match.group(11))
        if hours > 23 or minutes > 59:
            raise ValueError(f"{text!r} has no valid offset")
        offset = timedelta(hours=hours, minutes=minutes) * (1 if match.group(9) == "+" else -1)
    moment = datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=timezone(offset))
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # before 0001-01-01 or after 9999-12-31 in UTC
        return _LOWEST if year < 5000 else _HIGHEST
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}Z"
