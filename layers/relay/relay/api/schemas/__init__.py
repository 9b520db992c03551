"""Request and response bodies (`XCreate` in, `XPublic` out), one module per resource.

Import from the module (`relay.api.schemas.runs`): a router then builds only its own models
(routers are built on the first request to their paths, see relay.api.lazy_routers)."""
