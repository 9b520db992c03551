"""The live run view: a second client answers through the API and the open page follows over
the event stream, with no polling while the stream is open; a dropped stream is resumed with
Last-Event-ID."""

from __future__ import annotations

import json
import re

import httpx
from playwright.sync_api import Route, expect

from web_helpers import text_workflow

RUN_GET = re.compile(r"/v1/runs/run_[0-9a-z]+$")


def test_live_view_follows_another_client(open_page, web_user) -> None:
    web_user.submit(text_workflow("live1"))
    run_id = web_user.start("live1", project_name="live")
    web_user.wait_for(run_id, "awaiting_input", "first")
    browsed = open_page()
    page = browsed.page
    browsed.sign_in(web_user.key)
    page.goto(f"/#/runs/{run_id}")
    expect(page.get_by_label("First answer?")).to_be_visible()
    expect(page.locator(".live")).to_contain_text("open")
    with web_user.api() as api:
        last_seq = api.get(f"/v1/runs/{run_id}/events").json()["items"][-1]["seq"]
    expect(page.locator(f'#run-status[data-synced="{last_seq}"]')).to_have_count(1)  # the first burst is shown
    events_before = page.locator("ol.events > li").count()

    # While the stream is open and nothing happens, the page asks the API for nothing.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/v1/" in r.url else None)
    page.wait_for_timeout(2500)  # a window to observe, not a wait for something to happen
    assert asked == [], f"the page polled while its stream was open: {asked}"

    web_user.answer(run_id, "first", "from the API")  # the second client
    expect(page.get_by_label("Second answer?")).to_be_visible()
    expect(page.get_by_label("First answer?")).to_have_count(0)
    assert page.locator("ol.events > li").count() > events_before
    expect(page.locator("ol.events")).to_contain_text("input_answered")
    # What the page fetched after the answer: the run and its sections, each once per burst of events.
    run_reads = [u for u in asked if RUN_GET.search(u)]
    assert 1 <= len(run_reads) <= 4, run_reads
    browsed.shot("live-second-pause")

    # Answered in the browser, the API sees it, and the view ends with the stream's `end`.
    page.get_by_label("Second answer?").fill("from the page")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#run-status")).to_have_text("completed")
    expect(page.locator(".live")).to_contain_text("ended")
    with web_user.api() as api:
        assert api.get(f"/v1/runs/{run_id}").json()["state"] == {"one": "from the API", "two": "from the page"}
    assert browsed.real_errors() == []


def test_stream_reconnects_with_last_event_id(open_page, web_user) -> None:
    """The first stream ends after one event (as API Gateway's timeout ends a long one): the page
    reconnects with Last-Event-ID and gets the rest, nothing twice."""
    web_user.submit(text_workflow("live2"))
    run_id = web_user.start("live2")
    web_user.wait_for(run_id, "awaiting_input", "first")
    with web_user.api() as api:
        first = api.get(f"/v1/runs/{run_id}/events", params={"limit": 1}).json()["items"][0]
    streams: list[dict[str, str]] = []

    def stream(route: Route) -> None:
        streams.append(route.request.headers)
        if len(streams) == 1:
            body = f"retry: 50\n\nid: {first['seq']}\nevent: {first['event_type']}\ndata: {json.dumps(first)}\n\n: time is up\n\n"
            route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=body)
        else:
            route.continue_()

    browsed = open_page()
    page = browsed.page
    page.route(re.compile(r"/events/stream"), stream)
    browsed.sign_in(web_user.key)
    page.goto(f"/#/runs/{run_id}")
    expect(page.get_by_label("First answer?")).to_be_visible()
    expect(page.locator("ol.events")).to_contain_text("input_requested")
    assert len(streams) >= 2
    assert "last-event-id" not in streams[0]
    assert streams[1]["last-event-id"] == str(first["seq"])
    seqs = [int(s) for s in page.locator("ol.events .seq").all_inner_texts()]
    assert seqs == sorted(set(seqs)) and seqs[0] == first["seq"], seqs
    with httpx.Client(base_url=web_user.server.url, headers={"Authorization": f"Bearer {web_user.key}"}) as api:
        assert len(seqs) == len(api.get(f"/v1/runs/{run_id}/events").json()["items"])
