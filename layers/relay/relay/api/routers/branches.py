from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from relay.api.deps import CurrentUser, RelayDep, RunId
from relay.api.problems import raises
from relay.api.schemas.control import BranchCreate, BranchCreated, BranchPublic, BranchTree
from relay.api.schemas.runs import RunDetail

router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post(
    "/{run_id}/branches",
    status_code=status.HTTP_201_CREATED,
    response_model=BranchCreated,
    openapi_extra=raises(
        "EVENT_NOT_FOUND",
        "INVALID_BRANCH_POINT",
        "INVALID_STATE_OVERRIDES",
        "STATE_OVERRIDES_TOO_LARGE",
        "RUN_BUSY",
        "CONCURRENT_UPDATE",
        "QUOTA_EXCEEDED",
    ),
)
def create_branch(run_id: RunId, body: BranchCreate, response: Response, user: CurrentUser, relay: RelayDep):
    """Re-run from any event, the history kept: a new branch (parent: the event's branch) with
    the state rebuilt as it was at that event, `state_overrides` applied; a new execution
    continues right after it. A run whose step is running is a 409 RUN_BUSY; a waiting one
    has its pause superseded and its execution stopped."""
    run, branch = relay.branches.create(user, run_id, body.from_event_id, body.state_overrides)
    node = {**branch.model_dump(), "status": "active", "children": []}
    response.headers["Location"] = f"/v1/runs/{run_id}/branches/{branch.branch_id}"
    return BranchCreated(branch=BranchPublic.model_validate(node), run=RunDetail.of(run))


@router.get("/{run_id}/branches", response_model=BranchTree)
def list_branches(run_id: RunId, user: CurrentUser, relay: RelayDep):
    """The run's branch tree: ids, parents, fork events, status."""
    run, nodes = relay.branches.tree(user, run_id)
    return BranchTree(run_id=run.run_id, active_branch_id=run.branch_id, items=[BranchPublic.model_validate(n) for n in nodes])


BranchId = Annotated[
    str, Path(description="`main` or a branch's id", json_schema_extra={"pattern": r"^(main|br_[0-9a-z]{1,40})$"})
]


@router.get("/{run_id}/branches/{branch_id}", response_model=BranchPublic, openapi_extra=raises("BRANCH_NOT_FOUND"))
def get_branch(run_id: RunId, branch_id: BranchId, user: CurrentUser, relay: RelayDep):
    """One branch of the run: its parent, fork event, status and children."""
    return BranchPublic.model_validate(relay.branches.node(user, run_id, branch_id))
