"""A ComfyUI server's HTTP API, as `media.generate` uses it (stdlib only: nothing heavy to
import): upload an input image (`POST /upload/image`), queue a prompt (`POST /prompt`, with
our own `prompt_id`, which ComfyUI honours), look for it (`GET /history/{id}`, `GET /queue`),
download an output (`GET /view`), and drop a job (`POST /queue {delete}`, `POST /interrupt`).

The server is configuration (RELAY_COMFYUI_URL), never a workflow's: no SSRF check applies.
A server that cannot be reached, times out or answers 5xx raises ProviderUnavailableError
(Step Functions retries RunStep on it, then the run ends with PROVIDER_ERROR); a refusal
raises ComfyUIError; a prompt ComfyUI finds invalid raises ComfyUINodeErrorsError naming the
nodes and their errors."""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import HTTPHandler, HTTPSHandler, ProxyHandler, Request, build_opener

from relay.runtime.modules.exceptions import ModuleError

from . import ProviderUnavailableError


class ComfyUIError(ModuleError):
    """ComfyUI refused a request (4xx) or answered something that is not its API."""

    code = "COMFYUI_ERROR"


class ComfyUINodeErrorsError(ModuleError):
    """`POST /prompt` found the workflow graph invalid; `node_errors` names the nodes."""

    code = "COMFYUI_NODE_ERRORS"


@dataclass(frozen=True)
class OutputFile:
    node_id: str
    filename: str
    subfolder: str
    type: str  # output | temp | input
    kind: str  # the key it was listed under: images, gifs, audio, video …


@dataclass(frozen=True)
class HistoryEntry:
    status: str  # success | error | (empty while ComfyUI has not said)
    completed: bool
    outputs: list[OutputFile]
    messages: list[Any]

    def error_message(self) -> str:
        """ComfyUI's execution_error message (node, type, message), else the status."""
        for message in self.messages:
            if isinstance(message, list) and len(message) == 2 and message[0] == "execution_error":
                data = message[1] if isinstance(message[1], dict) else {}
                node = data.get("node_id")
                kind = data.get("node_type")
                text = data.get("exception_message") or data.get("exception_type") or "failed"
                return f"node {node} ({kind}): {str(text).strip()}"[:2000]
        return f"status {self.status or 'unknown'}"


def _describe_node_errors(node_errors: dict[str, Any]) -> str:
    parts = []
    for node_id, info in list(node_errors.items())[:10]:
        info = info if isinstance(info, dict) else {}
        errors = info.get("errors") or []
        texts = "; ".join(
            f"{e.get('message', '')}" + (f" ({e.get('details')})" if e.get("details") else "")
            for e in errors[:5]
            if isinstance(e, dict)
        )
        parts.append(f"node {node_id} ({info.get('class_type', '?')}): {texts or 'invalid'}")
    return "; ".join(parts)[:2000]


def _files(outputs: Any) -> list[OutputFile]:
    found = []
    for node_id, node_out in (outputs or {}).items():
        if not isinstance(node_out, dict):
            continue
        for kind, items in node_out.items():
            if not isinstance(items, list):
                continue
            found.extend(
                OutputFile(
                    str(node_id),
                    item["filename"],
                    str(item.get("subfolder") or ""),
                    str(item.get("type") or "output"),
                    kind,
                )
                for item in items
                if isinstance(item, dict) and isinstance(item.get("filename"), str)
            )
    return found


