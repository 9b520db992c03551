"""The whole path in a real browser: sign in → upload a template (and again: reused) → start →
answer text and select → upload an image through the file picker → edit the post (a diff
first) and approve the edit → the gallery shows the deliverables → the export downloads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from web_helpers import PNG16, review_workflow


def test_whole_path(open_page, web_user, tmp_path: Path) -> None:
    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)
    browsed.shot("runs-empty")

    # Templates: a JSON file through the picker, then the same content again.
    workflow_file = tmp_path / "webpath.json"
    workflow_file.write_text(json.dumps(review_workflow()))
    page.get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Templates")
    page.get_by_label("Workflow file (.json or .zip)").set_input_files(str(workflow_file))
    status = page.get_by_role("status")
    expect(status).to_contain_text("new version ver_")
    expect(status).to_contain_text("sha256:")
    first_hash = status.inner_text().split("(")[-1].rstrip(").")
    page.get_by_label("Workflow file (.json or .zip)").set_input_files(str(workflow_file))
    expect(status).to_contain_text("Reused")
    assert first_hash in status.inner_text()
    page.get_by_role("button", name="Versions of webpath").click()
    expect(page.locator("table.versions td.hash")).to_have_text([first_hash])  # one version: the second upload made none
    browsed.shot("templates")

    # Start a run of it.
    page.get_by_role("link", name="Start a run of webpath").click()
    expect(page.get_by_label("Template")).to_have_value("webpath")
    page.get_by_label("Project name").fill("launch post")
    page.get_by_role("button", name="Start run").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run run_")
    run_id = page.get_by_role("heading", level=1).inner_text().split()[-1]

    # Text (its limit shown), then select.
    answer = page.get_by_label("Your name?")
    expect(answer).to_have_attribute("maxlength", "40")
    expect(page.get_by_text("of at most 40 characters")).to_be_visible()
    answer.fill("Ada")
    browsed.shot("run-text-pause")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_label("formal").check()
    browsed.shot("run-select-pause")
    page.get_by_role("button", name="Send answer").click()

    # The image, through the file picker, straight to S3 with the presigned form.
    picker = page.get_by_label("File to upload")
    expect(picker).to_be_visible()
    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG16)
    picker.set_input_files(str(picture))
    expect(page.get_by_alt_text("Preview of photo.png")).to_be_visible()
    page.get_by_role("button", name="Upload and send").click()

    # Approval of the post: edit it, see the diff, send, approve the edited version.
    expect(page.locator(".review .prompt")).to_have_text("Publish this post?")
    expect(page.locator(".review pre.content")).to_contain_text("Hello Ada (formal)")
    browsed.shot("run-approve-pause")
    page.get_by_role("button", name="Edit").click()
    editor = page.get_by_label("Edit post (json)")
    editor.fill(json.dumps({"title": "Hello Ada, formally"}, indent=2))
    page.get_by_role("button", name="Review changes").click()
    expect(page.locator("pre.diff .del")).to_contain_text('"title": "Hello Ada (formal)"')
    expect(page.locator("pre.diff .add")).to_contain_text('"title": "Hello Ada, formally"')
    browsed.shot("run-edit-diff")
    page.get_by_role("button", name="Send edit").click()
    expect(page.get_by_role("status")).to_contain_text("Saved version 2 of post")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#run-status")).to_have_text("completed")

    # Its LLM call, with tokens and cost.
    calls = page.locator("table.calls tbody tr")
    expect(calls).to_have_count(1)
    expect(calls).to_contain_text("echo / echo-1")
    expect(calls).to_contain_text("input: ")
    expect(page.locator(".usage")).to_contain_text("calls 1")

    # The run's deliverables: the approved edit and the picture (shown inline, from S3).
    deliverables = page.locator("section", has=page.get_by_role("heading", name="Deliverables"))
    expect(deliverables.locator("li.deliverable")).to_have_count(2)
    expect(deliverables.locator("li.deliverable", has_text="post")).to_contain_text("Hello Ada, formally")
    expect(deliverables.locator("li.deliverable", has_text="post")).to_contain_text("approved")
    image = deliverables.get_by_alt_text("Preview of picture")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 16  # the bytes really loaded
    browsed.shot("run-completed")

    # The export zip downloads, holding the approved post.
    page.get_by_role("button", name="Make the export zip").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download export zip").click()
    saved = tmp_path / "export.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as export:
        names = export.namelist()
        assert "metadata.json" in names
        post = next(n for n in names if n.startswith("artifacts/post/"))
        assert json.loads(export.read(post)) == {"title": "Hello Ada, formally"}

    # The gallery across runs shows the same deliverables.
    page.get_by_role("link", name="Gallery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gallery")
    expect(page.get_by_alt_text("Preview of picture")).to_be_visible()
    expect(page.get_by_role("link", name="Download post")).to_have_count(1)
    browsed.shot("gallery")
    assert run_id.startswith("run_")
    assert browsed.real_errors() == [] and browsed.dialogs == []
