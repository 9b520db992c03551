"""What media modules see as `ctx.media`: the run's media I/O for `media.generate` (the
ComfyUI server, input images from media or artifacts, the job's deterministic prompt id) and
`media.ingest_url` (an SSRF-safe fetch stored as a ready media of the run).

Ids derive from the RunStep attempt (the run's rev), like RunArtifacts': a RunStep retried
before its commit queues the same prompt id and stores the same media id, so nothing is done
twice."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from relay.domain import Run
from relay.domain.comfyui_nodes import DEFAULT_NODE_CLASSES
from relay.domain.content_types import serving
from relay.domain.exceptions import QuotaExceededError
from relay.domain.media import RETENTION_RUN, RETENTION_TAG, Media, MediaStatus, safe_filename
from relay.exceptions import ConflictError, RelayError
from relay.ids import derived_id, is_id, now_iso
from relay.runtime.modules.capabilities import ArtifactsCapability
from relay.runtime.modules.exceptions import ModuleError
from relay.runtime.net.fetch import Fetched
from relay.runtime.ports import MediaObjects, MediaRecords, UrlFetch
from relay.runtime.providers.comfyui import ComfyUIClient

INGEST_PREFIX = "ingested/"
_JOBS = uuid.UUID("6f1d8f0e-3c1b-4f55-9d87-5f0c2b6c1a10")  # namespace of derived prompt ids


class ComfyUINotConfiguredError(ModuleError):
    code = "COMFYUI_NOT_CONFIGURED"


class MediaInputError(ModuleError):
    """An input image names no image this run can use."""

    code = "INVALID_MEDIA_REF"


@dataclass(frozen=True)
class InputImage:
    filename: str
    content_type: str
    data: bytes


@dataclass
class RunMediaFactory:
    """Wired once per container (bootstrap); `for_run` binds it to one RunStep attempt."""

    media: MediaRecords
    storage: MediaObjects
    comfyui_url: str | None
    fetcher: UrlFetch
    max_ingest_bytes: int
    comfyui_timeout_seconds: float = 30
    # ComfyUINodeAllowList: the node classes media.generate may queue.
    node_classes: frozenset[str] = DEFAULT_NODE_CLASSES

    def for_run(self, run: Run, attempt: str, artifacts: ArtifactsCapability | None = None) -> RunMedia:
        return RunMedia(self, run, attempt, artifacts)

    def comfyui(self) -> ComfyUIClient:
        if not self.comfyui_url:
            raise ComfyUINotConfiguredError("no ComfyUI server is configured (the ComfyUIUrl parameter, RELAY_COMFYUI_URL)")
        return ComfyUIClient(self.comfyui_url, timeout_seconds=self.comfyui_timeout_seconds)


class RunMedia:
    def __init__(self, factory: RunMediaFactory, run: Run, attempt: str, artifacts: ArtifactsCapability | None = None) -> None:
        self._factory = factory
        self._run = run
        self._attempt = attempt
        self._artifacts = artifacts  # RunArtifacts of the same attempt
        self._client: ComfyUIClient | None = None

    # -- media.generate ---------------------------------------------------------------------
    @property
    def comfyui_url(self) -> str | None:
        return self._factory.comfyui_url

    def comfyui(self) -> ComfyUIClient:
        if self._client is None:
            self._client = self._factory.comfyui()
        return self._client

    @property
    def node_classes(self) -> frozenset[str]:
        return self._factory.node_classes

    @property
    def upload_folder(self) -> str:
        """The subfolder of ComfyUI's input folder this run's uploads go to."""
        return f"relay/{self._run.run_id}"

    def job_id(self, step_id: str, module_index: int) -> str:
        """The prompt id this attempt queues the module's job under (a UUID, as ComfyUI's)."""
        return str(uuid.uuid5(_JOBS, f"{self._run.run_id}:{self._attempt}:{step_id}:{module_index}"))

    def input_image(self, ref: object) -> InputImage:
        """A ready image media of the run's user (not another run's), or a binary image
        artifact of the run's user: a `media_…`/`art_…` id or an object holding one."""
        if isinstance(ref, dict):
            ids = [ref[k] for k in ("media_id", "artifact_id") if isinstance(ref.get(k), str)]
            if not ids:
                raise MediaInputError("an input image must name a media_id or an artifact_id")
            ref = ids[0]
        if not isinstance(ref, str):
            raise MediaInputError(f"an input image names a media or artifact id, not {type(ref).__name__}")
        if ref.startswith("media_"):
            return self._media_image(ref)
        if ref.startswith("art_"):
            return self._artifact_image(ref)
        raise MediaInputError(f"input image {ref[:64]!r} is neither a media_… nor an art_… id")

    def _media_image(self, media_id: str) -> InputImage:
        media = self._factory.media.get(media_id) if is_id(media_id, "media") else None
        if media is None or media.user_id != self._run.user_id or media.expired(now_iso()):
            raise MediaInputError(f"media {media_id[:64]} not found")
        if media.status is not MediaStatus.ready:
            raise MediaInputError(f"media {media_id} is {media.status.value}, not ready")
        if media.run_id not in (None, self._run.run_id):
            raise MediaInputError(f"media {media_id} is attached to another run")
        if not media.content_type.startswith("image/"):
            raise MediaInputError(f"media {media_id} is {media.content_type}, not an image")
        data = self._factory.storage.read(media.key)
        if data is None:
            raise MediaInputError(f"the content of media {media_id} is gone")
        return InputImage(media.key.rsplit("/", 1)[-1], media.content_type, data)

    def _artifact_image(self, artifact_id: str) -> InputImage:
        artifact = self._artifacts.find(artifact_id=artifact_id) if self._artifacts is not None else None
        if artifact is None:
            raise MediaInputError(f"artifact {artifact_id[:64]} not found")
        if artifact.format.value != "binary" or not (artifact.content_type or "").startswith("image/"):
            raise MediaInputError(f"artifact {artifact_id} is {artifact.format.value} {artifact.content_type}, not an image")
        try:
            data = self._artifacts.content(artifact)
        except RelayError as exc:
            raise MediaInputError(f"artifact {artifact_id}: {exc.detail}") from exc
        extension = artifact.content_type.split("/", 1)[1].replace("jpeg", "jpg")
        return InputImage(f"{artifact_id}.{extension}", artifact.content_type, data)

    # -- media.ingest_url -------------------------------------------------------------------
    @property
    def max_ingest_bytes(self) -> int:
        return self._factory.max_ingest_bytes

    def ingest(
        self,
        url: str,
        *,
        step_id: str,
        module_index: int,
        filename: str | None,
        accept: list[str] | None,
        max_bytes: int,
        deadline_seconds: float,
    ) -> tuple[Media, Fetched | None]:
        """Fetch `url` (SSRF-safe) and store it as a ready media attached to the run: (media,
        the fetch). A retried attempt finds the media it stored and fetches nothing."""
        media_id = derived_id("media", self._run.run_id, self._attempt, step_id, module_index)
        existing = self._factory.media.get(media_id)
        if existing is not None:
            return existing, None
        fetched = self._factory.fetcher.fetch(
            url, max_bytes=min(max_bytes, self.max_ingest_bytes), deadline_seconds=deadline_seconds, accept=accept
        )
        name = safe_filename(filename or _last_segment(fetched.url), fetched.content_type)
        key = f"{INGEST_PREFIX}{self._run.user_id}/{media_id}/{name}"
        # The object first: a record never names content that is not there.
        served = serving(fetched.content_type)  # sniffed from the bytes: an allowed media type
        etag = self._factory.storage.put(
            key, fetched.data, served.content_type, {RETENTION_TAG: RETENTION_RUN}, served.disposition(key)
        )
        now = now_iso()
        media = Media(
            media_id=media_id,
            user_id=self._run.user_id,
            run_id=self._run.run_id,
            filename=name,
            content_type=fetched.content_type,
            declared_size=len(fetched.data),
            size_bytes=len(fetched.data),
            sha256=hashlib.sha256(fetched.data).hexdigest(),
            etag=etag,
            status=MediaStatus.ready,
            key=key,
            retention=RETENTION_RUN,
            created_at=now,
            updated_at=now,
            verified_at=now,
        )
        try:
            media = self._factory.media.add(media)
        except ConflictError:
            return self._factory.media.get(media_id) or media, fetched
        except QuotaExceededError:  # stored_bytes is full: nothing of it is kept
            self._factory.storage.delete(key)
            raise
        return media, fetched


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "ingested"
