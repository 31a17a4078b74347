"""HTML files (``.html``, ``.htm``).

The reader only decodes the markup; extracting the article text is the parse
stage's work (:func:`narrascope.clean.html.extract_html`). A charset declared
in a ``<meta>`` tag is honoured when the bytes are not valid UTF-8, and a
``<link rel=canonical>`` or ``og:url`` gives the page's URL and site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import InputError
from narrascope.ingest.decode import decode_bytes, read_bytes
from narrascope.ingest.text import check_not_blank, host_of
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

__all__ = ["canonical_url", "declared_charset", "read_html"]

#: How much of a page is searched for a charset declaration or a canonical link.
_HEAD_BYTES = 8_192
_HEAD_CHARS = 65_536

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE
)
_TAG = re.compile(r"<(link|meta)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta charset>`` or ``http-equiv`` tag near the top declares."""
    match = _META_CHARSET.search(data[:_HEAD_BYTES])
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace")


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs.setdefault(match.group(1).lower(), value.strip())
    return attrs


def canonical_url(markup: str) -> str | None:
    """The absolute ``http(s)`` URL of ``<link rel=canonical>`` or ``og:url``, if any."""
    head = markup[:_HEAD_CHARS]
    canonical: str | None = None
    og_url: str | None = None
    for match in _TAG.finditer(head):
        attrs = _attributes(match.group(2))
        if match.group(1).lower() == "link":
            rels = attrs.get("rel", "").lower().split()
            if "canonical" in rels and canonical is None:
                canonical = attrs.get("href")
        elif attrs.get("property", "").lower() == "og:url" and og_url is None:
            og_url = attrs.get("content")
    for candidate in (canonical, og_url):
        if candidate and host_of(candidate):
            return candidate
    return None


def read_html(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    """One document per HTML file; a :class:`Skipped` with the reason otherwise.

    ``body`` is the decoded markup (``is_html=True``). ``collection`` is the
    site of the canonical URL when the page names one, else the file's folder.
    """
    try:
        data = read_bytes(path, settings.max_file_bytes)
        markup, encoding = decode_bytes(data, declared_charset(data))
        check_not_blank(markup)
    except InputError as exc:
        yield Skipped(str(path), str(exc))
        return
    url = canonical_url(markup)
    site = host_of(url)
    yield RawDocument(
        source=str(path),
        format="html",
        body=markup,
        is_html=True,
        url=url,
        site=site,
        collection=site or str(path.parent),
        encoding=encoding,
    )
