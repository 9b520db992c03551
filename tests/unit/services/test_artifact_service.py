"""ArtifactService with in-memory fakes: inline vs S3 content and retention, idempotent
stores, the lineage rules (version + 1, parent, exactly one latest, a non-latest edit is a
409 and changes nothing), decisions outside a pause, tenancy and ids without a read."""

from __future__ import annotations

import base64
import hashlib
import inspect
from types import SimpleNamespace

import pytest

from relay.adapters.artifacts import ArtifactRepository
from relay.domain.artifacts import INLINE_MAX_BYTES, ArtifactFormat, ArtifactStatus, ArtifactType
from relay.domain.exceptions import ArtifactExistsError, NotLatestVersionError
from relay.domain.media import Media, MediaStatus
from relay.exceptions import InvalidRequestError, NotFoundError, PayloadTooLargeError
from relay.ids import derived_id
from relay.runtime.scope import RunArtifacts
from relay.services.artifacts import ArtifactService
from relay.services.exceptions import ArtifactNotPendingError

ALICE = SimpleNamespace(user_id="usr_alice", username="alice")
BOB = SimpleNamespace(user_id="usr_bob", username="bob")


class FakeArtifactRepo:
    """The lineage rules of ArtifactRepository, in a dict."""

    def __init__(self):
        self.items = {}
        self.gets = 0

    def get(self, artifact_id):
        self.gets += 1
        return self.items.get(artifact_id)

    def add(self, artifact):
        if artifact.artifact_id in self.items:
            raise ArtifactExistsError("exists")
        self.items[artifact.artifact_id] = artifact

    def add_version(self, parent, child, *, from_upload=False):
        current = self.items[parent.artifact_id]
        if not current.is_latest:
            raise NotLatestVersionError("not latest")
        existing = self.items.get(child.artifact_id)
        if (existing is not None) != from_upload or (from_upload and existing.upload_expires_at is None):
            raise ArtifactExistsError("exists")
        self.items[parent.artifact_id] = current.model_copy(update={"is_latest": False})
        self.items[child.artifact_id] = child

    def latest(self, run_id, artifact_name):
        found = [a for a in self.items.values() if a.run_id == run_id and a.artifact_name == artifact_name and a.is_latest]
        assert len(found) <= 1
        return found[0] if found else None

    def versions(self, run_id, artifact_name):
        return sorted(
            (a for a in self.items.values() if a.run_id == run_id and a.artifact_name == artifact_name),
            key=lambda a: a.version,
        )

    def list_for_run(self, run_id, artifact_type, cursor, limit):
        mine = [
            a for a in self.items.values() if a.run_id == run_id and (artifact_type is None or a.artifact_type == artifact_type)
        ]
        return mine[:limit], None

    def decide(self, artifact_id, status, decided_by, decided_at, reason):
        current = self.items[artifact_id]
        if not current.is_latest or current.status not in (ArtifactStatus.pending, ArtifactStatus.edited):
            return None
        self.items[artifact_id] = current.model_copy(
            update={"status": status, "decided_by": decided_by, "decided_at": decided_at, "reason": reason}
        )
        return self.items[artifact_id]


class FakeStorage:
    def __init__(self):
        self.objects = {}  # key -> (bytes, content_type, tags)
        self.copies = []
        self.dispositions = {}

    def put(self, key, body, content_type, tags, disposition=None):
        self.objects[key] = (body, content_type, tags)
        self.dispositions[key] = disposition

    def copy_from(self, bucket, source_key, key, content_type, tags, disposition=None):
        self.dispositions[key] = disposition
        self.copies.append((bucket, source_key, key))
        self.objects[key] = (b"<copied>", content_type, tags)

    def get(self, key):
        return self.objects[key][0] if key in self.objects else None

    def tags(self, key):
        return self.objects[key][2]

    def presign_get(self, key, content_type, disposition, expires_in):
        return f"https://artifacts.s3/{key}"


def test_the_fake_mirrors_the_repository():
    def methods(cls):
        return {
            name: [p for p in inspect.signature(m).parameters if p != "self"]
            for name, m in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")
        }

    assert methods(FakeArtifactRepo) == methods(ArtifactRepository)


class FakeRuns:
    def __init__(self):
        self.runs = {"run_1": SimpleNamespace(run_id="run_1", user_id=ALICE.user_id)}

    def get(self, run_id):
        return self.runs.get(run_id)


