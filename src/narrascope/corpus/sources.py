"""On whose word a corpus rests: per-document and corpus summaries, cited sources.

:func:`summarise` reads a built store and returns, for each document and for
the whole corpus, the share of asserting sentences that are quoted or
attributed, hedged, or unattributed (see :mod:`narrascope.extract.hedges`),
the share of quotes from anonymous sources, the most quoted speakers and the
most cited documents. :func:`export_sources` gives the records of
``narrascope export --what sources``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from narrascope.store import SqliteStore

__all__ = ["AttributionSummary", "export_sources", "quotes_of", "summarise"]

_TOP = 10


@dataclass(frozen=True, slots=True)
class AttributionSummary:
    """Attribution figures of one document (``doc`` set) or of the corpus (``doc`` None)."""

    doc: str | None
    source: str | None
    sentences: int
    statuses: dict[str, int]
    quotes: int
    anonymous_quotes: int
    speakers: list[tuple[str, int]] = field(default_factory=list)
    documents: list[tuple[str, int]] = field(default_factory=list)

    def share(self, *statuses: str) -> float:
        """Share of the asserting sentences with one of ``statuses``."""
        n = sum(self.statuses.get(s, 0) for s in statuses)
        return n / self.sentences if self.sentences else 0.0

    @property
    def attributed_share(self) -> float:
        """Share of sentences that are quoted or attributed to a named source."""
        return self.share("quoted", "attributed")

    @property
    def anonymous_share(self) -> float:
        """Share of the quotes whose source is anonymous."""
        return self.anonymous_quotes / self.quotes if self.quotes else 0.0


def _speaker(row: Any) -> str | None:
    if row["speaker"]:
        return str(row["speaker"])
    if row["speaker_start"] is not None:
        return str(row["text"][row["speaker_start"]:row["speaker_end"]])
    return None


def summarise(store: SqliteStore) -> tuple[AttributionSummary, list[AttributionSummary]]:
    """The corpus summary and one summary per document (in source order)."""
    docs = store.query("SELECT id, source FROM documents ORDER BY source")
    status_rows = store.query(
        "SELECT doc, status, COUNT(*) AS n FROM sentence_attribution GROUP BY doc, status")
    quote_rows = store.query(
        "SELECT q.doc, q.source_type, q.speaker, q.speaker_start, q.speaker_end, d.text"
        " FROM quotes q JOIN documents d ON d.id = q.doc")
    cite_rows = store.query("SELECT doc, kind, text FROM citations WHERE kind != 'url'")
    per: dict[str, dict[str, Any]] = {
        d["id"]: {"source": d["source"], "st": Counter(), "sp": Counter(), "cd": Counter(),
                  "q": 0, "anon": 0}
        for d in docs
    }
    total: dict[str, Any] = {"st": Counter(), "sp": Counter(), "cd": Counter(), "q": 0,
                             "anon": 0}
    for r in status_rows:
        for acc in (per[r["doc"]], total):
            acc["st"][r["status"]] += r["n"]
    for r in quote_rows:
        name = _speaker(r)
        for acc in (per[r["doc"]], total):
            acc["q"] += 1
            acc["anon"] += r["source_type"] == "anonymous"
            if name and r["source_type"] != "anonymous":
                acc["sp"][name] += 1
            if name and r["source_type"] == "document":
                acc["cd"][name] += 1
    for r in cite_rows:
        label = " ".join(str(r["text"]).split())
        for acc in (per[r["doc"]], total):
            acc["cd"][label] += 1

    def make(doc: str | None, acc: dict[str, Any]) -> AttributionSummary:
        return AttributionSummary(
            doc, acc.get("source"), sum(acc["st"].values()), dict(acc["st"]), acc["q"],
            acc["anon"], acc["sp"].most_common(_TOP), acc["cd"].most_common(_TOP))

    return make(None, total), [make(d, acc) for d, acc in per.items()]


def quotes_of(store: SqliteStore, speaker: str | None = None) -> list[dict[str, Any]]:
    """The quote records (as exported), only those of ``speaker`` if given.

    A speaker matches when the name, its last word or the entity's name
    (case-folded) equals ``speaker``.
    """
    from narrascope.extract.attribution import export_quotes

    out = []
    want = speaker.casefold().strip() if speaker else None
    for rec in export_quotes(store):
        if want is not None:
            names = {str(v).casefold() for v in (rec["speaker"], rec["speaker_text"]) if v}
            names |= {n.split()[-1] for n in names if n.split()}
            if want not in names and want.split()[-1] not in names:
                continue
        out.append(rec)
    return out


def export_sources(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what sources``: every cited source.

    A citation (report, book, memoir, article, journal, footnote with its note,
    URL) with the sentences relying on it, and every quote whose speaker is a
    document (``kind`` ``quoted-document``).
    """
    rows = store.query(
        "SELECT c.* FROM citations c JOIN documents d ON d.id = c.doc ORDER BY d.source, c.start")
    for r in rows:
        yield {
            "doc": r["doc"], "start": r["start"], "end": r["end"], "kind": r["kind"],
            "text": r["text"], "note_start": r["note_start"], "note_end": r["note_end"],
            "sentences": json.loads(r["sentences"]),
        }
    quotes = store.query(
        "SELECT q.doc, q.start, q.end, q.speaker, q.speaker_start, q.speaker_end, d.text"
        " FROM quotes q JOIN documents d ON d.id = q.doc WHERE q.source_type = 'document'"
        " ORDER BY d.source, q.start")
    for r in quotes:
        yield {
            "doc": r["doc"], "start": r["speaker_start"] if r["speaker_start"] is not None
            else r["start"], "end": r["speaker_end"] if r["speaker_end"] is not None else r["end"],
            "kind": "quoted-document", "text": _speaker(r) or "", "note_start": None,
            "note_end": None, "sentences": [[r["start"], r["end"]]],
        }
