"""A second user signed in sees nothing of the first: not in any list, the inbox, the gallery,
and not by going to the first user's run by its URL (the API's 404, shown as a problem)."""

from __future__ import annotations

from playwright.sync_api import expect

from web_helpers import make_web_user, text_workflow


def test_second_user_sees_nothing_of_the_first(open_page, web_user, local_server) -> None:
    web_user.submit(text_workflow("private-flow"), display_name="Alice's secret flow")
    run_id = web_user.start("private-flow", project_name="alice project")
    web_user.wait_for(run_id, "awaiting_input", "first")

    alice = open_page()
    alice.sign_in(web_user.key)
    expect(alice.page.get_by_role("link", name=run_id)).to_be_visible()
    expect(alice.page.locator("#approvals-count")).to_have_text("1")

    bob_user = make_web_user(local_server)
    bob = open_page()
    page = bob.page
    bob.sign_in(bob_user.key)
    expect(page.get_by_text("No runs yet.")).to_be_visible()
    expect(page.locator("#approvals-count")).to_have_text("0")
    page.get_by_role("link", name="Templates").click()
    expect(page.get_by_text("No templates yet")).to_be_visible()
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    page.get_by_role("link", name="Gallery").click()
    expect(page.get_by_text("No runs yet.")).to_be_visible()
    page.goto(f"/#/runs/{run_id}")
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Not Found")
    bob.shot("other-users-run")
    for view in ("runs", "templates", "approvals", "gallery", f"runs/{run_id}", "compare"):
        page.goto(f"/#/{view}")
        page.get_by_role("heading", level=1).wait_for()
        body = page.locator("body").inner_text()
        for secret in ("Alice's secret flow", "private-flow", "alice project"):
            assert secret not in body, (view, secret)
    # Signing out clears the key: the tab is back at sign-in, and nothing of it is stored.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("() => [sessionStorage.length, localStorage.length, document.cookie]") == [0, 0, ""]
    assert bob_user.key not in page.url


def test_a_key_that_stops_working_returns_to_sign_in(open_page, web_user) -> None:
    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)
    page.evaluate("() => sessionStorage.setItem('relay.apiKey', 'rk_no_longer_valid_0000000000000000')")
    page.get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Relay")
    expect(page.get_by_role("alert")).to_contain_text("INVALID_API_KEY")
    assert page.evaluate("() => sessionStorage.length") == 0
    browsed.shot("signed-out-by-401")