class FakeMedia:
    def __init__(self):
        self.items = {}

    def get(self, media_id):
        return self.items.get(media_id)


@pytest.fixture
def parts():
    return SimpleNamespace(repo=FakeArtifactRepo(), storage=FakeStorage(), runs=FakeRuns(), media=FakeMedia())


@pytest.fixture
def service(parts):
    return ArtifactService(parts.repo, parts.storage, parts.runs, parts.media, "media-bucket")


def store(service, artifact_id="art_1", name="draft", kind="deliverable", fmt="json", data=None, **kw):
    return service.store(
        artifact_id=artifact_id,
        run_id="run_1",
        user_id=ALICE.user_id,
        step_id="write",
        name=name,
        artifact_type=ArtifactType(kind),
        fmt=ArtifactFormat(fmt),
        data={"t": 1} if data is None else data,
        **kw,
    )


def test_small_content_is_inline_and_large_goes_to_s3_tagged_by_type(service, parts):
    small = store(service, "art_small", data={"title": "x"})
    assert small.inline and small.content == {"title": "x"} and small.key is None
    assert small.status is ArtifactStatus.pending and small.retention == "keep" and small.ttl is None
    assert small.sha256 == hashlib.sha256(b'{"title":"x"}').hexdigest() and small.size_bytes == 13

    big = store(service, "art_big", name="log", kind="debug", fmt="text", data="x" * (INLINE_MAX_BYTES + 1))
    assert not big.inline and big.key == "runs/run_1/artifacts/art_big/content.txt"
    assert parts.storage.objects[big.key][2] == {"relay:retention": "7d"}
    assert big.status is ArtifactStatus.auto_approved and big.ttl is not None and big.expires_at
    assert service.content(big) == "x" * (INLINE_MAX_BYTES + 1)

    blob = store(service, "art_bin", name="blob", kind="state", fmt="binary", data=base64.b64encode(b"\x00\x01").decode())
    assert blob.key.endswith("/content.bin") and parts.storage.objects[blob.key][0] == b"\x00\x01"
    assert parts.storage.objects[blob.key][2] == {"relay:retention": "run"} and blob.ttl is None


def test_binary_from_a_media_is_copied_server_side_and_must_be_the_users_ready_media(service, parts):
    def media(media_id, **changes):
        fields = {
            "media_id": media_id,
            "user_id": ALICE.user_id,
            "filename": "p.png",
            "content_type": "image/png",
            "declared_size": 10,
            "size_bytes": 10,
            "sha256": "ab" * 32,
            "status": MediaStatus.ready,
            "key": f"uploads/usr_alice/{media_id}/p.png",
            "retention": "1d",
            "created_at": "t",
            "updated_at": "t",
        }
        fields.update(changes)
        parts.media.items[media_id] = Media(**fields)

    media("media_good")
    stored = store(service, "art_pic", name="pic", fmt="binary", data={"media_id": "media_good"})
    assert stored.media_id == "media_good" and stored.content_type == "image/png" and stored.sha256 == "ab" * 32
    assert parts.storage.copies == [("media-bucket", "uploads/usr_alice/media_good/p.png", stored.key)]

    media("media_bobs", user_id=BOB.user_id)
    media("media_pending", status=MediaStatus.pending)
    media("media_elsewhere", run_id="run_2")
    with pytest.raises(NotFoundError):
        store(service, "art_a", name="a", fmt="binary", data={"media_id": "media_bobs"})
    with pytest.raises(NotFoundError):
        store(service, "art_b", name="b", fmt="binary", data={"media_id": "not an id"})
    for media_id in ("media_pending", "media_elsewhere"):
        with pytest.raises(InvalidRequestError):
            store(service, "art_c", name="c", fmt="binary", data={"media_id": media_id})
    with pytest.raises(InvalidRequestError):
        store(service, "art_d", name="d", fmt="binary", data="not base64!")
    assert set(parts.repo.items) == {"art_pic"}


def test_a_retried_store_is_idempotent_and_a_new_store_is_the_next_version(service, parts):
    first = store(service, "art_1")
    assert store(service, "art_1", data={"other": True}) == first
    second = store(service, "art_2", data={"t": 2})
    assert (second.version, second.parent_artifact_id, second.is_latest) == (2, "art_1", True)
    assert parts.repo.items["art_1"].is_latest is False


