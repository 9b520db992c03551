"""`relay admin reindex-runs`: write the run search index for runs that lack it (runs made
before the index existed, or after a restore of the runs table without it).

An operator's batch job, not a request path: it reads the runs table with a paginated Scan
(optionally one user's runs by the `ByUser` index) and, for each run, its version's workflow
and its answered pauses, then writes the same items the API writes (RunSearchService): puts
of deterministic items, so running it twice changes nothing. Table names come from
`$RELAY_<NAME>` or the stack's outputs.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from relay.adapters.dynamo import from_item

_TABLES = {
    "runs_table": ("RELAY_RUNS_TABLE", "RunsTableName"),
    "run_search_table": ("RELAY_RUN_SEARCH_TABLE", "RunSearchTableName"),
    "templates_table": ("RELAY_TEMPLATES_TABLE", "TemplatesTableName"),
    "versions_table": ("RELAY_VERSIONS_TABLE", "VersionsTableName"),
    "pending_inputs_table": ("RELAY_PENDING_INPUTS_TABLE", "PendingInputsTableName"),
    "artifacts_bucket": ("RELAY_ARTIFACTS_BUCKET", "ArtifactsBucketName"),
}


def _names(stack_name: str) -> dict[str, str]:
    names = {key: os.environ[env] for key, (env, _) in _TABLES.items() if os.environ.get(env)}
    if len(names) < len(_TABLES):
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        for key, (env, output) in _TABLES.items():
            if key not in names:
                if output not in outputs:
                    raise SystemExit(f"set ${env} or deploy stack {stack_name} with the output {output}")
                names[key] = outputs[output]
    return names


def _runs(client: Any, table: str, user_id: str | None):
    kwargs: dict[str, Any] = {"TableName": table}
    if user_id:
        kwargs.update(
            IndexName="ByUser",
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": {"S": user_id}},
        )
    read = client.query if user_id else client.scan
    while True:
        response = read(**kwargs)
        for item in response.get("Items", []):
            yield item["run_id"]["S"]
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _answered(client: Any, table: str, run_id: str) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "run_id = :r",
        "ExpressionAttributeValues": {":r": {"S": run_id}, ":a": {"S": "answered"}},
        "ExpressionAttributeNames": {"#s": "status"},
        "FilterExpression": "#s = :a",
    }
    found = []
    while True:
        response = client.query(**kwargs)
        found += [from_item(i) for i in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def reindex_runs(args) -> int:
    from relay.adapters.run_index import RunIndex, index_puts
    from relay.adapters.runs import RunRepository
    from relay.adapters.templates import TemplateRepository, WorkflowStore
    from relay.services.run_search import RunSearchService

    names = _names(args.stack_name)
    client = boto3.client("dynamodb")
    runs = RunRepository(client, names["runs_table"], "", names["pending_inputs_table"])
    templates = TemplateRepository(client, names["templates_table"], names["versions_table"])
    store = WorkflowStore(boto3.client("s3"), names["artifacts_bucket"])
    index = RunIndex(client, names["run_search_table"], names["runs_table"])
    search = RunSearchService(index)
    workflows: dict[str, Any] = {}
    counted = {"runs": 0, "items": 0}
    for run_id in _runs(client, names["runs_table"], args.user_id):
        run = runs.get(run_id)
        if run is None:
            continue
        if run.initial_version_id not in workflows:
            version = templates.get_version(run.initial_version_id)
            workflow = None
            if version is not None:
                workflow = version.workflow if version.workflow is not None else store.get(version.workflow_key or "")
            workflows[run.initial_version_id] = workflow
        changes = search.start_changes(run, workflows[run.initial_version_id])
        for pending in _answered(client, names["pending_inputs_table"], run_id):
            changes += search.answer_changes(run, pending["module_id"], pending.get("request") or {}, pending.get("value"))
        ops = [op for change in changes for op in index_puts(names["run_search_table"], change.run, change.words)]
        items = {(o["Put"]["Item"]["user_token"]["S"]): o["Put"]["Item"] for o in ops}
        _write(client, names["run_search_table"], list(items.values()))
        counted["runs"] += 1
        counted["items"] += len(items)
    print(json.dumps(counted))
    return 0


def _write(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
