"""MediaService with in-memory fakes: what is signed, what verification decides, idempotency
and races between the notification and `complete`, reads, expiry and attaching."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from relay.domain.media import Media, MediaStatus
from relay.exceptions import ConflictError, InvalidRequestError, NotFoundError
from relay.services.exceptions import MediaNotUploadedError, MediaRejectedError
from relay.services.media import MediaService

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


class FakeMediaRepo:
    def __init__(self):
        self.items: dict[str, Media] = {}
        self.gets = 0

    def get(self, media_id):
        self.gets += 1
        return self.items.get(media_id)

    def add(self, media):
        self.items[media.media_id] = media
        return media

    def decide(self, media, *, from_status, **changes):
        current = self.items[media.media_id]
        if current.status is not from_status or (from_status is MediaStatus.ready and current.etag != media.etag):
            return None
        self.items[media.media_id] = current.model_copy(update=changes)
        return self.items[media.media_id]

    def attach(self, media, run_id, now):
        current = self.items[media.media_id]
        if current.status is not MediaStatus.ready or current.run_id not in (None, run_id):
            return None
        self.items[media.media_id] = current.model_copy(
            update={"run_id": run_id, "retention": "run", "expires_at": None, "ttl": None}
        )
        return self.items[media.media_id]


class FakeStorage:
    def __init__(self):
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.tags: dict[str, dict] = {}
        self.posts: list[dict] = []

    def presign_post(self, key, content_type, max_bytes, tags, expires_in, disposition=None):
        self.posts.append(
            {
                "key": key,
                "type": content_type,
                "max": max_bytes,
                "tags": tags,
                "expires_in": expires_in,
                "disposition": disposition,
            }
        )
        return {"url": "https://bucket.s3/", "fields": {"key": key}}

    def presign_get(self, key, content_type, disposition, expires_in):
        return f"https://bucket.s3/{key}?type={content_type}"

    def head(self, key):
        if key not in self.objects:
            return None
        data, content_type = self.objects[key]
        return SimpleNamespace(size=len(data), content_type=content_type, etag=hashlib.md5(data).hexdigest())

    def first_bytes(self, key, count):
        return self.objects[key][0][:count] if key in self.objects else None

    def sha256(self, key):
        if key not in self.objects:
            return None
        return hashlib.sha256(self.objects[key][0]).hexdigest(), len(self.objects[key][0])

    def set_tags(self, key, tags):
        self.tags[key] = tags

    def delete(self, key):
        self.objects.pop(key, None)


class FakeRuns:
    def get(self, run_id):
        return SimpleNamespace(run_id=run_id, user_id="usr_alice") if run_id == "run_mine" else None


@pytest.fixture
def repo():
    return FakeMediaRepo()


@pytest.fixture
def storage():
    return FakeStorage()


@pytest.fixture
def service(repo, storage):
    return MediaService(repo, storage, FakeRuns(), max_bytes=1000)


def _new(service, alice, data=PNG, **kwargs):
    fields = {"filename": "pic.png", "content_type": "image/png", "size_bytes": len(data), **kwargs}
    return service.create(alice, **fields).media


def test_create_signs_the_exact_key_type_size_and_retention(service, storage, alice):
    created = service.create(alice, filename="../My Pic.png", content_type="image/png", size_bytes=42, ttl_hours=48)
    media = created.media
    assert media.key == f"uploads/usr_alice/{media.media_id}/My_Pic.png"
    assert media.status is MediaStatus.pending and media.expires_at and media.ttl
    assert storage.posts == [
        {
            "key": media.key,
            "type": "image/png",
            "max": 42,
            "tags": {"relay:retention": "7d"},
            "expires_in": 900,
            "disposition": 'inline; filename="My_Pic.png"',
        }
    ]


def test_create_refuses_before_signing(service, storage, alice):
    with pytest.raises(InvalidRequestError) as bad_type:
        service.create(alice, filename="a", content_type="text/html", size_bytes=1)
    assert bad_type.value.code == "UNSUPPORTED_CONTENT_TYPE"
    with pytest.raises(InvalidRequestError) as too_big:
        service.create(alice, filename="a", content_type="image/png", size_bytes=1001)
    assert too_big.value.code == "MEDIA_TOO_LARGE"
    with pytest.raises(NotFoundError):
        service.create(alice, filename="a", content_type="image/png", size_bytes=1, run_id="run_theirs")
    assert storage.posts == []


def test_attached_at_creation_has_no_expiry(service, alice):
    media = _new(service, alice, run_id="run_mine")
    assert media.run_id == "run_mine" and media.expires_at is None and media.retention == "run"


def test_complete_verifies_once(service, repo, storage, alice):
    media = _new(service, alice)
    with pytest.raises(MediaNotUploadedError):
        service.complete(alice, media.media_id)
    storage.objects[media.key] = (PNG, "image/png")
    ready = service.complete(alice, media.media_id)
    assert ready.status is MediaStatus.ready and ready.sha256 == hashlib.sha256(PNG).hexdigest()
    assert service.object_created(media.key, ready.etag).status is MediaStatus.ready  # second sees the decision
    url, _ = service.download_url(ready)
    assert "image/png" in url


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (PNG + b"more", "image/png", "declared"),
        (PNG, "image/jpeg", "Content-Type"),
        (b"plain text, not a png at all.........", "image/png", "not image/png"),
    ],
)
def test_mismatches_are_rejected_and_deleted(service, storage, alice, data, content_type, reason):
    media = _new(service, alice, data=PNG if reason == "declared" else data)
    storage.objects[media.key] = (data, content_type)
    decided = service.object_created(media.key)
    assert decided.status is MediaStatus.rejected and reason in decided.reason
    assert media.key not in storage.objects
    with pytest.raises(MediaRejectedError) as caught:
        service.complete(alice, media.media_id)
    assert caught.value.extra["reason"] == decided.reason


def test_complete_that_read_before_the_notification_rejected_answers_the_rejection(service, repo, storage, alice):
    """complete read the media pending; the notification then rejected it and deleted the
    object before complete looked for it: no object is the rejection, not 'not uploaded'."""
    media = _new(service, alice, data=b"plain text, not a png at all.........")
    storage.objects[media.key] = (b"plain text, not a png at all.........", "image/png")
    stale = repo.get(media.media_id)
    rejected = service.object_created(media.key)
    assert rejected.status is MediaStatus.rejected and media.key not in storage.objects
    assert service._verify(stale) == rejected


def test_over_the_cap_even_if_declared(repo, storage, alice):
    service = MediaService(repo, storage, FakeRuns(), max_bytes=2000)
    media = _new(service, alice, data=bytes(1500))
    service.max_bytes = 1000  # the cap was lowered meanwhile
    storage.objects[media.key] = (b"\x89PNG\r\n\x1a\n" + bytes(1492), "image/png")
    assert "over the cap" in service.object_created(media.key).reason


def test_an_object_replacing_a_verified_one_is_rejected(service, storage, alice):
    media = _new(service, alice)
    storage.objects[media.key] = (PNG, "image/png")
    ready = service.object_created(media.key)
    storage.objects[media.key] = (b"\x89PNG\r\n\x1a\n" + b"x" * 40, "image/png")
    replaced = service.object_created(media.key, hashlib.md5(storage.objects[media.key][0]).hexdigest())
    assert ready.status is MediaStatus.ready and replaced.status is MediaStatus.rejected
    assert "replaced" in replaced.reason and media.key not in storage.objects


def test_stray_objects_are_ignored(service):
    assert service.object_created("uploads/usr_x/media_nothing/a.png") is None
    assert service.object_created("uploads/elsewhere.png") is None


def test_reads(service, repo, alice, bob):
    media = _new(service, alice)
    assert service.get(alice, media.media_id).media_id == media.media_id
    with pytest.raises(NotFoundError):
        service.get(bob, media.media_id)
    gets = repo.gets
    for bad in ("not-an-id", "media_" + "x" * 3000, "run_abc"):
        with pytest.raises(NotFoundError):
            service.get(alice, bad)
    assert repo.gets == gets  # no read for what is not an id
    repo.items[media.media_id] = media.model_copy(update={"expires_at": "2020-01-01T00:00:00.000000Z"})
    with pytest.raises(NotFoundError):
        service.get(alice, media.media_id)
    assert service.download_url(media) is None  # pending: nothing to download


def test_attach_retags_then_records(service, storage, alice):
    media = _new(service, alice)
    storage.objects[media.key] = (PNG, "image/png")
    ready = service.object_created(media.key)
    attached = service.attach(ready, "run_mine")
    assert attached.run_id == "run_mine" and attached.expires_at is None and attached.ttl is None
    assert storage.tags[media.key] == {"relay:retention": "run"}
    with pytest.raises(ConflictError):
        service.attach(attached, "run_other")
