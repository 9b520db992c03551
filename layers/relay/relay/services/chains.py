"""Submit and read chains (issue 19). The definition's rules are relay.domain.chains; here
each step's template or version is resolved for its user and what it stores is checked."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import ValidationError

from relay.domain import Template, User, Version
from relay.domain.chain_artifacts import stored_names
from relay.domain.chain_records import Chain, ChainStep
from relay.domain.chains import ChainDefinition, StoredNames, check_artifacts, check_graph, level_groups
from relay.domain.exceptions import ChainUnknownTemplateError, InvalidChainError
from relay.exceptions import NotFoundError
from relay.ids import is_id, new_id, now_iso


class ChainTemplates(Protocol):
    """Templates and versions of a user (relay.services.templates.TemplateService)."""

    def template_by_name(self, user: User, name: str) -> Template: ...

    def get_template(self, user: User, template_id: str) -> Template: ...

    def get_version(self, user: User, version_id: str, *, with_workflow: bool = True) -> Version: ...


class ChainStore(Protocol):
    """Chains and their steps (relay.adapters.chains.ChainRepository)."""

    def create(self, chain: Chain, steps: list[ChainStep]) -> None: ...

    def get(self, chain_id: str) -> Chain | None: ...

    def steps(self, chain_id: str) -> list[ChainStep]: ...

    def list_for_user(
        self, user_id: str, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Chain], str | None]: ...


class ChainService:
    def __init__(self, chains: ChainStore, templates: ChainTemplates) -> None:
        self._chains = chains
        self._templates = templates

    def submit(self, user: User, body: dict[str, Any]) -> tuple[Chain, list[ChainStep]]:
        """Validate everything, then store the chain and its steps; a refusal stores nothing."""
        definition = _parsed(body)
        levels = check_graph(definition)
        resolved = {s.step_id: self._resolve(user, s.step_id, s.template_name, s.version_id) for s in definition.steps}
        stored: dict[str, StoredNames] = {sid: stored_names(v.workflow or {}) for sid, (_, v) in resolved.items()}
        check_artifacts(definition, stored)
        now = now_iso()
        chain = Chain(
            chain_id=new_id("chain"),
            user_id=user.user_id,
            name=definition.name,
            description=definition.description,
            project_name=definition.project_name,
            levels=level_groups(levels),
            definition=definition.model_dump(mode="json", exclude_none=True),
            created_at=now,
            updated_at=now,
        )
        steps = [
            ChainStep(
                chain_id=chain.chain_id,
                step_id=s.step_id,
                level=levels[s.step_id],
                template_id=resolved[s.step_id][0].template_id,
                template_name=resolved[s.step_id][0].template_name,
                version_id=resolved[s.step_id][1].version_id,
                depends_on=s.depends_on,
                inputs=s.inputs,
            )
            for s in definition.steps
        ]
        self._chains.create(chain, steps)
        return chain, steps

    def _resolve(self, user: User, step_id: str, name: str | None, version_id: str | None) -> tuple[Template, Version]:
        try:
            if version_id is not None:
                version = self._templates.get_version(user, version_id)
                return self._templates.get_template(user, version.template_id), version
            template = self._templates.template_by_name(user, name or "")
            if not template.latest_version_id:
                raise NotFoundError(f"template {template.template_name!r} has no version")
            return template, self._templates.get_version(user, template.latest_version_id)
        except NotFoundError as exc:
            given = f"version {version_id}" if version_id is not None else f"template {name!r}"
            raise ChainUnknownTemplateError(f"step {step_id}: {given} not found", step_id=step_id) from exc

    # -- read -----------------------------------------------------------------------------
    def get(self, user: User, chain_id: str) -> Chain:
        chain = self._chains.get(chain_id) if is_id(chain_id, "chain") else None
        if chain is None or chain.user_id != user.user_id:
            raise NotFoundError(f"chain {chain_id[:64]} not found")
        return chain

    def steps(self, user: User, chain_id: str) -> list[ChainStep]:
        self.get(user, chain_id)
        return self._chains.steps(chain_id)

    def list(self, user: User, status: str | None, cursor: str | None, limit: int) -> tuple[list[Chain], str | None]:
        return self._chains.list_for_user(user.user_id, status, cursor, limit)


def _parsed(body: dict[str, Any]) -> ChainDefinition:
    try:
        return ChainDefinition.model_validate(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        first = errors[0]
        step_id = None
        if first["loc"][:1] == ("steps",) and len(first["loc"]) > 1 and isinstance(first["loc"][1], int):
            steps = body.get("steps") if isinstance(body, dict) else None
            index = first["loc"][1]
            if isinstance(steps, list) and index < len(steps) and isinstance(steps[index], dict):
                step_id = steps[index].get("step_id")
        raise InvalidChainError(
            f"the chain definition is invalid: {first['msg']} at {'.'.join(map(str, first['loc']))}",
            step_id=step_id,
            errors=[{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors],
        ) from exc
