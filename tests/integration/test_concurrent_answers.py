"""Concurrent answers to one pause: exactly one wins, the rest are told who did, nothing is
lost and no run is left stuck. Repeated; `RELAY_RACE_TRIALS` makes it a longer run
(tests/bench/concurrent_answers.py reports the long run's figures)."""

from __future__ import annotations

import os
from collections import Counter

from answer_race import TWO_PAUSES, all_events, run_trial

TRIALS = int(os.environ.get("RELAY_RACE_TRIALS", "12"))
CLIENTS = int(os.environ.get("RELAY_RACE_CLIENTS", "10"))


def check_trial(client, trial) -> None:
    assert not trial.other, f"answers neither 202 nor 409: {trial.other}"
    assert len(trial.winners) == 1, f"{len(trial.winners)} answers won the pause of {trial.run_id}"
    value, accepted = trial.winners[0]
    input_id = accepted["input_id"]
    assert len(trial.losers) == CLIENTS - 1
    for problem in trial.losers:
        assert problem["code"] == "INPUT_ALREADY_ANSWERED", problem
        assert problem["input_id"] == input_id, problem  # told which answer won

    run = trial.after
    assert run is not None, f"run {trial.run_id} never left the answered pause"
    assert (run["status"], run["current_step"]) == ("awaiting_input", "again"), run
    assert run["state"] == {"first": value}  # the winning answer, and only it, was applied

    events = all_events(client, trial.run_id)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(events) + 1)), f"gap or duplicate in {seqs}"
    kinds = Counter((e["event_type"], e.get("step_id")) for e in events)
    assert kinds[("input_answered", "ask")] == 1
    assert kinds[("input_received", "ask")] == 1
    received = next(e for e in events if e["event_type"] == "input_received")
    assert received["data"]["value"] == value and received["data"]["input_id"] == input_id


def test_one_answer_wins_every_time(make_client):
    client = make_client()
    assert client.post("/v1/templates", json={"workflow": TWO_PAUSES}).status_code == 201
    key = client.headers["Authorization"].split()[1]
    for _ in range(TRIALS):
        check_trial(client, run_trial(client, key, CLIENTS))
