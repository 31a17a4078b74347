"""Claims and reuse views over the claims and reuse stages' tables in the sample store.

The sample corpus carries one wire story (``wire.jsonl#1``, 13 May) republished by
two outlets on the following days, so the store has reused passages with a known
direction and claims made by three documents that stand on one independent source.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from narrascope.cli import main
from narrascope.store import open_store
from narrascope.web import make_app

from .conftest import call


def _doc(db: Path, suffix: str) -> str:
    with open_store(db, read_only=True) as store:
        rows = store.query("SELECT id FROM documents WHERE source LIKE ?", ("%" + suffix,))
    assert len(rows) == 1, suffix
    return str(rows[0]["id"])


def test_claims_matrix_from_the_claims_stage(web_db: Path) -> None:
    app = make_app(str(web_db))
    claims = call(app, "/api/claims").json()
    assert claims["missing"] == []
    counts = [c["doc_count"] for c in claims["claims"]]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] >= 3
    wire = _doc(web_db, "wire.jsonl#1")
    top = [c for c in claims["claims"] if c["doc_count"] >= 3 and wire in c["docs"]]
    assert top, "the republished wire story must make a claim found in three documents"
    # the wire and the two outlets that copied it count as one independent source
    assert min(c["independent"] for c in top) == 1
    for c in claims["claims"]:
        assert set(c["evidence"]) == set(c["docs"])
        assert all(ev["start"] < ev["end"] for ev in c["evidence"].values())
    html = call(app, "/claims").text
    assert html.count('class="cell on"') == sum(len(c["docs"]) for c in claims["claims"])
    assert "?focus=" in html
    reader = call(app, f"/api/doc/{wire}").json()
    keys = [la["key"] for la in reader["layers"]]
    assert "claim_members" in keys
    # one layer of claims: the representatives (table claims) are members already
    assert "claims" not in keys
    (layer,) = [la for la in reader["layers"] if la["key"] == "claim_members"]
    assert layer["spans"]
    assert all(sp["label"].startswith("claim ") for sp in layer["spans"])


def test_claim_text_is_escaped(web_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    db.write_bytes(web_db.read_bytes())
    with open_store(db) as store:
        store.execute("UPDATE claims SET text = 'The <b>front</b> is funded abroad',"
                      " doc_count = 99 WHERE id = (SELECT MIN(id) FROM claims)")
    app = make_app(str(db))
    assert "&lt;b&gt;front&lt;/b&gt;" in call(app, "/claims").text
    assert "The &lt;b&gt;front" in call(app, "/").text  # top claims on the overview
    assert "<b>front</b>" not in call(app, "/claims").text


def test_reuse_graph_runs_from_the_earlier_text(web_db: Path, tmp_path: Path) -> None:
    wire = _doc(web_db, "wire.jsonl#1")
    harbinger = _doc(web_db, "2023-05-15-front-rally.txt")
    app = make_app(str(web_db))
    reuse = call(app, "/api/reuse").json()
    edges = {(e["source"], e["target"]): e for e in reuse["edges"]}
    assert (wire, harbinger) in edges
    assert (harbinger, wire) not in edges
    assert edges[(wire, harbinger)]["directed"]
    assert edges[(wire, harbinger)]["weight"] > 100
    graph_html = call(app, "/reuse").text
    assert graph_html.count("<line") == len(edges)
    assert graph_html.count("<circle") == len(reuse["nodes"])

    out = tmp_path / "reuse.graphml"
    assert main(["graph", "--db", str(web_db), "--what", "reuse", "--format", "graphml",
                 "-o", str(out)]) == 0
    graph = nx.read_graphml(out)
    assert graph.has_edge(wire, harbinger)
    assert not graph.has_edge(harbinger, wire)

    report = tmp_path / "r.html"
    assert main(["report", "--db", str(web_db), "-o", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert 'class="cell on"' in text
    assert "<line" in text


def test_claims_by_site(web_db: Path) -> None:
    app = make_app(str(web_db))
    data = call(app, "/api/claims").json()
    assert data["sites"]
    for c in data["claims"]:
        assert sum(c["sites"].values()) == len(c["docs"])
        assert set(c["sites"]) <= set(data["sites"])
    html = call(app, "/claims").text
    assert "Claims × sites" in html
    assert html.count('class="cell on site"') == sum(len(c["sites"]) for c in data["claims"])


def test_sentiment_layer_marks_only_clearly_polar_sentences() -> None:
    from narrascope.web.spans import document_layers

    rows = [
        {"doc": "d", "start": 0, "end": 10, "compound": -0.8, "positive": 0.0, "negative": 0.6},
        {"doc": "d", "start": 11, "end": 20, "compound": 0.1, "positive": 0.1, "negative": 0.0},
        {"doc": "d", "start": 21, "end": 30, "compound": 0.7, "positive": 0.5, "negative": 0.0},
    ]
    tables = {"sentence_sentiment": ["doc", "start", "end", "compound", "positive", "negative"]}
    (layer,) = document_layers(lambda sql, params: rows, tables, "d", 30)
    assert [(s.start, s.label) for s in layer.spans] == [
        (0, "negative (-0.80)"), (21, "positive (+0.70)")]
