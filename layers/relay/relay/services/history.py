"""Keyword history and option usage: the API's reads (a template of the caller's, by id or
name), and what a run's modules get as `ctx.history` (bound to the run's template)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from relay.domain import User
from relay.domain.history import KeywordEntry, KeywordRecord, OptionUsage, merge_keywords
from relay.exceptions import NotFoundError
from relay.ids import is_id


class HistoryService:
    def __init__(self, history, templates, *, clock: Callable[[], float] = time.time) -> None:
        self._history = history  # HistoryRepository
        self._templates = templates  # TemplateService
        self._clock = clock

    def template_of(self, user: User, template: str) -> str:
        """A `tpl_…` id of the caller's, else a template name of the caller's: its id.
        Anything else (another user's template included) is a 404 TEMPLATE_NOT_FOUND."""
        if is_id(template, "tpl"):
            try:
                return self._templates.get_template(user, template).template_id
            except NotFoundError:
                pass  # perhaps a name that looks like an id
        return self._templates.template_by_name(user, template).template_id

    def keywords(
        self, user: User, template: str, *, order: str, category: str | None, cursor: str | None, limit: int
    ) -> tuple[list[KeywordEntry], str | None]:
        template_id = self.template_of(user, template)
        return self._history.keywords(
            template_id, order=order, category=category, now_epoch=self._clock(), cursor=cursor, limit=limit
        )

    def options(
        self, user: User, template: str, *, step_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[OptionUsage], str | None]:
        template_id = self.template_of(user, template)
        return self._history.options(template_id, step_id=step_id, cursor=cursor, limit=limit)

    # -- a run's modules ------------------------------------------------------------------
    def record_keywords(self, template_id: str, user_id: str, op_id: str, records: list[KeywordRecord], step_id: str) -> bool:
        merged = merge_keywords(records)
        if not merged:
            return False
        return self._history.record_keywords(template_id, user_id, op_id, merged, step_id=step_id, now_epoch=self._clock())

    def read_keywords(self, template_id: str, *, order: str, categories: list[str] | None, limit: int) -> list[KeywordEntry]:
        """The `limit` heaviest (or most recent) live keywords, of `categories` when given."""
        now = self._clock()
        if not categories:
            items, _ = self._history.keywords(template_id, order=order, category=None, now_epoch=now, cursor=None, limit=limit)
            return items
        found: list[KeywordEntry] = []
        for category in dict.fromkeys(categories):
            items, _ = self._history.keywords(template_id, order=order, category=category, now_epoch=now, cursor=None, limit=limit)
            found.extend(items)
        if order == "weight":
            found.sort(key=lambda k: (k.total_weight, k.last_used), reverse=True)
        else:
            found.sort(key=lambda k: k.last_used, reverse=True)
        return found[:limit]

    def record_options(self, template_id: str, user_id: str, op_id: str, step_id: str, options: list[str]) -> bool:
        distinct = list(dict.fromkeys(options))
        if not distinct:
            return False
        return self._history.record_options(template_id, user_id, op_id, step_id, distinct, now_epoch=self._clock())

    def recent_options(self, template_id: str, step_id: str, limit: int) -> list[OptionUsage]:
        items, _ = self._history.options(template_id, step_id=step_id, cursor=None, limit=limit)
        return items

    def option_usage(self, template_id: str, step_id: str, options: list[str]) -> dict[str, OptionUsage]:
        return self._history.option_usage(template_id, step_id, options)


def op_id(*parts: Any) -> str:
    """A recording's id, derived from the RunStep attempt: a retry makes the same one."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


class RunHistory:
    """What a run's modules see as `ctx.history`: the history of the run's template, recorded
    under ids derived from the RunStep attempt (the run's rev), so a retried RunStep, which
    runs the same modules in the same order, counts nothing twice."""

    def __init__(self, service: HistoryService, run_id: str, user_id: str, template_id: str, attempt: str) -> None:
        self._service = service
        self.run_id = run_id
        self.user_id = user_id
        self.template_id = template_id
        self._attempt = attempt
        self._recorded = 0

    def _next_op(self, kind: str, step_id: str, module_index: int) -> str:
        self._recorded += 1
        return op_id(self.run_id, self._attempt, self._recorded, kind, step_id, module_index)

    def record_keywords(self, records: list[KeywordRecord], *, step_id: str, module_index: int) -> bool:
        op = self._next_op("keywords", step_id, module_index)
        return self._service.record_keywords(self.template_id, self.user_id, op, records, step_id)

    def keywords(self, *, order: str, categories: list[str] | None, limit: int) -> list[KeywordEntry]:
        return self._service.read_keywords(self.template_id, order=order, categories=categories, limit=limit)

    def record_options(self, options: list[str], *, select_step: str, step_id: str, module_index: int) -> bool:
        op = self._next_op("options", step_id, module_index)
        return self._service.record_options(self.template_id, self.user_id, op, select_step, options)

    def recent_options(self, select_step: str, limit: int) -> list[OptionUsage]:
        return self._service.recent_options(self.template_id, select_step, limit)

    def option_usage(self, select_step: str, options: list[str]) -> dict[str, OptionUsage]:
        return self._service.option_usage(self.template_id, select_step, options)
