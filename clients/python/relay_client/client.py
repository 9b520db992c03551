"""`Relay`: the SDK's entry point, one attribute per resource.

from relay_client import Relay
relay = Relay("http://127.0.0.1:8000", "rk_…")      # or Relay.from_env(profile=None)
submitted = relay.templates.submit("examples/review")
run = relay.runs.start(version_id=submitted.version["version_id"])
for event in relay.events.stream(run["run_id"]): ...
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import httpx

from . import config
from .transport import RetryPolicy, Transport

if TYPE_CHECKING:
    from .resources.artifacts import Approvals, Artifacts
    from .resources.events import Events
    from .resources.media import MediaUploads
    from .resources.runs import Runs
    from .resources.templates import Templates


class Relay:
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.transport = Transport(self.url, api_key, timeout=timeout, retry=retry, transport=transport)

    # Each resource's module is imported when first used: a command that lists runs does not
    # load the SSE, upload or workflow-hashing code (the CLI starts a process per command).
    @cached_property
    def templates(self) -> Templates:
        from .resources.templates import Templates

        return Templates(self.transport)

    @cached_property
    def runs(self) -> Runs:
        from .resources.runs import Runs

        return Runs(self.transport)

    @cached_property
    def events(self) -> Events:
        from .resources.events import Events

        return Events(self.transport)

    @cached_property
    def media(self) -> MediaUploads:
        from .resources.media import MediaUploads

        return MediaUploads(self.transport)

    @cached_property
    def artifacts(self) -> Artifacts:
        from .resources.artifacts import Artifacts

        return Artifacts(self.transport)

    @cached_property
    def approvals(self) -> Approvals:
        from .resources.artifacts import Approvals

        return Approvals(self.transport)

    @classmethod
    def from_env(cls, *, profile: str | None = None, url: str | None = None, api_key: str | None = None) -> Relay:
        """From RELAY_URL / RELAY_API_KEY, or a profile `relay login` saved."""
        found = config.resolve(url, api_key, profile)
        return cls(found.url, found.api_key)

    def __repr__(self) -> str:
        return f"Relay({self.url!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
