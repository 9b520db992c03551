"""The server's development and operator tooling, never shipped in the Lambda layer: the local
cloud (`relay_tools.local`), `relay local`, and `relay admin create-user|reindex-runs`
(`relay_tools.cli`). It may import `relay`; `relay` never imports it."""
