"""Media uploads: sign a browser's POST straight to S3, verify what arrived (on S3's
ObjectCreated notification and on `complete`, whichever comes first decides), serve it with
a presigned GET, and attach it to a run (`user.media_upload`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from relay.domain.content_types import serving
from relay.domain.media import (
    ALLOWED_TYPES,
    MAX_TTL_HOURS,
    RETENTION_RUN,
    RETENTION_TAG,
    SNIFF_BYTES,
    Media,
    MediaStatus,
    content_matches,
    epoch,
    retention_for,
    safe_filename,
    sniff,
)
from relay.exceptions import ConflictError, InvalidRequestError, NotFoundError
from relay.ids import is_id, iso, new_id, now_iso, parse_iso, utcnow
from relay.metrics import count
from relay.metrics import names as metric
from relay.services.exceptions import MediaNotUploadedError, MediaRejectedError

logger = logging.getLogger("relay.media")

UPLOAD_PREFIX = "uploads/"


@dataclass(frozen=True)
class NewUpload:
    media: Media
    url: str
    fields: dict[str, str]
    upload_expires_at: str


class MediaService:
    def __init__(
        self,
        media,  # MediaRepository
        storage,  # MediaStorage
        runs,  # RunRepository: the owner of a run_id
        *,
        max_bytes: int,
        upload_expiry_seconds: int = 900,
        download_expiry_seconds: int = 900,
    ) -> None:
        self._media = media
        self._storage = storage
        self._runs = runs
        self.max_bytes = max_bytes
        self._upload_expiry = upload_expiry_seconds
        self._download_expiry = download_expiry_seconds

    # -- create ---------------------------------------------------------------------------
    def create(
        self,
        user: Any,
        *,
        filename: str,
        content_type: str,
        size_bytes: int,
        ttl_hours: int = 24,
        run_id: str | None = None,
    ) -> NewUpload:
        if content_type not in ALLOWED_TYPES:
            raise InvalidRequestError(
                f"content_type {content_type[:100]!r} is not accepted; accepted: {', '.join(ALLOWED_TYPES)}",
                code="UNSUPPORTED_CONTENT_TYPE",
            )
        if size_bytes > self.max_bytes:
            raise InvalidRequestError(
                f"size_bytes {size_bytes} is over this deployment's cap of {self.max_bytes} bytes",
                code="MEDIA_TOO_LARGE",
            )
        if not 1 <= ttl_hours <= MAX_TTL_HOURS:
            raise InvalidRequestError(f"ttl_hours must be 1..{MAX_TTL_HOURS}")
        if run_id is not None:
            run = self._runs.get(run_id) if is_id(run_id, "run") else None
            if run is None or run.user_id != user.user_id:
                raise NotFoundError(f"run {run_id[:64]} not found")

        now = utcnow()
        lifetime_end = now + timedelta(hours=ttl_hours)
        media_id = new_id("media")
        media = Media(
            media_id=media_id,
            user_id=user.user_id,
            run_id=run_id,
            filename=filename,
            content_type=content_type,
            declared_size=size_bytes,
            key=f"{UPLOAD_PREFIX}{user.user_id}/{media_id}/{safe_filename(filename, content_type)}",
            retention=RETENTION_RUN if run_id else retention_for(ttl_hours),
            created_at=iso(now),
            updated_at=iso(now),
            # Attached to a run: no expiry once ready; the record of an upload that never
            # comes still goes with the TTL.
            expires_at=None if run_id else iso(lifetime_end),
            ttl=epoch(lifetime_end),
        )
        media = self._add_counted(media)
        expires_in = min(self._upload_expiry, int((lifetime_end - now).total_seconds()))
        served = serving(content_type)  # what the object is stored as: complete checks its bytes
        post = self._storage.presign_post(
            media.key,
            served.content_type,
            size_bytes,
            {RETENTION_TAG: media.retention},
            expires_in,
            served.disposition(media.key),
        )
        return NewUpload(media, post["url"], post["fields"], iso(now + timedelta(seconds=expires_in)))

    def _add_counted(self, media: Media) -> Media:
        """Add a pending media within its user's quotas. A full quota first reclaims the
        user's abandoned uploads (forms expired, nothing verified) and tries once more."""
        from relay.domain.exceptions import QuotaExceededError

        try:
            return self._media.add(media)
        except QuotaExceededError as exc:
            if self._reclaim(media.user_id) == 0:
                raise self._with_wait(exc, media.user_id) from exc
        try:
            return self._media.add(media)
        except QuotaExceededError as exc:
            raise self._with_wait(exc, media.user_id) from exc

    def _stale_before(self) -> datetime:
        # An upload form lasts at most `upload_expiry_seconds`; a minute more for an upload
        # in flight when it expired (S3 checks the form when the POST starts).
        return utcnow() - timedelta(seconds=self._upload_expiry + 60)

    def _reclaim(self, user_id: str) -> int:
        """Reject the user's pending media whose form has expired with nothing uploaded
        (verifying any that did arrive): each gives its quota back. How many were decided."""
        decided = 0
        for media_id in self._media.pending_of(user_id, iso(self._stale_before())):
            media = self._media.get(media_id)
            if media is None or media.status is not MediaStatus.pending:
                continue
            if self._verify(media) is None:
                self._reject(media, "the upload form expired before anything was uploaded", MediaStatus.pending)
            decided += 1
        return decided

    def _with_wait(self, exc: Any, user_id: str) -> Any:
        """A full `pending_uploads` frees, at the latest, when the oldest form expires."""
        from relay.domain.exceptions import QuotaExceededError
        from relay.domain.quotas import Quota

        if exc.quota is not Quota.pending_uploads:
            return exc
        oldest = self._media.oldest_pending(user_id)
        wait = self._upload_expiry + 61
        if oldest is not None:
            wait = max(1, int((parse_iso(oldest) - self._stale_before()).total_seconds()) + 1)
        extra = exc.extra
        return QuotaExceededError(
            exc.quota, limit=extra["limit"], used=extra["used"], requested=extra["requested"], retry_after=wait
        )

    # -- read -----------------------------------------------------------------------------
    def get(self, user: Any, media_id: str) -> Media:
        """The caller's media; another user's, an expired one or a non-id is 404."""
        media = self._media.get(media_id) if is_id(media_id, "media") else None
        if media is None or media.user_id != user.user_id or media.expired(now_iso()):
            raise NotFoundError(f"media {media_id[:64]} not found")
        return media

    def download_url(self, media: Media) -> tuple[str, str] | None:
        """A presigned GET (served with the media's type) and when it expires; ready only."""
        if media.status is not MediaStatus.ready:
            return None
        served = serving(media.content_type)  # a verified media: its bytes match its type
        url = self._storage.presign_get(media.key, served.content_type, served.disposition(media.key), self._download_expiry)
        return url, iso(utcnow() + timedelta(seconds=self._download_expiry))

    # -- verify ---------------------------------------------------------------------------
    def complete(self, user: Any, media_id: str) -> Media:
        media = self._verify(self.get(user, media_id))
        if media is None:
            raise MediaNotUploadedError(f"nothing has been uploaded for media {media_id} yet")
        if media.status is MediaStatus.rejected:
            raise MediaRejectedError(f"media {media_id} was rejected: {media.reason}", media_id=media_id, reason=media.reason)
        return media

    def object_created(self, key: str, etag: str | None = None) -> Media | None:
        """S3's ObjectCreated for `key` (MediaUploaded). Verifies a pending upload; an object
        that replaced a verified one (the upload form is valid until it expires) is rejected."""
        media_id = next((part for part in key.split("/") if is_id(part, "media")), None)
        media = self._media.get(media_id) if media_id else None
        if media is None or media.key != key:
            logger.warning("ObjectCreated for %s: no media record has this key", key[:300])
            return None
        etag = (etag or "").strip('"') or None
        if media.status is MediaStatus.ready and etag and media.etag and etag != media.etag:
            info = self._storage.head(key)
            if info is not None and info.etag != media.etag:
                return self._reject(media, "the object was replaced after it was verified", MediaStatus.ready)
        return self._verify(media)

    def _verify(self, media: Media) -> Media | None:
        """Decide a pending media from its object (None: no object yet). Idempotent: a
        decided media is returned as it is, and of two concurrent deciders one wins."""
        if media.status is not MediaStatus.pending:
            return media
        info = self._storage.head(media.key)
        if info is None:  # not uploaded yet, or the other path rejected it after our read
            return self._settled(media)
        problem = None
        if info.size > self.max_bytes:
            problem = f"the object is {info.size} bytes, over the cap of {self.max_bytes}"
        elif info.size != media.declared_size:
            problem = f"the object is {info.size} bytes, {media.declared_size} were declared"
        elif info.content_type != (stored_as := serving(media.content_type).content_type):
            problem = f"the object's Content-Type is {info.content_type[:100]!r}, {stored_as!r} was signed"
        else:
            head = self._storage.first_bytes(media.key, SNIFF_BYTES)
            if head is None:  # deleted meanwhile: the other path rejected it
                return self._settled(media)
            if not content_matches(media.content_type, head):
                found = sniff(head)
                problem = f"the content is not {media.content_type}" + (f" (it looks like {found})" if found else "")
        if problem:
            return self._reject(media, problem, MediaStatus.pending)
        hashed = self._storage.sha256(media.key)
        if hashed is None:
            return self._settled(media)
        digest, size = hashed
        if size != info.size:  # replaced while we read it: the next notification decides
            return media
        now = now_iso()
        changes: dict[str, Any] = {
            "status": MediaStatus.ready,
            "sha256": digest,
            "size_bytes": size,
            "etag": info.etag,
            "verified_at": now,
            "updated_at": now,
        }
        if media.run_id:
            changes["ttl"] = None  # attached: kept with the run
        decided = self._media.decide(media, from_status=MediaStatus.pending, **changes)
        if decided is not None:  # counted by the path that decided (the API's complete or MediaUploaded)
            count(metric.MEDIA_VERIFIED)
        return decided or self._media.get(media.media_id)

    def _settled(self, media: Media) -> Media | None:
        """The object went away while we verified it: what the other path decided."""
        current = self._media.get(media.media_id)
        return None if current is None or current.status is MediaStatus.pending else current

    def _reject(self, media: Media, reason: str, from_status: MediaStatus) -> Media | None:
        now = now_iso()
        decided = self._media.decide(media, from_status=from_status, status=MediaStatus.rejected, reason=reason, updated_at=now)
        if decided is None:
            return self._media.get(media.media_id)
        self._storage.delete(media.key)  # the winner deletes; nothing rejected is kept
        count(metric.MEDIA_REJECTED)
        logger.info("media %s rejected: %s", media.media_id, reason)
        return decided

    # -- runs -----------------------------------------------------------------------------
    def attach(self, media: Media, run_id: str) -> Media:
        """Attach a ready media to a run: ByRun, no expiry, the `run` retention tag."""
        if media.retention != RETENTION_RUN:  # tag first: a failure never leaves it expiring
            self._storage.set_tags(media.key, {RETENTION_TAG: RETENTION_RUN})
        attached = self._media.attach(media, run_id, now_iso())
        if attached is None:
            raise ConflictError(f"media {media.media_id} changed meanwhile; retry", code="CONCURRENT_UPDATE")
        return attached
