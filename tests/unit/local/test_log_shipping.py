"""LogShipper: what a function logs through its Powertools logger during an invocation goes to
its log group (formatted as Powertools formats it), one stream per function; lines of other
threads, or outside an invocation, do not; a failing CloudWatch never fails the function."""

from __future__ import annotations

import json
import threading
import types

from aws_lambda_powertools import Logger

from relay_tools.local.deployer import LocalFunction
from relay_tools.local.log_shipping import LogShipper


class FakeLogs:
    class exceptions:
        class ResourceAlreadyExistsException(Exception):
            pass

    def __init__(self, fail=False):
        self.fail = fail
        self.groups, self.streams, self.puts = [], [], []

    def create_log_group(self, logGroupName):
        if logGroupName in self.groups:
            raise self.exceptions.ResourceAlreadyExistsException()
        self.groups.append(logGroupName)

    def create_log_stream(self, logGroupName, logStreamName):
        self.streams.append((logGroupName, logStreamName))

    def put_log_events(self, logGroupName, logStreamName, logEvents):
        if self.fail:
            raise RuntimeError("CloudWatch is down")
        self.puts.append((logGroupName, logStreamName, logEvents))


def _function(name="relay-RunStepFunction", group="/relay/RunStepLogGroup"):
    return LocalFunction(
        logical_id="RunStepFunction",
        name=name,
        arn=f"arn:{name}",
        handler="app.handler",
        code_dir=None,
        environment={},
        timeout=3,
        memory_mb=128,
        log_group=group,
    )


def _module(service):
    module = types.ModuleType("fake_function")
    module.logger = Logger(service=service)
    return module


def test_an_invocations_lines_go_to_its_group_as_powertools_json():
    logs = FakeLogs()
    shipper = LogShipper(logs)
    module = _module("ship-test-a")
    shipper.attach(module)
    shipper.attach(module)  # once only
    other_thread_logged = threading.Event()

    module.logger.info("before: not in an invocation")
    with shipper.capture(_function()):
        module.logger.thread_safe_append_keys(run_id="run_1")
        module.logger.info("first", step_id="s1")
        module.logger.warning("second")
        t = threading.Thread(target=lambda: (module.logger.info("another thread"), other_thread_logged.set()))
        t.start()
        t.join()
        module.logger.thread_safe_clear_keys()
    assert other_thread_logged.is_set()
    [(group, stream, events)] = logs.puts
    assert group == "/relay/RunStepLogGroup" and logs.streams == [(group, stream)] and "[$LATEST]" in stream
    records = [json.loads(e["message"]) for e in events]
    assert [(r["level"], r["message"], r.get("run_id"), r.get("step_id")) for r in records] == [
        ("INFO", "first", "run_1", "s1"),
        ("WARNING", "second", "run_1", None),
    ]
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)

    with shipper.capture(_function()):
        module.logger.info("again")
    assert len(logs.puts) == 2 and logs.puts[1][1] == stream  # the same stream for the function


def test_a_function_without_a_log_group_gets_lambdas_default():
    logs = FakeLogs()
    shipper = LogShipper(logs)
    module = _module("ship-test-b")
    shipper.attach(module)
    with shipper.capture(_function(name="relay-X", group=None)):
        module.logger.info("x")
    assert logs.groups == ["/aws/lambda/relay-X"] and logs.puts[0][0] == "/aws/lambda/relay-X"


def test_shipping_that_fails_does_not_fail_the_function():
    shipper = LogShipper(FakeLogs(fail=True))
    module = _module("ship-test-c")
    shipper.attach(module)
    with shipper.capture(_function()):
        module.logger.info("lost, but the invocation goes on")
