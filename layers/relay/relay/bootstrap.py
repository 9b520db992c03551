"""The composition root: settings → boto3 clients → adapters → services.

It is split by concern in `relay.containers`: `AdapterContainer` (clients and repositories),
`SharedServices` (what both runtimes use), `ApiContainer` (the API function's use cases) and
`RuntimeContainer` (the task Lambdas'). The API function builds an `ApiContainer`, the task
Lambdas a `RuntimeContainer`; `Relay` is both, for the local cloud, the tools and the tests.
"""

from __future__ import annotations

from relay.containers.api import ApiContainer
from relay.containers.runtime import RuntimeContainer


class Relay(ApiContainer, RuntimeContainer):
    """Every adapter and service of both runtimes, each built on first use."""
