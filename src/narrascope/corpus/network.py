"""Corpus stage: the actor network, from the relations the documents assert.

Each stored relation names its subject and object by a mention span; after the
entity stage has filled ``mentions.entity`` this stage links both ends to their
entity (a name the NER missed is linked by its spelling to the entity that has
it as an alias), then aggregates one edge per (source entity, relation, target
entity, negated) with every evidence sentence, the documents and sites, the
dates the timeline gives those sentences, and how many of them the outlet
asserts versus a quoted or reported source. A negated relation ("did not
fund") forms its own edge, marked negated. The stage replaces the whole network
on every run, so the result does not depend on the order documents arrived.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from narrascope.errors import StoreError
from narrascope.store import SqliteStore

__all__ = [
    "Edge", "Evidence", "build_network", "edges", "entity_ids", "export_edges", "export_relations",
    "normalize",
]

_QUOTED = frozenset({"quoted", "reported"})


@dataclass(frozen=True, slots=True)
class Evidence:
    doc: str
    source: str
    start: int
    end: int
    text: str
    attribution: str
    asserted_by: str


@dataclass(frozen=True, slots=True)
class Edge:
    """One aggregated edge of the network with its evidence sentences."""

    id: str
    source: str
    source_name: str
    relation: str
    target: str
    target_name: str
    negated: bool
    count: int
    doc_count: int
    outlet_count: int
    quoted_count: int
    dates: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@lru_cache(maxsize=65536)  # the same spellings recur in every document; each build reads all
def normalize(text: str) -> str:
    """Fold case, accents, a possessive and a leading 'the' (to match spellings)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")
    folded = re.sub(r"(?:'s|s')$", "", folded.strip(" \t\n\"'.,;:()[]"), flags=re.IGNORECASE)
    folded = re.sub(r"^the\s+", "", folded, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", folded).casefold().strip()


class _Linker:
    """Entity of a relation end: its mention's entity, else the entity with that spelling.

    The spellings are counted over the corpus's linked mentions, read row by row;
    a document's mentions are read when its relations are (:meth:`read`), so the
    corpus's mentions are never all held (on a 10,000-document corpus, 460,000).
    """

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.names = {r["id"]: r["name"] for r in store.query("SELECT id, name FROM entities")}
        self.doc: str | None = None
        self.by_span: dict[tuple[int, int], str] = {}
        self.spans: list[tuple[int, int, str]] = []
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for m in store.rows("SELECT text, entity FROM mentions WHERE entity IS NOT NULL"):
            spellings[normalize(m["text"])][m["entity"]] += 1
        self.by_name = {k: c.most_common(1)[0][0] for k, c in spellings.items() if k}

    def read(self, doc: str) -> None:
        """Hold the linked mentions of ``doc`` (those of the document before are let go)."""
        if doc != self.doc:
            self.doc = doc
            self.spans = [(m["start"], m["end"], m["entity"]) for m in self.store.query(
                "SELECT start, end, entity FROM mentions WHERE doc = ? AND entity IS NOT NULL"
                " ORDER BY id", (doc,))]  # fmt: skip
            self.by_span = {(s, e): ent for s, e, ent in self.spans}

    def entity(self, doc: str, start: int, end: int, text: str) -> str | None:
        self.read(doc)
        found = self.by_span.get((start, end))
        if found is not None:
            return found
        for s, e, ent in self.spans:
            if s < end and start < e:
                return ent
        return self.by_name.get(normalize(text))


class _Member(NamedTuple):
    """What an edge reports of one of its relations."""

    doc: str
    start: int
    end: int
    attribution: str | None
    asserted_by: str | None
    predicate: str | None
    cameo: str | None


def _edge_id(source: str, relation: str, target: str, negated: bool) -> str:
    key = f"{source}\x00{relation}\x00{target}\x00{int(negated)}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _event_dates(store: SqliteStore) -> dict[str, list[tuple[int, int, str]]]:
    dates: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    tables = set(store.table_columns())
    if "events" in tables:
        for e in store.query("SELECT doc, start, end, date FROM events"):
            dates[e["doc"]].append((e["start"], e["end"], e["date"]))
    return dates


def build_network(store: SqliteStore) -> int:
    """Link relations to entities and replace the network; returns the number of edges.

    The relations are read document by document, with each document's text and
    mentions; of a linked relation, only what its edge reports is held.
    """
    linker = _Linker(store)
    sites = {d["id"]: d["site"] for d in store.query("SELECT id, site FROM documents")}
    dates = _event_dates(store)
    links: list[tuple[Any, ...]] = []
    groups: dict[tuple[str, str, str, bool], list[_Member]] = defaultdict(list)
    doc, text = None, ""
    for r in store.rows("SELECT * FROM relations ORDER BY doc, start, predicate_start, id"):
        if r["doc"] != doc:
            doc = r["doc"]
            text = store.query("SELECT text FROM documents WHERE id = ?", (doc,))[0]["text"]
        subj = linker.entity(r["doc"], r["subject_ref_start"], r["subject_ref_end"],
                             text[r["subject_ref_start"]:r["subject_ref_end"]])
        obj = linker.entity(r["doc"], r["object_ref_start"], r["object_ref_end"],
                            text[r["object_ref_start"]:r["object_ref_end"]])
        edge = None
        if subj is not None and obj is not None and subj != obj:
            key = (subj, r["relation"], obj, bool(r["negated"]))
            groups[key].append(_Member(r["doc"], r["start"], r["end"], r["attribution"],
                                       r["asserted_by"], r["predicate"], r["cameo"]))
            edge = _edge_id(*key)
        links.append((subj, obj, edge, r["id"]))
    rows = []
    for (subj, relation, obj, negated), members in groups.items():
        sentences = {(m.doc, m.start, m.end): m for m in members}
        edge_dates = sorted({d for (doc, s, e) in sentences for (a, b, d) in dates.get(doc, ())
                             if a < e and s < b and d})
        doc_ids = sorted({m.doc for m in members})
        outlets = sorted({sites[d] for d in doc_ids if sites.get(d)})
        quoted = sum(1 for m in sentences.values() if m.attribution in _QUOTED)
        evidence = [{"doc": d, "start": s, "end": e, "attribution": m.attribution,
                     "asserted_by": m.asserted_by} for (d, s, e), m in sorted(sentences.items())]
        predicates = Counter(m.predicate for m in members)
        rows.append((
            _edge_id(subj, relation, obj, negated), subj, linker.names.get(subj, subj), relation,
            members[0].cameo, obj, linker.names.get(obj, obj), int(negated),
            json.dumps(dict(predicates.most_common()), ensure_ascii=False), len(sentences),
            len(doc_ids), len(sentences) - quoted, quoted, json.dumps(doc_ids),
            json.dumps(outlets, ensure_ascii=False), json.dumps(edge_dates),
            edge_dates[0] if edge_dates else None, json.dumps(evidence, ensure_ascii=False),
        ))
    try:
        with store.transaction():
            store.execute("DELETE FROM network_edges")
            store.executemany(
                "INSERT INTO network_edges (id, source, source_name, relation, cameo, target,"
                " target_name, negated, predicates, count, doc_count, outlet_count,"
                " quoted_count, docs, sites, dates, first_date, evidence)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            store.executemany("UPDATE relations SET subject_entity = ?, object_entity = ?,"
                              " edge = ? WHERE id = ?", links)
    except StoreError as exc:
        raise StoreError(f"cannot write the network: {exc}") from None
    return len(rows)


def entity_ids(store: SqliteStore, name: str) -> set[str]:
    """Ids of the entities called ``name`` or spelt so in one of their mentions."""
    wanted = normalize(name)
    found = {r["id"] for r in store.query("SELECT id, name FROM entities")
             if normalize(r["name"]) == wanted}
    found |= {r["entity"] for r in store.query("SELECT DISTINCT text, entity FROM mentions"
                                               " WHERE entity IS NOT NULL")
              if normalize(r["text"]) == wanted}
    return found


def edges(store: SqliteStore, entity: str | None = None) -> list[Edge]:
    """The network's edges, most supported first; ``entity`` keeps those touching it
    (by the entity's name or one of its spellings)."""
    wanted = entity_ids(store, entity) if entity else None
    texts = {d["id"]: (d["source"], d["text"])
             for d in store.query("SELECT id, source, text FROM documents")}
    found = []
    for r in store.query("SELECT * FROM network_edges ORDER BY count DESC, source_name,"
                         " relation, target_name"):
        if wanted is not None and r["source"] not in wanted and r["target"] not in wanted:
            continue
        evidence = tuple(
            Evidence(e["doc"], texts[e["doc"]][0], e["start"], e["end"],
                     texts[e["doc"]][1][e["start"]:e["end"]], e["attribution"], e["asserted_by"])
            for e in json.loads(r["evidence"]) if e["doc"] in texts)
        found.append(Edge(r["id"], r["source"], r["source_name"], r["relation"], r["target"],
                          r["target_name"], bool(r["negated"]), r["count"], r["doc_count"],
                          r["outlet_count"], r["quoted_count"], tuple(json.loads(r["dates"])),
                          evidence))
    return found


def export_relations(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what relations``."""
    names = {r["id"]: r["name"] for r in store.query("SELECT id, name FROM entities")}
    rows = store.query("SELECT r.*, d.text AS doc_text FROM relations r"
                       " JOIN documents d ON d.id = r.doc ORDER BY d.source, r.start,"
                       " r.predicate_start, r.id")
    for r in rows:
        yield {
            "doc": r["doc"], "start": r["start"], "end": r["end"],
            "text": r["doc_text"][r["start"]:r["end"]],
            "subject": r["subject"], "subject_start": r["subject_start"],
            "subject_end": r["subject_end"], "subject_entity": r["subject_entity"],
            "subject_name": names.get(r["subject_entity"]) if r["subject_entity"] else None,
            "predicate": r["predicate"], "predicate_start": r["predicate_start"],
            "predicate_end": r["predicate_end"], "relation": r["relation"],
            "cameo": r["cameo"], "pattern": r["pattern"],
            "object": r["object"], "object_start": r["object_start"],
            "object_end": r["object_end"], "object_entity": r["object_entity"],
            "object_name": names.get(r["object_entity"]) if r["object_entity"] else None,
            "negated": bool(r["negated"]), "modality": r["modality"],
            "attribution": r["attribution"], "asserted_by": r["asserted_by"],
            "edge": r["edge"],
        }


def export_edges(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what edges``: the aggregated network."""
    texts = {d["id"]: d["text"] for d in store.query("SELECT id, text FROM documents")}
    for r in store.query("SELECT * FROM network_edges ORDER BY count DESC, id"):
        yield {
            "id": r["id"], "source": r["source"], "source_name": r["source_name"],
            "relation": r["relation"], "cameo": r["cameo"], "target": r["target"],
            "target_name": r["target_name"], "negated": bool(r["negated"]),
            "predicates": json.loads(r["predicates"]), "count": r["count"],
            "doc_count": r["doc_count"], "outlet_count": r["outlet_count"],
            "quoted_count": r["quoted_count"], "docs": json.loads(r["docs"]),
            "sites": json.loads(r["sites"]), "dates": json.loads(r["dates"]),
            "evidence": [{**e, "text": texts.get(e["doc"], "")[e["start"]:e["end"]]}
                         for e in json.loads(r["evidence"])],
        }
