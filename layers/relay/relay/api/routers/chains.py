from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from relay.api.deps import ChainId, CurrentUser, Cursor, Limit, RelayDep
from relay.api.problems import raises
from relay.api.schemas.chains import ChainCreate, ChainDetail, ChainPublic, ChainStepPublic
from relay.api.schemas.common import Page

router = APIRouter(prefix="/v1/chains", tags=["chains"])

_SUBMIT_CODES = (
    "INVALID_CHAIN",
    "DUPLICATE_CHAIN_STEP",
    "CHAIN_CYCLE",
    "CHAIN_UNKNOWN_DEPENDENCY",
    "CHAIN_INPUT_NOT_DEPENDENCY",
    "CHAIN_UNKNOWN_ARTIFACT",
    "CHAIN_UNKNOWN_TEMPLATE",
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ChainDetail, openapi_extra=raises(*_SUBMIT_CODES))
def submit_chain(body: ChainCreate, response: Response, user: CurrentUser, relay: RelayDep):
    """Submit a chain: a DAG of steps, each a run of one of my templates. Every rule is checked
    before anything is stored; a refusal names the step. Levels are computed here."""
    chain, steps = relay.chains.submit(user, body.model_dump(exclude_none=True))
    response.headers["Location"] = f"/v1/chains/{chain.chain_id}"
    return ChainDetail.with_steps(chain, steps)


@router.get("", response_model=Page[ChainPublic])
def list_chains(
    user: CurrentUser,
    relay: RelayDep,
    status_: Annotated[str | None, Query(alias="status", max_length=40, pattern=r"^[a-z_0-9]+$")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """My chains, newest first (`status=failed`: the chains with a failed step)."""
    chains, next_cursor = relay.chains.list(user, status_, cursor, limit)
    return Page(items=[ChainPublic.of(c) for c in chains], next_cursor=next_cursor)


@router.get("/{chain_id}", response_model=ChainDetail)
def get_chain(chain_id: ChainId, user: CurrentUser, relay: RelayDep):
    chain = relay.chains.get(user, chain_id)
    return ChainDetail.with_steps(chain, relay.chains.steps(user, chain_id))


@router.get("/{chain_id}/steps", response_model=Page[ChainStepPublic])
def list_chain_steps(chain_id: ChainId, user: CurrentUser, relay: RelayDep):
    """The chain's steps, by level (one page: a chain has at most 50)."""
    return Page(items=[ChainStepPublic.of(s) for s in relay.chains.steps(user, chain_id)], next_cursor=None)
