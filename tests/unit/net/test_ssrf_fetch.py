"""UrlFetcher: what it refuses before connecting (every connection is watched: only the
loopback test server is ever connected to), and what it fetches from a loopback server that
only the test switch (`allow_loopback`) lets through: pinning, Host, redirects re-checked,
size and time caps, the type check."""

from __future__ import annotations

import socket

import pytest

from fake_media_site import MP3, PNG, FakeMediaSite
from relay.runtime.net import fetch as fetch_module
from relay.runtime.net.fetch import UrlContentTooLargeError, UrlContentTypeError, UrlFetcher, UrlFetchError
from relay.runtime.net.ssrf import AddressPolicy, UrlNotAllowedError

NAMES = {
    "media.test": ["127.0.0.1"],
    "intranet.test": ["10.0.0.7"],
    "metadata.test": ["169.254.169.254"],
    "mixed.test": ["127.0.0.1", "192.168.1.20"],
    "mapped.test": ["::ffff:10.0.0.7"],
}


def resolver(host, port):
    return NAMES[host]


@pytest.fixture(scope="module")
def site():
    server = FakeMediaSite().start()
    yield server
    server.stop()


@pytest.fixture
def connects(monkeypatch):
    """Every address the fetcher connects to; only loopback ever gets through."""
    seen = []
    real = socket.create_connection

    def watched(address, *args, **kwargs):
        seen.append(address[0])
        assert address[0] == "127.0.0.1", f"tried to connect to {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "create_connection", watched)
    return seen


def fetcher(**kw):
    return UrlFetcher(policy=AddressPolicy(resolver=resolver, allow_loopback=True), **kw)


def strict():
    return UrlFetcher(policy=AddressPolicy(resolver=resolver))


def get(f, url, max_bytes=1 << 20, **kw):
    return f.fetch(url, max_bytes=max_bytes, deadline_seconds=kw.pop("deadline", 5), **kw)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://[::1]/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "http://0.0.0.0/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/x.png",
        "http://10.0.0.1/x.png",
        "http://172.16.5.4/x.png",
        "http://192.168.0.1/x.png",
        "http://100.64.0.1/x.png",
        "http://intranet.test/x.png",
        "http://metadata.test/x.png",
        "http://mixed.test/x.png",
        "http://mapped.test/x.png",
        "https://[::ffff:a00:7]/x.png",
    ],
)
def test_non_public_targets_are_refused_before_connecting(url, connects):
    with pytest.raises(UrlNotAllowedError) as caught:
        get(strict(), url)
    assert caught.value.code == "URL_NOT_ALLOWED"
    assert connects == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://media.test/x.png", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://media.test/", "only http and https"),
        ("http://user:pw@media.test/x.png", "credentials"),
        ("http:///x.png", "no host"),
        ("http://media.test:99999/x.png", "not a URL"),
    ],
)
def test_what_is_not_a_plain_http_url_is_refused(url, why, connects):
    with pytest.raises(UrlNotAllowedError, match=why):
        get(fetcher(), url)
    assert connects == []


def test_the_loopback_switch_is_off_by_default(site, connects):
    with pytest.raises(UrlNotAllowedError, match="loopback"):
        get(UrlFetcher(policy=AddressPolicy(resolver=resolver)), site.url("/pic.png", "media.test"))
    assert connects == []


def test_a_name_is_connected_to_at_its_checked_address_with_its_host_header(site, connects):
    fetched = get(fetcher(), site.url("/pic.png", "media.test"))
    assert fetched.data == PNG and fetched.content_type == "image/png"
    assert connects == ["127.0.0.1"]
    assert site.requests[-1] == ("/pic.png", f"media.test:{site.port}")


def test_audio_and_a_generic_content_type_are_judged_by_their_bytes(site, connects):
    assert get(fetcher(), site.url("/song.mp3")).content_type == "audio/mpeg"
    assert get(fetcher(), site.url("/octet")).content_type == "image/png"


