"""What `media.generate` checks in a ComfyUI graph before anything reaches the server (the
server and its input folder are shared by every user): each node's class is on the
deployment's allow-list (relay.domain.comfyui_nodes), and every input that names a file is
one of the run's own uploads. At submit the checks skip what `$state` references hide; at run
time they see the resolved graph, and the uploaded names are checked once more after they
are written into it."""

from __future__ import annotations

from typing import Any

from relay.domain.comfyui_nodes import FILE_INPUTS

from .exceptions import ModuleError
from .references import is_reference


class ComfyUINodeNotAllowedError(ModuleError):
    """A graph node's class is not on ComfyUINodeAllowList (nothing uploaded, nothing queued)."""

    code = "COMFYUI_NODE_NOT_ALLOWED"


class ComfyUIInputNotAllowedError(ModuleError):
    """A node input names a file that is not one of the run's own uploads (nothing queued)."""

    code = "COMFYUI_INPUT_NOT_ALLOWED"


def _nodes(workflow: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(node id, class, inputs) of every node whose class is known (not a reference)."""
    found = []
    for node_id, node in workflow.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str) or is_reference(node["class_type"]):
            continue
        inputs = node.get("inputs", {})
        found.append((str(node_id), node["class_type"], inputs if isinstance(inputs, dict) else None))
    return found


def node_class_problems(workflow: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    return [
        f"workflow.{node_id}: node class {cls[:128]!r} is not allowed on this deployment (ComfyUINodeAllowList)"
        for node_id, cls, _ in _nodes(workflow)
        if cls not in allowed
    ]


def _target(image: Any) -> tuple[Any, Any]:
    if isinstance(image, dict):
        return image.get("node_id"), image.get("input", "image")
    return getattr(image, "node_id", None), getattr(image, "input", "image")


def file_input_problems(workflow: dict[str, Any], images: Any) -> list[str]:
    """A file input must be one `images` fills (with an upload of this run), and `images`
    may fill only file inputs. `images` hidden behind a reference: checked at run time."""
    if not isinstance(images, list):
        return []
    targets = [_target(image) for image in images]
    filled = {(node_id, name) for node_id, name in targets if isinstance(node_id, str) and isinstance(name, str)}
    problems = []
    classes = {node_id: cls for node_id, cls, _ in _nodes(workflow)}
    for i, (node_id, name) in enumerate(targets):
        cls = classes.get(node_id) if isinstance(node_id, str) else None
        if cls is not None and isinstance(name, str) and name not in FILE_INPUTS.get(cls, ()):
            problems.append(f"images.{i}: node {node_id!r} ({cls}) loads no file by its input {name!r}")
    for node_id, cls, inputs in _nodes(workflow):
        problems.extend(
            f"workflow.{node_id}.inputs.{name}: {cls} may only load an image this run uploads "
            f"(name the node in `images`), not a file by name"
            for name in FILE_INPUTS.get(cls, ())
            if inputs is not None and name in inputs and (node_id, name) not in filled
        )
    return problems


def uploaded_file_problems(graph: dict[str, Any], uploaded: list[str]) -> list[str]:
    """After the uploads are written into the graph: every file input holds one of them."""
    return [
        f"workflow.{node_id}.inputs.{name}: {str(inputs[name])[:128]!r} is not a file this run uploaded"
        for node_id, cls, inputs in _nodes(graph)
        for name in FILE_INPUTS.get(cls, ())
        if inputs is not None and name in inputs and inputs[name] not in uploaded
    ]
