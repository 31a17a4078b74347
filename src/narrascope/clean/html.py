"""Main text and metadata from an HTML page.

:func:`extract_html` runs trafilatura's extractor (main content, no comments,
tables kept) with metadata, and falls back to a plain lxml text dump when
trafilatura finds nothing but the page does hold text. Pathological input is
contained: markup over :data:`MAX_MARKUP_CHARS` is refused, XML declarations
and DOCTYPE internal subsets (the vehicle of entity-expansion bombs) are
removed before parsing, libxml2's own depth limit bounds nesting, and any
parser failure becomes :class:`InputError`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from narrascope.errors import InputError

__all__ = ["MAX_MARKUP_CHARS", "HtmlExtract", "extract_html"]

#: Largest markup (in characters) :func:`extract_html` will parse.
MAX_MARKUP_CHARS = 20_000_000

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_HAS_HTML_TAG = re.compile(r"<html[\s>]", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$")
_SPACES = re.compile(r"[^\S\n]+")

#: Elements whose content is never article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
#: Elements that end a line in the fallback text.
_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt",
    "figcaption", "main", "aside", "nav", "address", "hr", "td", "th",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    """What :func:`extract_html` found: the main text and the page's metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None


def _quieten_libraries() -> None:
    """Keep trafilatura's routine log errors off stderr unless logging is configured."""
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _prepare(markup: str) -> str:
    """Markup safe and palatable for libxml2: no XML declaration or DTD subset, one root."""
    markup = _XML_DECLARATION.sub("", markup, count=1)
    head = markup[:4096]
    if "[" in head and "<!" in head:
        markup = _DOCTYPE_SUBSET.sub("", markup, count=1)
    if not _HAS_HTML_TAG.search(markup[:4096]):
        markup = f"<html><body>{markup}</body></html>"
    return markup


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _iso_date(value: object) -> str | None:
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()
    return None


def _trafilatura(markup: str, url: str | None, favor_precision: bool) -> Any:
    """trafilatura's Document for ``markup``, or None when it extracts nothing."""
    from trafilatura import bare_extraction

    try:
        return bare_extraction(
            markup,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=favor_precision,
        )
    except RecursionError:
        raise InputError("HTML is nested too deeply to extract") from None
    except MemoryError:
        raise InputError("HTML too large to extract (out of memory)") from None
    except Exception:  # noqa: BLE001 - any trafilatura failure falls back to lxml
        return None


def _metadata(markup: str, url: str | None) -> Any:
    """trafilatura's metadata alone, for a page whose text it could not extract."""
    from trafilatura import extract_metadata

    try:
        return extract_metadata(markup, default_url=url)
    except Exception:  # noqa: BLE001 - metadata is optional
        return None


def _fallback(markup: str) -> tuple[str, str | None]:
    """``(text, title)`` from a plain lxml parse; :class:`InputError` if unparsable."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    try:
        root = lxml_html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"cannot parse HTML: {exc}") from None
    except RecursionError:
        raise InputError("HTML is nested too deeply to parse") from None
    title = _clean(root.findtext(".//title"))
    for element in [e for e in root.iter(*_DROP_TAGS) if e is not root]:
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line), title


def extract_html(
    markup: str,
    url: str | None = None,
    *,
    favor_precision: bool = False,
    max_chars: int = MAX_MARKUP_CHARS,
) -> HtmlExtract:
    """The main text and metadata of an HTML page.

    ``published`` is an ISO 8601 date (``YYYY-MM-DD``) or None; ``site`` is the
    site name the page declares, else its host. Raises :class:`InputError` when
    the markup is over ``max_chars``, cannot be parsed, or holds no text.
    """
    if len(markup) > max_chars:
        raise InputError(
            f"HTML too large to extract: {len(markup):,} characters (limit {max_chars:,})"
        )
    if not markup.strip():
        raise InputError("empty HTML")
    _quieten_libraries()
    prepared = _prepare(markup)
    document = _trafilatura(prepared, url, favor_precision)
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    title = _clean(getattr(document, "title", None))
    if not text:
        text, fallback_title = _fallback(prepared)
        if document is None:
            document = _metadata(prepared, url)
            title = _clean(getattr(document, "title", None))
        title = title or fallback_title
    if not text:
        raise InputError("no text could be extracted from the HTML")
    site = _clean(getattr(document, "sitename", None)) or _clean(
        getattr(document, "hostname", None)
    )
    return HtmlExtract(
        text=text,
        title=title,
        author=_clean(getattr(document, "author", None)),
        published=_iso_date(getattr(document, "date", None)),
        site=site,
    )
