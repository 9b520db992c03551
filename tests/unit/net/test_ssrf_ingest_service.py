"""RunMedia.ingest: what the fetch gave becomes a ready media of the run (object first, tagged
for the run, then the record); a retried attempt (same rev) finds that media and fetches
nothing; another attempt is another media."""

from __future__ import annotations

from types import SimpleNamespace

from fake_media_site import PNG

from relay.exceptions import ConflictError
from relay.net.fetch import Fetched
from relay.services.run_media import RunMediaFactory


class Repo:
    def __init__(self):
        self.items = {}

    def get(self, media_id):
        return self.items.get(media_id)

    def add(self, media):
        if media.media_id in self.items:
            raise ConflictError("exists")
        self.items[media.media_id] = media


class Storage:
    def __init__(self, repo):
        self.repo, self.puts = repo, []

    def put(self, key, data, content_type, tags):
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
    args = dict(step_id="s", module_index=0, filename=None, accept=None, max_bytes=5000, deadline_seconds=7)
    media, fetched = factory.for_run(run).ingest("https://cdn.example/a/b%20c.png", **args)
    assert media.status.value == "ready" and media.run_id == "run_a" and media.user_id == "usr_a"
    assert media.size_bytes == len(PNG) and media.content_type == "image/png" and media.retention == "run"
    assert media.key == f"ingested/usr_a/{media.media_id}/b_c.png" and media.filename == "b_c.png"
    assert storage.puts == [(media.key, PNG, "image/png", {"relay:retention": "run"})]
    assert fetcher.calls == [("https://cdn.example/a/b%20c.png", 1000, 7, None)]  # the deployment's cap wins

    again, fetched_again = factory.for_run(run).ingest("https://cdn.example/a/b%20c.png", **args)
    assert again == media and fetched_again is None and len(fetcher.calls) == 1 and len(storage.puts) == 1

    later = factory.for_run(SimpleNamespace(run_id="run_a", user_id="usr_a", rev=5)).ingest("https://cdn.example/x.png", **args)[0]
    assert later.media_id != media.media_id
