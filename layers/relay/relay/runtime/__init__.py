"""What the Step Functions task Lambdas run (RunStep, AwaitInput, RecordFailure): the
interpreter (`engine`), the step modules (`modules`), the providers and the safe fetch they
call (`providers`, `net`), and the use cases only those Lambdas have (`services`).

The API never imports this package at cold start (tests/unit/test_import_graph.py); its
submit-time checks and answers ask the module catalog (`relay.runtime.modules`) on first use.
"""
