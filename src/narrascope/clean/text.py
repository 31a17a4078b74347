"""Boilerplate in plain text scraped from the web, marked without rewriting the text.

A scraper that saves a page as text keeps the page's debris around the
article: a breadcrumb (``Home » Section » Title``), the title again, a
byline, headline lists ("New Articles", "Most viewed") with truncated
teasers, a cookie notice, "Leave a Comment". :func:`classify_text` labels
every non-blank line with a region kind; the text itself is never changed,
so region offsets index the original file.

The rules are generic, on line shape and statistics, in the spirit of
justext: how many words a line has, whether it ends like a sentence, its
stopword density, separator characters, whether it opens a run of short
headline-like lines with teasers, and whether it recurs across documents of
the same site (:class:`~narrascope.clean.site.SiteLines`). The article body
is the stretch from the first to the last prose paragraph outside such
structures; what lies before is header, what lies after is footer. Every
step is one pass over the lines, so the cost is linear in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from narrascope.clean.site import SiteLines, line_key
from narrascope.model import CONTENT, Region
from narrascope.settings import Settings
from narrascope.spacy_import import import_spacy

__all__ = ["REGION_KINDS", "TextClean", "classify_text"]

#: Every region kind :func:`classify_text` assigns; all but ``content`` are excluded.
REGION_KINDS: tuple[str, ...] = (
    CONTENT, "breadcrumb", "title", "byline", "dateline", "header", "list", "cookie", "site",
    "footer",
)  # fmt: skip

_MIN_PROSE_WORDS = 12  # a paragraph shorter than this is not evidence of the body
_MIN_PROSE_STOPWORDS = 0.15  # prose has function words; link lists and tag clouds do not
_MIN_UNPUNCTUATED_PROSE_WORDS = 30  # without a sentence ending, a paragraph needs this many
_MIN_LIST_HEADLINES = 3  # a heading followed by at least this many headlines is a list
_MIN_TAIL_SENTENCE_WORDS = 3  # a sentence this long next to the body joins the body

_LINE = re.compile(r"[^\n]+")
_TERMINAL = re.compile(r"""[.!?…]["'”’)\]]*\s*$""")
_HEADING_END = re.compile(r"[.;:,]\s*$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…|\[\.\.\.\])\s*$")
_BREADCRUMB_SEP = re.compile(r"\s(?:»|›|>|→|/|\||::)\s|\s?»\s?")
_BYLINE = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|reported\s+by|by|author:)\s+"
    r"(?P<name>[^\W\d_][\w.'’\-]*(?:\s+[^\W\d_][\w.'’\-]*){0,4})"
    r"(?:\s*(?:[|,–—\-]|\bon\b|\bpublished\b)(?P<rest>.*))?$",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?"
_DATE = (
    rf"(?:{_WEEKDAY}\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.+\-Z]*)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4})"
)
_DATELINE = re.compile(
    rf"^\s*(?:(?:published|posted|updated|date)(?:\s+on)?:?\s+)?(?P<date>{_DATE})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*$",
    re.IGNORECASE,
)
_DATE_ANYWHERE = re.compile(_DATE, re.IGNORECASE)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:accept|consent|privacy|opt[- ]?out|agree|experience|browsing|preferences|"
    r"settings|policy|personali[sz]e)\b",
    re.IGNORECASE,
)
_MAX_COOKIE_WORDS = 120
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TextClean:
    """Regions covering every non-blank line, and the metadata found in the debris."""

    regions: tuple[Region, ...]
    title: str | None = None
    author: str | None = None
    dateline: str | None = None


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str
    words: int
    kind: str = ""  # "" until classified

    @property
    def terminal(self) -> bool:
        return bool(_TERMINAL.search(self.text))


@cache
def _stopwords(model: str) -> frozenset[str]:
    """spaCy's English stop words (spaCy imported as the pipeline ``model`` needs it)."""
    import_spacy(model)
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _stopword_ratio(text: str, model: str) -> float:
    words = [w.strip(".,;:!?\"'“”‘’()[]").lower() for w in text.split()]
    if not words:
        return 0.0
    stop = _stopwords(model)
    return sum(1 for w in words if w in stop) / len(words)


def _lines(text: str) -> list[_Line]:
    out = []
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.end() - (len(raw) - len(raw.rstrip()))
        out.append(_Line(start, end, stripped, len(stripped.split())))
    return out


