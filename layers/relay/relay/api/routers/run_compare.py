"""`GET /v1/runs/compare?a=&b=`: two of my runs side by side. Served before the runs router,
whose `/v1/runs/{run_id}` would otherwise take `compare` for a run id."""

from typing import Annotated

from fastapi import APIRouter, Query

from relay.api.deps import CurrentUser, RelayDep
from relay.api.problems import raises
from relay.api.schemas.compare import RunComparison
from relay.ids import id_pattern

router = APIRouter(prefix="/v1/runs", tags=["runs"])

_RUN = {"pattern": id_pattern("run")}  # documented: anything else names no run of yours (404)
RunParam = Annotated[str, Query(max_length=64, description="a run's id", json_schema_extra=_RUN)]


@router.get("/compare", response_model=RunComparison, openapi_extra=raises("NOT_FOUND"))
def compare_runs(a: RunParam, b: RunParam, user: CurrentUser, relay: RelayDep):
    """Runs `a` and `b` side by side: versions, status, inputs, state (a JSON diff by path),
    artifacts, LLM usage and cost, duration. Either not yours (or unknown) is a 404."""
    return relay.compare.compare(user, a, b)
