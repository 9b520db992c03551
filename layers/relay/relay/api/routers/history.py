"""Keyword history and option usage of a template (shared by all its versions)."""

from __future__ import annotations

from fastapi import APIRouter

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.problems import raises
from relay.api.schemas.common import Page
from relay.api.schemas.history import CategoryFilter, KeywordOrder, KeywordPublic, OptionUsagePublic, StepFilter, TemplateRef

router = APIRouter(prefix="/v1", tags=["history"])


@router.get("/keywords", response_model=Page[KeywordPublic], openapi_extra=raises("TEMPLATE_NOT_FOUND"))
def list_keywords(
    template: TemplateRef,
    user: CurrentUser,
    relay: RelayDep,
    order: KeywordOrder = "weight",
    category: CategoryFilter = None,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """The template's live keywords (history.keyword_history), heaviest or most recent first."""
    items, next_cursor = relay.history.keywords(user, template, order=order, category=category, cursor=cursor, limit=limit)
    return Page(items=[KeywordPublic.model_validate(k.model_dump()) for k in items], next_cursor=next_cursor)


@router.get("/option-usage", response_model=Page[OptionUsagePublic], openapi_extra=raises("TEMPLATE_NOT_FOUND"))
def list_option_usage(
    template: TemplateRef,
    user: CurrentUser,
    relay: RelayDep,
    step_id: StepFilter = None,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """Options used at the template's select steps (history.option_usage), most recent first."""
    items, next_cursor = relay.history.options(user, template, step_id=step_id, cursor=cursor, limit=limit)
    return Page(items=[OptionUsagePublic.model_validate(o.model_dump()) for o in items], next_cursor=next_cursor)
