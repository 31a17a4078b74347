"""Exports of the store as JSON lines or CSV records.

Every record carries ``doc`` (or ``docs`` for corpus-level records); findings
carry ``start``/``end`` offsets into the stored document text and ``text``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from narrascope.corpus.claims import export_claims
from narrascope.corpus.events import export_events, export_timexes
from narrascope.corpus.network import export_edges, export_relations
from narrascope.corpus.reuse import export_reuse
from narrascope.corpus.sources import export_sources
from narrascope.corpus.stance import export_stance
from narrascope.errors import ConfigError
from narrascope.extract.attribution import export_citations, export_quotes
from narrascope.extract.techniques import export_techniques
from narrascope.store import SqliteStore

__all__ = ["EXPORTS", "FORMATS", "export", "records"]

Record = dict[str, Any]


def _documents(store: SqliteStore) -> Iterator[Record]:
    for row in store.documents():
        regions = store.regions(row["id"])
        yield {
            "id": row["id"],
            "doc": row["id"],
            "source": row["source"],
            "format": row["format"],
            "url": row["url"],
            "title": row["title"],
            "author": row["author"],
            "published": row["published"],
            "site": row["site"],
            "encoding": row["encoding"],
            "text": row["text"],
            "content_spans": [[r["start"], r["end"]] for r in regions if r["kind"] == "content"],
            "boilerplate_spans": [
                [r["start"], r["end"]] for r in regions if r["kind"] != "content"
            ],
            "boilerplate_kinds": [r["kind"] for r in regions if r["kind"] != "content"],
        }


def _mentions(store: SqliteStore) -> Iterator[Record]:
    for row in store.mentions():
        yield {
            "doc": row["doc"],
            "start": row["start"],
            "end": row["end"],
            "text": row["text"],
            "label": row["label"],
            "entity": row["entity"],
            "title": row["title"],
            "possessive": bool(row["possessive"]),
        }


def _entities(store: SqliteStore) -> Iterator[Record]:
    for row in store.entities():
        docs = store.query(
            "SELECT DISTINCT doc FROM mentions WHERE entity = ? ORDER BY doc", (row["id"],)
        )
        yield {
            "id": row["id"],
            "name": row["name"],
            "type": row["type"],
            "aliases": [{"text": t, "count": n} for t, n in store.entity_aliases(row["id"])],
            "mention_count": row["mention_count"],
            "doc_count": row["doc_count"],
            "docs": [d["doc"] for d in docs],
            "merged_by": json.loads(row["merged_by"]) if row["merged_by"] else None,
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
            "titles": json.loads(row["titles"]) if row["titles"] else {},
        }


EXPORTS: dict[str, Callable[[SqliteStore], Iterator[Record]]] = {
    "documents": _documents,
    "mentions": _mentions,
    "entities": _entities,
    "quotes": export_quotes,
    "citations": export_citations,
    "sources": export_sources,
    "events": export_events,
    "timexes": export_timexes,
    "techniques": export_techniques,
    "reuse": export_reuse,
    "claims": export_claims,
    "relations": export_relations,
    "edges": export_edges,
    "stance": export_stance,
}
FORMATS = ("jsonl", "csv")


def records(store: SqliteStore, what: str) -> Iterator[Record]:
    """The records of one export kind (see :data:`EXPORTS`), or of ``table:NAME``."""
    if what.startswith("table:"):
        from narrascope.interchange import table_records

        return table_records(store, what[len("table:"):])
    try:
        producer = EXPORTS[what]
    except KeyError:
        raise ConfigError(
            f"cannot export {what!r}; choose one of: {', '.join(EXPORTS)}"
        ) from None
    return producer(store)


def export(store: SqliteStore, what: str, fmt: str, out: TextIO) -> int:
    """Write the ``what`` records to ``out`` as ``fmt``; returns the number written.

    Formats beyond ``jsonl``/``csv`` (``ftm``, ``semeval-si``/``-tc``, ``gexf``,
    ``graphml``) and the ``table:NAME`` kinds are written by :mod:`narrascope.interchange`.
    """
    if fmt not in FORMATS or what.startswith("table:"):
        from narrascope.interchange import export_other

        return export_other(store, what, fmt, out)
    n = 0
    writer: Any = None
    for record in records(store, what):
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                # RFC 4180 line ends: a field holding a lone \r or \n is then always quoted
                writer = csv.DictWriter(out, fieldnames=list(record), lineterminator="\r\n")
                writer.writeheader()
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                    for k, v in record.items()
                }
            )
        n += 1
    return n
