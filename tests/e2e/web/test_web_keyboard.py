"""Keyboard only: sign in, upload a template (the file chooser opened from the keyboard), start
a run, answer its text and select pauses, approve its post; focus lands on what changed."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from web_helpers import review_workflow


def focused(page: Page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return `${e.tagName.toLowerCase()}|${(e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.value || '').trim()}`; }""")


def tab_to(page: Page, wanted: str, limit: int = 80) -> None:
    """Tab until the focused element is `tag|text`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now == wanted:
            return
        seen.append(now)
    raise AssertionError(f"never reached {wanted!r} by Tab; went through {seen}")


def test_keyboard_only_path(open_page, web_user, tmp_path: Path) -> None:
    workflow = review_workflow("keys")
    workflow["steps"] = [s for s in workflow["steps"] if s["step_id"] != "photo"]
    write = next(s for s in workflow["steps"] if s["step_id"] == "write")
    write["modules"] = write["modules"][:2]  # the text post only (no picture)
    workflow_file = tmp_path / "keys.json"
    workflow_file.write_text(json.dumps(workflow))
    browsed = open_page()
    page = browsed.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    tab_to(page, "input|API key")
    page.keyboard.type(web_user.key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Runs")).to_be_focused()

    page.keyboard.press("Shift+Tab")  # back into the header
    tab_to(page, "a|Templates")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Templates")).to_be_focused()
    tab_to(page, "input|Workflow file (.json or .zip)")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(workflow_file))
    expect(page.get_by_role("status")).to_contain_text("new version")
    expect(page.get_by_role("status")).to_be_focused()  # the result is announced and focused
    tab_to(page, "a|Start a run of keys")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Runs")).to_be_focused()
    tab_to(page, "input|Project name")
    page.keyboard.type("by keyboard")
    tab_to(page, "button|Start run")
    page.keyboard.press("Enter")

    pause = page.get_by_role("heading", name="Waiting for you: step ask")
    expect(pause).to_be_focused()
    tab_to(page, "input|Your name?")
    page.keyboard.type("Kim")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Waiting for you: step pick")).to_be_focused()
    tab_to(page, "input|warm")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("formal")).to_be_checked()
    tab_to(page, "button|Send answer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Waiting for you: step review")).to_be_focused()
    expect(page.locator(".review pre.content")).to_contain_text("Hello Kim (formal)")
    tab_to(page, "button|Approve")
    browsed.shot("approve-focused")
    page.keyboard.press("Enter")
    expect(page.locator("#run-status")).to_have_text("completed")
    assert browsed.real_errors() == []