def test_run_artifacts_derive_ids_from_the_attempt(service):
    bound = RunArtifacts(service, "run_1", ALICE.user_id, "rev3")
    a = bound.store(step_id="s", name="n", artifact_type="debug", fmt="json", data=1, content_type=None)
    retry = RunArtifacts(service, "run_1", ALICE.user_id, "rev3")
    assert retry.store(step_id="s", name="n", artifact_type="debug", fmt="json", data=1, content_type=None) == a
    assert a.artifact_id == derived_id("art", "run_1", "rev3", 1, "s", "n") and a.artifact_id.startswith("art_")
    assert bound.find(name="n") == a and bound.find(artifact_id=a.artifact_id) == a
    assert RunArtifacts(service, "run_1", BOB.user_id, "rev1").find(artifact_id=a.artifact_id) is None


def test_edits_make_the_next_version_and_only_of_the_latest(service, parts):
    first = store(service, "art_1")
    edited = service.edit(ALICE, "art_1", {"t": "edited"})
    assert edited.version == 2 and edited.parent_artifact_id == "art_1" and edited.status is ArtifactStatus.edited
    assert edited.step_id is None and edited.is_latest and edited.retention == first.retention
    before = dict(parts.repo.items)
    with pytest.raises(NotLatestVersionError):
        service.edit(ALICE, "art_1", {"t": "again"})
    assert parts.repo.items == before
    third = service.edit(ALICE, edited.artifact_id, {"t": 3})
    assert [(a.version, a.is_latest) for a in service.versions(ALICE, "art_1")] == [(1, False), (2, False), (3, True)]
    assert service.versions(ALICE, third.artifact_id) == service.versions(ALICE, "art_1")


def test_edits_check_format_size_and_tenancy(service, parts):
    store(service, "art_t", name="t", fmt="text", data="hello")
    store(service, "art_b", name="b", fmt="binary", data=base64.b64encode(b"x").decode())
    before = dict(parts.repo.items)
    with pytest.raises(InvalidRequestError) as bad:
        service.edit(ALICE, "art_t", {"not": "text"})
    assert bad.value.code == "INVALID_ARTIFACT_CONTENT"
    with pytest.raises(InvalidRequestError):
        service.edit(ALICE, "art_b", "eA==")
    with pytest.raises(PayloadTooLargeError) as big:
        service.edit(ALICE, "art_t", "y" * (5 * 1024 * 1024 + 1))
    assert big.value.code == "ARTIFACT_TOO_LARGE"
    with pytest.raises(NotFoundError):
        service.edit(BOB, "art_t", "mine now")
    assert parts.repo.items == before


def test_reads_answer_404_for_other_tenants_expired_and_non_ids_without_a_read(service, parts):
    store(service, "art_1")
    assert service.get(ALICE, "art_1").artifact_id == "art_1"
    with pytest.raises(NotFoundError):
        service.get(BOB, "art_1")
    reads = parts.repo.gets
    for bad in ("not-an-id", "art_", "run_1", "art_UPPER", "art_1/../x"):
        with pytest.raises(NotFoundError):
            service.get(ALICE, bad)
    assert parts.repo.gets == reads
    parts.repo.items["art_1"] = parts.repo.items["art_1"].model_copy(update={"expires_at": "2000-01-01T00:00:00.000000Z"})
    with pytest.raises(NotFoundError):
        service.get(ALICE, "art_1")
    with pytest.raises(NotFoundError):
        service.list_for_run(BOB, "run_1", None, None, 10)


def test_decisions_outside_a_pause(service, parts):
    first = store(service, "art_1")
    approved = service.decide(ALICE, first, True, "fine")
    assert approved.status is ArtifactStatus.approved and approved.decided_by == "alice" and approved.reason == "fine"
    with pytest.raises(ArtifactNotPendingError) as again:
        service.decide(ALICE, parts.repo.items["art_1"], False, "no")
    assert again.value.extra["status_now"] == "approved"
    edited = service.edit(ALICE, "art_1", {"t": 2})  # an approved version may be edited: awaiting a decision again
    with pytest.raises(NotLatestVersionError):
        service.decide(ALICE, parts.repo.items["art_1"], False, "old")
    assert service.decide(ALICE, edited, False, "no").status is ArtifactStatus.rejected
    debug = store(service, "art_d", name="d", kind="debug")
    with pytest.raises(ArtifactNotPendingError):
        service.decide(ALICE, debug, True, None)
