"""Ship the server's pure workflow code (relay_workflow) inside the client's wheel: the same
source, never a copy in the repository. Editable installs skip it (see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SHARED = Path("..", "..", "layers", "relay", "relay_workflow")


class SharedWorkflowCode(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        source = (Path(self.root) / SHARED).resolve()
        if not (source / "__init__.py").is_file():
            raise RuntimeError(f"relay_workflow not found at {source}: build from a Relay checkout")
        build_data["force_include"][str(source)] = "relay_workflow"
