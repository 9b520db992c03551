"""Ids: what `new_id` makes is an id; anything else of the wrong shape names nothing."""

from relay.ids import is_id, new_id


def test_new_ids_have_the_id_shape():
    for prefix in ("run", "tpl", "ver", "usr"):
        assert is_id(new_id(prefix), prefix)


def test_wrong_prefix_or_shape_is_not_an_id():
    assert not is_id(new_id("run"), "tpl")
    assert not is_id("run", "run")
    assert not is_id("run_", "run")
    assert not is_id("run_ABC", "run")
    assert not is_id("run_abc/def", "run")
    assert not is_id("run_" + "r" * 41, "run")  # longer than any id; DynamoDB keys stop at 2 KB
    assert not is_id("run_abc-g2", "run")  # an execution name, not a run id
