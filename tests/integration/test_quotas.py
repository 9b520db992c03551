"""Per-user quotas through the local cloud and real HTTP: concurrent requests at a quota's
edge (never one over), slots freed by every way a run ends, the daily count, stored bytes,
pending uploads, admin overrides, and another user left alone.

The suite's defaults are high (conftest); each test sets small limits on its own user with
the admin endpoint, as an operator would."""

from __future__ import annotations

import functools
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from documents import greeting, module, step, workflow
from fake_media_site import PNG as SITE_PNG
from fake_media_site import FakeMediaSite
from media_helpers import PNG, TEXT, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem
from relay.runtime.net.fetch import UrlFetcher
from relay.runtime.net.ssrf import AddressPolicy

CLIENTS = 20
ROUNDS = 5
DONE = workflow("quick", step("only", module("transform.format", {"template": "done"}, value="out")))
BREAKS = workflow("breaks", step("only", module("transform.format", {"template": "{missing}", "values": {}}, value="b")))


def _set(admin, user_id, **limits):
    response = admin.put(f"/v1/admin/users/{user_id}/quotas", json=limits)
    assert response.status_code == 200, response.text
    return response.json()


def _usage(client):
    response = client.get("/v1/quotas")
    assert response.status_code == 200, response.text
    return {q["quota"]: q for q in response.json()["quotas"]}


def _used(client, quota):
    return _usage(client)[quota]["used"]


def _submit(client, wf):
    response = client.post("/v1/templates", json={"workflow": wf})
    assert response.status_code in (200, 201), response.text
    return wf["workflow_id"]


def _start(client, name, **body):
    return client.post("/v1/runs", json={"template_name": name, **body})


