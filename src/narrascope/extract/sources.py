"""Per-document stage: cited sources (reports, books, articles, footnotes, URLs).

* footnote markers such as ``(*)``, ``(**)``, ``(1)`` or ``[2]`` in the text,
  linked to the note that repeats the marker later (``(*) Title, Author``);
* URLs;
* references to documents by their head noun (report, book, memoir, article,
  journal, study, letter, survey, ...), with the phrase that names them ("a
  2007 German intelligence report from the Federal Office ..."), and titles
  after "author of" / "in his book".

Each :class:`~narrascope.model.Citation` carries the sentences that rely on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from narrascope.model import Citation, Document

if TYPE_CHECKING:
    from spacy.tokens import Token

    from narrascope.extract.nlp import Parsed

__all__ = ["citations"]

_MARKER = re.compile(r"\((\*{1,6}|\d{1,2})\)|\[(\d{1,3})\]")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"“”'‘’]+", re.IGNORECASE)
_KINDS = {
    "report": "report", "reports": "report", "book": "book", "books": "book",
    "memoir": "memoir", "memoirs": "memoir", "autobiography": "memoir", "article": "article",
    "articles": "article", "journal": "journal", "study": "study", "studies": "study",
    "letter": "letter", "survey": "study", "paper": "study", "dossier": "report",
    "cable": "letter", "memo": "letter", "memorandum": "letter", "telegram": "letter",
    "documentary": "article", "interview": "article", "editorial": "article",
}
_MAX_TOKENS = 20


def citations(doc: Document, parsed: Sequence[Parsed]) -> tuple[Citation, ...]:
    """The cited sources of ``doc``'s content regions, in text order."""
    sentences = [(s.start, s.end) for s in doc.sentences]
    found = (_footnotes(doc, sentences) + _urls(doc, sentences) + _documents(doc, parsed)
             + _titles(doc, sentences))
    found.sort(key=lambda c: (c.start, -c.end))
    kept: list[Citation] = []
    for c in found:
        if kept and kept[-1].start <= c.start and c.end <= kept[-1].end:
            continue  # "Foreign Policy Journal" inside "the Foreign Policy Journal Article"
        kept.append(c)
    return tuple(kept)


_TITLE = re.compile(
    r"\b(?:author of|in (?:his|her|their) (?:book|memoir|article|report))\s*,?\s*"
    r"[\"“‘'«]([^\"“”‘’«»\n]{2,120})[\"”’'»]", re.IGNORECASE,
)


def _titles(doc: Document, sentences: Sequence[tuple[int, int]]) -> list[Citation]:
    out = []
    for s, e in doc.content_spans:
        for m in _TITLE.finditer(doc.text, s, e):
            kind = "memoir" if "memoir" in m.group().lower() else "book"
            out.append(Citation(doc.id, m.start(1), m.end(1), kind, m.group(1), None, None,
                                _sentence_of(m.start(), m.end(), sentences)))
    return out


def _sentence_of(start: int, end: int, sentences: Sequence[tuple[int, int]]) -> tuple[
    tuple[int, int], ...
]:
    return tuple((s, e) for s, e in sentences if s < end and start < e)


def _footnotes(doc: Document, sentences: Sequence[tuple[int, int]]) -> list[Citation]:
    hits: dict[str, list[re.Match[str]]] = {}
    for s, e in doc.content_spans:
        for m in _MARKER.finditer(doc.text, s, e):
            hits.setdefault(m.group(), []).append(m)
    out: list[Citation] = []
    every = sorted((m for ms in hits.values() for m in ms), key=lambda m: m.start())
    for ms in hits.values():
        if len(ms) < 2:
            continue
        note = ms[-1]
        region_end = next(e for s, e in doc.content_spans if s <= note.start() < e)
        following = [m.start() for m in every if m.start() > note.start()]
        stop = min([region_end, *following])
        body = doc.text[note.end():stop]
        ns = note.end() + len(body) - len(body.lstrip())
        ne = note.end() + len(body.rstrip())
        if ne <= ns:
            continue
        for m in ms[:-1]:
            out.append(Citation(  # noqa: PERF401
                doc.id, m.start(), m.end(), "footnote", doc.text[ns:ne], ns, ne,
                _sentence_of(m.start(), m.end(), sentences) or tuple(
                    [s for s in sentences if s[1] <= m.start()][-1:]),
            ))
    return out


def _urls(doc: Document, sentences: Sequence[tuple[int, int]]) -> list[Citation]:
    out = []
    for s, e in doc.content_spans:
        for m in _URL.finditer(doc.text, s, e):
            url = m.group().rstrip(".,;:)!?]")
            out.append(Citation(doc.id, m.start(), m.start() + len(url), "url", url, None, None,
                                _sentence_of(m.start(), m.start() + len(url), sentences)))
    return out


def _documents(doc: Document, parsed: Sequence[Parsed]) -> list[Citation]:
    out = []
    for piece in parsed:
        for t in piece.doc:
            kind = _KINDS.get(t.lower_)
            if kind is None or t.pos_ not in {"NOUN", "PROPN"}:
                continue
            span = _phrase(t)
            if span is None:
                continue
            s, e = piece.offset + span[0], piece.offset + span[1]
            sent = t.sent
            out.append(Citation(
                doc.id, s, e, kind, doc.text[s:e], None, None,
                ((piece.offset + sent.start_char, piece.offset + sent.end_char),),
            ))
    return out


def _phrase(noun: Token) -> tuple[int, int] | None:
    """The noun phrase naming a document, with its "from/by/of/on" complement."""
    left = noun.left_edge
    tokens = list(noun.doc[left.i:noun.i + 1])
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in {"from", "by", "of", "on", "in", "titled"}:
            tokens.extend(child.subtree)
        elif child.dep_ in {"appos", "compound"} or (
            child.dep_ == "punct" and child.text in "‘“'\""
        ):
            continue
        else:
            break
    tokens = sorted({t.i: t for t in tokens}.values(), key=lambda t: t.i)
    # a determiner alone ("the report" said again) is still a citation; bare pronoun-like uses
    # ("report" as a verb-ish noun in "report card") are rare enough to keep
    tokens = [t for t in tokens if t.i <= noun.i + _MAX_TOKENS]
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    if not tokens:
        return None
    # keep only a contiguous run
    run = [tokens[0]]
    for t in tokens[1:]:
        if t.i != run[-1].i + 1:
            break
        run.append(t)
    if noun not in run:
        return None
    return run[0].idx, run[-1].idx + len(run[-1].text)
