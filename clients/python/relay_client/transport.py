"""HTTP to the Relay API: authentication, problems as exceptions, and retries.

Retried: 429 and 503 answers and connection errors, with exponential backoff and full jitter,
waiting at least what `Retry-After` asks. A call is retried only when repeating it cannot do
twice what was asked: GET/HEAD, or any call that carries an `Idempotency-Key` (the server
answers a repeat with the first outcome), or one the caller marks `idempotent=True` (its
effect is conditional server-side, e.g. completing an upload). Never the key in a log line.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .exceptions import RelayConnectionError, api_error

USER_AGENT = "relay-client/0.1"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # in all, the first included
    base_seconds: float = 0.25
    max_seconds: float = 8.0
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for

    def delay(self, attempt: int, retry_after: float | None, rand: Callable[[], float] = random.random) -> float:
        """Full jitter over base·2^attempt (capped), but never less than Retry-After."""
        backoff = rand() * min(self.max_seconds, self.base_seconds * 2**attempt)
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem document of an error answer (a plain body becomes its detail)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    text = response.text.strip()[:2000]
    if text.startswith("<"):  # S3 answers XML: <Error><Code>…</Code><Message>…</Message>
        code, message = (re.search(f"<{tag}>(.*?)</{tag}>", text, re.S) for tag in ("Code", "Message"))
        if code:
            return {
                "title": code.group(1),
                "status": response.status_code,
                "code": code.group(1),
                "detail": message.group(1) if message else code.group(1),
            }
    return {
        "title": response.reason_phrase or f"HTTP {response.status_code}",
        "status": response.status_code,
        "detail": text or response.reason_phrase,
        "code": f"HTTP_{response.status_code}",
    }


class SchemeTransport(httpx.BaseTransport):
    """httpx's default transport, made on first use for each scheme: building one loads the CA
    bundle into an SSL context (tens of ms, on every `relay` command), which a plain-http API
    (`relay local`, an internal URL) never uses. https gets httpx's verified default; http one
    without CA certificates, since an http:// connection never negotiates TLS (proxies from the
    environment are httpx's own mounts, in front of this)."""

    def __init__(self) -> None:
        self._made: dict[str, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme = request.url.scheme
        with self._lock:
            transport = self._made.get(scheme)
            if transport is None:
                transport = self._made[scheme] = httpx.HTTPTransport(verify=scheme != "http")
        return transport.handle_request(request)

    def close(self) -> None:
        with self._lock:
            made, self._made = list(self._made.values()), {}
        for transport in made:
            transport.close()


class Transport:
    """One httpx.Client to one API base URL, authenticated by a bearer key."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"User-Agent": USER_AGENT}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self._sleep = sleep
        self._headers = headers
        self._timeout = timeout
        self._transport = transport or SchemeTransport()
        self.http = httpx.Client(timeout=timeout, transport=self._transport)
        self._plain_client: httpx.Client | None = None

    @property
    def _plain(self) -> httpx.Client:
        """Presigned URLs (S3) must not get our key: a client of its own, with no auth header,
        made when first needed (most commands never fetch one), over the same connections."""
        if self._plain_client is None:
            self._plain_client = httpx.Client(timeout=self._timeout, transport=self._transport)
        return self._plain_client

    def close(self) -> None:
        self.http.close()
        if self._plain_client is not None:
            self._plain_client.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        idempotent: bool = False,
        expect: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send with retries; an error answer (>= 400, unless in `expect`) raises RelayAPIError."""
        all_headers = {**self._headers, **(headers or {})}
        retriable = method in SAFE_METHODS or idempotent or "Idempotency-Key" in all_headers
        query = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(self.retry.attempts):
            last = attempt == self.retry.attempts - 1
            try:
                response = self.http.request(
                    method, self.url(path), json=json, params=query, headers=all_headers, content=content
                )
            except httpx.TransportError as exc:
                if not retriable or last:
                    raise RelayConnectionError(f"cannot reach {self.base_url}: {exc or type(exc).__name__}") from exc
                self._sleep(self.retry.delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and retriable and not last:
                self._sleep(self.retry.delay(attempt, retry_after_seconds(response.headers.get("Retry-After"))))
                continue
            if response.status_code >= 400 and response.status_code not in expect:
                raise api_error(response.status_code, problem_of(response))
            return response
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    @contextmanager
    def stream(
        self, path: str, *, params: Mapping[str, Any], headers: Mapping[str, str], timeout: float
    ) -> Iterator[httpx.Response]:
        """A streamed GET (Server-Sent Events); an error answer raises before the body is read."""
        try:
            with self.http.stream(
                "GET",
                self.url(path),
                params=params,
                headers={**self._headers, **headers},
                timeout=httpx.Timeout(timeout, read=timeout),
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise api_error(response.status_code, problem_of(response))
                yield response
        except httpx.TransportError as exc:
            raise RelayConnectionError(f"cannot reach {self.base_url}: {exc or type(exc).__name__}") from exc

    def fetch(self, url: str) -> bytes:
        """GET a presigned URL (no key sent); an error answer is a RelayAPIError."""
        try:
            response = self._plain.get(url, follow_redirects=True)
        except httpx.TransportError as exc:
            raise RelayConnectionError(f"cannot download from {httpx.URL(url).host}: {exc}") from exc
        if response.status_code >= 400:
            raise api_error(response.status_code, problem_of(response))
        return response.content

    def post_form(self, url: str, fields: Mapping[str, str], filename: str, file: Any) -> None:
        """A presigned form POST (S3): every field, then the file last, as S3 wants it."""
        try:
            response = self._plain.post(url, data=dict(fields), files={"file": (filename, file, "application/octet-stream")})
        except httpx.TransportError as exc:
            raise RelayConnectionError(f"cannot upload to {httpx.URL(url).host}: {exc}") from exc
        if response.status_code >= 400:
            raise api_error(response.status_code, problem_of(response))
