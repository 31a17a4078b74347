"""Per-document stage: spans using persuasion techniques (the 14 PTC labels), with targets.

:func:`techniques` runs the trained detector (:mod:`.model`; the weights ship in
``narrascope/data/models/techniques``) over the parsed content regions of a
document: spans from the token model and whole sentences from the sentence
model, a technique and confidence for each from the span model, generic
statements marked as thought-terminating clichés by a rule (:mod:`.cliches`),
and the entity or noun phrase each span targets (:mod:`.targets`).
:func:`technique_rows` gives the store rows, :func:`export_techniques` the
export records and :func:`technique_counts` per-document and per-entity counts
and densities per 1,000 words. The taxonomy, with the SemEval-2023 Task 3
labels each technique maps to, is ``data/taxonomy/techniques.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from narrascope.extract.nlp import Parsed
from narrascope.extract.techniques.cliches import CLICHE, CLICHE_SCORE, generic_statements
from narrascope.extract.techniques.model import TechniqueModel, decode_spans, load_model
from narrascope.extract.techniques.targets import context_target, find_target
from narrascope.model import Document, TechniqueSpan

if TYPE_CHECKING:
    from narrascope.store import SqliteStore

__all__ = [
    "INSERT_SQL",
    "Technique",
    "TechniqueCount",
    "export_techniques",
    "load_model",
    "technique_counts",
    "technique_rows",
    "technique_taxonomy",
    "techniques",
    "with_techniques",
]

INSERT_SQL = (
    "INSERT INTO techniques (doc, start, end, text, technique, score, target_start,"
    " target_end, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_WORDS = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class Technique:
    label: str
    name: str
    description: str
    semeval2023: tuple[str, ...]


@cache
def technique_taxonomy() -> dict[str, Technique]:
    """The 14 PTC techniques by label, with their SemEval-2023 Task 3 counterparts."""
    raw = (resources.files("narrascope.data") / "taxonomy" / "techniques.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(raw)["techniques"]
    return {
        label: Technique(label, spec["name"], spec["description"], tuple(spec["semeval2023"]))
        for label, spec in data.items()
    }


def techniques(
    doc: Document, parsed: Sequence[Parsed], model: TechniqueModel
) -> tuple[TechniqueSpan, ...]:
    """The technique spans of ``doc``'s content regions (``parsed``), with their targets."""
    lowered = doc.text.lower()
    counts: dict[str, int] = {}  # of words in ``lowered``, shared by the spans below
    found: list[TechniqueSpan] = []
    for piece in parsed:
        sdoc = piece.doc
        if len(sdoc) == 0:
            continue
        probs = model.token_probs(sdoc)
        runs = decode_spans(probs, sdoc, model.threshold, model.gap, model.low)
        seen = {(a, b) for a, b, _ in runs}
        runs.extend(r for r in model.sentence_spans(sdoc, lowered, piece.offset, counts=counts)
                    if (r[0], r[1]) not in seen)
        spans = [sdoc[a:b] for a, b, _ in runs]
        labels = model.classify(sdoc, spans, lowered, piece.offset, counts=counts)
        for (_, _, p_span), span, (label, p_label) in zip(runs, spans, labels, strict=True):
            start, end = piece.offset + span.start_char, piece.offset + span.end_char
            if not (0 <= start < end <= len(doc.text)) or not doc.in_content(start, end):
                continue
            target = find_target(span, piece.offset, doc.mentions)
            found.append(_span(doc, start, end, technique=label,
                               score=round(p_span * p_label, 4), target=target))
        for sent in generic_statements(sdoc):  # clichés: a rule, see .cliches
            start, end = piece.offset + sent.start_char, piece.offset + sent.end_char
            if not doc.in_content(start, end) or any(
                t.technique == CLICHE and t.start < end and start < t.end for t in found
            ):
                continue
            target = find_target(sent, piece.offset, doc.mentions) or context_target(
                sent, piece.offset, doc.mentions
            )
            found.append(
                _span(doc, start, end, technique=CLICHE, score=CLICHE_SCORE, target=target)
            )
    return tuple(found)


