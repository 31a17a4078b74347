"""``narrascope export`` in other tools' formats, over the bundled sample corpus.

FollowTheMoney JSON lines (checked against the property lists of FtM 4.11.2's
schemas, and with the ``followthemoney`` package itself when it is installed),
every table as CSV, the SemEval-2020 Task 11 span formats, GEXF and GraphML.
"""

from __future__ import annotations

import csv
import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from narrascope.cli import main
from narrascope.extract.techniques.semeval import read_si, read_tc
from narrascope.interchange import semeval_article_id, store_tables
from narrascope.store import open_store

#: An extra document read from a PTC-style file name: its SemEval id is 4242.
ARTICLE_ID = "4242"

#: The properties each schema we write has in FollowTheMoney 4.11.2 (a subset: the
#: ones narrascope could use), and which schemas an entity property may point to.
FTM_PROPERTIES = {
    "Article": {"title", "author", "publishedAt", "publisher", "sourceUrl", "fileName",
                "bodyText", "peopleMentioned", "companiesMentioned", "locationMentioned",
                "namesMentioned", "language", "date", "summary", "notes"},
    "Person": {"name", "alias", "weakAlias", "notes", "sourceUrl", "title", "position",
               "description", "summary"},
    "Organization": {"name", "alias", "weakAlias", "notes", "sourceUrl", "description",
                     "summary"},
    "LegalEntity": {"name", "alias", "weakAlias", "notes", "sourceUrl", "description",
                    "summary"},
    "Address": {"name", "alias", "full", "notes", "sourceUrl", "description", "summary"},
    "Mention": {"document", "resolved", "name", "detectedSchema", "contextCountry",
                "contextEmail", "contextPhone"},
}
FTM_RANGES = {"document": {"Article"}, "resolved": {"Person", "Organization", "LegalEntity"}}
FTM_ID = re.compile(r"[0-9A-Za-z]([0-9A-Za-z.-]*[0-9A-Za-z])?")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus plus one copy of a sample article saved as ``article4242.txt``."""
    from narrascope.demo import sample_corpus

    folder = tmp_path_factory.mktemp("formats")
    db = folder / "sample.db"
    extra = folder / "ptc"
    extra.mkdir()
    with sample_corpus() as sample:
        first = sorted(Path(sample).rglob("*.txt"))[0]
        # one more line, so its text (and id) differs from the original's
        text = first.read_text(encoding="utf-8") + "\nThis copy was saved for the task.\n"
        (extra / f"article{ARTICLE_ID}.txt").write_text(text, encoding="utf-8", newline="")
        assert main(["build", str(sample), str(extra), "--db", str(db), "-q"]) == 0
    return db


def _export(db: Path, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), *args, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def _lines(db: Path, tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in _export(db, tmp_path, *args).splitlines()]


# -- FollowTheMoney -----------------------------------------------------------------


def test_ftm_entities_documents_and_mentions(sample_db: Path, tmp_path: Path) -> None:
    lines = _lines(sample_db, tmp_path, "--what", "entities", "--format", "ftm")
    by_id = {e["id"]: e for e in lines}
    assert len(by_id) == len(lines), "FtM ids are unique"
    with open_store(sample_db, read_only=True) as store:
        docs = {r["id"]: r for r in store.documents()}
        entities = {r["id"]: r for r in store.entities()}
        mentions = list(store.mentions())
    schemas = [e["schema"] for e in lines]
    assert schemas.count("Article") == len(docs)
    assert schemas.count("Mention") == len(mentions)
    assert len(lines) == len(docs) + len(entities) + len(mentions)
    # documents first, then entities, then mentions: a reference follows its target
    rank = [0 if s == "Article" else 2 if s == "Mention" else 1 for s in schemas]
    assert rank == sorted(rank)
    for e in lines:
        assert FTM_ID.fullmatch(e["id"]), e["id"]
        assert set(e) == {"id", "schema", "properties"}
        assert set(e["properties"]) <= FTM_PROPERTIES[e["schema"]], e
        for prop, values in e["properties"].items():
            assert values, prop
            assert all(isinstance(v, str) and v for v in values), (prop, values)
            for ref in values if prop in FTM_RANGES else ():
                assert by_id[ref]["schema"] in FTM_RANGES[prop], (prop, ref)
    # each entity: its schema from its type, its name and other spellings
    expected = {"PERSON": "Person", "ORG": "Organization", "NORP": "Organization",
                "GPE": "Address", "LOC": "Address", "FAC": "Address"}
    for eid, row in entities.items():
        ent = by_id[f"narrascope-ent-{eid}"]
        assert ent["schema"] == expected.get(row["type"], "LegalEntity")
        assert ent["properties"]["name"] == [row["name"]]
        assert row["name"] not in ent["properties"].get("alias", [])
    korvik = next(e for e in lines if e["properties"].get("name") == ["Anselm Korvik"])
    assert korvik["schema"] == "Person"
    assert "Korvik" in korvik["properties"]["alias"]
    assert all(u.startswith("https://") for u in korvik["properties"]["sourceUrl"])
    # each document: title, author, date, text
    for did, row in docs.items():
        art = by_id[f"narrascope-doc-{did}"]["properties"]
        assert art["bodyText"] == [row["text"]]
        assert art.get("title") == ([row["title"]] if row["title"] else None)
        if row["published"]:
            assert art["publishedAt"] == [row["published"]]
    assert any("peopleMentioned" in by_id[f"narrascope-doc-{d}"]["properties"] for d in docs)
    # each mention: its document, its entity (places stay unresolved: FtM's range)
    resolved = 0
    for m in mentions:
        men = by_id[f"narrascope-mention-{m['doc']}-{m['start']}-{m['end']}"]["properties"]
        assert men["document"] == [f"narrascope-doc-{m['doc']}"]
        assert men["name"] == [m["text"]]
        if m["entity"] and expected.get(entities[m["entity"]]["type"]) != "Address":
            assert men["resolved"] == [f"narrascope-ent-{m['entity']}"]
            assert men["detectedSchema"] == [by_id[men["resolved"][0]]["schema"]]
            resolved += 1
    assert resolved > len(mentions) / 2


def test_ftm_documents_only(sample_db: Path, tmp_path: Path) -> None:
    lines = _lines(sample_db, tmp_path, "--what", "documents", "--format", "ftm")
    assert {e["schema"] for e in lines} == {"Article"}
    assert len(lines) == 12


def test_ftm_validates_with_followthemoney(sample_db: Path, tmp_path: Path) -> None:
    ftm = pytest.importorskip("followthemoney")
    lines = _lines(sample_db, tmp_path, "--what", "entities", "--format", "ftm")
    model = ftm.model
    schemas = {e["id"]: e["schema"] for e in lines}
    for e in lines:
        schema = model.get(e["schema"])
        assert schema is not None
        assert not schema.abstract
        for prop, values in e["properties"].items():
            spec = schema.properties[prop]
            assert all(spec.type.validate(v) for v in values), (prop, values)
            if spec.type.name == "entity":
                assert all(model.get(schemas[v]).is_a(spec.range) for v in values)
        assert model.get_proxy(e).caption


# -- every table as CSV ---------------------------------------------------------------


def test_every_table_as_csv_round_trips(sample_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    assert main(["export", "--db", str(sample_db), "--all-tables", str(folder)]) == 0
    with open_store(sample_db, read_only=True) as store:
        master = [r["name"] for r in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = store_tables(store)
        columns = store.table_columns()
        counts = {t: store.query(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
        texts = {r["id"]: r["text"] for r in store.documents()}
    # every table but SQLite's own and the full-text index and its shadow tables
    assert set(tables) == {t for t in master
                           if not t.startswith(("sqlite_", "documents_fts"))}
    assert {"documents", "mentions", "entities", "techniques", "entity_corrections"} <= set(
        tables)
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(tables)
    for table in tables:
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
        assert reader.fieldnames == columns[table], table
        assert len(rows) == counts[table], table
    with (folder / "documents.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["id"]: r["text"] for r in csv.DictReader(fh)} == texts  # exact text
    assert counts["documents"] == 12
    assert counts["mentions"] > 100


def test_one_table_as_jsonl_and_csv(sample_db: Path, tmp_path: Path) -> None:
    rows = _lines(sample_db, tmp_path, "--what", "table:regions", "--format", "jsonl")
    with open_store(sample_db, read_only=True) as store:
        stored = [dict(r) for r in store.query("SELECT * FROM regions ORDER BY rowid")]
    assert rows == stored
    text = _export(sample_db, tmp_path, "--what", "table:entity_corrections", "--format", "csv")
    assert text.splitlines()[0].startswith("id,action,target")  # a header even when empty
    assert main(["export", "--db", str(sample_db), "--what", "table:documents_fts_data"]) == 2
    assert main(["export", "--db", str(sample_db), "--what", "table:nope"]) == 2


# -- SemEval-2020 Task 11 -------------------------------------------------------------


def test_semeval_formats_from_the_store(sample_db: Path, tmp_path: Path) -> None:
    si_text = _export(sample_db, tmp_path, "--what", "techniques", "--format", "semeval-si")
    tc_text = _export(sample_db, tmp_path, "--what", "techniques", "--format", "semeval-tc")
    (tmp_path / "x.task-si.labels").write_text(si_text, encoding="utf-8")
    (tmp_path / "x.task-flc-tc.labels").write_text(tc_text, encoding="utf-8")
    si = read_si([tmp_path / "x.task-si.labels"])  # the task's own readers parse them
    tc = read_tc([tmp_path / "x.task-flc-tc.labels"])
    with open_store(sample_db, read_only=True) as store:
        docs = {semeval_article_id(r["id"], r["source"]): r for r in store.documents()}
        stored = store.query("SELECT doc, technique, start, end, text FROM techniques")
    assert len(tc) == len(stored) > 0
    assert docs[ARTICLE_ID]["source"].endswith("article4242.txt")
    assert all(re.fullmatch(r"[0-9a-f]{16}", a) for a in docs if a != ARTICLE_ID)
    assert any(t.article == ARTICLE_ID for t in tc), "the article<ID>.txt file keeps its id"
    found = {(r["doc"], r["technique"], r["start"], r["end"]): r["text"] for r in stored}
    for t in tc:
        doc = docs[t.article]
        text = doc["text"][t.start:t.end]
        assert found[(doc["id"], t.technique, t.start, t.end)] == text  # offsets match
    article = Path(docs[ARTICLE_ID]["source"]).read_text(encoding="utf-8")
    for t in tc:  # and they index the article file itself, as the task reads it
        if t.article == ARTICLE_ID:
            assert article[t.start:t.end] == docs[ARTICLE_ID]["text"][t.start:t.end]
    for article_id, spans in si.items():  # SI: one span per stretch, overlaps merged
        ordered = sorted(spans)
        assert all(a[1] <= b[0] for a, b in pairwise(ordered))
        for start, end in ordered:
            assert any(t.article == article_id and start <= t.start and t.end <= end
                       for t in tc)
    assert set(si) == {t.article for t in tc}
    for line in tc_text.splitlines():
        assert re.fullmatch(r"[0-9a-f]+\t[A-Za-z_,-]+\t\d+\t\d+", line), line


def test_semeval_article_id() -> None:
    assert semeval_article_id("abc", "/data/dev-articles/article111111112.txt") == "111111112"
    assert semeval_article_id("abc", "crawl.jsonl#3") == "abc"
    assert semeval_article_id("abc", "notarticle1.txt") == "abc"
    assert semeval_article_id("abc", None) == "abc"


# -- graphs ---------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["entities", "reuse"])
@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_formats_load_in_networkx(sample_db: Path, tmp_path: Path, what: str,
                                        fmt: str) -> None:
    from narrascope.web.graphs import GRAPHS

    path = tmp_path / f"graph.{fmt}"
    assert main(["export", "--db", str(sample_db), "--what", what, "--format", fmt,
                 "-o", str(path)]) == 0
    graph = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    with open_store(sample_db, read_only=True) as store:
        expected = GRAPHS[what](store)
    assert graph.number_of_nodes() == expected.number_of_nodes() > 0
    assert graph.number_of_edges() == expected.number_of_edges()
    if what == "entities":
        labels = {d.get("label") for _, d in graph.nodes(data=True)}
        assert "Anselm Korvik" in labels


def test_formats_that_do_not_apply_are_refused(sample_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for what, fmt in (("quotes", "ftm"), ("entities", "semeval-si"), ("claims", "gexf")):
        assert main(["export", "--db", str(sample_db), "--what", what, "--format", fmt]) == 2
        assert f"--format {fmt} applies to" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--db", str(sample_db), "--what", "bogus"])
