"""media.ingest_url through the local cloud. Real traffic goes only to a loopback test server,
which only the test switch lets through: the RunStep function's fetcher is given a policy with
an injected resolver (names → addresses, no DNS) and `allow_loopback`. Every refused case is
refused before anything connects (the test server sees no request for it)."""

from __future__ import annotations

import sys

import httpx
import pytest

from documents import module, step, workflow
from fake_media_site import MP3, PNG, FakeMediaSite
from polling import wait_for_status
from relay.runtime.net.fetch import UrlFetcher
from relay.runtime.net.ssrf import AddressPolicy, UrlNotAllowedError

NAMES = {"media.test": ["127.0.0.1"], "intranet.test": ["10.20.30.40"], "mixed.test": ["127.0.0.1", "fd00::7"]}


def resolver(host, port):
    if host not in NAMES:
        raise UrlNotAllowedError(f"the host {host!r} does not resolve")  # never the real DNS in tests
    return NAMES[host]


@pytest.fixture(scope="module")
def site():
    server = FakeMediaSite().start()
    yield server
    server.stop()


def _run_step_media(cloud):
    function = next(f for f in cloud.deployment.functions.values() if f.logical_id == "RunStepFunction")
    cloud.runner.handler(function)  # loaded as a warm container would be
    return sys.modules[f"relay_local_{function.logical_id}"].relay.run_media


@pytest.fixture
def loopback_switch(cloud):
    """The test switch: RunStep's fetcher resolves through NAMES and lets loopback through."""
    media = _run_step_media(cloud)
    original = media.fetcher
    media.fetcher = UrlFetcher(policy=AddressPolicy(resolver=resolver, allow_loopback=True))
    yield
    media.fetcher = original


def ingest(url, **extra):
    return module(
        "media.ingest_url",
        {"url": url, **extra},
        media_id="media_id",
        content_type="type",
        size_bytes="size",
        sha256="sha256",
        final_url="final_url",
        filename="filename",
    )


def _run(client, wf, **body):
    response = client.post("/v1/runs", json={"workflow": wf, **body})
    assert response.status_code == 201, response.text
    return wait_for_status(client, response.json()["run_id"], "completed", "error", timeout=30)


