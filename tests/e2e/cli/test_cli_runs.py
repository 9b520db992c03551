"""`relay runs …`, `relay logs`, `relay templates versions` and `relay run --like` as a user runs
them against `relay local`, each checked through the API afterwards: search, compare, like,
branch, resume (the version-mismatch choice), retry, export, api-calls, logs (and --follow)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from client_setup import GREETING, PNG, RELAY, User, write_greeting


def _doc(user: User, *args: str, code: int = 0) -> Any:
    """`relay ARGS --json`: its exit code checked, its one stdout document parsed."""
    done = user.run(*args, "--json")
    assert done.returncode == code, (args, done.stderr)
    return json.loads(done.stdout)


def _greeted(user: User, name: str, tone: str, *source: str) -> str:
    doc = _doc(user, "run", *(source or ("greeting",)), "--answer", f"ask={name}", "--answer", f"pick={tone}", "--no-input")
    assert doc["status"] == "completed"
    return str(doc["run_id"])


def _wait(api: httpx.Client, run_id: str, *statuses: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (run := api.get(f"/v1/runs/{run_id}").json())["status"] not in statuses:
        assert time.monotonic() < deadline, run
        time.sleep(0.1)
    return run


def _problem_line(response: httpx.Response) -> str:
    """The line `relay` prints for this problem: its title, detail, code and status."""
    p = response.json()
    return f"error: {p['title']}: {p['detail']} ({p['code']}, HTTP {response.status_code})"


def test_search_compare_like_versions_and_export(user: User, greeting: Path, tmp_path: Path):
    first = _greeted(user, "Ada", "warm")
    like = _greeted(user, "Bob", "formal", "--like", first)
    found = _doc(user, "runs", "search", "ada")
    assert [r["run_id"] for r in found["items"]] == [first]
    assert [r["run_id"] for r in _doc(user, "runs", "search", "formal", "--status", "completed")["items"]] == [like]
    table = user.run("runs", "search", "bob")
    assert like in table.stdout and first not in table.stdout
    with user.api() as api:
        a, b = api.get(f"/v1/runs/{first}").json(), api.get(f"/v1/runs/{like}").json()
        assert b["version_id"] == a["version_id"] and b["state"]["greeting"] == "Hello Bob (formal)"
        compared = api.get("/v1/runs/compare", params={"a": first, "b": like}).json()
    assert _doc(user, "runs", "compare", first, like) == compared  # both ended: nothing moves
    rows = {line.split()[0]: line.split()[1:] for line in user.run("runs", "compare", first, like).stdout.splitlines()}
    assert rows["state/greeting"] == ["(changed)", "Hello", "Ada", "(warm)", "Hello", "Bob", "(formal)", "NO"]
    assert rows["versions.current"] == [a["version_id"], a["version_id"], "yes"]

    changed = json.loads(json.dumps(GREETING))
    changed["steps"][0]["modules"][0]["inputs"]["prompt"] = "Your full name?"
    (greeting / "workflow.json").write_text(json.dumps(changed))
    submitted = _doc(user, "templates", "submit", "greeting")
    assert submitted["created"] is True
    listed = _doc(user, "templates", "versions", "greeting")
    with user.api() as api:
        template_id = submitted["template"]["template_id"]
        assert listed["items"] == api.get(f"/v1/templates/{template_id}/versions").json()["items"]
    assert [v["version_id"] for v in listed["items"]] == [submitted["version"]["version_id"], a["version_id"]]
    assert _doc(user, "templates", "versions", template_id) == listed

    made = user.run("runs", "export", first, "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr
    archive = tmp_path / f"{first}.zip"
    data = archive.read_bytes()
    assert f"{archive} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}…)" == made.stdout.strip()
    with zipfile.ZipFile(archive) as opened:
        metadata = json.loads(opened.read("metadata.json"))["run"]
    assert metadata["run_id"] == first and metadata["state"]["greeting"] == "Hello Ada (warm)"


def test_branch_from_an_event_with_overrides_then_refusals(user: User, greeting: Path):
    run_id = _greeted(user, "Ada", "warm")
    with user.api() as api:
        events = api.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]
        asked = next(e for e in events if e["event_type"] == "step_completed" and e["step_id"] == "ask")
        answered = next(e for e in events if e["event_type"] == "input_answered")
        refused = api.post(f"/v1/runs/{run_id}/branches", json={"from_event_id": answered["event_id"]})
        missing = api.post(f"/v1/runs/{run_id}/branches", json={"from_event_id": "evt_0000000000000000"})
    made = _doc(user, "runs", "branch", run_id, "--from", asked["event_id"], "--set", "name=Grace")
    branch_id = made["branch"]["branch_id"]
    assert made["branch"]["branch_point_event_id"] == asked["event_id"] and made["run"]["state"]["name"] == "Grace"
    done = user.run("attach", run_id, "--answer", "pick=formal", "--no-input")
    assert done.returncode == 0, done.stderr
    with user.api() as api:
        run = api.get(f"/v1/runs/{run_id}").json()
        branches = api.get(f"/v1/runs/{run_id}/branches").json()
    assert run["state"]["greeting"] == "Hello Grace (formal)" and run["branch_id"] == branch_id
    assert branches["active_branch_id"] == branch_id and {b["branch_id"] for b in branches["items"]} == {"main", branch_id}
    # Refused by the server: the problem's title and detail, exit 3; nothing branched.
    for event_id, response in ((answered["event_id"], refused), ("evt_0000000000000000", missing)):
        failed = user.run("runs", "branch", run_id, "--from", event_id)
        assert failed.returncode == 3 and failed.stderr.strip() == _problem_line(response), failed.stderr
    assert refused.json()["code"] == "INVALID_BRANCH_POINT" and missing.status_code == 404
    with user.api() as api:
        assert len(api.get(f"/v1/runs/{run_id}/branches").json()["items"]) == 2


def test_resume_with_another_version_offers_the_choice_then_takes_it(user: User, greeting: Path):
    paused = _doc(user, "run", "greeting", "--no-input", code=4)
    run_id = paused["run_id"]
    changed = json.loads(json.dumps(GREETING))
    changed["steps"][0]["modules"][0]["inputs"]["prompt"] = "Your full name?"
    folder = user.home / "greeting2"
    folder.mkdir()
    (folder / "workflow.json").write_text(json.dumps(changed))
    offered = user.run("runs", "resume", run_id, "greeting2")
    assert offered.returncode == 3 and "VERSION_MISMATCH" in offered.stderr, offered.stderr
    assert "continue_with_new" in offered.stderr  # the choices, to pass with --choice
    with user.api() as api:
        before = api.get(f"/v1/runs/{run_id}").json()
    offer = before["pending_resume"]
    assert offer and offer["current_version_id"] == before["version_id"] != offer["submitted_version_id"]
    assert f"this is {offer['submitted_version_id']}: resume again with --choice continue_with_new|" in offered.stderr
    resumed = _doc(user, "runs", "resume", run_id, "greeting2", "--choice", "continue_with_new")
    assert resumed["version_id"] == offer["submitted_version_id"] != resumed["initial_version_id"]
    with user.api() as api:
        run = _wait(api, run_id, "awaiting_input")
    assert run["version_id"] == offer["submitted_version_id"] and run["pending_input"]["prompt"] == "Your full name?"
    usage = user.run("runs", "resume", run_id)
    assert usage.returncode == 2 and "--version" in usage.stderr


def _failing_on_pending_media(user: User) -> tuple[dict[str, Any], Path]:
    """An echo LLM call on a picture not uploaded yet: the run fails until it is (then retried)."""
    with user.api() as api:
        media = api.post("/v1/media", json={"filename": "pic.png", "content_type": "image/png", "size_bytes": len(PNG)})
    assert media.status_code == 201, media.text
    message = {"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "media_ref", "content": "$run.inputs.pic"}]}
    workflow = {
        "workflow_id": "look",
        "schema_version": "1.0",
        "steps": [
            {
                "step_id": "see",
                "modules": [
                    {
                        "module_id": "api.llm",
                        "inputs": {"provider": "echo", "messages": [message]},
                        "outputs_to_state": {"text": "seen"},
                    }
                ],
            }
        ],
    }
    folder = user.home / "look"
    folder.mkdir()
    (folder / "workflow.json").write_text(json.dumps(workflow))
    return media.json(), folder


def test_retry_after_the_cause_is_fixed_then_its_api_calls_and_logs(user: User):
    media, _ = _failing_on_pending_media(user)
    failed = _doc(user, "run", "look", "--input", f"pic={media['media_id']}", code=1)
    run_id = failed["run_id"]
    assert failed["error"]["code"] == "INVALID_MEDIA_REF"
    form = media["upload"]
    assert httpx.post(form["url"], data=form["fields"], files={"file": ("pic.png", PNG)}, timeout=30).status_code == 204
    with user.api() as api:
        deadline = time.monotonic() + 30
        while api.get(f"/v1/media/{media['media_id']}").json()["status"] != "ready":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    retried = _doc(user, "runs", "retry", run_id)
    assert retried["status"] == "running" and retried["error"] is None
    with user.api() as api:
        run = _wait(api, run_id, "completed", "error")
        assert run["status"] == "completed" and run["state"]["seen"] == "look"  # echo answers the text
        events = [e["event_type"] for e in api.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]]
        calls = api.get(f"/v1/runs/{run_id}/api-calls").json()["items"]
        call = api.get(f"/v1/runs/{run_id}/api-calls/{calls[0]['call_id']}").json()
        lines = api.get(f"/v1/runs/{run_id}/logs", params={"limit": 100}).json()["items"]
    assert events.count("run_retried") == 1 and events.count("run_failed") == 1
    again = user.run("runs", "retry", run_id)
    assert again.returncode == 3 and "RUN_NOT_FAILED" in again.stderr and "HTTP 409" in again.stderr

    assert _doc(user, "runs", "api-calls", run_id) == {"items": calls}
    assert [c["provider"] for c in calls] == ["echo"]
    assert _doc(user, "runs", "api-calls", run_id, call["call_id"]) == call
    table = user.run("runs", "api-calls", run_id).stdout.splitlines()
    usage = call["usage"]
    assert table[0].split()[:3] == ["CALL", "STEP", "PROVIDER"]
    assert table[1].split()[:2] == [call["call_id"], "see"] and f"{usage['input']}/{usage['output']}" in table[1]

    printed = user.run("logs", run_id)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[: len(lines)] == [
        f"{x['timestamp']} {x.get('level') or '-':8}{' [' + x['step_id'] + ']' if x.get('step_id') else ''} {x['message']}"
        for x in lines
    ]
    warnings = [json.loads(x) for x in user.run("logs", run_id, "--level", "WARNING", "--json").stdout.splitlines()]
    assert warnings and all(w["level"] in ("WARNING", "ERROR", "CRITICAL") for w in warnings)


def test_logs_follow_prints_lines_as_they_come_until_the_run_ends(user: User, greeting: Path):
    run_id = _doc(user, "run", "greeting", "--no-input", code=4)["run_id"]
    follow = subprocess.Popen(
        [RELAY, "logs", run_id, "--follow", "--interval", "0.2", "--json"],
        cwd=user.home,
        env=user.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # following the paused run: its lines so far, then waiting
        assert follow.poll() is None
        with user.api() as api:
            assert api.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Ada"}).status_code == 202
            _wait(api, run_id, "awaiting_input")
            assert api.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "warm"}).status_code == 202
        out, err = follow.communicate(timeout=60)
    finally:
        follow.kill()
    assert follow.returncode == 0, err
    followed = [json.loads(x) for x in out.splitlines()]
    assert any(x["message"] == "run advanced" and x["record"].get("outcome") == "completed" for x in followed), followed
    with user.api() as api:
        stored = api.get(f"/v1/runs/{run_id}/logs", params={"limit": 100}).json()["items"]
    keys = [(x["timestamp"], x["message"]) for x in followed]
    assert keys == [(x["timestamp"], x["message"]) for x in stored][: len(keys)]  # in order, none twice


def test_another_users_runs_are_not_found_for_each_command(make_user):
    owner, other = make_user(), make_user()
    write_greeting(owner.home)
    run_id = _greeted(owner, "Ada", "warm")
    with other.api() as api:
        not_found = api.get(f"/v1/runs/{run_id}")
    for args in (
        ("runs", "compare", run_id, run_id),
        ("runs", "retry", run_id),
        ("runs", "branch", run_id, "--from", "evt_0000000000000000"),
        ("runs", "resume", run_id, "--version", "ver_0000000000000000"),
        ("runs", "api-calls", run_id),
    ):
        done = other.run(*args)
        assert done.returncode == 3 and "NOT_FOUND" in done.stderr and "HTTP 404" in done.stderr, (args, done.stderr)
    assert other.run("runs", "show", run_id).stderr.strip() == _problem_line(not_found)
