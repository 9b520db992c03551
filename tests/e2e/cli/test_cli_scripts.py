"""`relay` in scripts (pipes, no terminal): --answer, --no-input (exit 4), --json (one document on
stdout), a second user who sees nothing, and each bad input with its one-line error and exit
code, nothing half-submitted."""

from __future__ import annotations

import json
from pathlib import Path

from client_setup import ROOT, User, write_greeting

ANSI = "\x1b["


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_answers_given_by_flags_and_json_output(user: User, greeting: Path):
    done = user.run("run", "greeting", "--answer", "ask=Ada", "--answer", "pick=warm", "--no-input", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # the whole of stdout is one document
    assert doc["status"] == "completed" and doc["run"]["state"]["greeting"] == "Hello Ada (warm)"
    assert ANSI not in done.stderr and "step pick started" in done.stderr  # piped: plain lines, no bars
    listed = json.loads(user.run("runs", "list", "--json").stdout)
    assert [r["run_id"] for r in listed["items"]] == [doc["run_id"]]
    shown = json.loads(user.run("runs", "show", doc["run_id"], "--json").stdout)
    assert shown["state"]["greeting"] == "Hello Ada (warm)"
    table = user.run("runs", "list")
    assert table.stdout.splitlines()[0].split()[:3] == ["RUN", "STATUS", "TEMPLATE"] and doc["run_id"] in table.stdout


def test_no_input_stops_at_the_first_pause_with_exit_4(user: User, greeting: Path):
    done = user.run("run", "greeting", "--answer", "ask=Ada", "--no-input", "--json")
    assert done.returncode == 4, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "awaiting_input" and doc["stopped_at"]["step_id"] == "pick"
    assert f"relay attach {doc['run_id']}" in done.stderr
    finished = user.run("attach", doc["run_id"], "--answer", "pick=formal", "--no-input")
    assert finished.returncode == 0, finished.stderr
    assert "Hello Ada (formal)" in finished.stdout


def test_a_wrong_answer_is_the_servers_400_shown_as_such(user: User, greeting: Path):
    done = user.run("run", "greeting", "--answer", "ask=Ada", "--answer", "pick=sarcastic", "--no-input")
    assert done.returncode == 3
    assert _error_lines(done.stderr) == [line for line in done.stderr.splitlines() if "INVALID_INPUT_VALUE" in line]
    assert "HTTP 400" in done.stderr


def test_answers_read_from_piped_stdin(user: User, greeting: Path):
    done = user.run("run", "greeting", input="Ada\n2\n")
    assert done.returncode == 0, done.stderr
    assert "Hello Ada (formal)" in done.stdout


def test_a_second_user_sees_nothing(make_user):
    owner, other = make_user(), make_user()
    write_greeting(owner.home)
    paused = owner.run("run", "greeting", "--answer", "ask=Ada", "--no-input", "--json")
    assert paused.returncode == 4, paused.stderr
    run_id = json.loads(paused.stdout)["run_id"]
    assert json.loads(other.run("runs", "list", "--json").stdout)["items"] == []
    assert json.loads(other.run("approvals", "--json").stdout)["items"] == []
    assert json.loads(other.run("templates", "list", "--json").stdout)["items"] == []
    for args in (
        ("runs", "show", run_id),
        ("attach", run_id),
        ("runs", "cancel", run_id),
        ("logs", run_id),
        ("artifacts", "list", run_id),
        ("runs", "export", run_id),
    ):
        done = other.run(*args)
        lines = _error_lines(done.stderr)
        assert done.returncode == 3 and len(lines) == 1 and "NOT_FOUND" in lines[0], (args, done.stderr)
    with owner.api() as api:
        assert api.get(f"/v1/runs/{run_id}").json()["status"] == "awaiting_input"  # untouched


def test_bad_inputs_each_one_line_and_the_documented_exit_code(user: User, greeting: Path, tmp_path: Path):
    escaping = user.home / "escape"
    escaping.mkdir()
    (user.home / "secret.txt").write_text("outside")
    (escaping / "workflow.json").write_text(
        json.dumps({"workflow_id": "escape", "schema_version": "1.0", "steps": [], "x": {"$ref": "../secret.txt"}})
    )
    cases = [
        (("run", "greeting", "--input", "colour=blue"), 2, "UNKNOWN_INPUT"),
        (("run", "no-such-folder"), 2, "FILE_NOT_FOUND"),
        (("run", "escape"), 2, "REF_OUTSIDE_ARCHIVE"),
        (("run", "greeting", "--answer", "nope=1"), 2, "UNKNOWN_STEP"),
        (("run", "greeting", "--input", "oops"), 2, "INVALID_OPTION"),
    ]
    for args, code, needle in cases:
        done = user.run(*args)
        assert done.returncode == code, (args, done.stderr)
        lines = _error_lines(done.stderr)
        assert len(lines) == 1 and needle in lines[0], (args, done.stderr)
    with user.api() as api:  # nothing was submitted by any of them
        assert api.get("/v1/templates").json()["items"] == [] and api.get("/v1/runs").json()["items"] == []


def test_a_file_over_the_servers_cap_and_auth_and_connection_errors(user: User, tmp_path: Path):
    big = user.home / "big.png"
    with big.open("wb") as handle:
        handle.write(b"\x89PNG")
        handle.truncate(26 * 1024 * 1024)  # sparse: over the 25 MB cap, nothing written
    folder = user.home / "withmedia"
    folder.mkdir()
    (folder / "workflow.json").write_text(
        json.dumps(
            {
                "workflow_id": "withmedia",
                "schema_version": "1.0",
                "steps": [
                    {
                        "step_id": "keep",
                        "modules": [
                            {
                                "module_id": "artifact.store",
                                "inputs": {
                                    "data": {"media_id": "$state.picture"},
                                    "artifact_name": "pic",
                                    "artifact_type": "deliverable",
                                    "format": "binary",
                                },
                                "outputs_to_state": {"artifact_id": "a"},
                            }
                        ],
                    }
                ],
            }
        )
    )
    over = user.run("run", "withmedia", "--media", f"picture={big}")
    assert over.returncode == 3 and len(_error_lines(over.stderr)) == 1 and "MEDIA_TOO_LARGE" in over.stderr
    with user.api() as api:
        assert api.get("/v1/runs").json()["items"] == []  # no run started
        assert api.get("/v1/templates").json()["items"] == []  # and the workflow not submitted
    upload = user.run("media", "upload", str(big))
    assert upload.returncode == 3 and "MEDIA_TOO_LARGE" in upload.stderr
    wrong_key = user.run("runs", "list", RELAY_API_KEY="rk_not_a_real_key_0123456789")
    assert wrong_key.returncode == 3 and "INVALID_API_KEY" in wrong_key.stderr and len(_error_lines(wrong_key.stderr)) == 1
    assert "rk_not_a_real_key" not in wrong_key.stderr + wrong_key.stdout
    unreachable = user.run("runs", "list", RELAY_URL="http://127.0.0.1:9")
    assert unreachable.returncode == 3 and "CONNECTION_ERROR" in unreachable.stderr
    assert len(_error_lines(unreachable.stderr)) == 1


def test_the_cli_hash_is_the_servers(user: User, tmp_path: Path):
    review = ROOT / "examples" / "review"
    local = user.run("templates", "hash", str(review)).stdout.strip()
    submitted = json.loads(user.run("templates", "submit", str(review), "--json").stdout)
    assert submitted["version"]["content_hash"] == local == submitted["content_hash"]
