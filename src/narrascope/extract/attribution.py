"""Wiring of the attribution stages: quotes, cited sources, sentence status, store rows."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from narrascope.extract.hedges import sentence_statuses
from narrascope.extract.quotes import quotes
from narrascope.extract.sources import citations
from narrascope.model import Document

if TYPE_CHECKING:
    from narrascope.extract.nlp import Parsed
    from narrascope.store import SqliteStore

__all__ = ["attribute", "export_citations", "export_quotes", "store_rows"]

_QUOTE_SQL = (
    "INSERT INTO quotes (doc, start, end, kind, parts, source_type, cue, cue_start, cue_end,"
    " speaker_start, speaker_end, speaker, ref_start, ref_end, grp)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CITATION_SQL = (
    "INSERT INTO citations (doc, start, end, kind, text, note_start, note_end, sentences)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


_STATUS_SQL = (
    "INSERT INTO sentence_attribution (doc, start, end, status, cue) VALUES (?, ?, ?, ?, ?)"
)


def attribute(doc: Document, parsed: Sequence[Parsed]) -> Document:
    """``doc`` with its quotes and citations (needs its sentences and mentions)."""
    return replace(doc, quotes=quotes(doc, parsed), citations=citations(doc, parsed))


def store_rows(doc: Document) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """``(insert statement, rows)`` pairs for :meth:`SqliteStore.save_document`'s ``extra``."""
    return [
        (_QUOTE_SQL, [
            (doc.id, q.start, q.end, q.kind, json.dumps([list(p) for p in q.parts]),
             q.source_type, q.cue, q.cue_start, q.cue_end, q.speaker_start, q.speaker_end,
             q.speaker, q.ref_start, q.ref_end, q.group)
            for q in doc.quotes
        ]),
        (_CITATION_SQL, [
            (doc.id, c.start, c.end, c.kind, c.text, c.note_start, c.note_end,
             json.dumps([list(s) for s in c.sentences]))
            for c in doc.citations
        ]),
        (_STATUS_SQL, [
            (st.doc, st.start, st.end, st.status, st.cue) for st in sentence_statuses(doc)
        ]),
    ]


def export_quotes(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what quotes``."""
    rows = store.query(
        "SELECT q.*, d.text AS doc_text, m.entity AS speaker_entity FROM quotes q"
        " JOIN documents d ON d.id = q.doc"
        " LEFT JOIN mentions m ON m.doc = q.doc AND m.start = q.ref_start AND m.end = q.ref_end"
        " ORDER BY d.source, q.start"
    )
    for r in rows:
        text = r["doc_text"]
        parts = json.loads(r["parts"])
        yield {
            "doc": r["doc"], "start": r["start"], "end": r["end"],
            "text": " … ".join(text[s:e] for s, e in parts), "parts": parts,
            "kind": r["kind"], "cue": r["cue"], "cue_start": r["cue_start"],
            "cue_end": r["cue_end"], "speaker": r["speaker"],
            "speaker_text": (text[r["speaker_start"]:r["speaker_end"]]
                             if r["speaker_start"] is not None else None),
            "speaker_start": r["speaker_start"], "speaker_end": r["speaker_end"],
            "speaker_entity": r["speaker_entity"], "source_type": r["source_type"],
            "group": r["grp"],
        }


def export_citations(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what citations``."""
    rows = store.query(
        "SELECT c.* FROM citations c JOIN documents d ON d.id = c.doc ORDER BY d.source, c.start"
    )
    for r in rows:
        yield {
            "doc": r["doc"], "start": r["start"], "end": r["end"], "kind": r["kind"],
            "text": r["text"], "note_start": r["note_start"], "note_end": r["note_end"],
            "sentences": json.loads(r["sentences"]),
        }
