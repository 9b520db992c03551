"""Following a run: a pause whose value is ready (--answer) is answered from its event, with no
read of the run first; a followed run's history (attach), an approval or a pause asked of a
person is read first, so the question is the run's open one."""

from __future__ import annotations

import io
import json

import httpx

from relay_client import Relay
from relay_client.cli.follow import Follower
from relay_client.cli.output import Output
from relay_client.cli.pauses import PauseAnswerer
from relay_client.cli.terminal import Terminal

REQUEST = {"prompt": "Tone?", "options": [{"value": "warm", "label": None}], "multiple": False}
PAUSED = {
    "input_id": "inp_1",
    "run_id": "run_1",
    "step_id": "pick",
    "module_id": "user.select",
    "prompt": "Tone?",
    "options": REQUEST["options"],
    "request": REQUEST,
    "created_at": "t",
    "expires_at": "t",
    "artifact": None,
}
RUN = {"run_id": "run_1", "status": "awaiting_input", "pending_input": PAUSED}


def _frames() -> str:
    paused = {"seq": 1, "event_type": "input_requested", "step_id": "pick", "timestamp": "t"}
    paused["data"] = {"input_id": "inp_1", "module_id": "user.select", "request": REQUEST, "expires_at": "t"}
    end = {"run_id": "run_1", "status": "completed", "last_event_id": 1}
    return f"id: 1\nevent: input_requested\ndata: {json.dumps(paused)}\n\nevent: end\ndata: {json.dumps(end)}\n\n"


def follow(answers: dict[str, str], run: dict | None) -> list[str]:
    seen: list[str] = []
    answered: list[bool] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/events/stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, text=_frames())
        if request.method == "POST":
            assert json.loads(request.content) == {"step_id": "pick", "value": "warm"}
            answered.append(True)
            return httpx.Response(202, json={"run_id": "run_1"})
        return httpx.Response(200, json={**RUN, "status": "running", "pending_input": None} if answered else RUN)

    relay = Relay("http://api.test", "rk_k", transport=httpx.MockTransport(handler))
    out = Output(stdout=io.StringIO(), stderr=io.StringIO())
    answerer = PauseAnswerer(relay, out, Terminal(), "run_1", answers, {}, no_input=True)
    Follower(relay, out, answerer).follow(run)  # type: ignore[arg-type]
    assert answerer.answered == {"inp_1"}
    return seen


def test_a_scripted_answer_is_sent_from_the_event_without_reading_the_run():
    assert follow({"pick": "warm"}, None) == [
        "GET /v1/runs/run_1/events/stream",
        "POST /v1/runs/run_1/input",
        "GET /v1/runs/run_1",  # the final state, once
    ]


def test_an_attached_run_is_read_before_its_pause_is_answered():
    assert follow({"pick": "warm"}, RUN) == [
        "GET /v1/runs/run_1",
        "POST /v1/runs/run_1/input",
        "GET /v1/runs/run_1/events/stream",
        "GET /v1/runs/run_1",  # the replayed pause: no longer open, not answered twice
        "GET /v1/runs/run_1",
    ]
