"""`relay admin reindex-runs`: runs whose search index is missing (made before it existed)
are found again after it runs, with their words from the start and from answered pauses;
running it twice changes nothing; `--user-id` reindexes one user's runs only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from documents import greeting
from polling import wait_for_status

RELAY = [sys.executable, "-m", "relay_tools.cli"]


def _drop_index(relay, user_id: str) -> int:
    """Delete every index item of this user (as if the runs predated the index)."""
    table = relay.settings.run_search_table
    items = relay.dynamodb.scan(TableName=table)["Items"]  # the test's own check, not a request path
    mine = [i for i in items if i["user_token"]["S"].startswith(f"{user_id}#")]
    for item in mine:
        relay.dynamodb.delete_item(TableName=table, Key={"user_token": item["user_token"], "created_run": item["created_run"]})
    return len(mine)


def _reindex(*extra: str) -> dict:
    done = subprocess.run(
        [*RELAY, "admin", "reindex-runs", *extra], capture_output=True, text=True, timeout=120, env=dict(os.environ), check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _ids(client, q: str) -> list[str]:
    return [r["run_id"] for r in client.get("/v1/runs", params={"q": q, "limit": 100}).json()["items"]]


def test_reindex_restores_what_the_api_wrote(client, make_client, relay):
    other = make_client()
    for who in (client, other):
        assert who.post("/v1/templates", json={"workflow": greeting("reindexed")}).status_code in (200, 201)
    run_id = client.post(
        "/v1/runs", json={"template_name": "reindexed", "project_name": "Orchard", "inputs": {"note": "apples"}}
    ).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Quince"}).status_code == 202
    wait_for_status(client, run_id, "awaiting_input")
    theirs = other.post("/v1/runs", json={"template_name": "reindexed", "project_name": "Orchard"}).json()["run_id"]
    words = ("orchard", "apples", "quince", "name", "reindexed")
    assert all(_ids(client, w) == [run_id] for w in words)

    written = _drop_index(relay, client.user.user_id)
    _drop_index(relay, other.user.user_id)
    assert written >= len(words) and all(_ids(client, w) == [] for w in words)

    mine = _reindex("--user-id", client.user.user_id)
    assert mine == {"runs": 1, "items": written}
    assert all(_ids(client, w) == [run_id] for w in words)
    assert _ids(other, "orchard") == []  # only the user asked for

    everyone = _reindex()
    assert everyone["runs"] >= 2
    assert _ids(other, "orchard") == [theirs] and _ids(client, "orchard") == [run_id]
    assert _reindex("--user-id", client.user.user_id) == mine  # twice: the same items
    assert _ids(client, "quince") == [run_id]