def _multipart(fields: dict[str, str], file_field: str, filename: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    boundary = "relay" + uuid.uuid4().hex
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [f"--{boundary}".encode(), f'Content-Disposition: form-data; name="{name}"'.encode(), b"", value.encode()]
    lines += [
        f"--{boundary}".encode(),
        f'Content-Disposition: form-data; name="{file_field}"; filename="{filename}"'.encode(),
        f"Content-Type: {content_type}".encode(),
        b"",
        data,
        f"--{boundary}--".encode(),
        b"",
    ]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"


class ComfyUIClient:
    def __init__(self, base_url: str, *, timeout_seconds: float = 30, max_download_bytes: int = 5 * 1024 * 1024) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._max_download = max_download_bytes
        # No proxies from the environment: the server is what the configuration says.
        self._opener = build_opener(ProxyHandler({}), HTTPHandler(), HTTPSHandler())

    # -- transport --------------------------------------------------------------------------
    def _call(
        self, method: str, path: str, *, body: bytes | None = None, content_type: str | None = None, limit: int | None = None
    ) -> tuple[bytes, str]:
        request = Request(self.base_url + path, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                data = response.read((limit or 16 * 1024 * 1024) + 1)
                if limit is not None and len(data) > limit:
                    raise ComfyUIError(f"ComfyUI {method} {path.split('?')[0]}: over {limit} bytes")
                return data, response.headers.get("Content-Type", "")
        except HTTPError as exc:
            payload = exc.read(64 * 1024)
            if exc.code >= 500:
                raise ProviderUnavailableError(
                    f"comfyui: {exc.code} on {method} {path.split('?')[0]}", status_code=exc.code
                ) from exc
            raise _HttpRefusalError(exc.code, payload) from exc
        except (URLError, TimeoutError, OSError) as exc:
            raise ProviderUnavailableError(
                f"comfyui: {self.base_url} unreachable ({method} {path.split('?')[0]}): {exc}"
            ) from exc

    def _json(self, method: str, path: str, payload: Any | None = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        try:
            data, _ = self._call(method, path, body=body, content_type="application/json" if body is not None else None)
        except _HttpRefusalError as refusal:
            raise ComfyUIError(f"ComfyUI refused {method} {path.split('?')[0]}: {refusal.code} {refusal.text()}") from None
        try:
            return json.loads(data) if data.strip() else None
        except ValueError as exc:
            raise ComfyUIError(f"ComfyUI answered {method} {path.split('?')[0]} with something that is not JSON") from exc

    # -- the API ----------------------------------------------------------------------------
    def upload_image(self, filename: str, data: bytes, content_type: str, *, subfolder: str = "") -> str:
        """The name to put in a LoadImage node's `image` input (`subfolder/name` when ComfyUI
        stored it in a subfolder)."""
        fields = {"type": "input", "overwrite": "true"}
        if subfolder:
            fields["subfolder"] = subfolder
        body, ctype = _multipart(fields, "image", filename, content_type, data)
        try:
            raw, _ = self._call("POST", "/upload/image", body=body, content_type=ctype)
        except _HttpRefusalError as refusal:
            raise ComfyUIError(f"ComfyUI refused the upload of {filename}: {refusal.code} {refusal.text()}") from None
        try:
            answer = json.loads(raw)
            name, folder = answer["name"], answer.get("subfolder") or ""
        except (ValueError, KeyError, TypeError) as exc:
            raise ComfyUIError("ComfyUI's /upload/image answer has no name") from exc
        return f"{folder}/{name}" if folder else name

    def queue(self, prompt: dict[str, Any], *, prompt_id: str, client_id: str) -> None:
        """Queue `prompt` under our `prompt_id`. Invalid: ComfyUINodeErrorsError."""
        body = json.dumps({"prompt": prompt, "client_id": client_id, "prompt_id": prompt_id}).encode()
        try:
            raw, _ = self._call("POST", "/prompt", body=body, content_type="application/json")
        except _HttpRefusalError as refusal:
            answer = refusal.json()
            node_errors = answer.get("node_errors") if isinstance(answer, dict) else None
            error = answer.get("error") if isinstance(answer, dict) else None
            message = error.get("message") if isinstance(error, dict) else (error if isinstance(error, str) else None)
            if node_errors:
                raise ComfyUINodeErrorsError(
                    f"ComfyUI refused the workflow: {_describe_node_errors(node_errors)}", node_errors=node_errors
                ) from None
            raise ComfyUINodeErrorsError(f"ComfyUI refused the workflow: {message or refusal.text()}") from None
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise ComfyUIError("ComfyUI's /prompt answer is not JSON") from exc
        if isinstance(answer, dict) and answer.get("node_errors"):
            raise ComfyUINodeErrorsError(
                f"ComfyUI refused the workflow: {_describe_node_errors(answer['node_errors'])}",
                node_errors=answer["node_errors"],
            )
        if not isinstance(answer, dict) or answer.get("prompt_id") not in (None, prompt_id):
            raise ComfyUIError(f"ComfyUI queued the prompt as {str(answer.get('prompt_id'))[:64]!r}, not {prompt_id}")

    def history(self, prompt_id: str) -> HistoryEntry | None:
        """None while the prompt has not finished (ComfyUI answers `{}`)."""
        answer = self._json("GET", f"/history/{quote(prompt_id, safe='')}")
        entry = answer.get(prompt_id) if isinstance(answer, dict) else None
        if not isinstance(entry, dict):
            return None
        status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
        return HistoryEntry(
            status=str(status.get("status_str") or ""),
            completed=bool(status.get("completed", True)),
            outputs=_files(entry.get("outputs")),
            messages=list(status.get("messages") or []),
        )

    def queue_state(self, prompt_id: str) -> str | None:
        """`running`, `pending`, or None when the queue does not hold the prompt."""
        answer = self._json("GET", "/queue") or {}
        for state, key in (("running", "queue_running"), ("pending", "queue_pending")):
            for item in answer.get(key) or []:
                if isinstance(item, list) and len(item) > 1 and item[1] == prompt_id:
                    return state
        return None

    def view(self, file: OutputFile) -> tuple[bytes, str]:
        """An output's bytes and Content-Type (at most max_download_bytes)."""
        query = urlencode({"filename": file.filename, "subfolder": file.subfolder, "type": file.type})
        try:
            return self._call("GET", f"/view?{query}", limit=self._max_download)
        except _HttpRefusalError as refusal:
            raise ComfyUIError(f"ComfyUI has no output {file.filename} of node {file.node_id}: {refusal.code}") from None

    def cancel(self, prompt_id: str) -> None:
        """Best effort: drop the prompt from the queue, and interrupt it if it runs."""
        for path, payload in (("/queue", {"delete": [prompt_id]}), ("/interrupt", {"prompt_id": prompt_id})):
            with contextlib.suppress(ComfyUIError, ProviderUnavailableError):
                self._json("POST", path, payload)


class _HttpRefusalError(Exception):
    def __init__(self, code: int, payload: bytes) -> None:
        super().__init__(code)
        self.code, self.payload = code, payload

    def json(self) -> Any:
        try:
            return json.loads(self.payload)
        except ValueError:
            return None

    def text(self) -> str:
        return self.payload.decode("utf-8", "replace")[:500]