def test_a_file_from_a_url_becomes_a_ready_media_of_the_run(client, site, loopback_switch):
    url = site.url("/redirect?to=" + site.url("/pic.png", "media.test"), "media.test")
    wf = workflow(
        "ingest-ok",
        step("fetch", ingest(url), ingest(site.url("/song.mp3", "media.test"), filename="tune")),
        step(
            "use",
            module(
                "artifact.store",
                {
                    "data": {"media_id": "$state.media_id"},
                    "artifact_name": "picture",
                    "artifact_type": "state",
                    "format": "binary",
                },
                artifact_id="art",
            ),
        ),
    )
    # The second ingest overwrites the first's outputs: keep the picture's before it.
    wf["steps"][0]["modules"][0]["outputs_to_state"] = {"media_id": "media_id", "content_type": "type", "final_url": "final_url"}
    wf["steps"][0]["modules"][1]["outputs_to_state"] = {"media_id": "song", "filename": "song_name", "content_type": "song_type"}
    run = _run(client, wf)
    assert run["status"] == "completed", run.get("error")
    state = run["state"]
    assert state["type"] == "image/png" and state["final_url"] == site.url("/pic.png", "media.test")
    assert site.requests[-3:-1] == [
        ("/redirect?to=" + site.url("/pic.png", "media.test"), f"media.test:{site.port}"),
        ("/pic.png", f"media.test:{site.port}"),
    ]
    media = client.get(f"/v1/media/{state['media_id']}").json()
    assert media["status"] == "ready" and media["run_id"] == run["run_id"] and media["content_type"] == "image/png"
    assert media["size_bytes"] == len(PNG) and media["filename"] == "pic.png"
    assert httpx.get(media["download_url"], timeout=10).content == PNG
    song = client.get(f"/v1/media/{state['song']}").json()
    assert state["song_type"] == "audio/mpeg" and song["filename"] == state["song_name"] == "tune"
    assert httpx.get(song["download_url"], timeout=10).content == MP3
    # Usable like an upload: artifact.store copied it.
    assert client.get(f"/v1/artifacts/{state['art']}").json()["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("path_or_url", "code", "why"),
    [
        ("http://intranet.test/x.png", "URL_NOT_ALLOWED", "10.20.30.40 is private"),  # a name resolving to private
        ("http://mixed.test/x.png", "URL_NOT_ALLOWED", "fd00::7 is private"),  # one of its addresses is private
        ("http://169.254.169.254/latest/meta-data/", "URL_NOT_ALLOWED", "link-local"),
        ("http://10.0.0.1/x.png", "URL_NOT_ALLOWED", "private"),
        ("http://192.168.1.1/x.png", "URL_NOT_ALLOWED", "private"),
        ("http://[::ffff:10.0.0.1]/x.png", "URL_NOT_ALLOWED", "carries 10.0.0.1"),
        ("http://[fe80::1]/x.png", "URL_NOT_ALLOWED", "link-local"),
        ("/redirect?to=http://10.0.0.7/secret.png", "URL_NOT_ALLOWED", "10.0.0.7 is private"),  # redirect to private
        ("/redirect?to=http://intranet.test/", "URL_NOT_ALLOWED", "10.20.30.40 is private"),
        ("/text.txt", "URL_UNSUPPORTED_CONTENT", "not an image, audio or video"),
        ("/status/500", "URL_FETCH_FAILED", "answered 500"),
    ],
)
def test_refused_urls_end_the_run_clearly_and_store_nothing(client, site, loopback_switch, path_or_url, code, why):
    url = site.url(path_or_url, "media.test") if path_or_url.startswith("/") else path_or_url
    seen = len(site.requests)
    run = _run(client, workflow("ingest-refused", step("fetch", ingest(url))))
    assert run["status"] == "error" and run["error"]["code"] == code and why in run["error"]["message"]
    assert "media_id" not in run["state"]
    hops = 0 if not path_or_url.startswith("/") else 1
    assert len(site.requests) - seen == hops  # a redirect's first hop only; nothing past a refusal


def test_without_the_test_switch_loopback_is_refused(client, site):
    seen = len(site.requests)
    run = _run(client, workflow("ingest-loopback", step("fetch", ingest(site.url("/pic.png")))))
    assert run["status"] == "error" and run["error"]["code"] == "URL_NOT_ALLOWED"
    assert "127.0.0.1 is a loopback address" in run["error"]["message"] and len(site.requests) == seen


def test_over_the_size_cap_is_refused(client, site, loopback_switch):
    run = _run(
        client, workflow("ingest-big", step("fetch", ingest(site.url("/chunked.png?size=3000000", "media.test"), max_size_mb=2)))
    )
    assert run["status"] == "error" and run["error"]["code"] == "URL_CONTENT_TOO_LARGE"


@pytest.mark.parametrize("url", ["ftp://media.test/x.png", "file:///etc/passwd", "javascript:alert(1)"])
def test_a_url_that_is_not_http_is_refused_at_submit(client, url):
    response = client.post("/v1/runs", json={"workflow": workflow("ingest-scheme", step("fetch", ingest(url)))})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_WORKFLOW"


def test_many_ingests_at_once_each_get_their_own_media(make_client, site, loopback_switch):
    """8 users ingest at the same moment, twice over: each run gets its own ready media of its own run."""
    from concurrent.futures import ThreadPoolExecutor

    clients = [make_client() for _ in range(8)]
    for _ in range(2):

        def go(client):
            return client, _run(client, workflow("ingest-many", step("fetch", ingest(site.url("/pic.png", "media.test")))))

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(go, clients))
        ids = set()
        for client, run in results:
            assert run["status"] == "completed", run.get("error")
            media = client.get(f"/v1/media/{run['state']['media_id']}").json()
            assert media["status"] == "ready" and media["run_id"] == run["run_id"]
            ids.add(media["media_id"])
        assert len(ids) == 8
        other = results[0][0].get(f"/v1/media/{results[1][1]['state']['media_id']}")
        assert other.status_code == 404  # another user's ingested media is not yours
