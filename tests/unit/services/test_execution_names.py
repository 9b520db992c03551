"""Continuations of a long run are named `<run_id>-g<N>`, so every execution sorts by its run."""

from relay.runtime.services.execution import _next_execution_name

SM = "arn:aws:states:us-east-1:123456789012:execution:relay-run"


def test_first_continuation_is_generation_two():
    assert _next_execution_name(f"{SM}:run_abc", "run_abc") == "run_abc-g2"


def test_generations_count_up():
    assert _next_execution_name(f"{SM}:run_abc-g2", "run_abc") == "run_abc-g3"
    assert _next_execution_name(f"{SM}:run_abc-g41", "run_abc") == "run_abc-g42"


def test_without_an_execution_arn_the_run_id_is_generation_one():
    assert _next_execution_name(None, "run_abc") == "run_abc-g2"
