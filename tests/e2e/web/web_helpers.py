"""What the web UI tests share: users, workflows, a page with its console and dialogs recorded,
signing in through the form, screenshots, waiting for a run through the API."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from relay_local import ROOT, LocalServer, create_user

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

SHOTS = ROOT / "test-output" / "web"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
# A 16×16 PNG of one colour (the preview is visible in screenshots).
PNG16 = bytes.fromhex("89504e470d0a1a0a0000000d494844520000001000000010080200000090916836000000164944415478da63e08e594b126218d530aa61f86a000019ca14104a245d010000000049454e44ae426082")


def review_workflow(workflow_id: str = "webpath") -> dict:
    """Text, select, an LLM call (the offline echo provider), an image upload, two deliverables (a JSON post, the picture), approval of the post."""
    return {"workflow_id": workflow_id, "name": "Web path", "schema_version": "1.0", "steps": [
        {"step_id": "ask", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?", "max_length": 40},
                                        "outputs_to_state": {"value": "name"}}]},
        {"step_id": "pick", "modules": [{"module_id": "user.select", "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                                         "outputs_to_state": {"value": "tone"}}]},
        {"step_id": "greet", "modules": [{"module_id": "api.llm", "inputs": {"provider": "echo", "model": "echo-1", "messages": [
            {"role": "user", "content": "Say hello to $state.name"}]}, "outputs_to_state": {"text": "greeting"}}]},
        {"step_id": "photo", "modules": [{"module_id": "user.media_upload", "inputs": {
            "prompt": "A picture for the post", "accepted_types": ["image/png"], "max_size_mb": 5}, "outputs_to_state": {"media_id": "photo"}}]},
        {"step_id": "write", "modules": [
            {"module_id": "transform.format", "inputs": {"template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
             "outputs_to_state": {"value": "title"}},
            {"module_id": "artifact.store", "inputs": {"data": {"title": "$state.title"}, "artifact_name": "post",
                                                       "artifact_type": "deliverable", "format": "json"}, "outputs_to_state": {"artifact_id": "draft"}},
            {"module_id": "artifact.store", "inputs": {"data": {"media_id": "$state.photo"}, "artifact_name": "picture",
                                                       "artifact_type": "deliverable", "format": "binary"}, "outputs_to_state": {"artifact_id": "pic"}}]},
        {"step_id": "review", "modules": [{"module_id": "user.approve", "inputs": {"artifact_name": "post", "prompt": "Publish this post?"},
                                           "outputs_to_state": {"artifact_id": "approved"}}]}]}


def text_workflow(workflow_id: str = "asktwice") -> dict:
    return {"workflow_id": workflow_id, "schema_version": "1.0", "steps": [
        {"step_id": "first", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "First answer?", "max_length": 20},
                                          "outputs_to_state": {"value": "one"}}]},
        {"step_id": "second", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Second answer?"},
                                           "outputs_to_state": {"value": "two"}}]}]}


@dataclass
class WebUser:
    server: LocalServer
    username: str
    key: str

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)

    def submit(self, workflow: dict, **fields: str) -> dict:
        with self.api() as api:
            answer = api.post("/v1/templates", json={"workflow": workflow, **fields})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def start(self, template_name: str, project_name: str = "web") -> str:
        with self.api() as api:
            answer = api.post("/v1/runs", json={"template_name": template_name, "project_name": project_name})
        assert answer.status_code == 201, answer.text
        return answer.json()["run_id"]

    def wait_for(self, run_id: str, status: str, step: str | None = None, timeout: float = 60) -> dict:
        """The run once it has `status` (at `step`); the API's view, for setting a test up."""
        deadline = time.monotonic() + timeout
        with self.api() as api:
            while True:
                run = api.get(f"/v1/runs/{run_id}").json()
                if run["status"] == status and (step is None or run["current_step"] == step):
                    return run
                assert time.monotonic() < deadline, f"run {run_id} never reached {status} {step}: {run}"
                time.sleep(0.1)

    def answer(self, run_id: str, step_id: str, value: object) -> None:
        with self.api() as api:
            answered = api.post(f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": value})
        assert answered.status_code == 202, answered.text


def make_web_user(server: LocalServer) -> WebUser:
    username, key = create_user(server, prefix="web")
    return WebUser(server, username, key)


@dataclass
class Browsed:
    context: BrowserContext
    page: Page
    test_name: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))

        def dialog(d) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        self.page.on("dialog", dialog)

    def sign_in(self, key: str) -> None:
        page = self.page
        page.goto("/")
        page.get_by_label("API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", level=1, name="Runs").wait_for()

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.test_name}-{name}.png".replace("/", "_")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def real_errors(self) -> list[str]:
        """Console errors but the ones a test caused on purpose (4xx answers it asked for)."""
        return [p for p in self.problems if "Failed to load resource" not in p]


def upload_media(user: WebUser, run_id: str, content: bytes, filename: str = "pic.png", content_type: str = "image/png") -> str:
    """A ready media of the run, uploaded as the page does (presigned POST, then complete)."""
    with user.api() as api:
        made = api.post("/v1/media", json={"filename": filename, "content_type": content_type, "size_bytes": len(content), "run_id": run_id})
        assert made.status_code == 201, made.text
        upload = made.json()["upload"]
        posted = httpx.post(upload["url"], data=upload["fields"], files={"file": (filename, content, content_type)}, timeout=30)
        assert posted.status_code == 204, posted.text
        done = api.post(f"/v1/media/{made.json()['media_id']}/complete")
        assert done.json()["status"] == "ready", done.text
    return made.json()["media_id"]


def run_to_review(user: WebUser, template: str = "webpath", project: str = "a11y") -> str:
    """A run of review_workflow() answered through the API up to its approval pause."""
    run_id = user.start(template, project_name=project)
    user.wait_for(run_id, "awaiting_input", "ask")
    user.answer(run_id, "ask", "Ada")
    user.wait_for(run_id, "awaiting_input", "pick")
    user.answer(run_id, "pick", "warm")
    user.wait_for(run_id, "awaiting_input", "photo")
    user.answer(run_id, "photo", {"media_id": upload_media(user, run_id, PNG16)})
    user.wait_for(run_id, "awaiting_input", "review")
    return run_id
