"""Fetch one media file from a URL a workflow names, without reaching anything private.

- http and https only; no credentials in the URL.
- The host is resolved once and every address must be public (`ssrf.AddressPolicy`); the
  connection goes to a checked address (pinned), with the name in `Host` and, for https, in
  SNI and the certificate check. Nothing re-resolves the name between the check and the
  connection. No proxy from the environment is used.
- Redirects: at most `max_redirects` (default 3), each target checked like the first URL
  before anything connects to it.
- Caps: `Content-Length` over the cap is refused before the body is read; the body is read in
  chunks and refused as soon as it passes the cap. Each socket operation has a timeout, and
  the whole fetch a deadline.
- The body's first bytes must be an image, audio or video type Relay accepts (magic bytes);
  a specific media type in `Content-Type` that disagrees with them is refused.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from relay.domain.media import ALLOWED_TYPES, SNIFF_BYTES, sniff, type_accepted
from relay.runtime.modules.exceptions import ModuleError

from .ssrf import AddressPolicy, IPAddress, UrlNotAllowedError

_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
FETCH_KINDS = ("image/*", "audio/*", "video/*")


class UrlFetchError(ModuleError):
    """The fetch failed: no connection, a timeout, a status that is not 2xx."""

    code = "URL_FETCH_FAILED"


class UrlContentTooLargeError(ModuleError):
    code = "URL_CONTENT_TOO_LARGE"


class UrlContentTypeError(ModuleError):
    """The body is not an accepted image, audio or video file."""

    code = "URL_UNSUPPORTED_CONTENT"


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    content_type: str  # what the magic bytes say
    data: bytes
    redirects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent

    @classmethod
    def parse(cls, url: str) -> Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise UrlNotAllowedError(f"not a URL: {exc}") from exc
        if parts.scheme not in ("http", "https"):
            raise UrlNotAllowedError(f"only http and https URLs are fetched, not {parts.scheme[:20]!r}")
        if parts.username is not None or parts.password is not None:
            raise UrlNotAllowedError("a URL with credentials is not fetched")
        if not parts.hostname:
            raise UrlNotAllowedError("the URL names no host")
        try:  # an internationalised name goes on the wire (DNS, Host, SNI) in its ASCII form
            host = parts.hostname if parts.hostname.isascii() else parts.hostname.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise UrlNotAllowedError(f"the host {parts.hostname[:255]!r} is not a valid name") from exc
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; `Host` stays the URL's."""

    def __init__(self, target: Target, address: IPAddress, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the URL's name in SNI and the certificate check."""

    def __init__(self, target: Target, address: IPAddress, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connection_for(target: Target, address: IPAddress, timeout: float) -> http.client.HTTPConnection:
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return cls(target, address, timeout)


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class UrlFetcher:
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    max_redirects: int = 3
    socket_timeout: float = 10.0
    user_agent: str = "Relay-media-ingest/1"

    def fetch(self, url: str, *, max_bytes: int, deadline_seconds: float, accept: list[str] | None = None) -> Fetched:
        accept = accept or list(FETCH_KINDS)
        deadline = time.monotonic() + deadline_seconds
        redirects: list[str] = []
        current = url
        while True:
            target = Target.parse(current)
            addresses = self.policy.addresses(target.host, target.port)  # refuses before connecting
            response, conn = self._request(target, addresses[0], deadline)
            try:
                if response.status in _REDIRECTS:
                    location = response.getheader("Location")
                    if not location:
                        raise UrlFetchError(f"{response.status} redirect without a Location")
                    if len(redirects) >= self.max_redirects:
                        raise UrlNotAllowedError(f"more than {self.max_redirects} redirects")
                    current = urljoin(current, location.strip())
                    redirects.append(current)
                    continue
                if not 200 <= response.status < 300:
                    raise UrlFetchError(f"the server answered {response.status} {response.reason[:100]}")
                declared = _media_type(response.getheader("Content-Type"))
                data = self._body(response, max_bytes, deadline)
            finally:
                conn.close()
            return Fetched(current, self._checked_type(declared, data, accept), data, redirects)

    def _request(
        self, target: Target, address: IPAddress, deadline: float
    ) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UrlFetchError("the fetch took longer than its time cap")
        conn = connection_for(target, address, min(self.socket_timeout, remaining))
        try:
            conn.request("GET", target.path, headers={"Host": target.host_header, "User-Agent": self.user_agent, "Accept": "*/*"})
            return conn.getresponse(), conn
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise UrlFetchError(f"could not fetch from {target.host_header}: {type(exc).__name__}: {exc}") from exc

    def _body(self, response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise UrlContentTooLargeError(f"the content is {length} bytes, over the cap of {max_bytes}")
        chunks, size = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise UrlFetchError("the fetch took longer than its time cap")
                chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise UrlContentTooLargeError(f"the content is over the cap of {max_bytes} bytes")
                chunks.append(chunk)
        except (OSError, http.client.HTTPException) as exc:
            raise UrlFetchError(f"reading the content failed: {type(exc).__name__}: {exc}") from exc
        if size == 0:
            raise UrlContentTypeError("the content is empty")
        return b"".join(chunks)

    @staticmethod
    def _checked_type(declared: str, data: bytes, accept: list[str]) -> str:
        found = sniff(data[:SNIFF_BYTES])
        if found is None or ALLOWED_TYPES[found][0] not in ("image", "audio", "video"):
            raise UrlContentTypeError(
                f"the content is not an image, audio or video file Relay accepts (Content-Type {declared[:100]!r})"
            )
        if declared in ALLOWED_TYPES and declared != found:
            raise UrlContentTypeError(f"the content is {found}, but was sent as {declared}")
        if not type_accepted(found, accept):
            raise UrlContentTypeError(f"the content is {found}, not one of {', '.join(accept)}")
        return found
