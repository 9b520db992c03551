"""Finding my runs: `GET /v1/runs?q=&status=&template=&since=&until=`.

What a run is found by (its words, `relay.domain.search`): its project name, template name,
the string values of its inputs and the prompts its workflow asks (pauses' prompts, api.llm
messages' text), indexed in the transaction that creates the run; and, for each answered
pause, its prompt as the run asked it (`$state` references resolved) and the text answers
(`user.text_input`, `user.select`), indexed in the transaction that claims the answer. Several words: runs holding all of them. Filters work with and without `q`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relay.domain import Run, RunStatus, User
from relay.domain.changes import IndexRun
from relay.domain.search import (
    MAX_QUERY_WORDS,
    MAX_WORDS_AT_START,
    MAX_WORDS_PER_ANSWER,
    collect,
    instant,
    strings_in,
    words,
    workflow_prompts,
)
from relay.exceptions import InvalidRequestError

# Pauses whose answers are words a run is found by (an approval's decision is not).
_TEXT_ANSWERS = frozenset({"user.text_input", "user.select"})


@dataclass(frozen=True)
class RunFilters:
    q: str | None = None
    status: RunStatus | None = None
    template: str | None = None
    since: str | None = None  # RFC 3339
    until: str | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.q, self.status, self.template, self.since, self.until))


def _bound(text: str | None, *, high: bool) -> str | None:
    if text is None:
        return None
    try:
        return instant(text)
    except ValueError as exc:
        raise InvalidRequestError(f"`{'until' if high else 'since'}`: {exc}", code="INVALID_SEARCH") from exc


def _indexed(run: Run, found: list[str]) -> list[IndexRun]:
    return [IndexRun(run, tuple(found))] if found else []


class RunSearchService:
    def __init__(self, index: Any) -> None:
        self._index = index  # RunIndex

    # -- writing ----------------------------------------------------------------------------
    def start_changes(self, run: Run, workflow: dict[str, Any] | None) -> list[IndexRun]:
        """Index entries for a new run, for its create transaction."""
        texts = [run.project_name or "", run.template_name, *strings_in(run.inputs), *workflow_prompts(workflow)]
        return _indexed(run, collect(texts, MAX_WORDS_AT_START))

    def answer_changes(self, run: Run, module_id: str, request: dict[str, Any], value: Any) -> list[IndexRun]:
        """Index entries for an answered pause, for the transaction that claims it: the prompt
        as the run asked it (references resolved) and, for text answers, the answer."""
        prompt = request.get("prompt")
        texts = [prompt] if isinstance(prompt, str) else []
        if module_id in _TEXT_ANSWERS:
            texts += strings_in(value)
        return _indexed(run, collect(texts, MAX_WORDS_PER_ANSWER))

    # -- reading ----------------------------------------------------------------------------
    def find(self, user: User, filters: RunFilters, cursor: str | None, limit: int) -> tuple[list[Run], str | None]:
        since, until = _bound(filters.since, high=False), _bound(filters.until, high=True)
        if since is not None and until is not None and since > until:
            raise InvalidRequestError("`since` is after `until`", code="INVALID_SEARCH")
        status = filters.status.value if filters.status else None
        if filters.q is None:
            return self._index.list_runs(user.user_id, status, (since, until), filters.template, cursor, limit)

        asked = words(filters.q)
        if not asked:
            raise InvalidRequestError("`q` holds no word (2 or more letters or digits)", code="INVALID_SEARCH")
        if len(asked) > MAX_QUERY_WORDS:
            raise InvalidRequestError(
                f"`q` holds {len(asked)} words; at most {MAX_QUERY_WORDS} are combined", code="INVALID_SEARCH"
            )
        # Longest first: the order the other words are checked in (the rarest is read).
        ordered = sorted(asked, key=len, reverse=True)

        def accept_runs(run_ids: list[str]) -> dict[str, Run]:
            found = self._index.summaries(run_ids)
            return {
                run_id: run
                for run_id, run in found.items()
                if run.user_id == user.user_id and (status is None or run.status.value == status)
            }

        return self._index.search(user.user_id, ordered, (since, until), filters.template, accept_runs, cursor, limit)
