"""The pure rules of keyword history and option usage: what makes two keywords one, how one
recording's duplicates add up, and the order user.select offers options in."""

from __future__ import annotations

from relay.domain.history import KeywordRecord, OptionUsage, keyword_key, merge_keywords, order_by_recent_usage


def rec(keyword, weight=1, category="style", source="generated", days=30):
    return KeywordRecord(keyword=keyword, weight=weight, category=category, source=source, expires_in_days=days)


def test_keywords_match_trimmed_collapsed_and_casefolded():
    assert keyword_key("  Film   Grain ") == keyword_key("film grain") == "film grain"
    assert keyword_key("STRASSE") == keyword_key("straße")
    assert keyword_key("neon") != keyword_key("neons")


def test_duplicates_in_one_recording_add_up_and_the_last_wins_the_rest():
    merged = merge_keywords(
        [rec("Neon", 2), rec("dusk"), rec(" neon ", 3, source="selected", days=5), rec("neon", 1, category="mood")]
    )
    assert merged == [
        rec("neon", 5, source="selected", days=5),
        rec("dusk"),
        rec("neon", 1, category="mood"),
    ]


def _used(option, last_used):
    return OptionUsage(option=option, step_id="pick", uses=1, created_at=last_used, last_used=last_used)


def test_used_options_come_first_most_recent_first_then_the_rest_as_given():
    usage = {"c": _used("c", "2026-01-01T00:00:00.000000Z"), "a": _used("a", "2026-03-01T00:00:00.000000Z")}
    assert order_by_recent_usage(["a", "b", "c", "d"], usage) == ["a", "c", "b", "d"]
    assert order_by_recent_usage(["d", "b"], usage) == ["d", "b"]
    assert order_by_recent_usage([], usage) == []
