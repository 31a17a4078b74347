"""Per-document stage: lexicon sentiment of sentences, and the store rows of relations.

The sentiment of each content sentence comes from VADER (Hutto & Gilbert 2014,
the ``vaderSentiment`` package: a rule-based lexicon of about 7,500 words with
intensifiers, negation and contrast rules; MIT licence, the lexicon ships in the
wheel, no network). Its ``compound`` score runs from -1 (most negative) to 1.
The corpus stage (:mod:`narrascope.corpus.stance`) combines the scores of the
sentences that name an entity with the relations it takes part in and the
persuasion techniques aimed at it into the document's stance towards it.

VADER was built for social-media text; on news it reads the tone of the words
(a sentence about killings is negative whoever did them), which is why the stance
also weighs the relations and technique targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from narrascope.model import Document

__all__ = ["SentenceSentiment", "document_rows", "polarity", "sentence_sentiments"]

_MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class SentenceSentiment:
    """VADER scores of one content sentence (``compound`` in -1..1)."""

    doc: str
    start: int
    end: int
    compound: float
    positive: float
    negative: float


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _scores(text: str) -> dict[str, float]:
    scores: dict[str, float] = _analyzer().polarity_scores(text)
    return scores


def polarity(text: str) -> float:
    """VADER compound score of ``text`` (-1..1; 0 for neutral or empty text)."""
    if len(text.strip()) < _MIN_CHARS:
        return 0.0
    return float(_scores(text)["compound"])


def sentence_sentiments(doc: Document) -> tuple[SentenceSentiment, ...]:
    """The sentiment of each content sentence of ``doc``."""
    found = []
    for s in doc.sentences:
        text = doc.text[s.start:s.end]
        if len(text.strip()) < _MIN_CHARS or not doc.in_content(s.start, s.end):
            continue
        scores = _scores(text)
        found.append(SentenceSentiment(doc.id, s.start, s.end, round(scores["compound"], 4),
                                       round(scores["pos"], 4), round(scores["neg"], 4)))
    return tuple(found)


_RELATION_SQL = (
    "INSERT INTO relations (doc, start, end, subject_start, subject_end, subject,"
    " subject_label, subject_ref_start, subject_ref_end, object_start, object_end, object,"
    " object_label, object_ref_start, object_ref_end, predicate, predicate_start,"
    " predicate_end, relation, cameo, pattern, negated, modality, attribution, asserted_by,"
    " speaker_start, speaker_end)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SENTIMENT_SQL = (
    "INSERT INTO sentence_sentiment (doc, start, end, compound, positive, negative)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def document_rows(doc: Document) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """``(insert statement, rows)`` pairs for ``store.save_document(..., extra=...)``."""
    relation_rows = [
        (r.doc, r.start, r.end, r.subject_start, r.subject_end, r.subject, r.subject_label,
         r.subject_ref_start, r.subject_ref_end, r.object_start, r.object_end, r.object,
         r.object_label, r.object_ref_start, r.object_ref_end, r.predicate, r.predicate_start,
         r.predicate_end, r.relation, r.cameo, r.pattern, int(r.negated), r.modality,
         r.attribution, r.asserted_by, r.speaker_start, r.speaker_end)
        for r in doc.relations
    ]
    sentiment_rows = [
        (s.doc, s.start, s.end, s.compound, s.positive, s.negative)
        for s in sentence_sentiments(doc)
    ]
    return [(_RELATION_SQL, relation_rows), (_SENTIMENT_SQL, sentiment_rows)]
