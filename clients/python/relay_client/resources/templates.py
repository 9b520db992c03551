"""Templates and versions: submit a workflow (hashed here), list, versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from ..pagination import paged
from ..types import Submitted, Template, Version
from ..workflow_source import LoadedWorkflow, WorkflowLike, load_workflow
from . import Resource


class Templates(Resource):
    def submit(
        self, source: WorkflowLike | LoadedWorkflow, *, template_name: str | None = None, display_name: str | None = None
    ) -> Submitted:
        """Submit a folder (its `$ref`s resolved here), a JSON file, a dict or a zip. The hash is
        computed here and sent; `created` says whether the server made a new version."""
        loaded = source if isinstance(source, LoadedWorkflow) else load_workflow(source)
        fields = {"template_name": template_name, "display_name": display_name, "content_hash": loaded.content_hash}
        given = {k: v for k, v in fields.items() if v is not None}
        # Submitting the same content twice names the same version: safe to retry.
        if loaded.zip_bytes is not None:
            body = self._t.json(
                "POST",
                "/v1/templates",
                params=given,
                content=loaded.zip_bytes,
                headers={"Content-Type": "application/zip"},
                idempotent=True,
            )
        else:
            body = self._t.json("POST", "/v1/templates", json={"workflow": loaded.document, **given}, idempotent=True)
        return Submitted(
            template=cast(Template, body["template"]),
            version=cast(Version, body["version"]),
            created=bool(body["created"]),
            content_hash=loaded.content_hash,
        )

    def list(self, *, limit: int | None = None) -> Iterator[Template]:
        return paged(lambda p: self._t.json("GET", "/v1/templates", params=p), {"limit": 100}, limit=limit)

    def get(self, template_id: str) -> Template:
        return cast(Template, self._t.json("GET", f"/v1/templates/{template_id}"))

    def find(self, name: str) -> Template | None:
        """The template of that name (listing; there is no lookup by name)."""
        return next((t for t in self.list() if t["template_name"] == name), None)

    def versions(self, template_id: str, *, limit: int | None = None) -> Iterator[Version]:
        return paged(
            lambda p: self._t.json("GET", f"/v1/templates/{template_id}/versions", params=p), {"limit": 100}, limit=limit
        )

    def version(self, version_id: str) -> dict[str, Any]:
        """The version with its resolved workflow."""
        return cast(dict[str, Any], self._t.json("GET", f"/v1/versions/{version_id}"))
