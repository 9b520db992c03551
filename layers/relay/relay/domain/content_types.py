"""Which content a browser may be shown inline, and as what (issue 15: no stored XSS).

Pure: no AWS. One decision for everything Relay stores or serves (artifacts, their binary
edits, media uploads, the run's media redirects, exports, inbox previews): a declared content
type, and where known the first bytes, give the type the bytes are stored and served as and
whether they are shown inline or downloaded.

Inline only: the media allow-list's images, audio and video (relay.domain.media, each checked
against its magic bytes when the bytes are known), `text/plain` and `application/json`, which
no browser runs. Anything else — HTML, SVG, XHTML, XML, PDF, any unknown type, a parameter
trick, or a media type whose bytes are something else — is `application/octet-stream` with
`Content-Disposition: attachment`: it downloads, it never renders on the bucket's origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .media import ALLOWED_TYPES, SNIFF_BYTES, content_matches

__all__ = ["OCTET_STREAM", "SNIFF_BYTES", "Serving", "disposition", "essence", "serving"]

OCTET_STREAM = "application/octet-stream"
INLINE_MEDIA = frozenset(t for t, (kind, _) in ALLOWED_TYPES.items() if kind in ("image", "audio", "video"))
_TEXTUAL = frozenset({"text/plain", "application/json"})
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Serving:
    """How content is stored and served: its Content-Type and whether it is inline."""

    content_type: str
    inline: bool

    def disposition(self, filename: str) -> str:
        return disposition(self.inline, filename)


def essence(content_type: str | None) -> str:
    """`type/subtype`, lower-cased, without parameters or whitespace ('' if none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        value = value.strip().strip('"')
        if name.strip().lower() == "charset" and _TOKEN.match(value):
            return value.lower()
    return "utf-8"


def serving(declared: str | None, head: bytes | None = None) -> Serving:
    """The Serving of content declared as `declared`. `head` is its first bytes (at least
    SNIFF_BYTES) where known: a media type must then match them. Without `head` the type
    alone decides — for content whose bytes were checked when stored, or are not there yet
    (an upload form: its `complete` checks them)."""
    kind = essence(declared)
    if kind in INLINE_MEDIA and (head is None or content_matches(kind, head)):
        return Serving(kind, True)
    if kind == "text/plain":
        return Serving(f"text/plain; charset={_charset(declared or '')}", True)
    if kind in _TEXTUAL:
        return Serving(kind, True)
    return Serving(OCTET_STREAM, False)


def disposition(inline: bool, filename: str) -> str:
    """A Content-Disposition with a plain ASCII filename (no quotes, paths or controls)."""
    name = _UNSAFE_NAME.sub("_", filename.rsplit("/", 1)[-1]).strip("._")[:100] or "content"
    return f'{"inline" if inline else "attachment"}; filename="{name}"'
