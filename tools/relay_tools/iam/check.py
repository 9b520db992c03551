"""The calls recorded against the roles granted: what would be denied, and what is granted unused."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .ledger import CallLedger
from .permissions import Permission
from .policies import Role, Stack


@dataclass
class Usage:
    """One role's figures: each (action, resource pattern) it grants, and the calls it made."""

    logical_id: str
    granted: list[tuple[str, str]]
    used: Counter[Permission] = field(default_factory=Counter)
    denied: list[Permission] = field(default_factory=list)

    def used_grants(self, role: Role) -> set[tuple[str, str]]:
        """The granted (action, resource) pairs some recorded call needed."""
        return set().union(*(role.grants(p) for p in self.used))


def evaluate(stack: Stack, ledger: CallLedger) -> dict[str, Usage]:
    """Per role: the recorded calls (functions) or the definition's task calls (state machines),
    each checked against what the role allows."""
    roles = stack.roles()
    usage = {logical_id: Usage(logical_id, role.granted()) for logical_id, role in roles.items()}
    for (caller, permission), count in ledger.snapshot().items():
        entry = usage.setdefault(caller, Usage(caller, []))
        entry.used[permission] += count
    for logical_id, resource in stack.resources.items():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            for permission in stack.state_machine_calls(logical_id):
                usage[logical_id].used[permission] += 1
    for logical_id, entry in usage.items():
        role = roles.get(logical_id, Role(logical_id))
        entry.denied = sorted(p for p in entry.used if not role.allows(p))
    return usage


def to_json(stack: Stack, usage: dict[str, Usage], ledger: CallLedger) -> dict[str, object]:
    roles = stack.roles()
    return {
        "roles": {
            logical_id: {
                "granted": [list(g) for g in entry.granted],
                "used_grants": sorted(list(g) for g in entry.used_grants(roles.get(logical_id, Role(logical_id)))),
                "calls": sorted([p.action, p.resource, n] for p, n in entry.used.items()),
                "denied": [[p.action, p.resource] for p in entry.denied],
            }
            for logical_id, entry in sorted(usage.items())
        },
        "unattributed_calls": sum(ledger.unattributed.values()),
    }


def merge_reports(paths: list[Path]) -> dict[str, dict[str, set[tuple[str, ...]]]]:
    """Several workers' reports (tests/integration writes one per xdist worker) as one."""
    merged: dict[str, dict[str, set[tuple[str, ...]]]] = {}
    for path in paths:
        for logical_id, role in json.loads(path.read_text())["roles"].items():
            entry = merged.setdefault(logical_id, {"granted": set(), "used_grants": set(), "calls": set(), "denied": set()})
            entry["granted"] |= {tuple(g) for g in role["granted"]}
            entry["used_grants"] |= {tuple(g) for g in role["used_grants"]}
            entry["calls"] |= {tuple(c[:2]) for c in role["calls"]}
            entry["denied"] |= {tuple(d) for d in role["denied"]}
    return merged
