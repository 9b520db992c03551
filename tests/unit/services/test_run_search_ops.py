"""What RunSearchService writes with a run's start and with an answer: bounded so the
transactions stay far under DynamoDB's 100 items (moto does not enforce that limit)."""

from relay.adapters.run_index import RunIndex, index_puts
from relay.domain import Run
from relay.domain.search import MAX_WORDS_AT_START, MAX_WORDS_PER_ANSWER
from relay.services.run_search import RunSearchService


def _run(**extra) -> Run:
    return Run(
        run_id="run_1",
        user_id="usr_1",
        template_id="tpl_1",
        template_name="My_Template",
        initial_version_id="ver_1",
        current_version_id="ver_1",
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
        **extra,
    )


def _service() -> RunSearchService:
    return RunSearchService(RunIndex(client=None, index_table="search", runs_table="runs"))


def _ops(changes) -> list:
    """The index puts the adapter writes for these changes."""
    return [op for change in changes for op in index_puts("search", change.run, change.words)]


def _words(changes) -> list[str]:
    return [op["Put"]["Item"]["user_token"]["S"].split("#", 1)[1] for op in _ops(changes)]


def test_start_indexes_project_template_inputs_and_prompts_capped():
    run = _run(project_name="Night City", inputs={"a": "Neon rain", "n": 5, "deep": {"x": ["Fog"]}})
    workflow = {"steps": [{"modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?"}}]}]}
    changes = _service().start_changes(run, workflow)
    ops = _ops(changes)
    assert _words(changes) == ["night", "city", "my", "template", "neon", "rain", "fog", "your", "name"]
    item = ops[0]["Put"]["Item"]
    assert item["user_token"] == {"S": "usr_1#night"}
    assert item["created_run"] == {"S": "2026-01-01T00:00:00.000000Z#run_1"}
    assert item["run_id"] == {"S": "run_1"} and item["template_name"] == {"S": "My_Template"}
    assert "ConditionExpression" not in ops[0]["Put"]  # deterministic: a retried write changes nothing

    many = _run(inputs={"text": " ".join(f"word{i}" for i in range(500))})
    assert len(_ops(_service().start_changes(many, workflow))) == MAX_WORDS_AT_START
    assert 1 + 1 + MAX_WORDS_AT_START <= 100  # run, run_created, words: one transaction


def test_answers_index_the_prompt_and_text_answers_only():
    service, run = _service(), _run()
    assert _words(service.answer_changes(run, "user.text_input", {"prompt": "Describe it"}, "Tall tower")) == [
        "describe",
        "it",
        "tall",
        "tower",
    ]
    assert _words(service.answer_changes(run, "user.select", {"prompt": "Tone?"}, ["warm", "formal"])) == [
        "tone",
        "warm",
        "formal",
    ]
    assert _words(service.answer_changes(run, "user.approve", {"prompt": "Ship?"}, {"decision": "approve"})) == ["ship"]
    assert _ops(service.answer_changes(run, "user.media_upload", {}, "media_abc")) == []
    long = " ".join(f"w{i}" for i in range(100))
    assert len(_ops(service.answer_changes(run, "user.text_input", {"prompt": long}, long))) == MAX_WORDS_PER_ANSWER
