"""Boilerplate and metadata: what in a document is the article, and what it says about itself.

HTML pages go through :func:`extract_html` (trafilatura); plain text scraped
from the web through :func:`classify_text`, which marks boilerplate as
regions without changing the text.
"""

from __future__ import annotations

from narrascope.clean.html import HtmlExtract, extract_html
from narrascope.clean.site import SiteLines
from narrascope.clean.text import REGION_KINDS, TextClean, classify_text

__all__ = [
    "REGION_KINDS",
    "HtmlExtract",
    "SiteLines",
    "TextClean",
    "classify_text",
    "extract_html",
]
