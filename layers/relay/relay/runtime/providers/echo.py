"""`echo`: an offline provider for local runs and demos. It answers the last user text; with a
`response_schema`, a minimal instance that validates against it."""

from __future__ import annotations

import json
from typing import Any

from . import Image, LlmReply, LlmRequest


def _last_user_text(request: LlmRequest) -> str:
    for message in reversed(request.messages):
        if message.role == "user":
            texts = [p for p in message.parts if not isinstance(p, Image)]
            if texts:
                return "\n".join(texts)
    return ""


def minimal_instance(schema: Any, text: str = "", root: Any = None, depth: int = 0) -> Any:
    """A small value valid against `schema`: `const`/`enum` first, then by type, every required
    property, min lengths/items/values honoured; local `$ref`s (`#/…`) followed."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 32:
        return None
    if "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#"):
        target: Any = root
        for part in schema["$ref"].lstrip("#").strip("/").split("/"):
            if part:
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        return minimal_instance(target, text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return minimal_instance(schema[key][0], text, root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part)
        return minimal_instance(merged, text, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        return {name: minimal_instance(properties.get(name, {}), text, root, depth + 1) for name in required}
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 0)
        item = schema.get("items", {})
        if schema.get("uniqueItems") and count > 1 and isinstance(item, dict) and item.get("enum"):
            return list(item["enum"][:count])
        return [minimal_instance(item, f"{text}{i}" if i else text, root, depth + 1) for i in range(count)]
    if kind == "string":
        value = text or "echo"
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        if len(value) < low:
            value = value + "x" * (low - len(value))
        if high is not None:
            value = value[: int(high)]
        return value
    if kind in ("integer", "number"):
        value: Any = 0
        if "minimum" in schema:
            value = schema["minimum"]
        if "exclusiveMinimum" in schema:
            value = schema["exclusiveMinimum"] + 1
        if "maximum" in schema and value > schema["maximum"]:
            value = schema["maximum"]
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None


class EchoProvider:
    name = "echo"

    def complete(self, request: LlmRequest) -> LlmReply:
        text = _last_user_text(request)
        data = None
        if request.response_schema is not None:
            data = minimal_instance(request.response_schema, text)
            text = json.dumps(data, ensure_ascii=False)
        words = sum(len(" ".join(p for p in m.parts if isinstance(p, str)).split()) for m in request.messages)
        usage = {"input": words, "output": len(text.split()), "cached": 0, "reasoning": 0}
        return LlmReply(text=text, data=data, usage=usage, model=request.model, body={"echo": text})
