"""The words runs are indexed and searched by (relay.domain.search)."""

from relay.domain.search import MAX_WORD_LENGTH, collect, strings_in, words, workflow_prompts


def test_words_are_lowercased_distinct_letters_and_digits_of_two_or_more():
    assert words("Cyberpunk city, CYBERPUNK night! a b 42 x9") == ["cyberpunk", "city", "night", "42", "x9"]
    assert words("snake_case-and.dots") == ["snake", "case", "and", "dots"]
    assert words("Café Ünïcode 東京タワー") == ["café", "ünïcode", "東京タワー"]
    assert words("a ! ? _ -") == []
    assert words("") == []


def test_long_words_are_cut_the_same_way_on_both_sides():
    long = "x" * (MAX_WORD_LENGTH + 10)
    assert words(long) == ["x" * MAX_WORD_LENGTH]
    assert words(long + "y") == words(long)


def test_strings_in_reads_values_not_keys_at_any_reasonable_depth():
    value = {"title": "Hello", "n": 3, "flag": True, "tags": ["a1", {"deep": "world"}], "none": None}
    assert list(strings_in(value)) == ["Hello", "a1", "world"]
    nested: object = "bottom"
    for _ in range(20):
        nested = [nested]
    assert list(strings_in(nested)) == []  # deeper than read


def test_collect_keeps_order_and_caps():
    assert collect(["b a", "a c", "d"], cap=10) == []  # single letters are not words
    assert collect(["beta alpha", "alpha gamma", "delta"], cap=10) == ["beta", "alpha", "gamma", "delta"]
    assert collect(["beta alpha", "alpha gamma", "delta"], cap=3) == ["beta", "alpha", "gamma"]


def test_workflow_prompts_are_pause_prompts_and_llm_message_text():
    wf = {
        "steps": [
            {
                "step_id": "a",
                "modules": [
                    {"module_id": "user.text_input", "inputs": {"prompt": "Your name?"}},
                    {"module_id": "user.approve", "inputs": {"artifact_name": "x", "prompt": "Publish?"}},
                    {"module_id": "transform.format", "inputs": {"template": "not a prompt"}},
                ],
            },
            {
                "step_id": "b",
                "modules": [
                    {
                        "module_id": "api.llm",
                        "inputs": {
                            "messages": [
                                {"role": "system", "content": "Be brief"},
                                {"role": "user", "content": "$state.question"},
                                {
                                    "role": "user",
                                    "content": [
                                        {"type": "text", "text": "Describe"},
                                        {"type": "media_ref", "content": "$state.img"},
                                    ],
                                },
                            ]
                        },
                    }
                ],
            },
            "junk",
            {"modules": "junk"},
            {"modules": ["junk", {"inputs": "junk"}]},
        ]
    }
    assert list(workflow_prompts(wf)) == ["Your name?", "Publish?", "Be brief", "Describe"]
    assert list(workflow_prompts(None)) == []


def test_instants_become_the_runs_fixed_width_utc_timestamps():
    from relay.domain.search import instant

    assert instant("2026-01-01T00:00:00Z") == "2026-01-01T00:00:00.000000Z"
    assert instant("2026-01-01t10:00:00.123456789+05:30") == "2026-01-01T04:30:00.123456Z"
    assert instant("2026-01-01 00:00:00-01:00") == "2026-01-01T01:00:00.000000Z"
    assert instant("2016-12-31T23:59:60Z") == "2016-12-31T23:59:59.000000Z"  # a leap second
    assert instant("0001-01-01T00:00:00+05:00") == "0000-01-01T00:00:00.000000Z"  # before the first
    assert instant("9999-12-31T23:59:59-05:00") == "9999-12-31T23:59:59.999999Z"  # after the last
    for bad in ("2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00+24:00", "2026-01-01", "0.5"):
        try:
            instant(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
