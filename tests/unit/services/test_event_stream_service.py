"""EventStream with a fake repository and clock: where a stream starts, what it sends, and how
it ends (the run ended and all was sent; or time is up, with the id to resume from)."""

from __future__ import annotations

import json

import pytest

from relay.domain import Event, Run, RunStatus
from relay.exceptions import InvalidRequestError
from relay.services.event_stream import PAGE, EventStream, Wait, start_position


def _run(event_seq, status=RunStatus.running):
    return Run(run_id="run_a", user_id="usr_a", template_id="tpl_a", template_name="t", initial_version_id="ver_a",
               current_version_id="ver_a", event_seq=event_seq, status=status,
               created_at="2026-01-01T00:00:00.000000Z", updated_at="2026-01-01T00:00:00.000000Z")


def _event(seq, kind="step_started"):
    return Event(run_id="run_a", seq=seq, event_id=f"evt_{seq}", event_type=kind, branch_id="main",
                 workflow_version_id="ver_a", correlation_id="c", step_id="s", data={"n": seq},
                 timestamp="2026-01-01T00:00:00.000000Z")


class FakeRuns:
    """Events appear over time: `script` maps a poll number to the events written before it."""

    def __init__(self, script, end_after=None):
        self.script, self.end_after = script, end_after
        self.events, self.polls = [], 0

    def events_after(self, run_id, after, limit):
        self.polls += 1
        self.events += self.script.get(self.polls, [])
        return [e for e in self.events if e.seq > after][:limit]

    def get(self, run_id):
        ended = self.end_after is not None and self.polls >= self.end_after
        return _run(len(self.events), RunStatus.completed if ended else RunStatus.running)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _run_stream(clock, runs, after, seconds):
    """The stream as a client gets it; the fake clock moves by each Wait."""
    chunks = []
    for item in EventStream(runs, poll_seconds=1, clock=clock).frames("run_a", after, seconds):
        if isinstance(item, Wait):
            clock.sleep(item.seconds)
        else:
            chunks.append(item)
    return chunks


def _messages(chunks):
    return [c for c in chunks if c.startswith("id: ")]


def test_events_as_they_appear_then_end_when_the_run_has_ended():
    clock = Clock()
    runs = FakeRuns({1: [_event(1), _event(2)], 3: [_event(3, "run_completed")]}, end_after=3)
    chunks = _run_stream(clock, runs, 0, 25)
    assert chunks[0] == "retry: 1000\n\n"
    assert [c.split("\n")[0] for c in _messages(chunks)] == ["id: 1", "id: 2", "id: 3"]
    first = _messages(chunks)[0].split("\n")
    assert first[1] == "event: step_started" and json.loads(first[2][6:])["data"] == {"n": 1}
    assert "run_id" not in json.loads(first[2][6:])  # as GET /v1/runs/{id}/events lists it
    assert chunks[-1] == 'event: end\ndata: {"run_id": "run_a", "status": "completed", "last_event_id": 3}\n\n'
    assert clock.now == 2  # polls 1, 2, 3: two sleeps


def test_time_up_says_where_to_resume_and_overruns_by_at_most_a_poll():
    clock = Clock()
    runs = FakeRuns({2: [_event(6)]})
    chunks = _run_stream(clock, runs, 5, 2.5)
    assert chunks[-1] == ": time is up; reconnect with Last-Event-ID: 6\n\n"
    assert clock.now == 2.5 and runs.polls == 4


def test_a_full_page_is_followed_at_once():
    clock = Clock()
    runs = FakeRuns({1: [_event(i) for i in range(1, PAGE + 31)]}, end_after=1)
    chunks = _run_stream(clock, runs, 0, 25)
    assert len(_messages(chunks)) == PAGE + 30 and clock.now == 0 and runs.polls == 2


@pytest.mark.parametrize(("header", "after", "expected"), [(None, None, 0), (None, 3, 3), ("4", 1, 4), (" 7 ", None, 7)])
def test_the_start_is_last_event_id_else_after(header, after, expected):
    assert start_position(_run(7), header, after) == expected


@pytest.mark.parametrize(("header", "after"), [("x", None), ("-1", None), ("1e3", None), ("8", None), (None, 8), ("1" * 13, None)])
def test_a_start_that_is_no_event_of_the_run_is_refused(header, after):
    with pytest.raises(InvalidRequestError) as raised:
        start_position(_run(7), header, after)
    assert raised.value.code == "INVALID_LAST_EVENT_ID"
