from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status

from relay.api import metrics
from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep
from relay.api.schemas import EventPublic, InputCreate, Page, RunCreate, RunDetail, RunPublic
from relay.domain import RunStatus
from relay.services import StartRun

router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RunDetail)
def start_run(
    request: Request,
    body: RunCreate,
    user: CurrentUser,
    relay: RelayDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
):
    """Start a run of a template (its latest version), a version, or an inline workflow.
    With `Idempotency-Key`, a retried start returns the same run."""
    start = StartRun(**body.model_dump())
    lambda_context = request.scope.get("aws.context")  # set by Mangum on Lambda
    run = relay.runs.start(user, start, idempotency_key, lambda_context)
    metrics.count("RunsStarted")
    return RunDetail.of(run)


@router.get("", response_model=Page[RunPublic])
def list_runs(
    user: CurrentUser,
    relay: RelayDep,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """My runs, newest first."""
    runs, next_cursor = relay.runs.list(user, status_, cursor, limit)
    return Page(items=[RunPublic.of(r) for r in runs], next_cursor=next_cursor)


@router.get("/{run_id}", response_model=RunDetail)
def get_run(run_id: str, user: CurrentUser, relay: RelayDep):
    return RunDetail.of(relay.runs.get(user, run_id))


@router.get("/{run_id}/events", response_model=Page[EventPublic])
def list_events(
    run_id: str,
    user: CurrentUser,
    relay: RelayDep,
    branch_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    """The run's append-only events in order (optionally one branch)."""
    events, next_cursor = relay.runs.events(user, run_id, branch_id, cursor, limit)
    return Page(items=[EventPublic.model_validate(e.model_dump()) for e in events], next_cursor=next_cursor)


@router.post("/{run_id}/input", status_code=status.HTTP_202_ACCEPTED, response_model=RunDetail)
def answer_input(run_id: str, body: InputCreate, user: CurrentUser, relay: RelayDep):
    """Answer the run's pause at `step_id`. The run resumes; a second answer is a 409."""
    run = relay.runs.answer(user, run_id, body.step_id, body.value)
    metrics.count("InputsAnswered")
    return RunDetail.of(run)
