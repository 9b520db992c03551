"""The one content-type policy (issue 15): what is served inline, and as what."""

from __future__ import annotations

import pytest

from relay.domain.content_types import OCTET_STREAM, disposition, essence, serving

PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
HTML = b"<!doctype html><script>alert(document.domain)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    "declared",
    [
        "text/html",
        "TEXT/HTML; charset=utf-8",
        "image/svg+xml",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "application/pdf",
        "text/javascript",
        "application/x-unknown",
        "model/gltf-binary",
        "",
        None,
        "image/png, text/html",
        " text/html ",
        "image/svg+xml; charset=utf-8",
        "text/plain/../html",
    ],
)
def test_anything_not_allowed_is_an_octet_stream_attachment(declared):
    served = serving(declared, HTML)
    assert served.content_type == OCTET_STREAM and not served.inline
    assert serving(declared).content_type == OCTET_STREAM  # without the bytes too
    assert served.disposition("content.bin") == 'attachment; filename="content.bin"'


@pytest.mark.parametrize("declared", ["image/svg+xml", "text/html", "application/xhtml+xml"])
def test_svg_and_html_are_never_inline_whatever_their_bytes(declared):
    for head in (SVG, HTML, PNG, None):
        assert not serving(declared, head).inline


def test_media_types_are_inline_when_their_bytes_match():
    assert serving("image/png", PNG).content_type == "image/png" and serving("image/png", PNG).inline
    assert serving("IMAGE/PNG; x=1", PNG).content_type == "image/png"  # parameters dropped
    assert serving("audio/ogg", b"OggS" + bytes(28)).inline and serving("video/webm", b"\x1a\x45\xdf\xa3").inline


@pytest.mark.parametrize("head", [HTML, SVG, b"", b"GIF89a"])
def test_a_media_type_whose_bytes_are_something_else_is_an_attachment(head):
    served = serving("image/png", head)
    assert served.content_type == OCTET_STREAM and not served.inline


def test_text_and_json_are_inline_as_themselves():
    assert serving("text/plain", HTML).content_type == "text/plain; charset=utf-8"  # text: never rendered
    assert serving("text/plain; charset=ISO-8859-1").content_type == "text/plain; charset=iso-8859-1"
    assert serving('text/plain; charset="x"; y=<script>').content_type == "text/plain; charset=x"
    assert serving("text/plain; charset=<bad>").content_type == "text/plain; charset=utf-8"
    assert serving("application/json; charset=utf-8", b"{").content_type == "application/json"
    assert all(serving(t).inline for t in ("text/plain", "application/json"))


def test_disposition_names_a_plain_filename():
    assert disposition(True, "runs/run_1/artifacts/art_1/content.bin") == 'inline; filename="content.bin"'
    assert disposition(False, 'a"b\r\nc.html') == 'attachment; filename="a_b_c.html"'
    assert disposition(False, "...") == 'attachment; filename="content"'


def test_essence():
    assert essence(" Image/PNG ; q=1") == "image/png" and essence(None) == ""
