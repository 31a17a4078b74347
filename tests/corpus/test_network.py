"""The actor network: aggregation, exports, graphs, the sample gold and the seeds corpus."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from narrascope.cli import main
from narrascope.corpus.network import edges, export_edges, export_relations
from narrascope.corpus.stance import by_site, export_stance
from narrascope.eval.relations import check_gold, load_gold
from narrascope.eval.relations import main as score_main
from narrascope.store import SqliteStore
from narrascope.web.graphs import write_graph

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "narrascope" / "data" / "sample"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("network") / "sample.db"
    assert main(["build", str(SAMPLE), "--db", str(db), "-q"]) == 0
    return db


def test_edges_aggregate_relations(sample_db: Path) -> None:
    with SqliteStore(sample_db, read_only=True) as store:
        rels = list(export_relations(store))
        found = list(export_edges(store))
        docs = {d["id"]: d["text"] for d in store.query("SELECT id, text FROM documents")}
    assert rels
    assert found
    for r in rels:
        assert docs[r["doc"]][r["start"]:r["end"]] == r["text"]
        assert isinstance(r["negated"], bool)
        assert r["asserted_by"]
    by_edge: dict[str, set[tuple[str, int, int]]] = {}
    for r in rels:
        if r["edge"]:
            by_edge.setdefault(r["edge"], set()).add((r["doc"], r["start"], r["end"]))
    keys = set()
    for e in found:
        key = (e["source"], e["relation"], e["target"], e["negated"])
        assert key not in keys  # one edge per (source, relation, target, negated)
        keys.add(key)
        assert e["count"] == len(e["evidence"]) == len(by_edge[e["id"]])
        assert e["outlet_count"] + e["quoted_count"] == e["count"]
        assert e["doc_count"] == len(e["docs"])
        for ev in e["evidence"]:
            assert docs[ev["doc"]][ev["start"]:ev["end"]] == ev["text"]


def test_sample_gold(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteStore(sample_db, read_only=True) as store:
        checks = check_gold(store, load_gold())
    assert checks
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert score_main(["--db", str(sample_db)]) == 0
    assert "must-find recall 5/5" in capsys.readouterr().out


def test_stance_rows(sample_db: Path) -> None:
    with SqliteStore(sample_db, read_only=True) as store:
        rows = list(export_stance(store))
        sites = by_site(store)
    assert rows
    assert sites
    for r in rows:
        assert -1.0 <= r["polarity"] <= 1.0
        assert r["label"] in {"negative", "neutral", "positive"}
        assert r["sentences"] + r["relations"] + r["techniques"] > 0


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_network_graph_reads_back(sample_db: Path, fmt: str) -> None:
    out = io.BytesIO()
    with SqliteStore(sample_db, read_only=True) as store:
        nodes, n_edges = write_graph(store, "network", fmt, out)
        expected = len(edges(store))
    out.seek(0)
    graph = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert graph.number_of_nodes() == nodes > 0
    assert graph.number_of_edges() == n_edges == expected
    assert all("relation" in d for _, _, d in graph.edges(data=True))


def test_network_command_and_exports(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "--db", str(sample_db), "--entity", "Korvik"]) == 0
    out = capsys.readouterr().out
    assert "leads" in out
    assert "Korvik" in out
    assert main(["export", "--db", str(sample_db), "--what", "relations"]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    for key in ("doc", "start", "end", "text", "subject_entity", "predicate", "relation",
                "object_entity", "negated", "asserted_by"):
        assert key in first


# -- the real scraped corpus (skipped when absent) ---------------------------------------

_ORG = ("mek", "mko", "mojahedin", "mujahedin", "mujahideen", "khalq", "pmoi")


def _is(names: set[str], words: tuple[str, ...]) -> bool:
    return any(w in n for n in names for w in words)


def _has_edge(found: list[Any], spell: dict[str, set[str]], src: tuple[str, ...],
              relations: set[str], tgt: tuple[str, ...]) -> list[Any]:
    return [e for e in found if not e.negated and e.relation in relations
            and _is(spell[e.source], src) and _is(spell[e.target], tgt) and e.evidence]


def test_seeds_network(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "seeds.db"
    assert main(["build", str(seeds), "--db", str(db), "-q"]) == 0
    with SqliteStore(db, read_only=True) as store:
        found = edges(store)
        spell: dict[str, set[str]] = {}
        for r in store.query("SELECT id, name FROM entities"):
            spell.setdefault(r["id"], set()).add(r["name"].casefold())
        for r in store.query("SELECT entity, text FROM mentions WHERE entity IS NOT NULL"):
            spell.setdefault(r["entity"], set()).add(r["text"].casefold())
        rels = list(export_relations(store))
        content = {d["id"]: [(r["start"], r["end"]) for r in store.regions(d["id"])
                             if r["kind"] == "content"] for d in store.documents()}
    # cooperation with Iraq / Saddam Hussein (either direction)
    coop = {"cooperates-with", "supports", "serves"}
    assert _has_edge(found, spell, _ORG, coop, ("saddam", "iraq")) or _has_edge(
        found, spell, ("saddam", "iraq", "estekhbarat"), coop, _ORG)
    # contacts with the Soviet Union / KGB
    assert _has_edge(found, spell, _ORG, {"contacts", "cooperates-with"}, ("soviet", "kgb"))
    # attacks on US personnel
    assert _has_edge(found, spell, _ORG, {"attacks"}, ("us", "u.s.", "united states",
                                                       "america"))
    # support from US politicians / the US government
    assert _has_edge(found, spell, ("republican", "u.s.", "united states", "cia", "us"),
                     {"supports", "cooperates-with"}, _ORG)
    # the move to Albania
    assert _has_edge(found, spell, _ORG, {"located-in", "moves-to"}, ("albania",))
    # nothing from boilerplate: every evidence sentence lies in a content region
    for e in found:
        for ev in e.evidence:
            assert any(s <= ev.start and ev.end <= t for s, t in content[ev.doc]), ev
    for headline in ("Why Trump’s Hawks Back", "US Is Helping", "Rudy Went to Albania"):
        assert not any(headline in r["text"] for r in rels)
    # negated statements are kept as negated
    presence = [r for r in rels if "has no presence in Iran" in r["text"]
                and r["predicate"] == "presence"]
    assert presence
    assert all(r["negated"] for r in presence)


def test_entity_page_shows_relations(sample_db: Path) -> None:
    from narrascope.web import make_app

    with SqliteStore(sample_db, read_only=True) as store:
        ent = store.query("SELECT e.id FROM entities e JOIN network_edges n ON n.source = e.id"
                          " ORDER BY n.count DESC LIMIT 1")[0]["id"]
    app = make_app(str(sample_db))
    got: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/entity/{ent}", "QUERY_STRING": "",
               "HTTP_HOST": "127.0.0.1:8001", "wsgi.input": io.BytesIO(b""),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
    html = b"".join(app(environ, start_response)).decode("utf-8")
    assert got["status"].startswith("200")
    assert "<h2>Relations</h2>" in html
    assert "?focus=" in html
