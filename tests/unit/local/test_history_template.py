"""template.yaml and the history adapter agree: HistoryTable's keys, GSIs and TTL attribute
are what HistoryRepository writes and queries; every function is told the table's name; RunStep
may write it, the API only read it."""

from __future__ import annotations

import inspect
from pathlib import Path

from relay.adapters import history
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
RESOURCES = load_template(ROOT / "template.yaml")["Resources"]
TABLE = RESOURCES["HistoryTable"]["Properties"]


def _policies(function: str) -> list[dict]:
    return RESOURCES[function]["Properties"]["Policies"]


def _on_history(function: str) -> set[str]:
    return {
        name
        for p in _policies(function)
        if isinstance(p, dict)
        for name, v in p.items()
        if isinstance(v, dict) and v.get("TableName") == {"Ref": "HistoryTable"}
    }


def test_the_table_has_the_keys_indexes_and_ttl_the_repository_uses():
    assert [k["AttributeName"] for k in TABLE["KeySchema"]] == ["template_id", "sk"]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in TABLE["GlobalSecondaryIndexes"]}
    assert indexes == {"ByWeight": ["template_id", "total_weight"], "ByRecent": ["recent_key", "last_used"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in TABLE["AttributeDefinitions"]}
    assert types == {"template_id": "S", "sk": "S", "total_weight": "N", "recent_key": "S", "last_used": "S"}
    assert TABLE["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    source = inspect.getsource(history)
    for name in ("ByWeight", "ByRecent", "total_weight", "recent_key", "last_used", '"ttl"'):
        assert name in source
    assert "scan(" not in source  # Query and (Batch)GetItem only


def test_every_function_gets_the_table_name_and_only_run_step_writes_it():
    template = load_template(ROOT / "template.yaml")
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["RELAY_HISTORY_TABLE"] == {"Ref": "HistoryTable"}
    assert _on_history("RunStepFunction") == {"DynamoDBCrudPolicy"}
    assert _on_history("ApiFunction") == {"DynamoDBReadPolicy"}
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function" and name not in ("RunStepFunction", "ApiFunction"):
            assert _on_history(name) == set(), name
