"""What each page shows, read from a store as plain JSON-ready dicts.

Every view works on whatever tables the store has: a section whose table is
missing (an older store, a stage not run) comes back empty with ``missing``
naming the table, and the page shows an empty-state message instead.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from narrascope.store import Store
from narrascope.web.spans import document_layers, render_text

__all__ = [
    "CONTEXT_CHARS",
    "Corpus",
    "bucket",
]

#: Characters of text shown either side of a mention in context.
CONTEXT_CHARS = 90

Record = dict[str, Any]


def bucket(date: str, zoom: str) -> str:
    """The decade/year/month a TIMEX3-style date falls in (``198X`` -> ``1980s``)."""
    m = re.match(r"(\d{3})([\dX])(?:-(\d{2}))?", date or "")
    if not m:
        return "undated"
    decade = m.group(1) + "0s"
    if zoom == "decade" or m.group(2) == "X":
        return decade
    year = m.group(1) + m.group(2)
    if zoom == "year" or not m.group(3):
        return year
    return f"{year}-{m.group(3)}"


def _json(value: Any, default: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else default
    except ValueError:
        return default


class Corpus:
    """Read-side queries over one open store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tables: dict[str, list[str]] = store.table_columns()

    def has(self, table: str, *columns: str) -> bool:
        return table in self.tables and set(columns) <= set(self.tables[table])

    def q(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[Record]:
        return [dict(r) for r in self.store.query(sql, tuple(params))]

    # -- overview ------------------------------------------------------------------

    def overview(self, top: int = 15) -> Record:
        docs = self.q(
            "SELECT id, title, site, published, source, length(text) AS chars FROM documents"
            " ORDER BY published IS NULL, published, source"
        )
        sites = Counter(d["site"] or "(no site)" for d in docs)
        dates = Counter((d["published"] or "")[:7] or "undated" for d in docs)
        out: Record = {
            "documents": docs,
            "counts": {t: self.q(f'SELECT count(*) AS n FROM "{t}"')[0]["n"]  # noqa: S608 - name from sqlite_master
                       for t in ("documents", "sentences", "mentions", "entities", "quotes",
                                 "timexes", "events", "citations", "techniques", "claims")
                       if t in self.tables},
            "sites": sites.most_common(),
            "dates": sorted(dates.items()),
            "entities": self.q(
                "SELECT id, name, type, mention_count, doc_count FROM entities"
                " ORDER BY mention_count DESC, name LIMIT ?", (top,))
            if "entities" in self.tables else [],
            "techniques": [], "claims": self.claims(top)["claims"],
        }
        if self.has("techniques", "technique"):
            out["techniques"] = [(r["technique"], r["n"]) for r in self.q(
                "SELECT technique, count(*) AS n FROM techniques GROUP BY technique"
                " ORDER BY n DESC, technique")]
        out["missing"] = [t for t in ("entities", "techniques", "claims") if t not in self.tables]
        return out

    # -- document ------------------------------------------------------------------

    def document(self, doc_id: str, focus: tuple[int, int] | None = None) -> Record | None:
        rows = self.q("SELECT * FROM documents WHERE id = ?", (doc_id,))
        if not rows:
            return None
        doc = rows[0]
        regions = self.q(
            "SELECT start, end, kind FROM regions WHERE doc = ? ORDER BY start", (doc_id,))
        layers = document_layers(self.store.query, self.tables, doc_id, len(doc["text"]))
        boiler = [(r["start"], r["end"], r["kind"]) for r in regions if r["kind"] != "content"]
        html = render_text(doc["text"], layers, boiler, focus)
        doc["layers"] = [
            {"key": la.key, "title": la.title, "slot": la.slot, "count": len(la.spans),
             "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in la.spans]}
            for la in layers
        ]
        doc["regions"] = regions
        doc["html"] = html
        return doc

    # -- entities ------------------------------------------------------------------

    def _context(self, doc: str, start: int, end: int, texts: dict[str, str]) -> Record:
        if doc not in texts:
            texts[doc] = self.q("SELECT text FROM documents WHERE id = ?", (doc,))[0]["text"]
        text = texts[doc]
        a, b = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        return {"doc": doc, "start": start, "end": end, "before": text[a:start],
                "text": text[start:end], "after": text[end:b]}

    def entity(self, entity_id: str) -> Record | None:
        rows = self.q("SELECT * FROM entities WHERE id = ?", (entity_id,))
        if not rows:
            return None
        ent = rows[0]
        ent["merged_by"] = _json(ent.get("merged_by"), ent.get("merged_by"))
        ent["aliases"] = [{"text": t, "count": n} for t, n in
                          self.store.entity_aliases(entity_id)]
        mentions = self.q(
            "SELECT m.doc, m.start, m.end, d.title FROM mentions m JOIN documents d"
            " ON d.id = m.doc WHERE m.entity = ? ORDER BY d.source, m.start", (entity_id,))
        texts: dict[str, str] = {}
        ent["mentions"] = [self._context(m["doc"], m["start"], m["end"], texts) | {
            "title": m["title"]} for m in mentions]
        spans = {(m["doc"], m["start"], m["end"]) for m in mentions}
        ent["quotes_by"], ent["quotes_about"] = self._entity_quotes(ent["name"], spans, texts)
        ent["techniques"] = []
        if self.has("techniques", "target_start", "target_end"):
            ent["techniques"] = [
                self._context(r["doc"], r["start"], r["end"], texts) | {"label": r["technique"]}
                for r in self.q("SELECT doc, start, end, technique, target_start, target_end"
                                " FROM techniques WHERE target_start IS NOT NULL ORDER BY doc")
                if (r["doc"], r["target_start"], r["target_end"]) in spans
            ]
        ent["timeline"] = self.timeline(entity=entity_id)["entries"]
        ent["relations"] = self._entity_relations(entity_id, texts)
        ent["stance"] = self._entity_stance(entity_id)
        return ent

    def _entity_relations(self, entity_id: str, texts: dict[str, str]) -> list[Record]:
        """Network edges from or to the entity, each with up to five evidence sentences."""
        if "network_edges" not in self.tables:
            return []
        edges = self.q("SELECT * FROM network_edges WHERE source = ? OR target = ?"
                       " ORDER BY count DESC, relation, id LIMIT 200", (entity_id, entity_id))
        for e in edges:
            e["evidence"] = [self._context(v["doc"], v["start"], v["end"], texts) | {
                "asserted_by": v.get("asserted_by")} for v in _json(e["evidence"], [])[:5]]
        return edges

    def _entity_stance(self, entity_id: str) -> list[Record]:
        """Mean stance of each site's documents towards the entity."""
        if "stance" not in self.tables:
            return []
        return self.q(
            "SELECT COALESCE(d.site, '') AS site, AVG(s.polarity) AS polarity, COUNT(*) AS docs"
            " FROM stance s JOIN documents d ON d.id = s.doc WHERE s.entity = ?"
            " GROUP BY COALESCE(d.site, '') ORDER BY polarity", (entity_id,))

    def _entity_quotes(
        self, name: str, spans: set[tuple[str, int, int]], texts: dict[str, str]
    ) -> tuple[list[Record], list[Record]]:
        if not self.has("quotes", "ref_start", "speaker"):
            return [], []
        by: list[Record] = []
        about: list[Record] = []
        by_doc: dict[str, list[tuple[int, int]]] = {}
        for d, s, e in spans:
            by_doc.setdefault(d, []).append((s, e))
        for r in self.q("SELECT * FROM quotes ORDER BY doc, start"):
            item = self._context(r["doc"], r["start"], r["end"], texts) | {
                "speaker": r["speaker"], "kind": r["kind"]}
            if (r["doc"], r["ref_start"], r["ref_end"]) in spans or (
                    r["speaker"] and r["speaker"] == name):
                by.append(item)
            elif any(r["start"] <= s and e <= r["end"] for s, e in by_doc.get(r["doc"], ())):
                about.append(item)
        return by, about

    # -- timeline ------------------------------------------------------------------

    def timeline(self, zoom: str = "year", entity: str | None = None) -> Record:
        zoom = zoom if zoom in ("decade", "year", "month") else "year"
        if not self.has("timeline", "sort_key", "actors"):
            return {"zoom": zoom, "entity": entity, "entries": [], "buckets": [],
                    "missing": ["timeline"]}
        entries = []
        for r in self.q("SELECT * FROM timeline ORDER BY sort_key, id"):
            actors = _json(r["actors"], [])
            if entity and not any(isinstance(a, dict) and a.get("entity") == entity
                                  for a in actors):
                continue
            r["actors"] = actors
            r["docs"] = _json(r["docs"], [])
            r["bucket"] = bucket(r["date"], zoom)
            entries.append(r)
        if entries and self.has("events", "timeline"):
            wanted = {e["id"] for e in entries}
            evidence: dict[str, list[Record]] = {}
            for ev in self.q(
                "SELECT e.timeline, e.doc, e.start, e.end, e.date_text, d.title,"
                " substr(d.text, e.start + 1, e.end - e.start) AS text FROM events e"
                " JOIN documents d ON d.id = e.doc WHERE e.timeline IS NOT NULL"
                " ORDER BY d.source, e.start"):
                if ev["timeline"] in wanted:
                    evidence.setdefault(ev.pop("timeline"), []).append(ev)
            for e in entries:
                e["evidence"] = evidence.get(e["id"], [])
        counts = Counter(e["bucket"] for e in entries)
        return {"zoom": zoom, "entity": entity, "entries": entries,
                "buckets": sorted(counts.items()), "missing": []}

    def entity_choices(self, limit: int = 200) -> list[Record]:
        if "entities" not in self.tables:
            return []
        return self.q("SELECT id, name, type FROM entities ORDER BY mention_count DESC, name"
                      " LIMIT ?", (limit,))

    # -- claims and reuse (filled in by the claims/reuse stages) ---------------------

    def claims(self, top: int = 50) -> Record:
        from narrascope.web.claims import read_claims

        return read_claims(self, top)

    def reuse(self) -> Record:
        from narrascope.web.claims import read_reuse

        return read_reuse(self)

    # -- search --------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[Record]:
        if not query.strip():
            return []
        return [{"doc": h.doc, "title": h.title, "source": h.source, "snippet": h.snippet,
                 "rank": h.rank} for h in self.store.search(query, limit=limit)]