def _is_breadcrumb(line: _Line) -> bool:
    if line.words > 40 or line.terminal:
        return False
    separators = len(_BREADCRUMB_SEP.findall(line.text))
    first = line.text.split()[0].casefold()
    return separators >= 2 or (separators == 1 and first in {"home", "start", "index"})


def _breadcrumb_tail(line: _Line) -> str:
    return _BREADCRUMB_SEP.split(line.text)[-1].strip()


def _is_cookie(line: _Line) -> bool:
    return (
        line.words <= _MAX_COOKIE_WORDS
        and bool(_COOKIE.search(line.text))
        and bool(_COOKIE_CONTEXT.search(line.text))
    )


class _Classifier:
    def __init__(
        self, text: str, settings: Settings, site_lines: SiteLines | None, collection: str
    ) -> None:
        self.settings = settings
        self.lines = _lines(text)
        repeat = settings.boilerplate_site_repeat
        self.site: list[bool] = [
            repeat > 0
            and site_lines is not None
            and site_lines.documents(collection) >= max(repeat, 2)
            and site_lines.doc_count(collection, line.text) >= max(repeat, 2)
            for line in self.lines
        ]
        self.author: str | None = None
        self.dateline: str | None = None

    # --- line shapes ---------------------------------------------------------------
    def heading_like(self, line: _Line) -> bool:
        return (
            line.words <= self.settings.boilerplate_heading_words
            and not _HEADING_END.search(line.text)
        )

    def headline_like(self, line: _Line) -> bool:
        return line.words <= 2 * self.settings.boilerplate_heading_words and not (
            line.text.endswith(".") and not _TRUNCATED.search(line.text)
        )

    def prose(self, line: _Line) -> bool:
        """A body paragraph: enough words, function words, and a sentence ending
        (a long headline has the words but rarely the final full stop)."""
        return (
            line.words >= _MIN_PROSE_WORDS
            and (line.terminal or line.words >= _MIN_UNPUNCTUATED_PROSE_WORDS)
            and _stopword_ratio(line.text, self.settings.spacy_model) >= _MIN_PROSE_STOPWORDS
        )

    # --- passes --------------------------------------------------------------------
    def mark_special(self) -> None:
        """Lines recognisable on their own: breadcrumbs, bylines, datelines, cookies."""
        for line in self.lines:
            if _is_cookie(line):
                line.kind = "cookie"
            elif _is_breadcrumb(line):
                line.kind = "breadcrumb"
            elif line.words <= 12 and (byline := _BYLINE.match(line.text)):
                line.kind = "byline"
                self.author = self.author or byline.group("name").strip(" .,")
                rest = byline.group("rest") or ""
                if self.dateline is None and (date := _DATE_ANYWHERE.search(rest)):
                    self.dateline = date.group()
            elif line.words <= 10 and (dateline := _DATELINE.match(line.text)):
                line.kind = "dateline"
                self.dateline = self.dateline or dateline.group("date")

    def mark_lists(self) -> list[tuple[int, int, bool]]:
        """Headline lists: a heading, then headlines each with at most one teaser.

        Returns ``(first, last, strong)`` index ranges; ``strong`` when the
        heading recurs on the site or most teasers are truncated.
        """
        found = []
        i, n = 0, len(self.lines)
        while i < n:
            head = self.lines[i]
            if head.kind or not self.heading_like(head):
                i += 1
                continue
            headlines, teasers, truncated, j, after_headline = 0, 0, 0, i + 1, False
            while j < n and not self.lines[j].kind:
                line = self.lines[j]
                if self.headline_like(line) and not (after_headline and _TRUNCATED.search(
                    line.text
                )):
                    headlines += 1
                    after_headline = True
                elif after_headline and line.words <= self.settings.boilerplate_teaser_words:
                    teasers += 1
                    truncated += bool(_TRUNCATED.search(line.text))
                    after_headline = False
                else:
                    break
                j += 1
            if headlines >= _MIN_LIST_HEADLINES or (self.site[i] and headlines + teasers):
                strong = self.site[i] or (teasers > 0 and 2 * truncated >= teasers)
                found.append((i, j - 1, strong))
                i = j
            else:
                i += 1
        return found

    def body_range(self, in_list: list[bool], strong: list[bool]) -> tuple[int, int] | None:
        """First and last line of the body: the prose outside strong headline lists.

        A teaser of a weak list (no truncation marks, heading not seen on
        other pages of the site) still counts as prose, so a short list inside
        an article does not cut the article in two.
        """
        candidates = [
            k for k, line in enumerate(self.lines)
            if not line.kind and not strong[k] and self.prose(line)
        ]  # fmt: skip
        if not candidates:
            return None
        first, last = candidates[0], candidates[-1]
        while first > 0 and self._joins_body(first - 1, in_list):
            first -= 1
        while last + 1 < len(self.lines) and self._joins_body(last + 1, in_list):
            last += 1
        return first, last

    def _joins_body(self, k: int, in_list: list[bool]) -> bool:
        """A sentence right next to the body (a short closing line, a footnote) is body."""
        line = self.lines[k]
        return (
            not line.kind
            and not in_list[k]
            and not self.site[k]
            and line.terminal
            and line.words >= _MIN_TAIL_SENTENCE_WORDS
            and not _COPYRIGHT.search(line.text)
            and not _TRUNCATED.search(line.text)
        )

    def classify(self) -> TextClean:
        self.mark_special()
        lists = self.mark_lists()
        in_list = [False] * len(self.lines)
        strong_list = [False] * len(self.lines)
        for first, last, strong in lists:
            for k in range(first, last + 1):
                in_list[k] = True
                strong_list[k] = strong
        body = self.body_range(in_list, strong_list)
        if body is None:  # no prose at all: keep every ordinary line rather than lose it
            body = (0, len(self.lines) - 1)
        first, last = body
        for k, line in enumerate(self.lines):
            if line.kind:
                continue
            if first <= k <= last:
                if in_list[k] and strong_list[k]:
                    line.kind = "list"
                elif self.site[k] and self.heading_like(line):
                    line.kind = "site"
                else:
                    line.kind = CONTENT
            elif in_list[k]:
                line.kind = "list"
            elif self.site[k]:
                line.kind = "site"
            else:
                line.kind = "header" if k < first else "footer"
        title = self.pick_title(first)
        return TextClean(
            regions=tuple(Region(line.start, line.end, line.kind) for line in self.lines),
            title=title,
            author=self.author,
            dateline=self.dateline,
        )

    def pick_title(self, body_start: int) -> str | None:
        """The title among the header lines, marked as such; None if there is no header."""
        header = [
            line for line in self.lines[:body_start]
            if line.kind in {"header", "list", "site"} and self.headline_like(line)
        ]  # fmt: skip
        if not header:
            crumbs = [ln for ln in self.lines[:body_start] if ln.kind == "breadcrumb"]
            return _breadcrumb_tail(crumbs[-1]) if crumbs else None
        chosen: str | None = None
        for crumb in (ln for ln in self.lines[:body_start] if ln.kind == "breadcrumb"):
            tail = line_key(_breadcrumb_tail(crumb))
            chosen = next((ln.text for ln in header if line_key(ln.text) == tail), None)
            if chosen is None:
                # a truncated breadcrumb tail still points at its line
                chosen = next(
                    (ln.text for ln in header if tail and line_key(ln.text).startswith(tail)),
                    None,
                )
            if chosen is not None:
                break
        if chosen is None:
            counts = Counter(line_key(ln.text) for ln in header)
            repeated = [ln.text for ln in header if counts[line_key(ln.text)] > 1]
            chosen = repeated[0] if repeated else None
        if chosen is None:
            own = [ln for ln, site in zip(self.lines, self.site, strict=False) if ln in header
                   and not site]  # fmt: skip
            chosen = own[0].text if own else None
        if chosen is None:
            return None
        key = line_key(chosen)
        for line in header:
            if line_key(line.text) == key:
                line.kind = "title"
        return " ".join(chosen.split())


def classify_text(
    text: str,
    settings: Settings,
    site_lines: SiteLines | None = None,
    collection: str = "",
) -> TextClean:
    """Label every non-blank line of ``text`` as content or a kind of boilerplate.

    ``site_lines`` carries corpus statistics (lines recurring across the
    documents of ``collection``); without it only the document's own shape
    is used. Regions never overlap, are in text order and cover exactly the
    non-blank lines (without their surrounding whitespace).
    """
    return _Classifier(text, settings, site_lines, collection).classify()
