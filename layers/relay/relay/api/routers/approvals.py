from fastapi import APIRouter

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.schemas import Page, PendingInputPublic

router = APIRouter(prefix="/v1/approvals", tags=["runs"])


def _to_judge(relay, pending) -> dict | None:
    """For a user.approve pause: the latest version of its artifact, with a preview URL."""
    if pending.module_id != "user.approve":
        return None
    artifact = relay.artifacts.latest(pending.run_id, pending.request.get("artifact_name", ""))
    if artifact is None:
        return None
    download = relay.artifacts.download_url(artifact)
    return {
        **artifact.reference(),
        "preview_url": download[0] if download else f"/v1/artifacts/{artifact.artifact_id}/content",
    }


@router.get("", response_model=Page[PendingInputPublic])
def list_approvals(user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """Pauses waiting for me across my runs, newest first; a user.approve pause shows the
    artifact to judge (its latest version) with a preview URL."""
    items, next_cursor = relay.runs.approvals(user, cursor, limit)
    return Page(
        items=[PendingInputPublic.model_validate({**p.model_dump(), "artifact": _to_judge(relay, p)}) for p in items],
        next_cursor=next_cursor,
    )
