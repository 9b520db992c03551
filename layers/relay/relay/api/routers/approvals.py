from fastapi import APIRouter

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.schemas.common import Page
from relay.api.schemas.inbox import InboxItem

router = APIRouter(prefix="/v1/approvals", tags=["runs"])


@router.get("", response_model=Page[InboxItem])
def list_approvals(user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """Every pause waiting for me across my runs, oldest first: the run, the step, what it
    asks, when it expires, and for a user.approve pause the artifact to judge (its latest
    version) with a preview URL. Answered, expired and closed pauses are not listed. A page
    may hold fewer than `limit` and still have a `next_cursor`."""
    entries, next_cursor = relay.inbox.page(user, cursor, limit)
    return Page(
        items=[
            InboxItem.model_validate({**e.pending.model_dump(), "artifact": e.artifact, "run": e.run.model_dump()})
            for e in entries
        ],
        next_cursor=next_cursor,
    )
