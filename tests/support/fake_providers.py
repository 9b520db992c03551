"""A local HTTP server speaking the OpenAI Responses (`POST /v1/responses`) and Anthropic
Messages (`POST /v1/messages`) wire formats, for the real SDKs to call (OPENAI_BASE_URL =
`<url>/v1`, ANTHROPIC_BASE_URL = `<url>`). Loopback only.

What it does is chosen by the model name, so runs driven through the local cloud can ask for
it too: a name containing
  `status-500`      always 500;  `status-429-once`  429 on the first call of that model, then ok
  `status-429-twice` 429 on the first two calls of that model, then ok
  `status-400`      always 400;  `slow`             sleeps `slow_seconds` before answering
  `invalid-once`    with a schema: a reply that does not fit it first, then one that does
  `invalid`         with a schema: never fits
Otherwise it answers: text `echo: <last user text> [images: n]`; with a schema (OpenAI
`text.format`, Anthropic's forced tool) a minimal valid object. Usage carries cached and
reasoning tokens. Every request is kept in `requests` (path, headers, JSON body)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback_server import LoopbackServer
from relay.runtime.providers.echo import minimal_instance

OPENAI_USAGE = {
    "input_tokens": 100,
    "input_tokens_details": {"cached_tokens": 40},
    "output_tokens": 20,
    "output_tokens_details": {"reasoning_tokens": 8},
    "total_tokens": 120,
}
ANTHROPIC_USAGE = {"input_tokens": 60, "cache_read_input_tokens": 40, "cache_creation_input_tokens": 0, "output_tokens": 20}


def _last_user_text(messages: list[dict[str, Any]]) -> tuple[str, int]:
    text, images = "", 0
    for message in messages:
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for part in parts:
            if part.get("type") in ("input_image", "image"):
                images += 1
            elif message.get("role") == "user" and part.get("type") in ("input_text", "text"):
                text = part["text"]
    return text, images


class FakeProviders(LoopbackServer):
    def __init__(self, slow_seconds: float = 3.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeProviders:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload, headers = fake.answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away

        return self._serve(Handler, "fake-providers")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def calls_of(self, model: str) -> list[dict[str, Any]]:
        return [body for _, _, body in self.requests if body.get("model") == model]

    # -- behaviour ---------------------------------------------------------------------------
    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        model = str(body.get("model", ""))
        with self._lock:
            self.requests.append((path, headers, body))
            self._calls[model] += 1
            n = self._calls[model]
        anthropic = path.rstrip("/").endswith("/messages")
        if "slow" in model:
            time.sleep(self.slow_seconds)
        if "status-500" in model:
            return self._error(anthropic, 500, "the fake provider is down")
        if "status-400" in model:
            return self._error(anthropic, 400, "the fake provider refuses this request")
        if ("status-429-once" in model and n == 1) or ("status-429-twice" in model and n <= 2):
            return self._error(anthropic, 429, "rate limited, slow down")
        invalid = "invalid" in model and not ("invalid-once" in model and n > 1)
        return 200, (self._anthropic(body, invalid) if anthropic else self._openai(body, invalid)), {}

    @staticmethod
    def _error(anthropic: bool, status: int, message: str) -> tuple[int, Any, dict[str, str]]:
        kind = {400: "invalid_request_error", 429: "rate_limit_error"}.get(status, "api_error")
        payload = (
            {"type": "error", "error": {"type": kind, "message": message}}
            if anthropic
            else {"error": {"message": message, "type": kind, "param": None, "code": None}}
        )
        return status, payload, {"retry-after-ms": "10", "retry-after": "0"}

    @staticmethod
    def _openai(body: dict[str, Any], invalid: bool) -> dict[str, Any]:
        text, images = _last_user_text(body.get("input", []))
        fmt = (body.get("text") or {}).get("format") or {}
        if fmt.get("type") == "json_schema":
            out = json.dumps({"unexpected": True} if invalid else minimal_instance(fmt["schema"], text))
        else:
            out = f"echo: {text} [images: {images}]"
        return {
            "id": "resp_fake1",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": body.get("model"),
            "output": [
                {
                    "type": "message",
                    "id": "msg_fake1",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": out, "annotations": []}],
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": OPENAI_USAGE,
        }

    @staticmethod
    def _anthropic(body: dict[str, Any], invalid: bool) -> dict[str, Any]:
        text, images = _last_user_text(body.get("messages", []))
        tools = body.get("tools") or []
        if tools:
            tool = tools[0]
            value = {"unexpected": True} if invalid else minimal_instance(tool["input_schema"], text)
            content = [{"type": "tool_use", "id": "toolu_fake1", "name": tool["name"], "input": value}]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": f"echo: {text} [images: {images}]"}]
            stop = "end_turn"
        return {
            "id": "msg_fake1",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": ANTHROPIC_USAGE,
        }