def _all_at_once(calls):
    """Run `calls` from as many threads at once (released together by a barrier)."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def _quota_problem(response, quota, limit):
    body = assert_problem(response, 429, "QUOTA_EXCEEDED")
    assert body["quota"] == quota and body["limit"] == limit, body
    assert body["used"] + body["requested"] > body["limit"], body
    assert body["frees_when"]
    return body


def test_concurrent_starts_never_take_one_over_the_active_runs_limit(make_client):
    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, active_runs=5)
    name = _submit(user, greeting("edge"))  # each run pauses: it stays active until cancelled
    for round_ in range(ROUNDS):
        responses = _all_at_once([lambda: _start(user, name)] * CLIENTS)
        started = [r.json() for r in responses if r.status_code == 201]
        refused = [r for r in responses if r.status_code != 201]
        assert len(started) == 5, (round_, [r.text[:200] for r in refused])
        for response in refused:
            _quota_problem(response, "active_runs", 5)
            assert "retry-after" not in response.headers  # it frees when a run ends: no known time
        assert _used(user, "active_runs") == 5
        listed = user.get("/v1/runs", params={"limit": 100}).json()["items"]
        assert sum(r["status"] in ("running", "awaiting_input") for r in listed) == 5
        for run in started:
            assert user.post(f"/v1/runs/{run['run_id']}/cancel").status_code == 200
        assert _used(user, "active_runs") == 0


def test_a_slot_is_freed_by_completion_error_and_cancel_and_retry_takes_one(make_client):
    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, active_runs=1)
    quick, breaks, paused = _submit(user, DONE), _submit(user, BREAKS), _submit(user, greeting("holds"))

    done = _start(user, quick).json()
    assert wait_for_status(user, done["run_id"], "completed")
    assert _used(user, "active_runs") == 0
    failed = _start(user, breaks).json()
    assert wait_for_status(user, failed["run_id"], "error")["error"]["code"] == "FORMAT_ERROR"
    assert _used(user, "active_runs") == 0

    holding = _start(user, paused)
    assert holding.status_code == 201
    wait_for_status(user, holding.json()["run_id"], "awaiting_input")
    _quota_problem(_start(user, quick), "active_runs", 1)
    # Retrying the failed run makes it active again: it needs a slot too.
    _quota_problem(user.post(f"/v1/runs/{failed['run_id']}/retry"), "active_runs", 1)
    assert user.get(f"/v1/runs/{failed['run_id']}").json()["status"] == "error"  # unchanged

    assert user.post(f"/v1/runs/{holding.json()['run_id']}/cancel").status_code == 200
    assert _used(user, "active_runs") == 0
    retried = user.post(f"/v1/runs/{failed['run_id']}/retry")
    assert retried.status_code == 200, retried.text
    assert wait_for_status(user, failed["run_id"], "error")  # fails again, and frees it again
    assert _used(user, "active_runs") == 0
    again = _start(user, quick)
    assert again.status_code == 201 and wait_for_status(user, again.json()["run_id"], "completed")
    assert _used(user, "active_runs") == 0


def test_the_daily_count_refuses_with_retry_after_until_utc_midnight(make_client):
    admin, user = make_client(admin=True), make_client()
    name = _submit(user, DONE)
    for _ in range(3):
        assert _start(user, name).status_code == 201
    assert _used(user, "runs_per_day") == 3
    for round_ in range(2):  # concurrent starts at the daily edge: exactly 4 more fit
        used = _used(user, "runs_per_day")
        _set(admin, user.user.user_id, runs_per_day=used + 4)
        responses = _all_at_once([lambda: _start(user, name)] * CLIENTS)
        assert sum(r.status_code == 201 for r in responses) == 4, round_
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        for response in (r for r in responses if r.status_code != 201):
            body = _quota_problem(response, "runs_per_day", used + 4)
            assert abs(int(response.headers["retry-after"]) - (midnight - now).total_seconds()) <= 5
            assert body["retry_after_seconds"] == int(response.headers["retry-after"])
            assert datetime.fromisoformat(body["frees_at"].replace("Z", "+00:00")) == midnight
        assert _used(user, "runs_per_day") == used + 4
    # Ended runs do not give the day back.
    usage = _usage(user)
    assert usage["runs_per_day"]["used"] == usage["runs_per_day"]["limit"]
    assert usage["runs_per_day"]["resets_at"]


def test_pending_uploads_at_the_edge_and_freed_by_verification(make_client, relay):
    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, pending_uploads=3)
    for round_ in range(ROUNDS):
        body = {"filename": "pic.png", "content_type": "image/png", "size_bytes": len(PNG)}
        responses = _all_at_once([functools.partial(user.post, "/v1/media", json=body)] * 12)
        created = [r.json() for r in responses if r.status_code == 201]
        assert len(created) == 3, round_
        for response in (r for r in responses if r.status_code != 201):
            _quota_problem(response, "pending_uploads", 3)
            # Frees at the latest when the oldest form expires (15 min and a minute's grace).
            assert 0 < int(response.headers["retry-after"]) <= 961
        assert _used(user, "pending_uploads") == 3
        good, bad, abandoned = created  # verified, rejected, and abandoned (reclaimed below)
        assert upload(good, PNG).status_code == 204
        assert wait_for_media(user, good["media_id"], "ready")
        assert upload(bad, TEXT[: len(PNG)].ljust(len(PNG), b".")).status_code == 204
        assert wait_for_media(user, bad["media_id"], "rejected")
        assert _used(user, "pending_uploads") == 1
        # Each earlier round left 4 ready; this one 1 ready and 1 pending (the rejected gave back).
        assert _used(user, "stored_bytes") == (4 * round_ + 2) * len(PNG)
        _abandon(user, relay, abandoned["media_id"])
        assert _used(user, "stored_bytes") == 4 * (round_ + 1) * len(PNG)


def _abandon(user, relay, media_id):
    """Make a pending upload's form old (as if 20 minutes had passed), then fill the quota so
    the next create reclaims it."""
    old = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    relay.dynamodb.update_item(
        TableName=relay.settings.media_table,
        Key={"media_id": {"S": media_id}},
        UpdateExpression="SET created_at = :old",
        ExpressionAttributeValues={":old": {"S": old}},
    )
    body = {"filename": "pic.png", "content_type": "image/png", "size_bytes": len(PNG)}
    fresh = [user.post("/v1/media", json=body) for _ in range(3)]
    assert [r.status_code for r in fresh] == [201, 201, 201]  # the third took the abandoned one's place
    assert wait_for_media(user, media_id, "rejected")["reason"].startswith("the upload form expired")
    assert _used(user, "pending_uploads") == 3
    for created in fresh:  # finish them, so the next round starts from none pending
        assert upload(created.json(), PNG).status_code == 204
        wait_for_media(user, created.json()["media_id"], "ready")
    assert _used(user, "pending_uploads") == 0


def test_stored_bytes_count_media_and_artifacts_and_a_full_quota_fails_the_store(make_client):
    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, stored_bytes=1000)
    first = user.post("/v1/media", json={"filename": "a.png", "content_type": "image/png", "size_bytes": 600})
    assert first.status_code == 201
    over = user.post("/v1/media", json={"filename": "b.png", "content_type": "image/png", "size_bytes": 600})
    body = _quota_problem(over, "stored_bytes", 1000)
    assert body["used"] == 600 and body["requested"] == 600
    # Rejected: its reservation is given back.
    assert upload(first.json(), PNG).status_code == 204  # 76 bytes, 600 were declared
    assert wait_for_media(user, first.json()["media_id"], "rejected")
    assert _used(user, "stored_bytes") == 0

    text = "x" * 300
    keeps = workflow(
        "keeps",
        step(
            "s",
            module(
                "artifact.store",
                {"data": text, "artifact_name": "note", "artifact_type": "deliverable", "format": "text"},
                artifact_id="a",
            ),
        ),
    )
    run = user.post("/v1/runs", json={"workflow": keeps}).json()
    assert wait_for_status(user, run["run_id"], "completed")
    assert _used(user, "stored_bytes") == 300
    artifact_id = user.get(f"/v1/runs/{run['run_id']}").json()["state"]["a"]
    edit = user.post(f"/v1/artifacts/{artifact_id}/versions", json={"content": "y" * 800})
    _quota_problem(edit, "stored_bytes", 1000)
    assert len(user.get(f"/v1/artifacts/{artifact_id}/versions").json()["items"]) == 1  # nothing new

    big = workflow(
        "big",
        step(
            "s", module("artifact.store", {"data": "z" * 900, "artifact_name": "big", "artifact_type": "debug", "format": "text"})
        ),
    )
    failed = user.post("/v1/runs", json={"workflow": big}).json()
    ended = wait_for_status(user, failed["run_id"], "error")
    assert ended["error"]["code"] == "STORAGE_QUOTA_EXCEEDED" and "stored_bytes" in ended["error"]["message"]
    assert user.get(f"/v1/runs/{failed['run_id']}/artifacts").json()["items"] == []
    assert _used(user, "stored_bytes") == 300 and _used(user, "active_runs") == 0


def test_admin_override_raises_and_lowers_a_limit_and_leaves_others_alone(make_client):
    admin, user, other = make_client(admin=True), make_client(), make_client()
    name = _submit(user, greeting("lowered"))
    runs = [_start(user, name).json()["run_id"] for _ in range(2)]
    report = _set(admin, user.user.user_id, active_runs=1)  # under what is used now
    assert {q["quota"]: q for q in report["quotas"]}["active_runs"] | {"frees_when": None} == {
        "quota": "active_runs",
        "limit": 1,
        "default": 1000,
        "overridden": True,
        "used": 2,
        "frees_when": None,
        "resets_at": None,
    }
    _quota_problem(_start(user, name), "active_runs", 1)
    assert user.post(f"/v1/runs/{runs[0]}/cancel").status_code == 200
    _quota_problem(_start(user, name), "active_runs", 1)  # 1 of 1: still full
    _set(admin, user.user.user_id, active_runs=3)
    assert [_start(user, name).status_code for _ in range(2)] == [201, 201]
    _quota_problem(_start(user, name), "active_runs", 3)
    # The admin sees what the user sees; the other user keeps the defaults.
    seen = admin.get(f"/v1/admin/users/{user.user.user_id}/quotas").json()
    assert seen == user.get("/v1/quotas").json() and seen["user_id"] == user.user.user_id
    others = _usage(other)
    assert all(not q["overridden"] and q["limit"] == q["default"] for q in others.values())
    assert others["active_runs"]["used"] == 0 and others["active_runs"]["limit"] == 1000
    # An empty body: the defaults again.
    defaults = _set(admin, user.user.user_id)
    assert all(not q["overridden"] for q in defaults["quotas"])


def test_bad_input_to_the_admin_endpoint_is_a_4xx_problem_and_changes_nothing(make_client):
    admin, user = make_client(admin=True), make_client()
    path = f"/v1/admin/users/{user.user.user_id}/quotas"
    _set(admin, user.user.user_id, active_runs=7)
    before = admin.get(path).json()
    for body in (
        {"active_runs": -1},
        {"active_runs": "5"},
        {"active_runs": 1.5},
        {"active_runs": True},
        {"active_runs": 10**16},
        {"concurrent": 5},
        ["active_runs"],
        {"stored_bytes": None, "x": 1},
    ):
        assert_problem(admin.put(path, json=body), 400, "INVALID_REQUEST")
    assert_problem(admin.put(path, content=b"{not json", headers={"content-type": "application/json"}), 400, "INVALID_REQUEST")
    assert_problem(
        admin.put(path, content=b"active_runs=1", headers={"content-type": "text/plain"}), 415, "UNSUPPORTED_MEDIA_TYPE"
    )
    assert_problem(user.put(path, json={"active_runs": 1000}), 403, "ADMIN_ONLY")
    assert_problem(user.get(path), 403, "ADMIN_ONLY")
    assert_problem(admin.put("/v1/admin/users/usr_doesnotexist00/quotas", json={"active_runs": 1}), 404, "NOT_FOUND")
    assert_problem(admin.get("/v1/admin/users/nonsense/quotas"), 404, "NOT_FOUND")
    assert admin.get(path).json() == before
    assert _usage(user)["active_runs"]["limit"] == 7


def test_a_branch_of_an_ended_run_takes_a_slot_and_a_refused_idempotent_start_can_be_sent_again(make_client):
    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, active_runs=1)
    quick, paused = _submit(user, DONE), _submit(user, greeting("holder"))
    done = _start(user, quick).json()
    wait_for_status(user, done["run_id"], "completed")
    events = user.get(f"/v1/runs/{done['run_id']}/events").json()["items"]
    fork = next(e["event_id"] for e in events if e["event_type"] == "step_started")
    holder = _start(user, paused).json()

    _quota_problem(user.post(f"/v1/runs/{done['run_id']}/branches", json={"from_event_id": fork}), "active_runs", 1)
    tree = user.get(f"/v1/runs/{done['run_id']}/branches").json()
    assert [b["branch_id"] for b in tree["items"]] == ["main"] and tree["active_branch_id"] == "main"  # none made
    key = {"Idempotency-Key": "quota-start-1"}
    _quota_problem(user.post("/v1/runs", json={"template_name": quick}, headers=key), "active_runs", 1)

    assert user.post(f"/v1/runs/{holder['run_id']}/cancel").status_code == 200
    branched = user.post(f"/v1/runs/{done['run_id']}/branches", json={"from_event_id": fork})
    assert branched.status_code == 201, branched.text
    assert wait_for_status(user, done["run_id"], "completed") and _used(user, "active_runs") == 0
    # The refused start was not remembered under its key: sent again, it starts.
    again = user.post("/v1/runs", json={"template_name": quick}, headers=key)
    assert again.status_code == 201, again.text
    wait_for_status(user, again.json()["run_id"], "completed")
    assert _used(user, "active_runs") == 0 and _used(user, "runs_per_day") == 3


def test_a_binary_version_over_stored_bytes_is_refused_at_complete_and_its_object_deleted(make_client):
    import base64

    admin, user = make_client(admin=True), make_client()
    keeps = workflow(
        "pic",
        step(
            "s",
            module(
                "artifact.store",
                {
                    "data": base64.b64encode(PNG).decode(),
                    "artifact_name": "pic",
                    "artifact_type": "deliverable",
                    "format": "binary",
                    "content_type": "image/png",
                },
                artifact_id="a",
            ),
        ),
    )
    run = user.post("/v1/runs", json={"workflow": keeps}).json()
    art = wait_for_status(user, run["run_id"], "completed")["state"]["a"]
    assert _used(user, "stored_bytes") == len(PNG)
    _set(admin, user.user.user_id, stored_bytes=2 * len(PNG))

    bigger = PNG + bytes(len(PNG))
    started = user.post(f"/v1/artifacts/{art}/versions", json={"content_type": "image/png", "size_bytes": len(bigger)})
    assert started.status_code == 202, started.text
    assert upload({"upload": started.json()["upload"]}, bigger).status_code == 204
    body = _quota_problem(user.post(started.json()["complete_url"]), "stored_bytes", 2 * len(PNG))
    assert body["used"] == len(PNG) and body["requested"] == len(bigger)
    assert len(user.get(f"/v1/artifacts/{art}/versions").json()["items"]) == 1
    _set(admin, user.user.user_id)  # room again: but the refused upload's object is gone
    assert_problem(user.post(started.json()["complete_url"]), 409, "ARTIFACT_NOT_UPLOADED")
    assert _used(user, "stored_bytes") == len(PNG)


@pytest.fixture
def media_site(cloud):
    """A local site, and RunStep's fetcher resolving `media.test` to it (as test_ingest_url.py)."""
    function = next(f for f in cloud.deployment.functions.values() if f.logical_id == "RunStepFunction")
    cloud.runner.handler(function)
    media = sys.modules[f"relay_local_{function.logical_id}"].relay.run_media
    original = media.fetcher
    media.fetcher = UrlFetcher(policy=AddressPolicy(resolver=lambda host, port: ["127.0.0.1"], allow_loopback=True))
    server = FakeMediaSite().start()
    yield server
    server.stop()
    media.fetcher = original


