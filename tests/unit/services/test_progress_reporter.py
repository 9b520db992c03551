"""ProgressReporter: what it stores, what it skips, and how it keeps the run's event
numbering for RunStep's final commit (with a fake repository)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from relay.adapters.runs import RunRepository
from relay.domain import NewEvent, Progress, Run
from relay.exceptions import ConcurrentUpdateError
from relay.runtime.services.progress import ProgressReporter

PLACE = {"step_id": "gen", "module_index": 0, "module_id": "media.generate", "span": (0.5, 1.0)}


def _run(**over) -> Run:
    fields = {
        "run_id": "run_a",
        "user_id": "usr_a",
        "template_id": "tpl_a",
        "template_name": "t",
        "initial_version_id": "ver_a",
        "current_version_id": "ver_a",
        "rev": 3,
        "event_seq": 5,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": "2026-01-01T00:00:00.000000Z",
    }
    return Run(**{**fields, **over})


class FakeRuns:
    def __init__(self, *errors):
        self.errors = list(errors)
        self.stored = []
        self.current = _run()

    def record_progress(self, run, event_seq, progress, event, correlation_id):
        if self.errors:
            error = self.errors.pop(0)
            if error == "written":  # the write went through, then the call failed
                self.current = self.current.model_copy(update={"event_seq": event_seq + 1})
                raise TimeoutError("read timeout")
            raise error
        assert (run.rev, event_seq) == (self.current.rev, self.current.event_seq)
        self.stored.append((event_seq + 1, progress, event))
        self.current = self.current.model_copy(update={"event_seq": event_seq + 1})
        return event_seq + 1

    def get(self, run_id):
        return self.current


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _reporter(runs, clock=None, **kw):
    return ProgressReporter(runs, _run(), "corr", min_interval_seconds=1.0, clock=clock or Clock(), **kw)


def test_a_report_stores_the_runs_progress_and_an_event_after_the_last_one():
    runs = FakeRuns()
    reporter = _reporter(runs)
    assert reporter.report(0.5, "render", "half way", **PLACE)
    [(seq, progress, event)] = runs.stored
    assert seq == 6 and reporter.event_seq == 6
    assert progress == Progress(value=0.75, stage="render", message="half way")
    assert event.event_type == "progress" and event.step_id == "gen"
    assert event.data == {
        "module_index": 0,
        "module_id": "media.generate",
        "value": 0.5,
        "stage": "render",
        "message": "half way",
        "run_progress": 0.75,
    }


def test_reports_closer_than_the_interval_are_skipped_but_not_the_last_nor_a_new_stage():
    runs, clock = FakeRuns(), Clock()
    reporter = _reporter(runs, clock)
    assert reporter.report(0.1, None, None, **PLACE)  # first: stage falls back to the step
    assert runs.stored[0][1].stage == "gen"
    clock.now += 0.2
    assert not reporter.report(0.2, None, None, **PLACE)
    assert reporter.report(0.3, "upload", None, **PLACE)  # a new stage
    clock.now += 0.2
    assert reporter.report(1.0, "upload", "done", **PLACE)  # the last
    clock.now += 0.2
    assert not reporter.report(0.9, "upload", None, **PLACE)
    clock.now += 1.0
    assert reporter.report(0.95, "upload", None, **PLACE)
    assert [s for s, _, _ in runs.stored] == [6, 7, 8, 9]


def test_at_most_max_events_per_invocation():
    runs, clock = FakeRuns(), Clock()
    reporter = _reporter(runs, clock, max_events=3)
    for i in range(6):
        clock.now += 5
        reporter.report(i / 10, None, None, **PLACE)
    assert len(runs.stored) == 3 and reporter.event_seq == 8


def test_a_run_that_moved_on_stops_the_reporter():
    runs = FakeRuns(ConcurrentUpdateError("moved"))
    reporter = _reporter(runs)
    assert not reporter.report(0.1, "x", None, **PLACE)
    assert reporter.stopped and reporter.event_seq == 5
    assert not reporter.report(0.2, "y", None, **PLACE)
    assert runs.stored == []


def test_an_unknown_outcome_takes_the_event_number_from_the_table():
    runs = FakeRuns("written")
    reporter = _reporter(runs)
    assert not reporter.report(0.1, "x", None, **PLACE)
    assert reporter.event_seq == 6 and not reporter.stopped  # the write was made: number after it
    assert reporter.report(0.2, "y", None, **PLACE)
    assert runs.stored[0][0] == 7


def test_a_failure_with_the_run_moved_on_stops_it():
    runs = FakeRuns(TimeoutError("x"))
    runs.current = runs.current.model_copy(update={"rev": 4})
    reporter = _reporter(runs)
    assert not reporter.report(0.1, "x", None, **PLACE)
    assert reporter.stopped


class _Client:
    def __init__(self, fail=None):
        self.fail = fail
        self.items = None

    def transact_write_items(self, TransactItems):
        self.items = TransactItems
        if self.fail is not None:
            reasons = [{"Code": "None"}, {"Code": "None"}]
            reasons[self.fail] = {"Code": "ConditionalCheckFailed"}
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}, "TransactWriteItems"
            )


def test_the_repository_write_keeps_rev_and_conditions_on_it_and_the_event_number():
    client = _Client()
    repo = RunRepository(client, "runs", "events", "pending")
    assert repo.record_progress(_run(), 7, Progress(value=0.5), NewEvent(event_type="progress"), "corr") == 8
    update, put = client.items
    update = update["Update"]
    assert "rev" not in update["UpdateExpression"]
    assert update["ConditionExpression"] == "rev = :rev AND event_seq = :seq"
    values = update["ExpressionAttributeValues"]
    assert (values[":rev"], values[":seq"], values[":next"]) == ({"N": "3"}, {"N": "7"}, {"N": "8"})
    assert put["Put"]["Item"]["seq"] == {"N": "8"}
    assert put["Put"]["ConditionExpression"] == "attribute_not_exists(seq)"


@pytest.mark.parametrize("failed", [0, 1])
def test_a_failed_condition_on_either_item_is_a_concurrent_update(failed):
    repo = RunRepository(_Client(fail=failed), "runs", "events", "pending")
    with pytest.raises(ConcurrentUpdateError):
        repo.record_progress(_run(), 7, Progress(value=0.5), NewEvent(event_type="progress"), "corr")
