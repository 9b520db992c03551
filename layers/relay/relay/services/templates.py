"""Submit workflows as templates and versions; read them back.

A version is identified by the content hash of the resolved workflow, so the same content
under the same template name is the same version (200), and new content is a new one (201).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from relay.domain import Template, User, Version
from relay.exceptions import InvalidRequestError, NotFoundError
from relay.ids import is_id, new_id, now_iso

if TYPE_CHECKING:
    from relay.domain.comfyui_nodes import ModulePolicy
    from relay.workflows import PreparedWorkflow

# `relay.workflows` (validation, zips, step modules) is imported by the submits that use it,
# not with the API: no other request needs it, so the API's cold start does not pay for it.

TEMPLATE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$"  # Python and ECMA-262 alike
TEMPLATE_NAME = re.compile(TEMPLATE_NAME_PATTERN)


@dataclass(frozen=True)
class SubmittedTemplate:
    template: Template
    version: Version
    created: bool  # a new version was stored


class TemplateService:
    def __init__(self, templates, workflow_store, *, inline_max_bytes: int, module_policy: ModulePolicy | None = None) -> None:
        self._templates = templates  # TemplateRepository
        self._store = workflow_store  # WorkflowStore
        self._inline_max_bytes = inline_max_bytes
        self._policy = module_policy  # None: the defaults (ComfyUI's built-in nodes)

    # -- submit ---------------------------------------------------------------------------
    def submit_json(
        self,
        user: User,
        workflow: Any,
        *,
        template_name: str | None = None,
        display_name: str | None = None,
        content_hash: str | None = None,
    ) -> SubmittedTemplate:
        if not isinstance(workflow, dict):
            raise InvalidRequestError("workflow must be a JSON object", code="INVALID_WORKFLOW")
        from relay.workflows import prepare_workflow

        prepared = prepare_workflow(workflow, claimed_hash=content_hash, policy=self._policy)
        return self._store_version(user, prepared, "json", template_name, display_name)

    def submit_zip(
        self,
        user: User,
        data: bytes,
        *,
        template_name: str | None = None,
        display_name: str | None = None,
        content_hash: str | None = None,
    ) -> SubmittedTemplate:
        from relay.workflows import prepare_workflow_zip

        prepared = prepare_workflow_zip(data, claimed_hash=content_hash, policy=self._policy)
        return self._store_version(user, prepared, "zip", template_name, display_name)

    def _store_version(
        self,
        user: User,
        prepared: PreparedWorkflow,
        source_type: str,
        template_name: str | None,
        display_name: str | None,
    ) -> SubmittedTemplate:
        name = template_name or prepared.workflow.workflow_id
        if not TEMPLATE_NAME.fullmatch(name):
            raise InvalidRequestError(
                "template_name must be 1-128 characters of letters, digits, '_', '.', '-'",
                code="INVALID_TEMPLATE_NAME",
            )
        template = self._template_for(user, name, display_name or prepared.workflow.name)
        existing = self._templates.get_version_by_hash(template.template_id, prepared.content_hash)
        if existing:
            return SubmittedTemplate(template, existing, created=False)

        version_id = new_id("ver")
        version = Version(
            version_id=version_id,
            template_id=template.template_id,
            user_id=user.user_id,
            content_hash=prepared.content_hash,
            source_type=source_type,
            workflow_id=prepared.workflow.workflow_id,
            size_bytes=prepared.canonical_size,
            created_at=now_iso(),
        )
        if prepared.canonical_size <= self._inline_max_bytes:
            version.workflow = prepared.resolved
        else:
            version.workflow_key = f"templates/{template.template_id}/{version_id}.json"
            self._store.put(version.workflow_key, prepared.canonical)
        if not self._templates.add_version(version):
            # The same content was stored concurrently: that one is the version.
            existing = self._templates.get_version_by_hash(template.template_id, prepared.content_hash)
            return SubmittedTemplate(template, existing, created=False)
        self._templates.record_version(template, version_id)
        template = self._templates.get_by_name(user.user_id, name) or template
        return SubmittedTemplate(template, version, created=True)

    def _template_for(self, user: User, name: str, display_name: str | None) -> Template:
        template = self._templates.get_by_name(user.user_id, name)
        if template:
            return template
        now = now_iso()
        template = Template(
            template_id=new_id("tpl"),
            user_id=user.user_id,
            template_name=name,
            display_name=display_name,
            created_at=now,
            updated_at=now,
        )
        if self._templates.add(template):
            return template
        return self._templates.get_by_name(user.user_id, name)  # created concurrently

    # -- read -----------------------------------------------------------------------------
    def get_template(self, user: User, template_id: str) -> Template:
        template = self._templates.get(template_id) if is_id(template_id, "tpl") else None
        if template is None or template.user_id != user.user_id:
            raise NotFoundError(f"template {template_id[:64]} not found")
        return template

    def template_by_name(self, user: User, name: str) -> Template:
        # A name no template can have names none (and "" is no DynamoDB key): no read.
        template = self._templates.get_by_name(user.user_id, name) if TEMPLATE_NAME.fullmatch(name) else None
        if template is None:
            raise NotFoundError(f"template {name!r} not found", code="TEMPLATE_NOT_FOUND")
        return template

    def list_templates(self, user: User, cursor: str | None, limit: int):
        return self._templates.list(user.user_id, cursor, limit)

    def list_versions(self, user: User, template_id: str, cursor: str | None, limit: int):
        template = self.get_template(user, template_id)
        return self._templates.list_versions(template.template_id, cursor, limit)

    def get_version(self, user: User, version_id: str, *, with_workflow: bool = True) -> Version:
        version = self._templates.get_version(version_id) if is_id(version_id, "ver") else None
        if version is None or version.user_id != user.user_id:
            raise NotFoundError(f"version {version_id[:64]} not found")
        if with_workflow and version.workflow is None and version.workflow_key:
            version.workflow = self._store.get(version.workflow_key)
        return version

    def touch_used(self, template: Template) -> None:
        self._templates.touch_used(template)
