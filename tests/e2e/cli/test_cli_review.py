"""Reviewing through `relay` against `relay local`: `relay approvals --watch` on a terminal,
`relay artifacts get|approve|reject|edit` (a json edit from a file and in $EDITOR, a binary edit
straight to S3), `relay media upload`, `relay login`; and the SDK's reject and binary edit.
Each is checked through the API afterwards."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pexpect
import pytest

from client_setup import PNG, RELAY, ROOT, User, finish, write_greeting
from relay_client import ConflictError, Relay

REVIEW = str(ROOT / "examples" / "review")
PNG_2 = PNG + b"a second version"  # still a PNG by its signature: what the server checks


def _doc(user: User, *args: str, code: int = 0) -> Any:
    done = user.run(*args, "--json")
    assert done.returncode == code, (args, done.stderr)
    return json.loads(done.stdout)


def _paused_review(user: User) -> tuple[str, dict[str, Any]]:
    """A review run waiting at its approval: (run id, the inbox item)."""
    picture = user.home / "cover.png"
    picture.write_bytes(PNG)
    paused = _doc(user, "run", REVIEW, "--media", f"upload={picture}", "--no-input", code=4)
    assert paused["stopped_at"]["step_id"] == "review"
    items = _doc(user, "approvals")["items"]
    return paused["run_id"], next(i for i in items if i["run_id"] == paused["run_id"])


def _wait(api: httpx.Client, run_id: str, *statuses: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (run := api.get(f"/v1/runs/{run_id}").json())["status"] not in statuses:
        assert time.monotonic() < deadline, run
        time.sleep(0.1)
    return run


def _content(api: httpx.Client, artifact_id: str) -> bytes:
    answer = api.get(f"/v1/artifacts/{artifact_id}/content")
    return httpx.get(answer.headers["location"]).content if answer.status_code == 307 else answer.content


def test_get_edit_from_a_file_and_approve_then_a_binary_edit(user: User, tmp_path: Path):
    run_id, item = _paused_review(user)
    post_id = item["artifact"]["artifact_id"]
    with user.api() as api:
        assert _doc(user, "approvals")["items"] == api.get("/v1/approvals").json()["items"]
        listed = api.get(f"/v1/runs/{run_id}/artifacts").json()["items"]
    assert _doc(user, "artifacts", "list", run_id)["items"] == listed
    cover_id = next(a["artifact_id"] for a in listed if a["artifact_name"] == "cover")
    shown = user.run("artifacts", "get", post_id)
    assert json.loads(shown.stdout) == {"title": "First draft", "cover": cover_id}
    assert _doc(user, "artifacts", "get", post_id) == {
        "format": "json",
        "content_type": "application/json",
        "content": {"title": "First draft", "cover": cover_id},
    }
    assert user.run("artifacts", "get", cover_id, "--out", "got.png").returncode == 0
    assert (user.home / "got.png").read_bytes() == PNG
    piped = subprocess.run([RELAY, "artifacts", "get", cover_id], cwd=user.home, env=user.env(), capture_output=True, check=False)
    assert piped.returncode == 0 and piped.stdout == PNG  # binary to a pipe: the bytes as they are

    bad = user.home / "bad.json"
    bad.write_text("{not json")
    refused = user.run("artifacts", "edit", post_id, "--file", str(bad))
    assert refused.returncode == 2 and "INVALID_JSON" in refused.stderr
    edited = user.home / "post.json"
    edited.write_text(json.dumps({"title": "From a file", "cover": cover_id}))
    made = _doc(user, "artifacts", "edit", post_id, "--file", str(edited))
    assert (made["version"], made["status"], made["parent_artifact_id"]) == (2, "edited", post_id)
    decided = user.run("artifacts", "approve", made["artifact_id"], "--reason", "looks good")
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout.startswith("post v2: approved (the run's pause ")
    again = user.run("artifacts", "approve", made["artifact_id"])
    assert again.returncode == 3 and "HTTP 409" in again.stderr

    new_cover = user.home / "cover2.png"
    new_cover.write_bytes(PNG_2)
    binary = _doc(user, "artifacts", "edit", cover_id, "--file", str(new_cover))
    assert binary["version"] == 2 and binary["size_bytes"] == len(PNG_2)
    usage = user.run("artifacts", "edit", cover_id)  # a binary one needs --file
    assert usage.returncode == 2 and "--file" in usage.stderr
    with user.api() as api:
        run = _wait(api, run_id, "completed", "error")
        versions = api.get(f"/v1/artifacts/{post_id}/versions").json()["items"]
        assert _content(api, binary["artifact_id"]) == PNG_2 and _content(api, cover_id) == PNG
        covers = api.get(f"/v1/artifacts/{cover_id}/versions").json()["items"]
    assert run["status"] == "completed" and run["state"]["published"]["title"] == "From a file"
    assert sorted((v["version"], v["status"]) for v in versions) == [(1, "pending"), (2, "approved")]
    assert {(c["version"], c["is_latest"]) for c in covers} == {(1, False), (2, True)}


def _editor(user: User, title: str) -> Path:
    """An $EDITOR that sets the JSON document's title."""
    editor = user.home / "editor.sh"
    editor.write_text(
        f"#!/bin/sh\n'{sys.executable}' - \"$1\" <<'PY'\n"
        f"import json, sys\np = sys.argv[1]\nd = json.load(open(p))\nd['title'] = {title!r}\njson.dump(d, open(p, 'w'))\nPY\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    return editor


def test_edit_in_the_editor_on_a_terminal_then_reject(user: User):
    run_id, item = _paused_review(user)
    post_id = item["artifact"]["artifact_id"]
    child = user.spawn("artifacts", "edit", post_id, EDITOR=str(_editor(user, "In the editor")))
    child.expect(r"post v2 \(edited\): (art_[0-9a-z]+)")
    edited_id = child.match.group(1)
    assert finish(child) == 0
    assert json.loads(user.run("artifacts", "get", edited_id).stdout)["title"] == "In the editor"
    rejected = user.run("artifacts", "reject", edited_id, "--reason", "off brand")
    assert rejected.returncode == 0 and rejected.stdout.startswith("post v2: rejected"), rejected.stderr
    with user.api() as api:
        run = _wait(api, run_id, "error", "completed")
        artifact = api.get(f"/v1/artifacts/{edited_id}").json()
        missing = api.get("/v1/artifacts/art_0000000000000000")
    assert run["error"]["code"] == "REJECTED" and (artifact["status"], artifact["reason"]) == ("rejected", "off brand")
    not_found = user.run("artifacts", "get", "art_0000000000000000")
    p = missing.json()
    assert not_found.returncode == 3
    assert not_found.stderr.strip() == f"error: {p['title']}: {p['detail']} ({p['code']}, HTTP 404)"
    no_reason = user.run("artifacts", "reject", edited_id)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr


def test_the_sdk_rejects_and_edits_a_binary_artifact(user: User):
    run_id, item = _paused_review(user)
    picture = user.home / "cover2.png"
    picture.write_bytes(PNG_2)
    with Relay(user.url, user.key) as relay:
        cover = next(a for a in relay.artifacts.latest(run_id) if a["artifact_name"] == "cover")
        made = relay.artifacts.edit_binary(cover["artifact_id"], picture)
        assert (made["version"], made["format"], made["size_bytes"]) == (2, "binary", len(PNG_2))
        assert relay.artifacts.content(made["artifact_id"]).raw == PNG_2
        decided = relay.artifacts.reject(item["artifact"]["artifact_id"], "not this one")
        assert decided["artifact"]["status"] == "rejected" and decided["input_id"] == item["input_id"]
        with pytest.raises(ConflictError) as caught:
            relay.artifacts.reject(item["artifact"]["artifact_id"], "twice")
        assert caught.value.status == 409
    with user.api() as api:
        run = _wait(api, run_id, "error", "completed")
        covers = api.get(f"/v1/artifacts/{cover['artifact_id']}/versions").json()["items"]
    assert run["error"]["code"] == "REJECTED"
    assert sorted(c["version"] for c in covers) == [1, 2] and _content_of(user, made["artifact_id"]) == PNG_2


def _content_of(user: User, artifact_id: str) -> bytes:
    with user.api() as api:
        return _content(api, artifact_id)


def test_approvals_watch_lists_new_pauses_as_they_come(user: User):
    write_greeting(user.home)
    child = user.spawn("approvals", "--watch", "--interval", "0.2")
    child.expect("since")  # the table of what waits now: its header (rich, bold), no row
    started = _doc(user, "run", "greeting", "--no-input", code=4)
    run_id = started["run_id"]
    child.expect(rf"{run_id}\s+ask\s+user\.text_input\s+Your name\?")
    with user.api() as api:
        assert api.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Ada"}).status_code == 202
        child.expect(rf"{run_id}\s+pick\s+user\.select\s+Tone\?")
        inbox = api.get("/v1/approvals").json()["items"]
    assert [(i["run_id"], i["step_id"]) for i in inbox] == [(run_id, "pick")]
    child.sendintr()
    child.expect("interrupted")
    assert finish(child) == 130


def test_media_upload_on_a_terminal_and_piped(user: User):
    picture = user.home / "cat.png"
    picture.write_bytes(PNG)
    child = user.spawn("media", "upload", str(picture))
    child.expect(r"uploaded cat\.png → (media_[0-9a-z]+) \(ready\)")
    media_id = child.match.group(1)
    assert finish(child) == 0
    piped = _doc(user, "media", "upload", str(picture))
    with user.api() as api:
        first, second = api.get(f"/v1/media/{media_id}").json(), api.get(f"/v1/media/{piped['media_id']}").json()
    assert (first["status"], first["size_bytes"], first["content_type"]) == ("ready", len(PNG), "image/png")
    signed = ("download_url", "download_expires_at")  # signed afresh on each read
    assert {k: v for k, v in second.items() if k not in signed} == {k: v for k, v in piped.items() if k not in signed}
    text = user.home / "notes.txt"
    text.write_text("hello")
    refused = user.run("media", "upload", str(text))
    assert refused.returncode == 2 and "UNSUPPORTED_CONTENT_TYPE" in refused.stderr
    fake = user.home / "fake.png"
    fake.write_bytes(b"not a png at all")
    rejected = user.run("media", "upload", str(fake))
    assert rejected.returncode == 3 and "MEDIA_REJECTED" in rejected.stderr
    missing = user.run("media", "upload", str(user.home / "nope.png"))
    assert missing.returncode == 2 and "FILE_NOT_FOUND" in missing.stderr


def test_login_saves_a_profile_0600_that_later_commands_use(user: User):
    env = {k: v for k, v in user.env().items() if k not in ("RELAY_URL", "RELAY_API_KEY")}
    child = pexpect.spawn(
        RELAY, ["login", "--url", user.url, "--profile", "work", "--default"], cwd=str(user.home), env=env, encoding="utf-8"
    )
    child.expect(r"API key \(not shown\): ")
    child.sendline(user.key)
    child.expect(r"profile 'work' saved in (\S+) \(mode 0600\)")
    path = Path(child.match.group(1))
    seen = child.before + child.after
    assert finish(child) == 0
    assert user.key not in seen  # not echoed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["profiles"]["work"] == {"url": user.url, "api_key": user.key}

    def relay(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RELAY, *args], cwd=user.home, env={**env, **extra}, capture_output=True, text=True, timeout=60, check=False
        )

    write_greeting(user.home)
    ran = relay("run", "greeting", "--answer", "ask=Ada", "--answer", "pick=warm", "--json")
    assert ran.returncode == 0, ran.stderr
    listed = relay("runs", "list", "--json")
    with user.api() as api:
        assert json.loads(listed.stdout)["items"] == api.get("/v1/runs").json()["items"]
    assert relay("login", "--list").stdout.split() == ["work"]
    wrong = relay("login", "--url", user.url, "--profile", "bad", RELAY_API_KEY="rk_not_a_real_key_0123456789")
    assert wrong.returncode == 3 and "INVALID_API_KEY" in wrong.stderr and "rk_not_a_real" not in wrong.stderr
    unreachable = relay("login", "--url", "http://127.0.0.1:9", "--profile", "bad", RELAY_API_KEY=user.key)
    assert unreachable.returncode == 3 and "CONNECTION_ERROR" in unreachable.stderr
    assert list(json.loads(path.read_text())["profiles"]) == ["work"]  # neither saved
    assert user.key not in ran.stderr + listed.stderr + wrong.stderr + unreachable.stderr
