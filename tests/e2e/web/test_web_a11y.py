"""axe-core (npm, pinned by package-lock.json) in each page: no serious or critical violation,
at 1280 px and at 375 px; at 375 px nothing is wider than the screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from relay_local import ROOT
from web_helpers import Browsed, review_workflow, run_to_review

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> Path:
    if not AXE.is_file():
        message = f"{AXE} is missing: run `npm ci` at the repository root (make test does)"
        if os.environ.get("RELAY_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE


def serious_violations(page: Page) -> list[dict]:
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")


def pages(browsed: Browsed, key: str, run_id: str, done_run: str):
    """Each page, ready to look at: (name, how to get there)."""
    page = browsed.page
    h1 = page.get_by_role("heading", level=1)

    def sign_in() -> None:
        page.goto("/")
        expect(page.get_by_label("API key")).to_be_visible()

    def runs() -> None:
        browsed.sign_in(key)
        expect(page.get_by_role("link", name=run_id)).to_be_visible()

    def templates() -> None:
        page.goto("/#/templates")
        page.get_by_role("button", name="Versions of webpath").click()
        expect(page.locator("table.versions td.hash")).to_have_count(1)

    def run_review() -> None:
        page.goto(f"/#/runs/{run_id}")
        expect(page.locator(".review pre.content")).to_be_visible()
        page.get_by_role("button", name="Edit").click()
        page.get_by_label("Edit post (json)").fill('{"title": "changed"}')
        page.get_by_role("button", name="Review changes").click()
        expect(page.locator("pre.diff")).to_be_visible()

    def run_done() -> None:
        page.goto(f"/#/runs/{done_run}")
        expect(page.locator("#run-status")).to_have_text("awaiting_input")
        expect(page.get_by_alt_text("Preview of picture")).to_be_visible()

    def approvals() -> None:
        page.goto("/#/approvals")
        expect(page.locator("ol.inbox > li")).to_have_count(2)
        page.get_by_role("button", name=f"Answer review of {run_id}").click()
        expect(page.locator(".review pre.content")).to_be_visible()

    def gallery() -> None:
        page.goto("/#/gallery")
        expect(page.get_by_alt_text("Preview of picture")).to_have_count(2)

    def compare() -> None:
        page.goto(f"/#/compare?a={run_id}&b={done_run}")
        expect(page.locator("table.compare")).to_be_visible()

    return [("signin", sign_in), ("runs", runs), ("templates", templates), ("run-review", run_review), ("run-picture", run_done),
            ("approvals", approvals), ("gallery", gallery), ("compare", compare)]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_on_every_page(open_page, web_user, width: int) -> None:
    source = axe_source()
    web_user.submit(review_workflow())
    run_id = run_to_review(web_user, project="first")
    second = run_to_review(web_user, project="second")
    browsed = open_page(width=width, height=800)
    browsed.context.add_init_script(path=str(source))  # in every document, before the page's own scripts
    found = {}
    for name, go in pages(browsed, web_user.key, run_id, second):
        go()
        browsed.page.get_by_role("heading", level=1).wait_for()
        found[name] = serious_violations(browsed.page)
        if width == 375:
            overflow = browsed.page.evaluate("() => document.documentElement.scrollWidth")
            assert overflow <= 375, f"{name}: the page is {overflow} px wide at 375 px"
        browsed.shot(f"{name}-{width}")
    assert found == {name: [] for name in found}, found
    assert browsed.real_errors() == []