def _span(
    doc: Document, start: int, end: int, *, technique: str, score: float,
    target: tuple[int, int] | None,
) -> TechniqueSpan:
    return TechniqueSpan(
        doc=doc.id, start=start, end=end, text=doc.text[start:end], technique=technique,
        score=score,
        target_start=target[0] if target else None,
        target_end=target[1] if target else None,
        target=doc.text[target[0]:target[1]] if target else None,
    )


def with_techniques(
    doc: Document, parsed: Sequence[Parsed], model: TechniqueModel | None
) -> Document:
    """``doc`` with its technique spans (unchanged when ``model`` is ``None``)."""
    if model is None:
        return doc
    return replace(doc, techniques=techniques(doc, parsed, model))


def technique_rows(doc: Document) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """``(insert statement, rows)`` for ``store.save_document(extra=...)``."""
    if not doc.techniques:
        return []
    return [(INSERT_SQL, [
        (t.doc, t.start, t.end, t.text, t.technique, t.score, t.target_start, t.target_end,
         t.target) for t in doc.techniques
    ])]


def export_techniques(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Export records: doc, start, end, text, technique, score, target and its entity."""
    rows = store.query(
        "SELECT t.*, (SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity"
        "  WHERE m.doc = t.doc AND m.start = t.target_start AND m.end = t.target_end"
        "  LIMIT 1) AS entity_name"
        " FROM techniques t ORDER BY t.doc, t.start, t.end"
    )
    for r in rows:
        yield {
            "doc": r["doc"], "start": r["start"], "end": r["end"], "text": r["text"],
            "technique": r["technique"], "score": r["score"],
            "target_start": r["target_start"], "target_end": r["target_end"],
            "target_text": r["target"], "target_entity": r["entity_name"] or r["target"],
        }


@dataclass(frozen=True, slots=True)
class TechniqueCount:
    """How often a technique is used in a document (``doc``) or against an entity."""

    key: str
    technique: str
    count: int
    per_1000_words: float


def technique_counts(store: SqliteStore, by: str = "doc") -> list[TechniqueCount]:
    """Counts per document (``by="doc"``) or per targeted entity (``by="entity"``).

    Density is per 1,000 words of the documents' content (for an entity: of the
    documents where it is targeted).
    """
    words: dict[str, int] = {}
    for d in store.query("SELECT id, text FROM documents"):
        regions = store.query(
            "SELECT start, end FROM regions WHERE doc = ? AND kind = 'content'", (d["id"],)
        )
        words[d["id"]] = sum(len(_WORDS.findall(d["text"][r["start"]:r["end"]]))
                             for r in regions)
    if by == "doc":
        sql = "SELECT doc AS key, technique, count(*) AS n, group_concat(DISTINCT doc) AS docs"
        sql += " FROM techniques GROUP BY doc, technique ORDER BY doc, n DESC"
    elif by == "entity":
        sql = (
            "SELECT coalesce(e.name, t.target) AS key, t.technique, count(*) AS n,"
            " group_concat(DISTINCT t.doc) AS docs FROM techniques t"
            " LEFT JOIN mentions m ON m.doc = t.doc AND m.start = t.target_start"
            "  AND m.end = t.target_end LEFT JOIN entities e ON e.id = m.entity"
            " WHERE t.target IS NOT NULL GROUP BY key, t.technique ORDER BY key, n DESC"
        )
    else:
        raise ValueError(f"count techniques by 'doc' or 'entity', not {by!r}")
    out = []
    for r in store.query(sql):
        total = sum(words.get(d, 0) for d in str(r["docs"]).split(","))
        density = 1000.0 * r["n"] / total if total else 0.0
        out.append(TechniqueCount(str(r["key"]), r["technique"], int(r["n"]),
                                  round(density, 3)))
    return out
