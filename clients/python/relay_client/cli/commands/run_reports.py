"""What `relay runs compare` and `relay runs api-calls` show people: tables (`--json`: the API's
document as it came)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..context import Context

COMPARE_COLUMNS = [("aspect", "aspect"), ("a", "a"), ("b", "b"), ("same", "same")]
CALL_COLUMNS = [
    ("call_id", "call"),
    ("step_id", "step"),
    ("provider", "provider"),
    ("model", "model"),
    ("status", "status"),
    ("tokens", "tokens in/out"),
    ("cost_usd", "cost usd"),
    ("duration_ms", "ms"),
]


def _artifact(side: Mapping[str, Any] | None) -> str | None:
    if side is None:
        return None
    return f"v{side['version']} {side['status']} sha256:{str(side['sha256'])[:12]}"


def _pairs(prefix: str, node: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every {a, b, same} in the document as a row, named by where it is (`versions.current`)."""
    if "same" in node and "a" in node:
        yield {"aspect": prefix, "a": node["a"], "b": node["b"], "same": "yes" if node["same"] else "NO"}
        return
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _pairs(f"{prefix}.{key}" if prefix else key, value)


def compare_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = [{"aspect": "run", "a": doc["a"]["run_id"], "b": doc["b"]["run_id"], "same": ""}]
    for key, value in doc.items():
        if key in ("a", "b") or not isinstance(value, Mapping):
            continue
        if key == "state":
            if value["same"]:
                rows.append({"aspect": "state", "a": "", "b": "", "same": "yes"})
            rows.extend(
                {"aspect": f"state{d['path']} ({d['change']})", "a": d["a"], "b": d["b"], "same": "NO"}
                for d in value["differences"]
            )
            if value.get("truncated"):
                rows.append({"aspect": "state (more differences not listed)", "a": "", "b": "", "same": "NO"})
        elif key == "artifacts":
            for name, pair in value.items():
                same = "yes" if pair["same"] else "NO"
                rows.append({"aspect": f"artifacts.{name}", "a": _artifact(pair["a"]), "b": _artifact(pair["b"]), "same": same})
        else:
            rows.extend(_pairs(key, value))
    return rows


def show_compare(ctx: Context) -> int:
    doc = ctx.relay.runs.compare(ctx.args.a, ctx.args.b)
    if ctx.out.json_mode:
        ctx.out.document(doc)
    else:
        ctx.out.table(compare_rows(doc), COMPARE_COLUMNS)
    return 0


def show_api_calls(ctx: Context) -> int:
    relay, run_id = ctx.relay, ctx.args.run_id
    if ctx.args.call_id:
        call = relay.runs.api_call(run_id, ctx.args.call_id)
        if ctx.out.json_mode:
            ctx.out.document(call)
            return 0
        ctx.out.fields([(k, v) for k, v in call.items() if k not in ("request", "response", "images")])
        ctx.out.fields([("request", call["request"]), ("response", call["response"])])
        return 0
    calls = list(relay.runs.api_calls(run_id))
    if ctx.out.json_mode:
        ctx.out.document({"items": calls})
        return 0
    rows = [{**c, "tokens": f"{c['usage']['input']}/{c['usage']['output']}"} for c in calls]
    ctx.out.table(rows, CALL_COLUMNS)
    return 0
