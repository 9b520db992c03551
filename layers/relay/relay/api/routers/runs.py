from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from relay import metrics
from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep, RunId
from relay.api.problems import WORKFLOW_CODES, raises
from relay.api.schemas.common import Page
from relay.api.schemas.runs import EventPublic, InputAccepted, InputCreate, RunCreate, RunDetail, RunPublic
from relay.api.schemas.search import SearchSince, SearchTemplate, SearchText, SearchUntil
from relay.domain import RunStatus
from relay.metrics import names as metric
from relay.services import StartRun
from relay.services.run_search import RunFilters

router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RunDetail,
    openapi_extra=raises(
        "INVALID_RUN_REQUEST",
        "TEMPLATE_NOT_FOUND",
        "NOT_FOUND",
        "INPUTS_TOO_LARGE",
        "INVALID_IDEMPOTENCY_KEY",
        "IDEMPOTENCY_KEY_REUSED",
        "IDEMPOTENCY_IN_PROGRESS",
        "QUOTA_EXCEEDED",
        *WORKFLOW_CODES,
    ),
)
def start_run(
    request: Request,
    response: Response,
    body: RunCreate,
    user: CurrentUser,
    relay: RelayDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="retrying with the same key (per user, 24 h) returns the same run; with another body it is a 422",
            json_schema_extra={"pattern": r"^[\x21-\x7e]{1,255}$"},  # checked by IdempotentCall
        ),
    ] = None,
):
    """Start a run of a template (its latest version), a version, or an inline workflow.
    With `Idempotency-Key`, a retried start returns the same run."""
    start = StartRun(**body.model_dump())
    lambda_context = request.scope.get("aws.context")  # set by Mangum on Lambda
    run = relay.runs.start(user, start, idempotency_key, lambda_context)
    metrics.count(metric.RUNS_STARTED)
    response.headers["Location"] = f"/v1/runs/{run.run_id}"
    return RunDetail.of(run)


@router.get("", response_model=Page[RunPublic], openapi_extra=raises("INVALID_SEARCH"))
def list_runs(
    user: CurrentUser,
    relay: RelayDep,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
    q: SearchText = None,
    template: SearchTemplate = None,
    since: SearchSince = None,
    until: SearchUntil = None,
):
    """My runs, newest first; with `q`, those whose words (project name, template name,
    inputs, the workflow's prompts, text answers) hold every word of `q`; filtered by status,
    template and creation time. A filtered page may hold fewer than `limit` runs and still
    have a `next_cursor`."""
    filters = RunFilters(q=q, status=status_, template=template, since=since, until=until)
    if filters.any:
        runs, next_cursor = relay.run_search.find(user, filters, cursor, limit)
    else:
        runs, next_cursor = relay.runs.list(user, status_, cursor, limit)
    return Page(items=[RunPublic.of(r) for r in runs], next_cursor=next_cursor)


@router.get("/{run_id}", response_model=RunDetail)
def get_run(run_id: RunId, user: CurrentUser, relay: RelayDep):
    run = relay.runs.get(user, run_id)
    return RunDetail.of(run, relay.inbox.pending_artifact(run))


@router.get("/{run_id}/events", response_model=Page[EventPublic], openapi_extra=raises("BRANCH_NOT_FOUND"))
def list_events(
    run_id: RunId,
    user: CurrentUser,
    relay: RelayDep,
    branch_id: Annotated[
        str | None,
        Query(max_length=64, description="`main` or a `br_…` of the run: that branch's own events (not its parents')"),
    ] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    lineage: Annotated[
        bool,
        Query(
            description="with `branch_id` (default: the run's current branch), its whole history: each "
            "ancestor's events up to the fork, then its own"
        ),
    ] = False,
):
    """The run's append-only events in order, every branch's (or one branch's own, or with
    `lineage=true` one branch's whole history)."""
    if lineage:
        branch = branch_id or relay.runs.get(user, run_id).branch_id
        events, next_cursor = relay.branches.lineage_events(user, run_id, branch, cursor, limit)
        return Page(items=[EventPublic.model_validate(e.public()) for e in events], next_cursor=next_cursor)
    if branch_id is not None:
        relay.branches.check_branch(user, run_id, branch_id)
    events, next_cursor = relay.runs.events(user, run_id, branch_id, cursor, limit)
    return Page(items=[EventPublic.model_validate(e.public()) for e in events], next_cursor=next_cursor)


@router.post(
    "/{run_id}/input",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InputAccepted,
    openapi_extra=raises(
        "INVALID_INPUT_VALUE",
        "VALUE_TOO_LARGE",
        "NOT_AWAITING_INPUT",
        "INPUT_ALREADY_ANSWERED",
        "INPUT_EXPIRED",
        "CONCURRENT_UPDATE",
    ),
)
def answer_input(run_id: RunId, body: InputCreate, user: CurrentUser, relay: RelayDep):
    """Answer the run's pause at `step_id`. The run resumes. Of concurrent answers exactly one
    is accepted; every other gets a 409 `INPUT_ALREADY_ANSWERED` naming the winning `input_id`."""
    run, input_id = relay.runs.answer(user, run_id, body.step_id, body.value)
    metrics.count(metric.INPUTS_ANSWERED)
    return InputAccepted.model_validate({**RunDetail.fields_of(run), "input_id": input_id})
