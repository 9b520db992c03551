"""advance() with api.llm: the injected LLM service is what the module calls; a transient
provider error leaves the interpreter (Step Functions retries RunStep) instead of failing the
run, after committing what completed before it in the same invocation."""

from __future__ import annotations

import pytest

from builders import compile_workflow, fmt, step
from relay.domain import Cursor, RunStatus
from relay.runtime.engine import advance
from relay.runtime.modules.capabilities import Capabilities
from relay.runtime.providers import ProviderError, ProviderThrottledError, ProviderUnavailableError


def llm(to: str = "reply", **inputs):
    return {
        "module_id": "api.llm",
        "inputs": {"messages": [{"role": "user", "content": "hi"}], **inputs},
        "outputs_to_state": {"text": to},
    }


class FakeLlm:
    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = []

    def choose(self, provider, model):
        return provider or "echo", model or "echo-1"

    def image(self, ref):
        raise AssertionError("no images here")

    def complete(self, **kwargs):
        self.calls.append(kwargs)
        if self.errors:
            raise self.errors.pop(0)
        return {
            "text": f"answer {len(self.calls)}",
            "data": None,
            "usage": {},
            "call_id": "call_1",
            "provider": kwargs["provider"],
            "model": kwargs["model"],
        }


def run(workflow, fake, cursor=None):
    return advance(
        workflow,
        run_id="run_1",
        project_name=None,
        inputs={},
        state={},
        cursor=cursor or Cursor(),
        pending=None,
        answer=None,
        default_timeout_seconds=60,
        capabilities=Capabilities(llm=fake),
    )


def test_the_module_calls_the_injected_service_with_the_chosen_provider():
    fake = FakeLlm()
    result = run(compile_workflow(step("s", llm(provider="openai", model="gpt-5-mini", max_tokens=10))), fake)
    assert result.status is RunStatus.completed and result.state["reply"] == "answer 1"
    call = fake.calls[0]
    assert (call["provider"], call["model"], call["max_tokens"], call["step_id"]) == ("openai", "gpt-5-mini", 10, "s")
    assert [(m.role, m.parts) for m in call["messages"]] == [("user", ["hi"])]


@pytest.mark.parametrize("error", [ProviderThrottledError("429"), ProviderUnavailableError("500")])
def test_a_transient_provider_error_first_in_the_invocation_leaves_run_step(error):
    with pytest.raises(type(error)):
        run(compile_workflow(step("s", llm())), FakeLlm(error))


def test_what_completed_before_it_is_committed_and_the_retry_starts_at_the_call():
    workflow = compile_workflow(step("a", fmt("x", to="first")), step("b", llm("one"), llm("two")))
    fake = FakeLlm()
    fake.errors = [None, ProviderThrottledError("429")]
    fake.complete = _failing_on_second(fake)
    result = run(workflow, fake)
    assert result.outcome == "continue" and result.status is RunStatus.running
    assert result.state["one"] == "answer 1" and "two" not in result.state
    assert (result.cursor.step_index, result.cursor.module_index) == (1, 1)
    # the next RunStep starts at the failing call: the first one is not repeated
    retried = FakeLlm(ProviderThrottledError("429"))
    with pytest.raises(ProviderThrottledError):
        run(workflow, retried, cursor=result.cursor)
    assert len(retried.calls) == 1


def _failing_on_second(fake):
    original = FakeLlm.complete

    def complete(**kwargs):
        error = fake.errors.pop(0) if fake.errors else None
        if error is not None:
            raise error
        fake_errors, fake.errors = fake.errors, []
        try:
            return original(fake, **kwargs)
        finally:
            fake.errors = fake_errors

    return complete


def test_a_refusal_fails_the_run_with_provider_error():
    result = run(compile_workflow(step("s", llm())), FakeLlm(ProviderError("openai: 400 no")))
    assert result.status is RunStatus.error
    assert (result.error.code, result.error.message) == ("PROVIDER_ERROR", "openai: 400 no")


def test_without_a_service_the_module_says_so():
    result = run(compile_workflow(step("s", llm())), None)
    assert result.error.code == "LLM_UNAVAILABLE"
