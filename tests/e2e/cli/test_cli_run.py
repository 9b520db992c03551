"""`relay run` / `relay attach` through a real pseudo-terminal against `relay local`: a person
types the answers, picks with the arrow keys, uploads a picture, edits an artifact in $EDITOR,
presses Ctrl-C and comes back."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from client_setup import PNG, ROOT, User, finish

RUN_ID = re.compile(r"run_[0-9a-z]+")


def test_the_greeting_workflow_typed_interactively(user: User, greeting: Path):
    child = user.spawn("run", "greeting", "--project", "demo")
    child.expect(r"Your name\? \(max 40 chars\): ")
    child.sendline("x" * 41)  # over the limit: asked again, nothing sent
    child.expect("at most 40")
    child.expect(r"Your name\?")
    child.sendline("Ada")
    child.expect(r"Tone\?")
    child.expect("formal")
    child.send("\x1b[B")  # arrow down: formal
    child.send("\r")
    child.expect("→ formal")
    child.expect(r"run (run_[0-9a-z]+) completed")
    run_id = child.match.group(1)
    assert finish(child) == 0
    with user.api() as api:
        run = api.get(f"/v1/runs/{run_id}").json()
    assert run["state"]["greeting"] == "Hello Ada (formal)" and run["project_name"] == "demo"


def test_select_by_number_and_a_version_reused_the_second_time(user: User, greeting: Path):
    for expected in ("new version", "known version, reused"):
        child = user.spawn("run", "greeting", "--answer", "ask=Grace")
        child.expect(expected)
        child.expect(r"Tone\?")
        child.send("2")
        child.send("\r")
        child.expect("completed")
        assert finish(child) == 0


def test_a_media_upload_then_an_approval_with_deliverables_downloaded(user: User):
    picture = user.home / "cover.png"
    picture.write_bytes(PNG)
    child = user.spawn("run", str(ROOT / "examples" / "review"), "--project", "blog")
    child.expect(r"A picture for the post\? \(a file: image/\*, at most 5 MB\): ")
    child.sendline(str(user.home / "missing.png"))  # refused here, asked again
    child.expect("no such file")
    child.sendline(str(picture))
    child.expect(r"uploaded cover\.png → media_")
    child.expect(r"Publish this post\?")
    child.expect("First draft")
    child.expect(r"\[a\]pprove, \[r\]eject, \[e\]dit: ")
    child.sendline("a")
    child.expect(r"run (run_[0-9a-z]+) completed")
    run_id = child.match.group(1)
    child.expect(r"deliverables in (\S+)/: cover\.png, post\.json")
    assert finish(child) == 0
    folder = user.home / "blog" / run_id
    assert (folder / "cover.png").read_bytes() == PNG
    assert json.loads((folder / "post.json").read_text())["title"] == "First draft"


def test_an_approval_edited_in_the_editor_then_approved(user: User):
    editor = user.home / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n" + f"'{__import__('sys').executable}' - \"$1\" <<'PY'\n"
        "import json, sys\np = sys.argv[1]\nd = json.load(open(p))\nd['title'] = 'Edited in the editor'\n"
        "json.dump(d, open(p, 'w'))\nPY\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    picture = user.home / "cover.png"
    picture.write_bytes(PNG)
    child = user.spawn("run", str(ROOT / "examples" / "review"), "--media", f"upload={picture}", EDITOR=str(editor))
    child.expect(r"\[a\]pprove, \[r\]eject, \[e\]dit: ")
    child.sendline("e")
    child.expect(r"saved as version 2 \(edited\)")
    child.expect("Edited in the editor")  # the preview shows the new version
    child.expect(r"\[a\]pprove, \[r\]eject, \[e\]dit: ")
    child.sendline("a")
    child.expect(r"run (run_[0-9a-z]+) completed")
    run_id = child.match.group(1)
    assert finish(child) == 0
    with user.api() as api:
        run = api.get(f"/v1/runs/{run_id}").json()
    assert run["state"]["published"]["title"] == "Edited in the editor" and run["state"]["summary"] == "published version 2"


def test_a_rejected_approval_ends_the_run_in_error_exit_1(user: User):
    picture = user.home / "cover.png"
    picture.write_bytes(PNG)
    child = user.spawn("run", str(ROOT / "examples" / "review"), "--media", f"upload={picture}")
    child.expect(r"\[a\]pprove, \[r\]eject, \[e\]dit: ")
    child.sendline("r")
    child.expect("reason: ")
    child.sendline("off brand")
    child.expect(r"run run_[0-9a-z]+ error: REJECTED")
    assert finish(child) == 1


def test_a_failing_module_exits_1_with_the_error(user: User):
    folder = user.home / "broken"
    folder.mkdir()
    (folder / "workflow.json").write_text(
        json.dumps(
            {
                "workflow_id": "broken",
                "schema_version": "1.0",
                "steps": [
                    {
                        "step_id": "load",
                        "modules": [
                            {
                                "module_id": "artifact.load",
                                "inputs": {"artifact_name": "nothing-here"},
                                "outputs_to_state": {"content": "x"},
                            }
                        ],
                    }
                ],
            }
        )
    )
    child = user.spawn("run", "broken")
    child.expect(r"run run_[0-9a-z]+ error: \w+")
    assert finish(child) == 1


def test_ctrl_c_leaves_the_run_running_and_attach_picks_it_up(user: User, greeting: Path):
    child = user.spawn("run", "greeting")
    child.expect(r"Your name\?")
    child.sendintr()
    child.expect(r"keeps running on the server")
    child.expect(r"relay attach (run_[0-9a-z]+)")
    run_id = child.match.group(1)
    assert finish(child) == 130
    with user.api() as api:
        assert api.get(f"/v1/runs/{run_id}").json()["status"] == "awaiting_input"
    again = user.spawn("attach", run_id)
    again.expect(r"Your name\?")
    again.sendline("Lin")
    again.expect(r"Tone\?")
    again.send("\r")  # the first option
    again.expect(f"run {run_id} completed")
    assert finish(again) == 0
    with user.api() as api:
        assert api.get(f"/v1/runs/{run_id}").json()["state"]["greeting"] == "Hello Lin (warm)"
