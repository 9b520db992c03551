"""Runs: start, read, find, answer, control (cancel, retry, branch, resume), compare, export."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, cast

from ..exceptions import VersionMismatchError
from ..pagination import paged
from ..types import Event, LogLine, Run, RunDetail, RunExport
from . import Resource

ResumeChoice = Literal["continue_with_new", "continue_with_original", "start_fresh"]


class Runs(Resource):
    def start(
        self,
        *,
        template_name: str | None = None,
        version_id: str | None = None,
        workflow: Mapping[str, Any] | None = None,
        like_run_id: str | None = None,
        project_name: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        model_preferences: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> RunDetail:
        """Start a run of exactly one of a template (its latest version), a version, an inline
        workflow, or like another run. An Idempotency-Key is made when none is given, so a
        retried start (after a 503 or a dropped connection) is the same run, never a second."""
        body: dict[str, Any] = {
            "template_name": template_name,
            "version_id": version_id,
            "like_run_id": like_run_id,
            "workflow": dict(workflow) if workflow is not None else None,
            "project_name": project_name,
            "model_preferences": dict(model_preferences) if model_preferences else None,
        }
        body = {k: v for k, v in body.items() if v is not None}
        if inputs:
            body["inputs"] = dict(inputs)
        key = idempotency_key or f"relay-client-{uuid.uuid4()}"
        return cast(RunDetail, self._t.json("POST", "/v1/runs", json=body, headers={"Idempotency-Key": key}))

    def get(self, run_id: str) -> RunDetail:
        return cast(RunDetail, self._t.json("GET", f"/v1/runs/{run_id}"))

    def list(
        self,
        *,
        q: str | None = None,
        status: str | None = None,
        template: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        page_size: int = 50,
    ) -> Iterator[Run]:
        """My runs, newest first, over every page (or `limit` runs); `q` searches their words."""
        params = {
            "q": q,
            "status": status,
            "template": template,
            "since": since,
            "until": until,
            "limit": min(page_size, limit or page_size),
        }
        return paged(lambda p: self._t.json("GET", "/v1/runs", params=p), params, limit=limit)

    search = list

    def answer(self, run_id: str, step_id: str, value: Any) -> RunDetail:
        """Answer the pause at `step_id` (a 400 names what is wrong with `value`)."""
        return cast(RunDetail, self._t.json("POST", f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": value}))

    def events(self, run_id: str, *, branch_id: str | None = None, lineage: bool = False) -> Iterator[Event]:
        params = {"branch_id": branch_id, "lineage": "true" if lineage else None, "limit": 500}
        return paged(lambda p: self._t.json("GET", f"/v1/runs/{run_id}/events", params=p), params)

    def compare(self, a: str, b: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._t.json("GET", "/v1/runs/compare", params={"a": a, "b": b}))

    def cancel(self, run_id: str) -> RunDetail:
        return cast(RunDetail, self._t.json("POST", f"/v1/runs/{run_id}/cancel"))

    def retry(self, run_id: str) -> RunDetail:
        return cast(RunDetail, self._t.json("POST", f"/v1/runs/{run_id}/retry"))

    def branch(self, run_id: str, from_event_id: str, state_overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"from_event_id": from_event_id}
        if state_overrides:
            body["state_overrides"] = dict(state_overrides)
        return cast(dict[str, Any], self._t.json("POST", f"/v1/runs/{run_id}/branches", json=body))

    def branches(self, run_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._t.json("GET", f"/v1/runs/{run_id}/branches"))

    def resume(
        self,
        run_id: str,
        *,
        version_id: str | None = None,
        workflow: Mapping[str, Any] | None = None,
        on_mismatch: ResumeChoice | None = None,
    ) -> RunDetail:
        """Resume with a version (or workflow). Another version of the run's template is a
        VersionMismatchError, unless `on_mismatch` chooses: then that choice is confirmed."""
        body = {"version_id": version_id} if version_id else {"workflow": dict(workflow or {})}
        try:
            return cast(RunDetail, self._t.json("POST", f"/v1/runs/{run_id}/resume", json=body))
        except VersionMismatchError as exc:
            if on_mismatch is None:
                raise
            return self.confirm_resume(run_id, on_mismatch, exc.submitted_version_id)

    def confirm_resume(self, run_id: str, choice: ResumeChoice, version_id: str) -> RunDetail:
        body = {"choice": choice, "version_id": version_id}
        return cast(RunDetail, self._t.json("POST", f"/v1/runs/{run_id}/resume/confirm", json=body))

    def like(self, run_id: str, **overrides: Any) -> RunDetail:
        """A new run like `run_id` (same version, project, inputs; `overrides` on top)."""
        return self.start(like_run_id=run_id, **overrides)

    def export(self, run_id: str, dest: str | Path | None = None) -> RunExport:
        """Make the run's zip; with `dest`, download it there (a folder or a file path)."""
        made = cast(RunExport, self._t.json("GET", f"/v1/runs/{run_id}/export"))
        if dest is not None:
            target = Path(dest)
            if target.is_dir():
                target = target / f"{run_id}.zip"
            target.write_bytes(self._t.fetch(made["download_url"]))
        return made

    def logs(
        self, run_id: str, *, level: str | None = None, cursor: str | None = None
    ) -> tuple[builtins.list[LogLine], str | None]:
        """One page of the run's log lines, oldest first, and the cursor to read on."""
        page = self._t.json("GET", f"/v1/runs/{run_id}/logs", params={"level": level, "cursor": cursor, "limit": 100})
        return cast(list[LogLine], page["items"]), page.get("next_cursor")

    def api_calls(self, run_id: str) -> Iterator[dict[str, Any]]:
        return paged(lambda p: self._t.json("GET", f"/v1/runs/{run_id}/api-calls", params=p), {"limit": 100})

    def api_call(self, run_id: str, call_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._t.json("GET", f"/v1/runs/{run_id}/api-calls/{call_id}"))
