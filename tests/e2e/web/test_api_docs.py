"""The interactive API docs in headless Chromium against a real `relay local`: /docs renders
Swagger UI from the project's own copy with every request staying on 127.0.0.1 (anything else is
recorded and aborted, so an offline machine sees the same page) and no Content-Security-Policy
violation; an operation is tried out with a key given through Swagger UI's Authorize dialog, and
the key is not kept in the browser's storage."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from web_helpers import WebUser

# Every violation the page's CSP reports, recorded before any script of the page runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


def test_docs_render_offline_under_their_csp_and_try_an_operation(open_page, local_server, web_user: WebUser):
    browsed = open_page()
    context, page = browsed.context, browsed.page
    requested: list[str] = []
    elsewhere: list[str] = []

    def only_loopback(route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(RECORD_VIOLATIONS)

    navigation = page.goto("/docs")
    assert navigation is not None and navigation.status == 200
    csp = navigation.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp

    # Swagger UI rendered the document: every operation is a block, tagged as the document says.
    operations = httpx.get(f"{local_server.url}/openapi.json", timeout=30).json()["paths"]
    count = sum(1 for item in operations.values() for method in item if method in ("get", "post", "put", "patch", "delete"))
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == count
    assert page.locator(".information-container .title").inner_text().startswith("Relay")
    browsed.shot("docs")

    # Authorize with a key, then try GET /v1/templates: Swagger UI calls this origin with it.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".modal-ux input[type=text], .modal-ux input[type=password]").first.fill(web_user.key)
    page.locator(".modal-ux").get_by_role("button", name="Apply credentials").click()
    page.locator(".modal-ux").get_by_role("button", name="Remove authorization").wait_for()  # applied
    page.locator(".modal-ux button.btn-done").click()
    operation = page.locator("#operations-templates-list_templates")
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: urlsplit(r.url).path == "/v1/templates" and r.request.method == "GET") as answered:
        operation.get_by_role("button", name="Execute").click()
    assert answered.value.status == 200
    assert answered.value.request.headers.get("authorization") == f"Bearer {web_user.key}"
    operation.locator(".live-responses-table tr.response .response-col_status").first.wait_for()
    assert operation.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip() == "200"
    browsed.shot("docs-tried")

    assert elsewhere == []
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requested)
    assert any("/docs/assets/" in url and url.endswith("/swagger-ui-bundle.js") for url in requested)
    assert page.evaluate("window.__cspViolations") == []
    assert browsed.real_errors() == []
    stored = page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert web_user.key not in stored
