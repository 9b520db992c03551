"""Two runs side by side (relay.domain.compare): per-key pairs and a JSON diff by path."""

from relay.domain.compare import json_diff, pair, side_by_side


def test_side_by_side_marks_each_key():
    assert side_by_side({"a": 1, "b": [1]}, {"b": [1], "c": None}) == {
        "a": {"a": 1, "b": None, "same": False},
        "b": {"a": [1], "b": [1], "same": True},
        "c": {"a": None, "b": None, "same": True},
    }


def test_json_equality_is_json_s():
    assert pair(1, 1.0)["same"] is True
    assert pair(True, 1)["same"] is False
    assert pair(False, 0)["same"] is False
    assert pair("1", 1)["same"] is False
    assert pair({"x": [1, {"y": True}]}, {"x": [1, {"y": True}]})["same"] is True
    assert pair({"x": [1, {"y": True}]}, {"x": [1, {"y": 1}]})["same"] is False


def test_json_diff_by_pointer_path():
    a = {"same": 1, "gone": "x", "nested": {"list": [1, 2, 3], "val": "old"}, "a/b": 1, "t~": 1}
    b = {"same": 1, "new": True, "nested": {"list": [1, 5], "val": "new"}, "a/b": 2, "t~": 1}
    diff, truncated = json_diff(a, b)
    assert truncated is False
    assert diff == [
        {"path": "/a~1b", "change": "changed", "a": 1, "b": 2},
        {"path": "/gone", "change": "removed", "a": "x", "b": None},
        {"path": "/nested/list/1", "change": "changed", "a": 2, "b": 5},
        {"path": "/nested/list/2", "change": "removed", "a": 3, "b": None},
        {"path": "/nested/val", "change": "changed", "a": "old", "b": "new"},
        {"path": "/new", "change": "added", "a": None, "b": True},
    ]
    assert json_diff({"x": 1}, {"x": 1}) == ([], False)
    assert json_diff({"x": {"y": 1}}, {"x": [1]}) == ([{"path": "/x", "change": "changed", "a": {"y": 1}, "b": [1]}], False)
    assert json_diff(1, 2) == ([{"path": "", "change": "changed", "a": 1, "b": 2}], False)


def test_json_diff_stops_at_the_limit_and_says_so():
    a = {f"k{i:03d}": i for i in range(10)}
    b = {f"k{i:03d}": -i - 1 for i in range(10)}
    diff, truncated = json_diff(a, b, limit=4)
    assert [d["path"] for d in diff] == ["/k000", "/k001", "/k002", "/k003"] and truncated is True
    exact, cut = json_diff(a, b, limit=10)
    assert len(exact) == 10 and cut is False
