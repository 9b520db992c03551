"""Branches and resume in the run view: a branch of a completed run from an event with state
overrides (the tree shows it, the run goes on with the override, followed live), a refused override shown as the server's
problem next to its form, and resume with another version offering the three choices."""

from __future__ import annotations

from playwright.sync_api import expect

from web_helpers import text_workflow


def test_branch_from_an_event_with_overrides(open_page, web_user) -> None:
    web_user.submit(text_workflow("branchy"))
    run_id = web_user.start("branchy")
    web_user.wait_for(run_id, "awaiting_input", "first")
    web_user.answer(run_id, "first", "original")
    web_user.wait_for(run_id, "awaiting_input", "second")
    web_user.answer(run_id, "second", "done")
    web_user.wait_for(run_id, "completed")
    with web_user.api() as api:
        events = api.get(f"/v1/runs/{run_id}/events").json()["items"]
    point = next(e for e in events if e["event_type"] == "step_completed" and e["step_id"] == "first")

    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)
    page.goto(f"/#/runs/{run_id}")
    expect(page.locator(".live")).to_contain_text("ended")  # the stream of a completed run has ended
    page.get_by_role("button", name=f"Branch from event {point['seq']}").click()
    overrides = page.get_by_label("State overrides (JSON object of keys or dotted paths)")
    overrides.fill('{"$bad key": 1}')
    page.get_by_role("button", name="Create branch").click()
    problem = page.locator("form.branch-from").get_by_role("alert")
    expect(problem).to_contain_text("INVALID_STATE_OVERRIDES")  # the server's problem, next to its form
    expect(problem).to_be_focused()
    browsed.shot("branch-problem")
    overrides.fill('{"one": "overridden"}')
    page.get_by_role("button", name="Create branch").click()
    tree = page.locator("ul.tree").first  # the root; a child branch nests its own list
    expect(tree.locator("li")).to_have_count(2)
    expect(tree).to_contain_text("from event")
    expect(page.locator(".meta")).to_contain_text("branch br_")
    expect(page.get_by_label("Second answer?")).to_be_visible()
    with web_user.api() as api:
        run = api.get(f"/v1/runs/{run_id}").json()
    assert run["branch_id"].startswith("br_") and run["state"]["one"] == "overridden"
    browsed.shot("branched")
    # The branch goes on live: a new stream follows it (the old one had ended).
    expect(page.locator("ol.events")).to_contain_text("branch_created")
    web_user.answer(run_id, "second", "on the branch")
    expect(page.locator("#run-status")).to_have_text("completed")
    expect(page.locator(".live")).to_contain_text("ended")
    assert browsed.real_errors() == []


def test_resume_with_another_version_offers_three_choices(open_page, web_user) -> None:
    web_user.submit(text_workflow("resumable"))
    run_id = web_user.start("resumable")
    web_user.wait_for(run_id, "awaiting_input", "first")
    changed = text_workflow("resumable")
    changed["steps"][0]["modules"][0]["inputs"]["prompt"] = "First answer, again?"
    new_version = web_user.submit(changed)["version"]["version_id"]

    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)
    page.goto(f"/#/runs/{run_id}")
    expect(page.get_by_label("First answer?")).to_be_visible()
    page.get_by_label("Version", exact=True).select_option(new_version)
    page.get_by_role("button", name="Resume", exact=True).click()
    offer = page.locator("fieldset.offer")
    expect(offer.get_by_role("button")).to_have_text(
        ["Continue with the new version", "Continue with the original", "Start a fresh run of the new version"])
    browsed.shot("resume-offer")
    offer.get_by_role("button", name="Continue with the new version").click()
    expect(page.get_by_label("First answer, again?")).to_be_visible()  # the pause, asked again by the new version
    expect(page.locator(".meta")).to_contain_text(new_version)
    assert browsed.real_errors() == []
