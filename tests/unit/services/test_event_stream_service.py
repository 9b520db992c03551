"""EventStream with a fake repository and clock: where a stream starts, what it sends, and how
it ends (the run ended and all was sent; or time is up, with the id to resume from)."""

from __future__ import annotations

import json

import pytest

from relay.domain import Event, Run, RunStatus
from relay.exceptions import InvalidRequestError
from relay.services.event_stream import PAGE, EventStream, Wait, start_position


def _run(event_seq, status=RunStatus.running):
    return Run(
        run_id="run_a",
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        event_seq=event_seq,
        status=status,
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
    )


def _event(seq, kind="step_started"):
    return Event(
        run_id="run_a",
        seq=seq,
        event_id=f"evt_{seq}",
        event_type=kind,
        branch_id="main",
        workflow_version_id="ver_a",
        correlation_id="c",
        step_id="s",
        data={"n": seq},
        timestamp="2026-01-01T00:00:00.000000Z",
    )


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


@pytest.mark.parametrize(
    ("header", "after"), [("x", None), ("-1", None), ("1e3", None), ("8", None), (None, 8), ("1" * 13, None)]
)
def test_a_start_that_is_no_event_of_the_run_is_refused(header, after):
    with pytest.raises(InvalidRequestError) as raised:
        start_position(_run(7), header, after)
    assert raised.value.code == "INVALID_LAST_EVENT_ID"


def _waits(runs, seconds, *, min_poll):
    """The Waits a stream yields (poll 1 s at most), and its chunks."""
    clock, waits, chunks = Clock(), [], []
    for item in EventStream(runs, poll_seconds=1, min_poll_seconds=min_poll, clock=clock).frames("run_a", 0, seconds):
        if isinstance(item, Wait):
            waits.append(round(item.seconds, 6))
            clock.sleep(item.seconds)
        else:
            chunks.append(item)
    return waits, chunks


def test_the_wait_is_short_after_an_event_and_doubles_while_nothing_comes():
    runs = FakeRuns({1: [_event(1)], 7: [_event(2)], 10: [_event(3, "run_completed")]}, end_after=10)
    waits, chunks = _waits(runs, 25, min_poll=0.1)
    assert waits == [0.1, 0.2, 0.4, 0.8, 1, 1, 0.1, 0.2, 0.4]
    assert [c.split("\n")[0] for c in _messages(chunks)] == ["id: 1", "id: 2", "id: 3"] and chunks[-1].startswith("event: end")


def test_an_event_written_between_the_query_and_the_get_keeps_the_wait_short():
    class Racing(FakeRuns):
        def get(self, run_id):
            if self.polls == 3 and len(self.events) == 1:
                self.events.append(_event(2))  # committed after this poll's Query
            return super().get(run_id)

    runs = Racing({1: [_event(1)]}, end_after=5)
    waits, chunks = _waits(runs, 25, min_poll=0.1)
    assert waits == [0.1, 0.2, 0.1, 0.1]  # poll 3 found nothing but the run had moved; poll 4 sends it
    assert [c.split("\n")[0] for c in _messages(chunks)] == ["id: 1", "id: 2"]


def test_an_idle_stream_polls_about_as_often_as_a_fixed_cadence_and_keeps_its_bound():
    fixed = FakeRuns({})
    _waits(fixed, 25, min_poll=None)
    adaptive = FakeRuns({})
    waits, chunks = _waits(adaptive, 25, min_poll=0.1)
    assert fixed.polls == 26 and fixed.polls <= adaptive.polls <= fixed.polls + 3
    assert sum(waits) == pytest.approx(25) and chunks[-1].startswith(": time is up")
