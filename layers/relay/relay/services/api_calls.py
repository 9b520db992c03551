"""Reading a run's API-call records (the API): the summaries, and one call with its bodies
loaded from S3. Tenancy: the run must be the user's (else 404, like the run itself)."""

from __future__ import annotations

from relay.domain.api_calls import ApiCall
from relay.exceptions import NotFoundError
from relay.ids import is_id


class ApiCallService:
    def __init__(self, calls, storage, runs) -> None:
        self._calls = calls  # ApiCallRepository
        self._storage = storage  # ApiCallStorage
        self._runs = runs  # RunRepository

    def _own_run(self, user, run_id: str) -> None:
        run = self._runs.get(run_id) if is_id(run_id, "run") else None
        if run is None or run.user_id != user.user_id:
            raise NotFoundError(f"run {run_id[:64]} not found")

    def list_for_run(self, user, run_id: str, cursor: str | None, limit: int) -> tuple[list[ApiCall], str | None]:
        self._own_run(user, run_id)
        return self._calls.list_for_run(run_id, cursor, limit)

    def get(self, user, run_id: str, call_id: str) -> ApiCall:
        self._own_run(user, run_id)
        call = self._calls.get(run_id, call_id) if is_id(call_id, "call") else None
        if call is None:
            raise NotFoundError(f"api call {call_id[:64]} not found")
        if call.request is None and call.request_key:
            call.request = self._storage.get_json(call.request_key)
        if call.response is None and call.response_key:
            call.response = self._storage.get_json(call.response_key)
        return call
