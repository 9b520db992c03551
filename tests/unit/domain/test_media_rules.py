"""Media rules: magic bytes per accepted type, safe key names, retention tags, expiry."""

from __future__ import annotations

import pytest

from relay.domain.media import (
    ALLOWED_TYPES,
    Media,
    content_matches,
    retention_for,
    safe_filename,
    sniff,
    type_accepted,
)

SAMPLES = {
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "audio/wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "audio/ogg": b"OggS\x00\x02\x00\x00",
    "audio/flac": b"fLaC\x00\x00\x00\x22",
    "video/mp4": b"\x00\x00\x00\x18ftypmp42",
    "video/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
    "model/gltf-binary": b"glTF\x02\x00\x00\x00",
}


def test_every_accepted_type_has_a_sample():
    assert set(SAMPLES) == set(ALLOWED_TYPES)


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
def test_each_type_is_recognised_by_its_magic_bytes_only(content_type):
    head = SAMPLES[content_type]
    assert content_matches(content_type, head)
    assert sniff(head) == content_type
    for other, other_head in SAMPLES.items():
        if other != content_type:
            assert not content_matches(content_type, other_head), (content_type, other)


def test_mp3_frames_without_id3_and_text_pretending():
    assert content_matches("audio/mpeg", b"\xff\xfb\x90\x64\x00")
    assert not content_matches("image/png", b"just text pretending to be a png")
    assert sniff(b"just text") is None
    assert not content_matches("text/plain", b"hello")  # not accepted at all
    assert not content_matches("image/png", b"")


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("pic.png", "pic.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo of me.jpg", "photo_of_me.jpg"),
        ("..", "upload.png"),
        ("ünïcödé 🎉.png", "n_c_d_.png"),
        ("a" * 300 + ".png", "a" * 100),
    ],
)
def test_safe_filenames(given, safe):
    assert safe_filename(given, "image/png") == safe


def test_retention_is_the_shortest_rule_that_outlives_the_ttl():
    assert [retention_for(h) for h in (1, 24, 25, 168, 169, 720)] == ["1d", "1d", "7d", "7d", "30d", "30d"]
    with pytest.raises(ValueError, match="ttl_hours 721 is over 720"):
        retention_for(721)


def test_wildcards_and_exact_types():
    assert type_accepted("image/png", ["image/*"])
    assert type_accepted("image/png", ["image/png", "audio/wav"])
    assert not type_accepted("audio/wav", ["image/*"])


def test_only_unattached_media_expire():
    media = Media(
        media_id="media_1",
        user_id="usr_1",
        filename="a.png",
        content_type="image/png",
        declared_size=3,
        key="uploads/usr_1/media_1/a.png",
        retention="1d",
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
        expires_at="2026-01-02T00:00:00.000000Z",
    )
    assert not media.expired("2026-01-01T23:59:59.000000Z")
    assert media.expired("2026-01-02T00:00:00.000000Z")
    assert not media.model_copy(update={"run_id": "run_1"}).expired("2030-01-01T00:00:00.000000Z")
