"""Keyword history and option usage: the API's reads (a template of the caller's, by id or
name), and the recordings RunStep makes through them (bound to a run by relay.runtime.scope.RunHistory)."""

from __future__ import annotations

import time
from collections.abc import Callable

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
            items, _ = self._history.keywords(
                template_id, order=order, category=category, now_epoch=now, cursor=None, limit=limit
            )
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
