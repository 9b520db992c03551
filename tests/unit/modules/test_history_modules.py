"""history.keyword_history, history.option_usage and user.select's order_by: inputs checked at
submit, read-then-record through ctx.history (a fake RunHistory here), clear failures."""

from __future__ import annotations

import pytest

from relay.domain.history import KeywordEntry, OptionUsage
from relay.runtime.modules import ModuleContext, ModuleError, get_module


class FakeRunHistory:
    """Mirrors relay.services.history.RunHistory's methods; records what modules asked."""

    def __init__(self, keywords=(), options=()):
        self.stored_keywords = list(keywords)
        self.stored_options = list(options)
        self.calls = []

    def keywords(self, *, order, categories, limit):
        self.calls.append(("keywords", order, categories, limit))
        return self.stored_keywords[:limit]

    def record_keywords(self, records, *, step_id, module_index):
        self.calls.append(("record_keywords", records, step_id, module_index))
        return True

    def recent_options(self, select_step, limit):
        self.calls.append(("recent_options", select_step, limit))
        return [o for o in self.stored_options if o.step_id == select_step][:limit]

    def record_options(self, options, *, select_step, step_id, module_index):
        self.calls.append(("record_options", options, select_step, step_id, module_index))
        return True

    def option_usage(self, select_step, options):
        self.calls.append(("option_usage", select_step, options))
        return {o.option: o for o in self.stored_options if o.step_id == select_step and o.option in options}


def test_fake_mirrors_run_history():
    import inspect

    from relay.runtime.scope import RunHistory

    def shape(function):
        return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]

    for name in ("keywords", "record_keywords", "recent_options", "record_options", "option_usage"):
        assert shape(getattr(FakeRunHistory, name)) == shape(getattr(RunHistory, name)), name


def entry(keyword, weight=1, category="general"):
    return KeywordEntry(
        keyword=keyword,
        category=category,
        total_weight=weight,
        uses=1,
        source="generated",
        step_id="s",
        created_at="2026-01-01T00:00:00.000000Z",
        last_used="2026-01-02T00:00:00.000000Z",
        expires_at="2026-02-01T00:00:00.000000Z",
    )


def usage(option, last_used, uses=1, step_id="pick"):
    return OptionUsage(option=option, step_id=step_id, uses=uses, created_at="2026-01-01T00:00:00.000000Z", last_used=last_used)


def ctx(history, step_id="write", module_index=2):
    return ModuleContext(run_id="run_1", step_id=step_id, module_index=module_index, history=history)


def run(module_id, history, **inputs):
    module = get_module(module_id)
    return module.execute(module.parse_inputs(inputs), ctx(history))


# -- history.keyword_history ---------------------------------------------------------------
def test_keywords_are_read_before_they_are_recorded_with_defaults_filled_in():
    history = FakeRunHistory([entry("cinematic", 9), entry("moody", 3)])
    out = run(
        "history.keyword_history",
        history,
        record=[
            "neon",
            {"keyword": "Dusk", "weight": 5, "category": "light", "source": "selected", "expires_in_days": 2},
            "NEON",
        ],
        weight=2,
        category="style",
        expires_in_days=10,
        limit=5,
    )
    assert out["keywords"] == ["cinematic", "moody"]
    assert out["entries"][0]["total_weight"] == 9 and out["entries"][0]["expires_at"] == "2026-02-01T00:00:00.000000Z"
    assert out["recorded"] == 2  # "neon" and "NEON" are one keyword
    assert [c[0] for c in history.calls] == ["keywords", "record_keywords"]
    assert history.calls[0] == ("keywords", "weight", None, 5)
    _, records, step_id, module_index = history.calls[1]
    assert (step_id, module_index) == ("write", 2)
    assert [(r.keyword, r.weight, r.category, r.source, r.expires_in_days) for r in records] == [
        ("neon", 2, "style", "generated", 10),
        ("Dusk", 5, "light", "selected", 2),
        ("NEON", 2, "style", "generated", 10),
    ]


def test_limit_zero_reads_nothing_and_no_record_records_nothing():
    history = FakeRunHistory([entry("a")])
    assert run("history.keyword_history", history, limit=0) == {"keywords": [], "entries": [], "recorded": 0}
    assert history.calls == []


def test_reading_by_recent_use_of_some_categories():
    history = FakeRunHistory([entry("a")])
    run("history.keyword_history", history, order="recent", categories=["style", "mood"], limit=3)
    assert history.calls == [("keywords", "recent", ["style", "mood"], 3)]


@pytest.mark.parametrize(
    "inputs",
    [
        {"record": "not-a-list"},
        {"record": [" "]},
        {"record": [""]},
        {"record": ["x" * 201]},
        {"record": [{"keyword": "a", "weight": 0}]},
        {"record": [{"keyword": "a", "colour": "red"}]},
        {"record": ["a"] * 51},
        {"weight": 1001},
        {"category": "has space"},
        {"source": "#x"},
        {"expires_in_days": 0},
        {"order": "random"},
        {"limit": 201},
        {"categories": []},
        {"categories": ["ok", "no/slash"]},
        {"unknown": 1},
    ],
)
def test_bad_keyword_inputs_are_refused_at_submit(inputs):
    assert get_module("history.keyword_history").check_inputs(inputs) != []


