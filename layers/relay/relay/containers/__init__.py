"""The composition root, by concern: `adapters` (settings → boto3 clients → adapters), `shared`
(the services both runtimes use), `api` (the API function's use cases) and `runtime` (the task
Lambdas'). `relay.bootstrap.Relay` is all of them, for tools and tests that use both."""
