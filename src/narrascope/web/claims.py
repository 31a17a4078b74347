"""Claims × documents and the reuse graph, read from the claims and reuse stages' tables.

``claims`` / ``claim_members`` and ``reuse`` are written by :mod:`narrascope.corpus.claims`
and :mod:`narrascope.corpus.reuse`. A store from before those stages (or one where they
were dropped) has no such tables: the views then come back empty with ``missing`` set.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from narrascope.corpus.reuse import site_key

if TYPE_CHECKING:
    from narrascope.web.data import Corpus

__all__ = ["read_claims", "read_reuse"]

Record = dict[str, Any]


def read_claims(corpus: Corpus, top: int = 50) -> Record:
    """The ``top`` claims by document count with their evidence: ``claims``, ``docs``."""
    if "claims" not in corpus.tables or "claim_members" not in corpus.tables:
        return {"claims": [], "docs": [], "sites": [], "missing": ["claims"]}
    claims = corpus.q(
        "SELECT id, text, doc_count, independent_count, first_seen FROM claims"
        " ORDER BY doc_count DESC, independent_count DESC, id LIMIT ?", (top,))
    members: dict[int, dict[str, Record]] = {}
    for m in corpus.q("SELECT claim, doc, start, end FROM claim_members ORDER BY doc, start"):
        members.setdefault(m["claim"], {}).setdefault(
            m["doc"], {"start": m["start"], "end": m["end"]})
    out = [{"id": c["id"], "text": c["text"], "docs": sorted(members.get(c["id"], {})),
            "evidence": members.get(c["id"], {}), "doc_count": c["doc_count"],
            "independent": c["independent_count"], "first_seen": c["first_seen"]}
           for c in claims]
    used = sorted({d for c in out for d in c["docs"]})
    titles = {d["id"]: d for d in corpus.q("SELECT id, title, site, url, source FROM documents")}
    site_of = {d: site_key(r["site"], r["url"]) or "(no site)" for d, r in titles.items()}
    for c in out:  # claims x sites: how many of the claim's documents each site has
        c["sites"] = dict(Counter(site_of.get(d, "(no site)") for d in c["docs"]))
    return {"claims": out, "docs": [titles.get(d, {"id": d}) for d in used],
            "sites": sorted({s for c in out for s in c["sites"]}),
            "independence": "documents not reusing one another's text and not of one site",
            "missing": []}


def read_reuse(corpus: Corpus) -> Record:
    """Documents as nodes and reuse edges between them (earlier -> later where dated).

    Within-document repetition and passages that recur on one site only (boilerplate)
    are left out; an edge's weight is the number of reused characters in the target.
    """
    if "reuse" not in corpus.tables:
        return {"nodes": [], "edges": [], "missing": ["reuse"]}
    edges: dict[tuple[str, str], Record] = {}
    for r in corpus.q("SELECT doc_a, doc_b, start_b, end_b, kind, direction FROM reuse"
                      " WHERE scope = 'between' AND boilerplate = 0"):
        key = (r["doc_a"], r["doc_b"])
        e = edges.setdefault(key, {"source": key[0], "target": key[1], "weight": 0.0,
                                   "passages": 0, "directed": r["direction"] != "undirected",
                                   "kinds": set()})
        e["weight"] += float(r["end_b"] - r["start_b"])
        e["passages"] += 1
        e["kinds"].add(r["kind"])
    docs = {d["id"]: d for d in corpus.q("SELECT id, title, site, published FROM documents")}
    used = sorted({n for e in edges for n in e})
    nodes = [{"id": n, "title": docs.get(n, {}).get("title") or n,
              "site": docs.get(n, {}).get("site") or "", "published":
              docs.get(n, {}).get("published")} for n in used]
    return {"nodes": nodes, "missing": [], "table": "reuse",
            "edges": [{**e, "kinds": sorted(e["kinds"])} for _, e in sorted(edges.items())]}
