"""LogService paging over several log groups with a fake FilterLogEvents: every kept line
once, in time order, whatever the page size, lines sharing a millisecond, groups that page
with tokens, or a call budget that runs out; the run's and the level's filters; cursors."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from relay.domain import Run
from relay.exceptions import InvalidRequestError
from relay.services.logs import LogService

T0 = 1_800_000_000_000  # ms


class FakeReader:
    """FilterLogEvents over in-memory groups: oldest first, `limit` per page, a token to go on,
    the quoted-term pattern matched as a substring (what CloudWatch and moto both do)."""

    def __init__(self, groups, page_cap=None):
        self.groups = groups  # name -> [(ts, id, message)] in write order
        self.page_cap = page_cap  # fewer than asked per page, as CloudWatch may answer
        self.calls = 0

    def filter_page(self, group, pattern, start_ms, end_ms, token, limit):
        self.calls += 1
        term = pattern.strip('"')
        events = sorted((e for e in self.groups.get(group, []) if e[0] >= start_ms and term in e[2]), key=lambda e: e[0])
        first = int(token) if token else 0
        size = min(limit, self.page_cap or limit)
        page = events[first : first + size]
        more = first + size < len(events)
        return (
            [{"timestamp": ts, "eventId": eid, "message": msg, "logStreamName": "s"} for ts, eid, msg in page],
            str(first + size) if more else None,
        )


def line(run_id, level="INFO", message="m", **extra):
    return json.dumps({"level": level, "message": message, "run_id": run_id, **extra})


def _run(run_id="run_a"):
    created = datetime.fromtimestamp(T0 / 1000, UTC).isoformat().replace("+00:00", "Z")
    return Run(
        run_id=run_id,
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        created_at=created,
        updated_at=created,
    )


def _groups(n_lines=60, seed=7):
    """Three groups; lines of run_a, run_b and plain text, many sharing a millisecond."""
    rng = random.Random(seed)
    groups = {"g1": [], "g2": [], "g3": []}
    ids = iter(range(1, 10**6))
    for i in range(n_lines):
        ts = T0 + rng.choice([0, 0, 0, 1, 1, 2, 5, 9])  # heavy collisions
        group = rng.choice(list(groups))
        run = rng.choice(["run_a", "run_a", "run_b"])
        level = rng.choice(["DEBUG", "INFO", "WARNING", "ERROR"])
        message = line(run, level, f"line {i}") if i % 7 else f"plain text {run} {i}"
        groups[group].append((ts, str(next(ids)), message))
    return groups


def _everything(service, fetch, limit):
    seen, cursor = [], None
    for _ in range(500):
        lines, cursor = fetch(service, cursor, limit)
        seen += lines
        if cursor is None:
            return seen
    raise AssertionError("did not end")


def _expected(groups, keep):
    out = []
    for number, name in enumerate(["g1", "g2", "g3"]):
        for order, (ts, eid, msg) in enumerate(sorted(groups[name], key=lambda e: e[0])):
            out.append((ts, number, order, eid, msg))
    out.sort(key=lambda e: e[:3])
    return [(eid) for ts, number, order, eid, msg in out if keep(msg)]


def _run_a(msg, levels=None):
    try:
        record = json.loads(msg)
    except ValueError:
        return False
    return record.get("run_id") == "run_a" and (levels is None or record["level"] in levels)


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 100])
@pytest.mark.parametrize("page_cap", [None, 2])
def test_a_runs_lines_come_once_each_in_order_for_any_page_size(limit, page_cap):
    groups = _groups()
    service = LogService(FakeReader(groups, page_cap), ["g1", "g2", "g3"], calls_per_group=1000)
    seen = _everything(service, lambda s, c, n: s.for_run(_run(), None, c, n), limit)
    assert [line.event_id for line in seen] == _expected(groups, _run_a)
    assert all(line.run_id == "run_a" for line in seen)


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_the_level_keeps_that_level_and_above(limit):
    groups = _groups()
    service = LogService(FakeReader(groups), ["g1", "g2", "g3"], calls_per_group=1000)
    seen = _everything(service, lambda s, c, n: s.for_run(_run(), "WARNING", c, n), limit)
    assert [line.event_id for line in seen] == _expected(groups, lambda m: _run_a(m, {"WARNING", "ERROR"}))


def test_a_small_call_budget_still_serves_everything_across_pages():
    groups = _groups(40)
    reader = FakeReader(groups, page_cap=3)
    service = LogService(reader, ["g1", "g2", "g3"], calls_per_group=8)
    seen = _everything(service, lambda s, c, n: s.for_run(_run(), None, c, n), 5)
    assert [line.event_id for line in seen] == _expected(groups, _run_a)


def test_admin_lines_include_plain_text_unless_a_level_is_asked():
    groups = _groups()
    service = LogService(FakeReader(groups), ["g1", "g2", "g3"], calls_per_group=1000)
    since = datetime.fromtimestamp(T0 / 1000, UTC)
    everything = _everything(service, lambda s, c, n: s.recent(None, since, c, n), 4)
    assert [line.event_id for line in everything] == _expected(groups, lambda m: True)
    plain = [line for line in everything if line.level is None]
    assert plain and plain[0].record == {"message": plain[0].message}
    errors = _everything(service, lambda s, c, n: s.recent("ERROR", since, c, n), 4)
    assert {line.level for line in errors} == {"ERROR"}


@pytest.mark.parametrize(
    "cursor", ["x", "bm90LWpzb24", "eyJzIjoicnVuOnJ1bl9iOiIsInQiOjEsImkiOltdfQ", "eyJzIjoicnVuOnJ1bl9hOiIsInQiOi0xLCJpIjpbXX0"]
)
def test_foreign_or_broken_cursors_are_invalid(cursor):
    # the last two: another run's list; a negative time
    service = LogService(FakeReader({}), ["g1"])
    with pytest.raises(InvalidRequestError) as raised:
        service.for_run(_run(), None, cursor, 10)
    assert raised.value.code == "INVALID_CURSOR"
