from fastapi import APIRouter, Response, status

from relay.api.deps import CurrentUser, RelayDep, RunId
from relay.api.problems import WORKFLOW_CODES, raises
from relay.api.schemas.control import ResumeConfirm, ResumeRequest
from relay.api.schemas.runs import RunDetail

router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post("/{run_id}/cancel", response_model=RunDetail, openapi_extra=raises("RUN_ENDED", "CONCURRENT_UPDATE"))
def cancel_run(run_id: RunId, user: CurrentUser, relay: RelayDep):
    """Stop a running or waiting run: status `cancelled`, its pause closed, its execution
    stopped. A run that has ended (cancelled included) is a 409 RUN_ENDED."""
    return RunDetail.of(relay.run_control.cancel(user, run_id))


@router.post(
    "/{run_id}/retry", response_model=RunDetail, openapi_extra=raises("RUN_NOT_FAILED", "CONCURRENT_UPDATE", "QUOTA_EXCEEDED")
)
def retry_run(run_id: RunId, user: CurrentUser, relay: RelayDep):
    """A run in `error` continues from the failed module with its state: same run, a new
    execution, the error cleared. Any other status is a 409 RUN_NOT_FAILED."""
    return RunDetail.of(relay.run_control.retry(user, run_id))


@router.post(
    "/{run_id}/resume",
    response_model=RunDetail,
    openapi_extra=raises(
        "VERSION_MISMATCH",
        "RUN_COMPLETED",
        "RUN_BUSY",
        "TEMPLATE_MISMATCH",
        "INVALID_RESUME_REQUEST",
        "CONCURRENT_UPDATE",
        "QUOTA_EXCEEDED",
        *WORKFLOW_CODES,
    ),
)
def resume_run(run_id: RunId, body: ResumeRequest, user: CurrentUser, relay: RelayDep):
    """Resume with a workflow or version: the run's own version resumes it (error, cancelled)
    or leaves it waiting (awaiting_input); another version of its template is a 409
    VERSION_MISMATCH with `current_version`, `submitted_version` and `options`, kept until
    /resume/confirm."""
    return RunDetail.of(relay.resume.resume(user, run_id, workflow=body.workflow, version_id=body.version_id))


@router.post(
    "/{run_id}/resume/confirm",
    response_model=RunDetail,
    responses={201: {"description": "start_fresh: the new run", "model": RunDetail}},
    openapi_extra=raises(
        "NO_PENDING_MISMATCH", "RUN_COMPLETED", "RUN_BUSY", "STEP_NOT_IN_VERSION", "CONCURRENT_UPDATE", "QUOTA_EXCEEDED"
    ),
)
def confirm_resume(run_id: RunId, body: ResumeConfirm, response: Response, user: CurrentUser, relay: RelayDep):
    """Apply a choice to the pending VERSION_MISMATCH: continue_with_new and
    continue_with_original answer this run (200), start_fresh the new run (201)."""
    run, fresh = relay.resume.confirm(user, run_id, body.choice, body.version_id)
    if fresh:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/v1/runs/{run.run_id}"
    return RunDetail.of(run)
