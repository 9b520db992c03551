"""Everything a first visit downloads (HTML, JS, CSS, icons, fonts: none) is at most 150 KB
compressed, each file gzipped as the page loads it; and all of it comes from the page's own
origin (nothing from a CDN)."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

from playwright.sync_api import expect

BUDGET = 150 * 1024


def test_first_visit_within_budget(open_page, web_user, local_server) -> None:
    browsed = open_page()
    page = browsed.page
    loaded: dict[str, bytes] = {}

    def keep(response) -> None:
        if "/v1/" not in response.url and response.status == 200:
            loaded[response.url] = response.body()

    page.on("response", keep)
    browsed.sign_in(web_user.key)  # the sign-in page, then the app's first page
    page.wait_for_load_state("networkidle")
    origins = {urlsplit(url).netloc for url in loaded}
    assert origins == {urlsplit(local_server.url).netloc}, origins
    assert any(url.endswith("/js/main.js") for url in loaded) and any(url.endswith("/app.css") for url in loaded)
    sizes = {urlsplit(url).path: len(gzip.compress(body, 9)) for url, body in loaded.items()}
    total = sum(sizes.values())
    print(f"first visit: {len(sizes)} files, {sum(len(b) for b in loaded.values())} bytes, {total} bytes gzipped: {sizes}")
    assert total <= BUDGET, sizes
    expect(page.get_by_role("heading", level=1)).to_have_text("Runs")
