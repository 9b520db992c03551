"""An event as the API shows it: an `execution_arn` that older events recorded is not shown."""

from __future__ import annotations

from relay.domain.models import Event


def test_public_event_drops_the_execution_arn_and_the_run_id():
    event = Event(
        run_id="run_a",
        seq=3,
        event_id="evt_1",
        event_type="run_retried",
        branch_id="main",
        workflow_version_id="ver_1",
        correlation_id="corr",
        timestamp="2026-01-01T00:00:00Z",
        data={
            "execution_arn": "arn:aws:states:us-east-1:123456789012:execution:relay-Run:run_a-g2",
            "execution": "run_a-g2",
            "error": {"code": "X"},
        },
    )
    shown = event.public()
    assert shown["data"] == {"execution": "run_a-g2", "error": {"code": "X"}} and "run_id" not in shown
    assert event.data["execution_arn"].endswith("run_a-g2")  # the stored event is untouched
