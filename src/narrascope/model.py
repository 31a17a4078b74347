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
    "Alias",
    "Citation",
    "Document",
    "Event",
    "EventActor",
    "Mention",
    "Quote",
    "RawDocument",
    "Region",
    "Relation",
    "Sentence",
    "Skipped",
    "TechniqueSpan",
    "Timex",
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
    """A named-entity mention; ``entity`` is filled by the corpus entity stage.

    ``title`` is a title or role written with the name ("Lt. Col.", "former
    Mayor"); ``possessive`` says the text had a possessive, now trimmed off.
    """

    doc: str
    start: int
    end: int
    text: str
    label: str
    title: str | None = None
    possessive: bool = False


@dataclass(frozen=True, slots=True)
class Alias:
    """A document's own statement that two names are one: "X (ABC)", "X, also known as Y".

    ``start``/``end`` is the evidence span; ``kind`` is acronym or alias.
    """

    doc: str
    start: int
    end: int
    name: str
    alias: str
    kind: str


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct, partial or indirect (reported) quote and whose word it is.

    ``start``/``end`` cover the content; a split quote ("…," he said, "…") has
    several ``parts``, each a content span, and ``start``/``end`` run from the
    first to the last. A quote that runs over several paragraphs is one record
    per paragraph sharing ``group`` (the ``start`` of its first part).
    ``speaker_start``/``speaker_end`` is the span naming the speaker where the
    quote is attributed ("he", "the spokesman", "Ritter"); ``ref_start``/``ref_end``
    is the mention it resolves to (a join on ``mentions`` gives the entity).
    ``source_type`` is person, organisation, document, anonymous or outlet.
    """

    doc: str
    start: int
    end: int
    kind: str
    parts: tuple[tuple[int, int], ...]
    source_type: str
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker: str | None = None
    ref_start: int | None = None
    ref_end: int | None = None
    group: int | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A cited source: a report, book, article, footnote, URL ...

    ``kind`` is the kind of source (report, book, memoir, article, journal,
    study, letter, footnote, url); for a footnote marker, ``note_start``/``note_end``
    is the footnote it points to. ``sentences`` are the spans that rely on it.
    """

    doc: str
    start: int
    end: int
    kind: str
    text: str
    note_start: int | None = None
    note_end: int | None = None
    sentences: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Timex:
    """A temporal expression and its TIMEX3-style value.

    ``value`` is ``1976-08-28`` (granularity day), ``1979-11`` (month), ``1972``
    (year), ``196X`` (decade), ``P20Y`` (a duration), ``1980/1988`` (a range, with
    ``start_value``/``end_value``), or ``None`` with ``unresolved_reason`` when it
    cannot be resolved. ``kind`` is date, time, duration, set or range;
    ``anchor_source`` says what a relative value was resolved against (absolute,
    document, discourse, sentence).
    """

    doc: str
    start: int
    end: int
    text: str
    value: str | None
    granularity: str | None
    kind: str
    start_value: str | None = None
    end_value: str | None = None
    anchor_source: str | None = None
    unresolved_reason: str | None = None


@dataclass(frozen=True, slots=True)
class EventActor:
    """An entity mention taking part in an event; ``role`` is agent, patient or None."""

    start: int
    end: int
    text: str
    label: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A dated assertion: the sentence ``start``/``end`` with a resolved date in it.

    ``timex_start``/``timex_end`` is the date expression; ``predicate`` the lemma of
    the verb governing it (``trigger_start``/``trigger_end``); ``place`` a GPE, LOC
    or FAC mention of the sentence.
    """

    doc: str
    start: int
    end: int
    timex_start: int
    timex_end: int
    date: str
    date_text: str
    granularity: str | None
    predicate: str | None = None
    trigger_start: int | None = None
    trigger_end: int | None = None
    actors: tuple[EventActor, ...] = ()
    place: str | None = None
    place_start: int | None = None
    place_end: int | None = None


@dataclass(frozen=True, slots=True)
class TechniqueSpan:
    """A span using a persuasion technique (one of the 14 PTC labels) and its confidence.

    ``target_start``/``target_end`` is the mention or noun phrase the technique is
    aimed at, where the sentence makes it clear (the noun a loaded adjective
    modifies, the subject a label is predicated of, the head of an appositive).
    """

    doc: str
    start: int
    end: int
    text: str
    technique: str
    score: float
    target_start: int | None = None
    target_end: int | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """Who did what to whom in one sentence: subject, predicate, object.

    ``start``/``end`` is the evidence sentence; ``subject_start``/``subject_end``
    the words naming the subject in it (a name, a pronoun, a description) and
    ``subject_ref_start``/``subject_ref_end`` the name they refer to (a join on
    ``mentions`` gives the entity); the same for the object. ``predicate`` is
    the verbatim lemma phrase ("collaborate with"), ``relation`` its taxonomy
    label (``data/taxonomy/relations.json``) or the predicate itself when no
    entry names it. ``attribution`` is outlet, hedged, quoted or reported;
    ``asserted_by`` is ``outlet`` or the quoted source.
    """

    doc: str
    start: int
    end: int
    subject_start: int
    subject_end: int
    subject: str
    subject_label: str
    subject_ref_start: int
    subject_ref_end: int
    object_start: int
    object_end: int
    object: str
    object_label: str
    object_ref_start: int
    object_ref_end: int
    predicate: str
    predicate_start: int
    predicate_end: int
    relation: str
    cameo: str | None
    pattern: str
    negated: bool = False
    modality: str | None = None
    attribution: str = "outlet"
    asserted_by: str = "outlet"
    speaker_start: int | None = None
    speaker_end: int | None = None


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
    aliases: tuple[Alias, ...] = ()
    quotes: tuple[Quote, ...] = ()
    citations: tuple[Citation, ...] = ()
    timexes: tuple[Timex, ...] = ()
    events: tuple[Event, ...] = ()
    techniques: tuple[TechniqueSpan, ...] = ()
    relations: tuple[Relation, ...] = ()
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
