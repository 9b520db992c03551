"""Hostile values through every view: markup, `javascript:` URLs and an SVG with script in
template names, prompts, options, inputs, project names, artifact text and filenames. Nothing
executes (a window flag never set, no dialog), nothing becomes an element, a link or an inline
SVG; the values show as text."""

from __future__ import annotations

import base64

from playwright.sync_api import Page, expect

from web_helpers import PNG16

H_IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
H_JS = "javascript:window.__pwned=2;alert(2)"
H_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=3"><script>window.__pwned=4;alert(4)</script></svg>'
H_FILE = '<img src=x onerror="window.__pwned=5">.png'


def hostile_workflow() -> dict:
    svg = base64.b64encode(H_SVG.encode()).decode()
    return {"workflow_id": "hostile", "name": H_IMG, "schema_version": "1.0", "steps": [
        {"step_id": "ask", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": H_IMG, "default": H_JS},
                                        "outputs_to_state": {"value": "said"}}]},
        {"step_id": "pick", "modules": [{"module_id": "user.select", "inputs": {"prompt": H_SVG, "options": [
            {"value": H_JS, "label": H_IMG}, {"value": "plain"}]}, "outputs_to_state": {"value": "picked"}}]},
        {"step_id": "photo", "modules": [{"module_id": "user.media_upload", "inputs": {"prompt": H_SVG, "accepted_types": ["image/png"], "max_size_mb": 1},
                                          "outputs_to_state": {"media_id": "photo", "filename": "photo_name"}}]},
        {"step_id": "store", "modules": [
            {"module_id": "artifact.store", "inputs": {"data": f"{H_IMG} {H_SVG} {H_JS}", "artifact_name": "note",
                                                       "artifact_type": "deliverable", "format": "text"}, "outputs_to_state": {"artifact_id": "text_art"}},
            {"module_id": "artifact.store", "inputs": {"data": svg, "artifact_name": "drawing", "artifact_type": "deliverable",
                                                       "format": "binary", "content_type": "image/svg+xml"}, "outputs_to_state": {"artifact_id": "svg_art"}},
            {"module_id": "artifact.store", "inputs": {"data": {"link": H_JS, "html": H_IMG}, "artifact_name": "post", "artifact_type": "deliverable",
                                                       "format": "json"}, "outputs_to_state": {"artifact_id": "post"}}]},
        {"step_id": "review", "modules": [{"module_id": "user.approve", "inputs": {"artifact_name": "post", "prompt": H_IMG},
                                           "outputs_to_state": {"artifact_id": "approved"}}]}]}


def assert_inert(page: Page, where: str) -> None:
    page.get_by_role("heading", level=1).wait_for()
    found = page.evaluate("""() => ({
        pwned: window.__pwned ?? null,
        imgs: [...document.querySelectorAll('img')].map(i => i.getAttribute('src')).filter(s => s === 'x' || (s || '').startsWith('javascript:')),
        links: [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href')).filter(h => !/^(#|\\/|https?:|blob:)/.test(h)),
        svgs: document.querySelectorAll('main svg, main object, main embed, main iframe').length,
        scripts: [...document.querySelectorAll('script')].map(s => s.getAttribute('src')),
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    })""")
    assert found == {"pwned": None, "imgs": [], "links": [], "svgs": 0, "scripts": ["/js/main.js"], "handlers": 0}, (where, found)


def test_hostile_values_never_execute(open_page, web_user) -> None:
    web_user.submit(hostile_workflow(), display_name=f"{H_IMG} {H_JS}")
    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)

    page.get_by_role("link", name="Templates").click()
    expect(page.locator("main")).to_contain_text(H_IMG)  # the display name, as text
    page.get_by_role("button", name="Versions of hostile").click()
    assert_inert(page, "templates")
    browsed.shot("templates")

    page.get_by_role("link", name="Start a run of hostile").click()
    page.get_by_label("Project name").fill(H_IMG)
    page.get_by_label("More inputs (JSON object, optional)").fill('{"evil": "' + H_IMG.replace('"', '\\"') + '"}')
    page.get_by_role("button", name="Start run").click()
    expect(page.locator("main")).to_contain_text(f"project {H_IMG}")
    answer = page.get_by_label(H_IMG)
    expect(answer).to_have_value(H_JS)  # the default, as a value
    assert_inert(page, "text pause")
    browsed.shot("text-pause")
    page.get_by_role("button", name="Send answer").click()

    expect(page.locator("fieldset legend")).to_have_text(H_SVG)
    page.get_by_label(H_IMG).check()
    assert_inert(page, "select pause")
    page.get_by_role("button", name="Send answer").click()

    page.get_by_label("File to upload").set_input_files(files=[{"name": H_FILE, "mimeType": "image/png", "buffer": PNG16}])
    expect(page.locator("main")).to_contain_text(f"Chosen: {H_FILE}")
    page.get_by_role("button", name="Upload and send").click()

    expect(page.locator(".review .prompt")).to_have_text(H_IMG)
    expect(page.locator(".review pre.content")).to_contain_text(H_JS)
    assert_inert(page, "approve pause")
    browsed.shot("approve-pause")

    page.get_by_role("link", name="Approvals").click()
    expect(page.locator("ol.inbox")).to_contain_text(H_IMG)
    assert_inert(page, "approvals")
    page.get_by_role("button", name="Answer review of").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()

    page.get_by_role("link", name="Gallery").click()
    drawing = page.locator("li.deliverable", has_text="drawing")
    expect(drawing).to_contain_text("Not shown inline")  # the SVG is served as an attachment, never inline
    expect(page.locator("li.deliverable", has_text="note")).to_contain_text(H_SVG)
    assert_inert(page, "gallery")
    browsed.shot("gallery")

    run_id = page.get_by_role("link", name=f"hostile · {H_IMG}").get_attribute("href").split("/")[-1]
    page.goto(f"/#/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_text("completed")
    page.locator("ol.events details").first.locator("summary").click()
    assert_inert(page, "run")
    browsed.shot("run")
    page.goto(f"/#/compare?a={run_id}&b={run_id}")
    expect(page.locator("table.compare")).to_contain_text(H_IMG)
    assert_inert(page, "compare")
    page.get_by_role("link", name="Runs").click()
    expect(page.locator("table.runs")).to_contain_text(H_IMG)
    assert_inert(page, "runs")
    assert browsed.dialogs == []
    assert browsed.real_errors() == []
