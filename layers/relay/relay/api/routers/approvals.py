from fastapi import APIRouter

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.schemas import Page, PendingInputPublic, pending_public

router = APIRouter(prefix="/v1/approvals", tags=["runs"])


@router.get("", response_model=Page[PendingInputPublic])
def list_approvals(user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """Pauses waiting for me across my runs, newest first."""
    items, next_cursor = relay.runs.approvals(user, cursor, limit)
    return Page(items=[pending_public(p) for p in items], next_cursor=next_cursor)
