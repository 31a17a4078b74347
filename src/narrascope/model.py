"""The records that flow through the pipeline.

A reader yields :class:`RawDocument` (bytes already decoded, nothing analysed);
the parse stage turns it into a :class:`Document`, whose ``text`` is what the
store keeps and what every offset indexes. Findings (:class:`Sentence`,
:class:`Mention`, ...) are small frozen records with ``doc``, ``start`` and
``end``: ``document.text[start:end]`` is the evidence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CONTENT",
    "Document",
    "Mention",
    "RawDocument",
    "Region",
    "Sentence",
    "Skipped",
    "document_id",
]

#: The region kind of the main content; every other kind is excluded (boilerplate).
CONTENT = "content"

Format = Literal["txt", "html", "warc", "jsonl", "url"]


def document_id(text: str) -> str:
    """Stable id of a document: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One article as a reader found it, before any analysis.

    ``body`` is decoded text; ``is_html`` says whether it is markup that the
    parse stage must extract. ``source`` names where it came from (a path, a
    URL, or ``path#record`` for a record inside a WARC or JSONL file), and
    ``collection`` groups documents that share boilerplate (a site, or the
    folder of plain-text files).
    """

    source: str
    format: Format
    body: str
    is_html: bool = False
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    collection: str = ""
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that yielded no document, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Region:
    """A classified stretch of a document's text: main content or a kind of boilerplate."""

    start: int
    end: int
    kind: str

    @property
    def excluded(self) -> bool:
        return self.kind != CONTENT


@dataclass(frozen=True, slots=True)
class Sentence:
    doc: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A named-entity mention; ``entity`` is filled by the corpus entity stage."""

    doc: str
    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class Document:
    """The record at the centre of the pipeline.

    ``text`` is never rewritten after parsing: for a ``.txt`` input it is the
    file exactly as decoded. Boilerplate is kept in ``regions`` as excluded
    kinds, so offsets always index the original text.
    """

    source: str
    format: Format
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    encoding: str | None = None
    regions: tuple[Region, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", document_id(self.text))

    @property
    def content_spans(self) -> list[tuple[int, int]]:
        return [(r.start, r.end) for r in self.regions if not r.excluded]

    @property
    def boilerplate_spans(self) -> list[tuple[int, int]]:
        return [(r.start, r.end) for r in self.regions if r.excluded]

    def in_content(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside one content region."""
        return any(r.start <= start and end <= r.end for r in self.regions if not r.excluded)
