"""Log lines shown by the logs API name no ARNs (issue 15): no account id, no internal names."""

from __future__ import annotations

import json

from relay.domain.logs import LogLine

ACCOUNT = "123456789012"


def test_a_powertools_line_loses_its_function_arn_and_arns_in_text():
    record = {
        "level": "WARNING",
        "message": f"could not stop arn:aws:states:us-east-1:{ACCOUNT}:execution:relay-Run:run_a-g2 (gone)",
        "function_arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:relay-RunStepFunction",
        "function_name": "relay-RunStepFunction",
        "extra": {"queue": [f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"]},
        "run_id": "run_a",
    }
    line = LogLine.of("/aws/lambda/relay-RunStepFunction", {"message": json.dumps(record), "timestamp": 0})
    shown = line.model_dump_json()
    assert ACCOUNT not in shown and "arn:aws" not in shown and "function_arn" not in shown
    assert line.message == "could not stop run_a-g2 (gone)" and line.record["extra"] == {"queue": ["jobs"]}
    assert line.run_id == "run_a" and line.level == "WARNING"


def test_a_plain_line_is_redacted_too():
    line = LogLine.of("g", {"message": f"START arn:aws:lambda:us-east-1:{ACCOUNT}:function:f\n", "timestamp": 0})
    assert line.message == "START f"