def test_references_are_checked_at_run_time():
    module = get_module("history.keyword_history")
    assert module.check_inputs({"record": "$state.keywords", "category": "style"}) == []
    with pytest.raises(ModuleError) as caught:
        module.parse_inputs({"record": 5})
    assert caught.value.code == "INVALID_MODULE_INPUT"


def test_without_a_history_store_the_module_fails_clearly():
    with pytest.raises(ModuleError) as caught:
        run("history.keyword_history", None, record=["a"])
    assert caught.value.code == "HISTORY_UNAVAILABLE"
    with pytest.raises(ModuleError) as caught:
        run("history.option_usage", None, record="a")
    assert caught.value.code == "HISTORY_UNAVAILABLE"


# -- history.option_usage ------------------------------------------------------------------
def test_option_usage_reads_then_records_for_this_step_by_default():
    history = FakeRunHistory(options=[usage("cold", "2026-01-03T00:00:00.000000Z", step_id="write")])
    out = run("history.option_usage", history, record="warm")
    assert out["recent"] == ["cold"] and out["recorded"] == 1
    assert out["entries"] == [usage("cold", "2026-01-03T00:00:00.000000Z", step_id="write").model_dump()]
    assert history.calls == [("recent_options", "write", 20), ("record_options", ["warm"], "write", "write", 2)]


def test_option_usage_for_another_select_step_and_lists():
    history = FakeRunHistory()
    out = run("history.option_usage", history, record=["a", "b", "a"], select_step="pick", limit=0)
    assert out == {"recent": [], "entries": [], "recorded": 2}
    assert history.calls == [("record_options", ["a", "b", "a"], "pick", "write", 2)]


@pytest.mark.parametrize(
    "inputs",
    [{"record": 5}, {"record": [""]}, {"record": ["x" * 501]}, {"select_step": "no spaces"}, {"limit": -1}, {"extra": 1}],
)
def test_bad_option_usage_inputs_are_refused_at_submit(inputs):
    assert get_module("history.option_usage").check_inputs(inputs) != []


# -- user.select order_by -------------------------------------------------------------------
def select_request(history, **inputs):
    module = get_module("user.select")
    return module.request(module.parse_inputs({"prompt": "Tone?", **inputs}), ctx(history, step_id="pick"))


def test_select_orders_options_by_recent_usage_and_says_when_they_were_used():
    history = FakeRunHistory(
        options=[
            usage("b", "2026-01-01T00:00:00.000000Z", uses=4),
            usage("d", "2026-01-05T00:00:00.000000Z", uses=1),
            usage("a", "2026-01-09T00:00:00.000000Z", uses=2, step_id="elsewhere"),
        ]
    )
    req = select_request(history, options=["a", {"value": "b", "label": "Bee"}, "c", "d"], order_by="recent_usage")
    assert req["options"] == [
        {"value": "d", "label": None, "last_used": "2026-01-05T00:00:00.000000Z", "uses": 1},
        {"value": "b", "label": "Bee", "last_used": "2026-01-01T00:00:00.000000Z", "uses": 4},
        {"value": "a", "label": None},
        {"value": "c", "label": None},
    ]
    assert history.calls == [("option_usage", "pick", ["a", "b", "c", "d"])]
    # the answer is checked against the reordered request as before
    assert get_module("user.select").accept(req, "c") == {"value": "c"}


def test_select_usage_of_another_step_and_given_order_by_default():
    history = FakeRunHistory(options=[usage("c", "2026-01-01T00:00:00.000000Z", step_id="earlier")])
    req = select_request(history, options=["a", "c"], order_by="recent_usage", usage_step="earlier")
    assert [o["value"] for o in req["options"]] == ["c", "a"]
    plain = select_request(history, options=["a", "c"])
    assert plain["options"] == [{"value": "a", "label": None}, {"value": "c", "label": None}]
    assert history.calls == [("option_usage", "earlier", ["a", "c"])]  # the default order reads nothing


def test_select_by_usage_without_a_history_store_fails_clearly():
    with pytest.raises(ModuleError) as caught:
        select_request(None, options=["a"], order_by="recent_usage")
    assert caught.value.code == "HISTORY_UNAVAILABLE"


@pytest.mark.parametrize("inputs", [{"order_by": "alphabetical"}, {"usage_step": ""}, {"usage_step": "a b"}])
def test_bad_select_order_inputs_are_refused(inputs):
    assert get_module("user.select").check_inputs({"prompt": "p", "options": ["a"], **inputs}) != []


def test_a_null_record_records_nothing():
    history = FakeRunHistory()
    assert run("history.keyword_history", history, record=None, limit=0)["recorded"] == 0
    assert run("history.option_usage", history, record=None, limit=0)["recorded"] == 0
    assert history.calls == []