def test_redirects_are_followed_and_each_target_checked(site, connects):
    final = site.url("/pic.png", "media.test")
    fetched = get(fetcher(), site.url("/redirect?to=" + final))
    assert fetched.url == final and fetched.redirects == [final] and fetched.data == PNG


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.7/secret.png",
        "http://intranet.test/x.png",
        "http://169.254.169.254/latest/",
        "http://[::ffff:192.168.1.1]/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_non_public_target_is_refused(site, connects, target):
    with pytest.raises(UrlNotAllowedError):
        get(fetcher(), site.url("/redirect?to=" + target))
    assert connects == ["127.0.0.1"]  # the first hop only


def test_too_many_redirects_are_refused(site, connects):
    url = site.url("/pic.png")
    for _ in range(4):
        url = site.url("/redirect?to=" + url.replace("&", "%26").replace("?", "%3F").replace("=", "%3D"))
    with pytest.raises(UrlNotAllowedError, match="more than 3 redirects"):
        get(fetcher(), url)
    assert len(connects) == 4


def test_a_declared_length_over_the_cap_is_refused_before_reading(site, connects):
    with pytest.raises(UrlContentTooLargeError, match="100000000 bytes"):
        get(fetcher(), site.url("/big.png"), max_bytes=1 << 20)


def test_a_streamed_body_stops_at_the_cap(site, connects):
    with pytest.raises(UrlContentTooLargeError, match="over the cap of 50000"):
        get(fetcher(), site.url("/chunked.png?size=200000"), max_bytes=50_000)
    assert len(get(fetcher(), site.url("/chunked.png?size=40000"), max_bytes=50_000).data) == 40_000


def test_a_slow_server_hits_the_time_cap(site, connects):
    with pytest.raises(UrlFetchError, match=r"timed out|time cap"):
        get(fetcher(socket_timeout=0.5), site.url("/slow.png?seconds=2"), deadline=1)


@pytest.mark.parametrize(
    ("path", "why"), [("/text.txt", "not an image, audio or video"), ("/liar.jpg", "is image/png, but was sent as image/jpeg")]
)
def test_the_content_must_be_media_of_the_type_it_claims(site, connects, path, why):
    with pytest.raises(UrlContentTypeError, match=why):
        get(fetcher(), site.url(path))


def test_accept_narrows_the_kinds(site, connects):
    with pytest.raises(UrlContentTypeError, match="not one of image/"):
        get(fetcher(), site.url("/song.mp3"), accept=["image/*"])
    assert get(fetcher(), site.url("/song.mp3"), accept=["audio/mpeg"]).data == MP3


def test_an_error_status_is_a_fetch_failure(site, connects):
    with pytest.raises(UrlFetchError, match="answered 404"):
        get(fetcher(), site.url("/status/404"))


def test_https_connects_to_the_checked_address_with_the_name_for_sni(monkeypatch):
    """The TLS connection is made to the pinned address with server_hostname = the URL's host."""
    import ipaddress

    from relay.runtime.net.fetch import Target, connection_for

    calls = {}

    class FakeContext:
        def wrap_socket(self, sock, server_hostname):
            calls["sni"] = server_hostname
            return sock

    monkeypatch.setattr(fetch_module.socket, "create_connection", lambda address, timeout: calls.setdefault("address", address))
    conn = connection_for(Target.parse("https://cdn.example/a.png"), ipaddress.ip_address("93.184.216.34"), 5)
    conn._context = FakeContext()
    conn.connect()
    assert calls == {"address": ("93.184.216.34", 443), "sni": "cdn.example"}


def test_an_internationalised_name_is_resolved_and_sent_in_its_ascii_form(connects):
    from relay.runtime.net.fetch import Target

    assert Target.parse("https://bücher.example/a.png").host == "xn--bcher-kva.example"
    seen = []

    def resolve(host, port):
        seen.append(host)
        return ["10.0.0.9"]

    with pytest.raises(UrlNotAllowedError, match=r"10\.0\.0\.9 is private"):
        UrlFetcher(policy=AddressPolicy(resolver=resolve)).fetch("http://bücher.example/", max_bytes=10, deadline_seconds=1)
    assert seen == ["xn--bcher-kva.example"] and connects == []
    with pytest.raises(UrlNotAllowedError, match="not a valid name"):
        Target.parse("http://" + "ä" * 70 + ".example/")
