"""A local HTTP server speaking the part of ComfyUI's API that media.generate uses:
`POST /upload/image` (multipart), `POST /prompt` (our prompt_id honoured), `GET
/history/{id}` (`{}` until done), `GET /queue`, `GET /view`, `POST /queue {delete}`,
`POST /interrupt`. Loopback only.

Node classes it knows: `LoadImage` and `LoadImageMask` (`image` must name an uploaded file), `CLIPTextEncode`
(needs `text`), `SaveImage` (makes one PNG per prompt, holding the prompt's text), and
`RelayFakeControl`, which steers the job through its inputs:
  `polls`  history answers `{}` this many times before the job is done (default 0);
           the first of them finds it pending, the rest running
  `fail`   the job ends with ComfyUI's execution_error carrying this message
  `never`  the job never finishes;  `lose`  the server forgets the job (as after a restart)
  `seconds` the job is done no sooner than this many seconds after it was queued
  `history_status`  /history of the job answers this HTTP status (e.g. 500: the server is down)
An unknown class is refused as ComfyUI does (an error, no node_errors); a node missing a
required input is refused with `node_errors` naming it. `RelayFakeControl` is no ComfyUI
class, so a deployment that sends it allows it: TEST_NODE_ALLOW_LIST.

What it received is kept for tests: `upload_log` (each upload's subfolder, filename, type and
overwrite fields, as sent), `uploads` (by the name LoadImage takes: `subfolder/filename`),
`prompts` and `queued` (per prompt id), `requests` (method, path). An upload whose subfolder
leaves the input folder is refused (400), as ComfyUI does."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback_server import LoopbackServer

TEST_NODE_ALLOW_LIST = "DEFAULT,RelayFakeControl"  # ComfyUINodeAllowList of deployments using this fake
PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
_REQUIRED = {
    "LoadImage": ["image"],
    "LoadImageMask": ["image"],
    "CLIPTextEncode": ["text"],
    "SaveImage": ["images"],
    "RelayFakeControl": [],
}


class FakeComfyUI(LoopbackServer):
    def __init__(self) -> None:
        self.uploads: dict[str, bytes] = {}
        self.upload_log: list[dict[str, str]] = []
        self.prompts: dict[str, dict[str, Any]] = {}
        self.queued: Counter[str] = Counter()  # POST /prompt per prompt_id
        self.deleted: list[str] = []
        self.interrupted: list[str] = []
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeComfyUI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body, ctype = fake.answer(method, self.path, self.headers.get("content-type", ""), raw)
                self._send(status, body if isinstance(body, bytes) else json.dumps(body).encode(), ctype)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        return self._serve(Handler, "fake-comfyui")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- the API -----------------------------------------------------------------------------
    def answer(self, method: str, path: str, content_type: str, raw: bytes) -> tuple[int, Any, str]:
        parts = urlsplit(path)
        with self._lock:
            self.requests.append((method, parts.path))
            if method == "POST" and parts.path == "/upload/image":
                return self._upload(content_type, raw)
            if method == "POST" and parts.path == "/prompt":
                return self._prompt(json.loads(raw or b"{}"))
            if method == "GET" and parts.path.startswith("/history/"):
                return self._history(parts.path.rsplit("/", 1)[1])
            if method == "GET" and parts.path == "/queue":
                return self._queue()
            if method == "GET" and parts.path == "/view":
                query = parse_qs(parts.query)
                name = query.get("filename", [""])[0]
                if query.get("type", ["output"])[0] != "output" or name not in self.files:
                    return 404, b"", "text/plain"
                return 200, self.files[name], "image/png"
            if method == "POST" and parts.path == "/queue":
                self.deleted += json.loads(raw or b"{}").get("delete", [])
                return 200, b"", "text/plain"
            if method == "POST" and parts.path == "/interrupt":
                self.interrupted.append(json.loads(raw or b"{}").get("prompt_id"))
                return 200, b"", "text/plain"
        return 404, {"error": "not found"}, "application/json"

    def _upload(self, content_type: str, raw: bytes) -> tuple[int, Any, str]:
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        fields, image = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "image":
                image = (part.get_filename(), part.get_payload(decode=True))
            else:
                fields[name] = part.get_content().strip()
        if image is None:
            return 400, b"", "text/plain"
        subfolder = fields.get("subfolder", "")
        self.upload_log.append(
            {
                "subfolder": subfolder,
                "filename": image[0] or "",
                "type": fields.get("type", ""),
                "overwrite": fields.get("overwrite", ""),
            }
        )
        parts = subfolder.split("/") if subfolder else []
        if any(part in ("", ".", "..") for part in parts) or not image[0] or "/" in image[0]:
            return 400, b"", "text/plain"  # outside the input folder
        key = f"{subfolder}/{image[0]}" if subfolder else image[0]
        self.uploads[key] = image[1]
        return 200, {"name": image[0], "subfolder": subfolder, "type": fields.get("type", "input")}, "application/json"

    def _prompt(self, body: dict[str, Any]) -> tuple[int, Any, str]:
        graph = body.get("prompt") or {}
        prompt_id = body.get("prompt_id") or f"fake-{len(self.prompts)}"
        node_errors = {}
        for node_id, node in graph.items():
            cls = node.get("class_type")
            if cls not in _REQUIRED:
                error = {
                    "type": "invalid_prompt",
                    "message": f"Cannot execute because node {cls} does not exist.",
                    "details": f"Node ID '#{node_id}'",
                    "extra_info": {},
                }
                return 400, {"error": error, "node_errors": {}}, "application/json"
            inputs = node.get("inputs") or {}
            missing = [name for name in _REQUIRED[cls] if name not in inputs]
            if cls in ("LoadImage", "LoadImageMask") and "image" in inputs and inputs["image"] not in self.uploads:
                node_errors[node_id] = {
                    "errors": [
                        {
                            "type": "custom_validation_failed",
                            "message": "Custom validation failed for node",
                            "details": f"image - Invalid image file: {inputs['image']}",
                            "extra_info": {},
                        }
                    ],
                    "dependent_outputs": [],
                    "class_type": cls,
                }
            if missing:
                node_errors[node_id] = {
                    "errors": [
                        {
                            "type": "required_input_missing",
                            "message": "Required input is missing",
                            "details": name,
                            "extra_info": {"input_name": name},
                        }
                        for name in missing
                    ],
                    "dependent_outputs": [],
                    "class_type": cls,
                }
        if node_errors:
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return 400, {"error": error, "node_errors": node_errors}, "application/json"
        self.queued[prompt_id] += 1
        control = next((n.get("inputs") or {} for n in graph.values() if n.get("class_type") == "RelayFakeControl"), {})
        self.prompts[prompt_id] = {
            "graph": graph,
            "client_id": body.get("client_id"),
            "polls": int(control.get("polls", 0)),
            "seen": 0,
            "control": control,
            "number": len(self.prompts),
            "queued_at": time.monotonic(),
        }
        return 200, {"prompt_id": prompt_id, "number": len(self.prompts), "node_errors": {}}, "application/json"

    def _done(self, prompt: dict[str, Any]) -> bool:
        control = prompt["control"]
        if control.get("seconds") and time.monotonic() - prompt["queued_at"] < float(control["seconds"]):
            return False
        return not control.get("never") and not control.get("lose") and prompt["seen"] > prompt["polls"]

    def _history(self, prompt_id: str) -> tuple[int, Any, str]:
        prompt = self.prompts.get(prompt_id)
        if prompt is None or prompt["control"].get("lose") or prompt_id in self.deleted:
            return 200, {}, "application/json"
        prompt["seen"] += 1
        if prompt["control"].get("history_status"):
            return int(prompt["control"]["history_status"]), b"unavailable", "text/plain"
        if not self._done(prompt):
            return 200, {}, "application/json"
        control = prompt["control"]
        if control.get("fail"):
            messages = [
                ["execution_start", {"prompt_id": prompt_id}],
                [
                    "execution_error",
                    {
                        "prompt_id": prompt_id,
                        "node_id": "3",
                        "node_type": "KSampler",
                        "exception_message": control["fail"],
                        "exception_type": "RuntimeError",
                    },
                ],
            ]
            return (
                200,
                {
                    prompt_id: {
                        "prompt": [],
                        "outputs": {},
                        "status": {"status_str": "error", "completed": False, "messages": messages},
                    }
                },
                "application/json",
            )
        outputs = {}
        for node_id, node in prompt["graph"].items():
            if node.get("class_type") == "SaveImage":
                name = f"ComfyUI_{prompt['number']:05}_{node_id}_.png"
                text = json.dumps(
                    [n.get("inputs", {}).get("text") for n in prompt["graph"].values() if n.get("class_type") == "CLIPTextEncode"]
                )
                self.files[name] = PNG_HEAD + text.encode() + prompt_id.encode()
                outputs[node_id] = {"images": [{"filename": name, "subfolder": "", "type": "output"}]}
        status = {"status_str": "success", "completed": True, "messages": [["execution_success", {"prompt_id": prompt_id}]]}
        return 200, {prompt_id: {"prompt": [], "outputs": outputs, "status": status}}, "application/json"

    def _queue(self) -> tuple[int, Any, str]:
        running, pending = [], []
        for prompt_id, prompt in self.prompts.items():
            if prompt_id in self.deleted or prompt["control"].get("lose") or self._done(prompt):
                continue
            item = [prompt["number"], prompt_id, prompt["graph"], {"client_id": prompt["client_id"]}, []]
            (running if prompt["seen"] > 1 else pending).append(item)
        return 200, {"queue_running": running, "queue_pending": pending}, "application/json"


def graph(**control):
    """A small graph this fake runs: prompt text from `$state.prompt`, an input image, one saved
    output; `control` (RelayFakeControl's inputs) steers the job."""
    nodes = {
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "$state.prompt"}},
        "10": {"class_type": "LoadImage", "inputs": {"image": "placeholder.png"}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
    }
    if control:
        nodes["99"] = {"class_type": "RelayFakeControl", "inputs": control}
    return nodes
