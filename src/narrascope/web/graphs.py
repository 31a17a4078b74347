"""Graphs of a store for network tools (Gephi, Cytoscape, networkx): GEXF and GraphML.

- ``entities``: entities as nodes, an undirected edge between two entities
  mentioned in the same sentence (``weight`` = sentences, ``docs`` = documents),
  plus speaker -> entity edges for quotes that mention an entity (``kind`` quote).
- ``reuse``: documents as nodes (with title, site, date), a directed edge from
  the document whose text is reused to the document reusing it.
- ``network``: the actor network, entities as nodes and one directed edge per
  (relation, negated) between two entities, with its support counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import IO, Any

from narrascope.errors import ConfigError
from narrascope.store import Store
from narrascope.web.data import Corpus

__all__ = [
    "GRAPHS", "GRAPH_FORMATS", "entity_graph", "network_graph", "reuse_graph", "write_graph",
]

GRAPH_FORMATS = ("gexf", "graphml")


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes both formats can hold: no None, lists as text."""
    return {k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
            for k, v in attrs.items() if v is not None}


def entity_graph(store: Store) -> Any:
    """Entities linked by co-occurrence in a sentence (and quote speaker -> subject)."""
    import networkx as nx

    corpus = Corpus(store)
    graph = nx.Graph(name="entity co-occurrence")
    if "entities" not in corpus.tables:
        return graph
    for e in corpus.q("SELECT id, name, type, mention_count, doc_count FROM entities"):
        graph.add_node(e["id"], **_clean({"label": e["name"], "type": e["type"],
                                          "mentions": e["mention_count"],
                                          "docs": e["doc_count"]}))
    rows = corpus.q(
        "SELECT m.entity, m.doc, s.idx FROM mentions m JOIN sentences s ON s.doc = m.doc"
        " AND m.start >= s.start AND m.start < s.end WHERE m.entity IS NOT NULL")
    by_sentence: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in rows:
        by_sentence[(r["doc"], r["idx"])].add(r["entity"])
    weight: Counter[tuple[str, str]] = Counter()
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (doc, _), ents in by_sentence.items():
        for a, b in combinations(sorted(ents), 2):
            weight[(a, b)] += 1
            docs[(a, b)].add(doc)
    for (a, b), w in weight.items():
        graph.add_edge(a, b, weight=w, docs=len(docs[(a, b)]), kind="co-occurrence")
    for a, b, n in _quote_edges(corpus):
        if graph.has_edge(a, b):
            graph.edges[a, b]["quotes"] = n
        else:
            graph.add_edge(a, b, weight=n, docs=0, kind="quote", quotes=n)
    return graph


def _quote_edges(corpus: Corpus) -> list[tuple[str, str, int]]:
    """(speaker entity, mentioned entity, quotes) for quotes naming another entity."""
    if not corpus.has("quotes", "ref_start", "ref_end"):
        return []
    mentions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for m in corpus.q("SELECT doc, start, end, entity FROM mentions WHERE entity IS NOT NULL"):
        mentions[m["doc"]].append((m["start"], m["end"], m["entity"]))
    found: Counter[tuple[str, str]] = Counter()
    for q in corpus.q("SELECT doc, start, end, ref_start, ref_end FROM quotes"
                      " WHERE ref_start IS NOT NULL"):
        ms = mentions.get(q["doc"], [])
        speaker = next((e for s, t, e in ms if s == q["ref_start"] and t == q["ref_end"]), None)
        if speaker is None:
            continue
        for s, t, e in ms:
            if q["start"] <= s and t <= q["end"] and e != speaker:
                found[(speaker, e)] += 1
    return [(a, b, n) for (a, b), n in sorted(found.items())]


def reuse_graph(store: Store) -> Any:
    """Documents with directed reuse edges (source -> reusing document)."""
    import networkx as nx

    corpus = Corpus(store)
    data = corpus.reuse()
    graph = nx.DiGraph(name="text reuse")
    for d in corpus.q("SELECT id, title, site, published, source FROM documents"):
        graph.add_node(d["id"], **_clean({"label": d["title"] or d["source"],
                                          "site": d["site"], "published": d["published"]}))
    for e in data["edges"]:
        graph.add_edge(e["source"], e["target"], weight=float(e["weight"]),
                       passages=int(e.get("passages", 1)), directed=bool(e.get("directed", True)))
    return graph


def network_graph(store: Store) -> Any:
    """The actor network: entities, one directed edge per (relation, negated) with support."""
    import json

    import networkx as nx

    corpus = Corpus(store)
    graph = nx.MultiDiGraph(name="actor network")
    if "network_edges" not in corpus.tables:
        return graph
    types = {e["id"]: e["type"] for e in corpus.q("SELECT id, type FROM entities")}
    for e in corpus.q("SELECT * FROM network_edges ORDER BY id"):
        for end in ("source", "target"):
            graph.add_node(e[end], **_clean({"label": e[f"{end}_name"],
                                             "type": types.get(e[end])}))
        graph.add_edge(e["source"], e["target"], key=e["id"], **_clean({
            "relation": e["relation"], "cameo": e["cameo"], "negated": bool(e["negated"]),
            "weight": int(e["count"]), "docs": int(e["doc_count"]),
            "outlet": int(e["outlet_count"]), "quoted": int(e["quoted_count"]),
            "dates": json.loads(e["dates"]), "label": e["relation"],
        }))
    return graph


GRAPHS = {"entities": entity_graph, "reuse": reuse_graph, "network": network_graph}


def write_graph(store: Store, what: str, fmt: str, out: IO[bytes]) -> tuple[int, int]:
    """Write graph ``what`` as ``fmt`` to the binary stream ``out``; (nodes, edges)."""
    import networkx as nx

    if what not in GRAPHS:
        raise ConfigError(f"no graph {what!r}; choose one of: {', '.join(GRAPHS)}")
    if fmt not in GRAPH_FORMATS:
        raise ConfigError(f"unknown graph format {fmt!r}; choose gexf or graphml")
    graph = GRAPHS[what](store)
    if fmt == "gexf":
        nx.write_gexf(graph, out)
    else:
        nx.write_graphml(graph, out)
    return graph.number_of_nodes(), graph.number_of_edges()
