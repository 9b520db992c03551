"""What a workflow stores, read from its modules, for the chain rule that an input may only
name an artifact its upstream template stores (relay.domain.chains.StoredNames)."""

from __future__ import annotations

from typing import Any

from .chains import StoredNames

# media.generate names each output `<artifact_name>.<node_id>.<n>` (default `generated`).
_MEDIA_DEFAULT_NAME = "generated"


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def stored_names(workflow: dict[str, Any]) -> StoredNames:
    exact: set[str] = set()
    prefixes: set[str] = set()
    dynamic = False
    for step in workflow.get("steps") or []:
        for module in step.get("modules") or []:
            inputs = module.get("inputs") or {}
            module_id = module.get("module_id")
            if module_id == "artifact.store":
                name = inputs.get("artifact_name")
                if _is_reference(name) or not isinstance(name, str):
                    dynamic = True
                else:
                    exact.add(name)
            elif module_id == "media.generate":
                name = inputs.get("artifact_name", _MEDIA_DEFAULT_NAME)
                if _is_reference(name) or not isinstance(name, str):
                    dynamic = True
                else:
                    prefixes.add(f"{name}.")
    return StoredNames(frozenset(exact), frozenset(prefixes), dynamic)
