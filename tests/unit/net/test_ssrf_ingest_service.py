"""RunMedia.ingest: what the fetch gave becomes a ready media of the run (object first, tagged
for the run, then the record); a retried attempt (same rev) finds that media and fetches
nothing; another attempt is another media."""

from __future__ import annotations

from types import SimpleNamespace

from fake_media_site import PNG
from relay.exceptions import ConflictError
from relay.runtime.net.fetch import Fetched
from relay.runtime.scope import attempt_id
from relay.runtime.services.run_media import RunMediaFactory


class Repo:
    def __init__(self):
        self.items = {}

    def get(self, media_id):
        return self.items.get(media_id)

    def add(self, media):
        if media.media_id in self.items:
            raise ConflictError("exists")
        self.items[media.media_id] = media
        return media  # as MediaRepository.add: the media as stored


class Storage:
    def __init__(self, repo):
        self.repo, self.puts = repo, []

    def put(self, key, data, content_type, tags, disposition=None):
        assert not any(m.key == key for m in self.repo.items.values())  # the object before the record
        self.puts.append((key, data, content_type, tags))
        return "etag1"


class Fetcher:
    def __init__(self):
        self.calls = []

    def fetch(self, url, *, max_bytes, deadline_seconds, accept):
        self.calls.append((url, max_bytes, deadline_seconds, accept))
        return Fetched(url + "?final", "image/png", PNG)


def test_ingest_stores_a_ready_media_once_per_attempt():
    repo = Repo()
    storage, fetcher = Storage(repo), Fetcher()
    factory = RunMediaFactory(media=repo, storage=storage, comfyui_url=None, fetcher=fetcher, max_ingest_bytes=1000)
    run = SimpleNamespace(run_id="run_a", user_id="usr_a", rev=4)
    args = {"step_id": "s", "module_index": 0, "filename": None, "accept": None, "max_bytes": 5000, "deadline_seconds": 7}
    media, _ = factory.for_run(run, attempt_id(run)).ingest("https://cdn.example/a/b%20c.png", **args)
    assert media.status.value == "ready" and media.run_id == "run_a" and media.user_id == "usr_a"
    assert media.size_bytes == len(PNG) and media.content_type == "image/png" and media.retention == "run"
    assert media.key == f"ingested/usr_a/{media.media_id}/b_c.png" and media.filename == "b_c.png"
    assert storage.puts == [(media.key, PNG, "image/png", {"relay:retention": "run"})]
    assert fetcher.calls == [("https://cdn.example/a/b%20c.png", 1000, 7, None)]  # the deployment's cap wins

    again, fetched_again = factory.for_run(run, attempt_id(run)).ingest("https://cdn.example/a/b%20c.png", **args)
    assert again == media and fetched_again is None and len(fetcher.calls) == 1 and len(storage.puts) == 1

    later = factory.for_run(SimpleNamespace(run_id="run_a", user_id="usr_a", rev=5), "rev5").ingest(
        "https://cdn.example/x.png", **args
    )[0]
    assert later.media_id != media.media_id


def test_the_module_checks_its_inputs_at_submit():
    from relay.runtime.modules import get_module

    module = get_module("media.ingest_url")
    assert module.check_inputs({"url": "https://cdn.example/a.png", "accept": ["image/*", "audio/mpeg"]}) == []
    assert module.check_inputs({"url": "https://cdn.example/a.png", "accept": ["text/plain"]}) == [
        "accept.0: 'text/plain' is not image/…, audio/… or video/…"
    ]
    assert module.check_inputs({"url": "ftp://cdn.example/a.png"})[0].startswith("url:")
    assert module.check_inputs({"url": "$state.link"}) == []  # checked when the run resolves it
    assert module.check_inputs({"url": "https://x", "timeout_seconds": 600})[0].startswith("timeout_seconds")


def test_without_a_media_service_the_media_modules_fail_clearly():
    from builders import compile_workflow, step
    from relay.domain import Cursor
    from relay.runtime.engine import advance

    for module in (
        {"module_id": "media.ingest_url", "inputs": {"url": "https://cdn.example/a.png"}, "outputs_to_state": {}},
        {
            "module_id": "media.generate",
            "inputs": {"workflow": {"1": {"class_type": "SaveImage", "inputs": {}}}},
            "outputs_to_state": {},
        },
    ):
        result = advance(
            compile_workflow(step("s", module)),
            run_id="run_1",
            project_name=None,
            inputs={},
            state={},
            cursor=Cursor(),
            pending=None,
            answer=None,
            default_timeout_seconds=60,
        )
        assert result.outcome == "failed" and result.error.code == "MEDIA_UNAVAILABLE"