def test_an_ingest_over_stored_bytes_fails_the_run_and_keeps_nothing(make_client, media_site, relay):
    from relay.runtime.services.run_media import INGEST_PREFIX

    admin, user = make_client(admin=True), make_client()
    _set(admin, user.user.user_id, stored_bytes=len(SITE_PNG) - 1)
    wf = workflow("fetch", step("s", module("media.ingest_url", {"url": media_site.url("/pic.png", "media.test")})))
    run = user.post("/v1/runs", json={"workflow": wf}).json()
    ended = wait_for_status(user, run["run_id"], "error", "completed", timeout=30)
    assert ended["error"]["code"] == "STORAGE_QUOTA_EXCEEDED", ended
    assert _used(user, "stored_bytes") == 0 and _used(user, "active_runs") == 0

    def objects():
        listed = relay.s3.list_objects_v2(Bucket=relay.settings.media_bucket, Prefix=f"{INGEST_PREFIX}{user.user.user_id}/")
        return listed.get("KeyCount", 0)

    assert objects() == 0  # fetched, refused, deleted
    _set(admin, user.user.user_id)  # room again: the retry fetches and keeps it
    assert user.post(f"/v1/runs/{run['run_id']}/retry").status_code == 200
    assert wait_for_status(user, run["run_id"], "completed", "error", timeout=30)["status"] == "completed"
    assert _used(user, "stored_bytes") == len(SITE_PNG) and objects() == 1
