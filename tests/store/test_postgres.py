"""The PostgreSQL store against a real server (see conftest.py): same rows as SQLite.

The sample corpus is built once into SQLite and once into PostgreSQL; documents,
findings and every export must come out the same, search must find and highlight,
``check`` must pass, and a second build must add nothing. (A second build replaces
the rows of the corpus stages; PostgreSQL, unlike SQLite, does not reuse their
integer ids, so exports are compared before it.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from narrascope.cli import main
from narrascope.errors import StoreError
from narrascope.export import EXPORTS, export
from narrascope.ingest.fetch import CachedResponse
from narrascope.model import CONTENT, Document, Mention, Region, Sentence, document_id
from narrascope.settings import Settings
from narrascope.store import SCHEMA_VERSION, EntityRow, SqliteStore, open_store, pgsql
from narrascope.store.check import check_store
from narrascope.store.postgres import PostgresStore, pg_migrations
from narrascope.store.sqlite import _migrations

from .conftest import new_database

# -- the schema ----------------------------------------------------------------------------


def _server_keywords(url: str) -> frozenset[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")
        return frozenset(r[0] for r in rows)


def test_every_bundled_migration_translates_and_applies(pg_server: str, pg_url: str) -> None:
    """Each migration, in order, on a real server: the tables and columns SQLite has."""
    migrations = pg_migrations(_server_keywords(pg_url))
    assert [n for n, _ in migrations] == [n for n, _ in _migrations()]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for number, statements in migrations:
            with conn.transaction():
                for statement in statements:
                    try:
                        conn.execute(statement)
                    except psycopg.Error as exc:
                        pytest.fail(f"migration {number}: {exc}\n{statement}")
    with SqliteStore(":memory:") as lite:
        want = {t: c for t, c in lite.table_columns().items()
                if not t.startswith("documents_fts_")}  # FTS5's own shadow tables
    with PostgresStore(new_database(pg_server)) as pg:
        got = pg.table_columns()
        assert pg.schema_version == SCHEMA_VERSION
    assert set(got) == set(want)
    for table, columns in want.items():
        extra = ["tsv"] if table == "documents_fts" else []
        assert got[table] == columns + extra, table


def test_reserved_words_known_and_only_end_used_as_a_column(pg_server: str) -> None:
    server = _server_keywords(pg_server)
    assert server <= pgsql.RESERVED_WORDS, sorted(server - pgsql.RESERVED_WORDS)
    with SqliteStore(":memory:") as lite:
        columns = {c for cols in lite.table_columns().values() for c in cols}
    clash = columns & server
    assert clash <= {"end"}, (
        f"columns {sorted(clash - {'end'})} are reserved words in PostgreSQL; only 'end' is "
        "translated (pgsql quotes it outside CASE ... END): rename them"
    )


def test_second_open_does_not_migrate_again_and_newer_schema_is_refused(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.save_document(_doc())
    with open_store(pg_url, read_only=True) as store:
        assert store.count("documents") == 1
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE narrascope_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer than this narrascope"):
        open_store(pg_url)


def test_two_processes_creating_one_store_at_once(pg_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def open_and_count(_: int) -> int:
        with open_store(pg_url) as store:
            return store.schema_version

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_and_count, range(4))) == [SCHEMA_VERSION] * 4


def test_missing_database_and_empty_read_only_store_are_store_errors(pg_server: str) -> None:
    base = pg_server.rsplit("/", 1)[0]
    with pytest.raises(StoreError, match="cannot connect"):
        open_store(base + "/no_such_database")
    empty = new_database(pg_server)
    with pytest.raises(StoreError, match="no store at"):
        open_store(empty, read_only=True)


def test_password_is_not_shown_in_path() -> None:
    from narrascope.store.postgres import redact

    assert redact("postgresql://me:secret@db:5432/x") == "postgresql://me:***@db:5432/x"
    assert "secret" not in redact("postgresql://db/x?password=secret&sslmode=require")


# -- the store methods, on both stores -------------------------------------------------------


def _doc(text: str = "Alpha Corp sued Beta Ltd. Boilerplate here.") -> Document:
    doc_id = document_id(text)
    return Document(
        source="a.txt", format="txt", text=text, title="T",
        regions=(Region(0, 25, CONTENT), Region(26, len(text), "footer")),
        sentences=(Sentence(doc_id, 0, 25),),
        mentions=(Mention(doc_id, 0, 10, "Alpha Corp", "ORG"),),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "sqlite":
        with SqliteStore(":memory:") as s:
            yield s
    else:
        url = request.getfixturevalue("pg_url")
        with open_store(url) as s:
            yield s


def test_save_is_idempotent_and_rows_read_like_sqlite(store: Any) -> None:
    doc = _doc()
    build = store.start_build(["a.txt"])
    assert build >= 1
    store.save_document(doc, build)
    store.save_document(doc, build)
    assert (store.count("documents"), store.count("mentions"), store.count("regions")) == (1, 1, 2)
    (row,) = store.query("SELECT id, doc, start, end, text FROM mentions WHERE doc = ?", (doc.id,))
    assert (row[0], row["doc"], row["start"], row["end"]) == (row["id"], doc.id, 0, 10)
    assert row.keys() == ["id", "doc", "start", "end", "text"]
    assert dict(row)["text"] == "Alpha Corp"
    assert [tuple(r) for r in store.regions(doc.id)] == [(0, 25, CONTENT), (26, 43, "footer")]
    # rows: the same rows as query, yielded as they are read
    sql = "SELECT start, end, kind FROM regions WHERE doc = ? ORDER BY start"
    streamed = store.rows(sql, (doc.id,))
    assert not isinstance(streamed, list)
    assert [tuple(r) for r in streamed] == [tuple(r) for r in store.query(sql, (doc.id,))]
    assert [r["kind"] for r in store.rows(sql, (doc.id,))] == [CONTENT, "footer"]


def test_search_highlights_content_not_boilerplate(store: Any) -> None:
    store.save_document(_doc())
    hits = store.search("sued")
    assert [h.doc for h in hits] == [_doc().id]
    assert "\x02sued\x03" in hits[0].snippet
    assert store.search("Boilerplate") == []
    assert [h.doc for h in store.search("su*")] == [_doc().id]
    assert store.search('"Alpha Corp (') != []
    assert store.search("!!!") == []


def test_entities_replace_links_mentions(store: Any) -> None:
    store.save_document(_doc())
    (mid,) = [r["id"] for r in store.mentions()]
    store.replace_entities([EntityRow("e1", "Alpha Corp", "ORG", (mid,), 1)])
    assert [r["entity"] for r in store.mentions()] == ["e1"]
    assert store.entity_aliases("e1") == [("Alpha Corp", 1)]
    store.replace_entities([])
    assert [r["entity"] for r in store.mentions()] == [None]


def test_fetch_cache_round_trip_and_replace(store: Any) -> None:
    resp = CachedResponse(url="http://x.test/a", status=200, content_type="text/html",
                          headers={"a": "b"}, body=b"<p>\x00hi</p>",
                          fetched_at="2026-01-01T00:00:00+00:00")
    store.put(resp.url, resp)
    newer = replace(resp, status=304, body=b"again")
    store.put(resp.url, newer)
    assert store.get(resp.url) == newer
    assert store.get("http://x.test/other") is None


def test_transaction_rolls_back_and_execute_returns_the_row_id(store: Any) -> None:
    doc = _doc()
    store.save_document(doc)
    args = ("t", doc.id, 0, 10, "[]", "[]", "[]", 1, 1)
    sql = ("INSERT INTO claims (text, doc, start, end, docs, sites, speakers, doc_count,"
           " independent_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    first = store.execute(sql, args)
    assert store.execute(sql, args) == first + 1
    def fail() -> None:
        with store.transaction():
            store.execute("DELETE FROM claims")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail()
    assert store.query("SELECT count(*) FROM claims")[0][0] == 2
    with store.transaction():
        store.executemany("UPDATE claims SET doc_count = ? WHERE id = ?",
                          [(5, first), (True, first + 1)])
    assert [r[0] for r in store.query("SELECT doc_count FROM claims ORDER BY id")] == [5, 1]


def _failed(store: Any) -> set[str]:
    return {r.name for r in check_store(store) if not r.ok}


def test_check_passes_and_names_what_is_broken(store: Any) -> None:
    doc = _doc()
    store.save_document(doc)
    assert _failed(store) == set()
    store.execute("UPDATE sentences SET end = 999 WHERE doc = ?", (doc.id,))
    assert _failed(store) == {"offsets in sentences"}
    store.execute("UPDATE sentences SET end = 25")
    store.execute("DELETE FROM documents_fts WHERE doc = ?", (doc.id,))
    store.execute("UPDATE documents SET text = 'Alpha Corp sued Beta Ltd. Boilerplate hers.'")
    assert _failed(store) == {"full-text index in sync", "document ids match their text"}


def test_check_counts_references_that_bypassed_the_constraints(pg_url: str) -> None:
    with open_store(pg_url) as store:
        store.save_document(_doc())
        assert _failed(store) == set()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # skips FK triggers
        conn.execute(
            "INSERT INTO regions (doc, start, \"end\", kind) VALUES ('nowhere', 0, 1, 'x')")
    with open_store(pg_url, read_only=True) as store:
        (result,) = [r for r in check_store(store) if r.name == "foreign keys"]
        assert not result.ok
        assert "1 dangling" in result.detail


def test_read_only_store_refuses_writes(pg_url: str) -> None:
    with open_store(pg_url) as writer:
        writer.save_document(_doc())
    with open_store(pg_url, read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.execute("DELETE FROM documents")
        with pytest.raises(StoreError):
            store.save_document(_doc("Another text entirely, with words."))
        assert store.count("documents") == 1


# -- the sample corpus, both ways -----------------------------------------------------------


@pytest.fixture(scope="module")
def built(
    pg_server: str, tmp_path_factory: pytest.TempPathFactory, nlp: Any
) -> dict[str, Any]:
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build

    settings = Settings()
    url = new_database(pg_server, "sample")
    lite = tmp_path_factory.mktemp("pg") / "sample.db"
    out: dict[str, Any] = {"url": url, "sqlite": lite}
    with sample_corpus() as folder:
        for name, db in (("sqlite", lite), ("postgresql", url)):
            with open_store(db) as s:
                out[f"{name}_report"] = build([str(folder)], s, settings, nlp=nlp)
    out["nlp"] = nlp
    return out


def _tables(db: str | Path) -> dict[str, int]:
    with open_store(db, read_only=True) as s:
        tables = [t for t in s.table_columns() if not t.startswith("documents_fts_")]
        return {t: int(s.query(f'SELECT count(*) FROM "{t}"')[0][0]) for t in tables}


def test_sample_builds_the_same_rows(built: dict[str, Any]) -> None:
    lite, pg = built["sqlite_report"], built["postgresql_report"]
    assert pg.added == lite.added >= 10
    assert [s.source for s in pg.skipped] == [s.source for s in lite.skipped]
    assert pg.entities == lite.entities
    counts = _tables(built["url"])
    want = _tables(built["sqlite"])
    assert counts == want
    for table in ("documents", "regions", "sentences", "mentions", "entities", "quotes"):
        assert counts[table] > 0, table
    with open_store(built["sqlite"], read_only=True) as a, \
            open_store(built["url"], read_only=True) as b:
        assert [r["id"] for r in a.documents()] == [r["id"] for r in b.documents()]


@pytest.mark.parametrize("what", list(EXPORTS))
def test_exports_are_identical(built: dict[str, Any], what: str) -> None:
    texts = []
    for db in (built["sqlite"], built["url"]):
        out = io.StringIO()
        with open_store(db, read_only=True) as s:
            export(s, what, "jsonl", out)
        texts.append(out.getvalue())
    if what == "documents":
        assert texts[0].count("\n") == built["sqlite_report"].added
    assert texts[1] == texts[0]


def test_sample_search_check_and_rerun(built: dict[str, Any]) -> None:
    with open_store(built["url"], read_only=True) as store:
        assert all(r.ok for r in check_store(store)), [r for r in check_store(store) if not r.ok]
        words = store.query("SELECT title FROM documents WHERE title IS NOT NULL LIMIT 1")
        word = max(words[0]["title"].split(), key=len).strip(".,:;\"'")
        hits = store.search(word)
        assert hits
        assert any("\x02" in h.snippet and "\x03" in h.snippet for h in hits)
        assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    with open_store(built["sqlite"], read_only=True) as lite:
        assert {h.doc for h in lite.search(word)} == {h.doc for h in hits}
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build

    with sample_corpus() as folder, open_store(built["url"]) as store:
        rerun = build([str(folder)], store, Settings(), nlp=built["nlp"])
    assert rerun.added == 0
    assert rerun.unchanged == built["postgresql_report"].added
    counts = _tables(built["url"])
    assert counts["documents"] == built["postgresql_report"].added


def test_cli_commands_over_a_postgresql_url(
    built: dict[str, Any], pg_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = built["url"]
    assert main(["check", "--db", url]) == 0
    assert "schema version" in capsys.readouterr().out
    assert main(["export", "--db", url, "--what", "documents"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == built["postgresql_report"].added
    doc = json.loads(lines[0])
    word = max(doc["text"].split(), key=len).strip(".,:;\"'()")
    assert main(["search", "--db", url, word]) == 0
    assert word.lower() in capsys.readouterr().out.lower()
    assert main(["timeline", "--db", url]) in (0, 1)
    article = tmp_path / "a.txt"
    article.write_text("Marta Quell said the council of Brandholm met on 3 March 2021.\n\n"
                       "The council of Brandholm agreed with Marta Quell.\n", encoding="utf-8")
    tables = tmp_path / "tables"
    assert main(["export", "--db", url, "--all-tables", str(tables)]) == 0
    assert (tables / "documents.csv").stat().st_size > 0
    report = tmp_path / "report.html"
    assert main(["report", "--db", url, "-o", str(report)]) == 0
    assert "<html" in report.read_text(encoding="utf-8")
    graph = tmp_path / "entities.gexf"
    assert main(["graph", "--db", url, "--what", "entities", "--format", "gexf",
                 "-o", str(graph)]) == 0
    assert graph.stat().st_size > 0
    fresh = new_database(pg_server)
    assert main(["build", str(article), "--db", fresh, "-q"]) == 0
    assert main(["build", str(article), "--db", fresh, "-q"]) == 0
    with open_store(fresh, read_only=True) as store:
        assert store.count("documents") == 1
    capsys.readouterr()


def test_web_ui_reads_a_postgresql_store(built: dict[str, Any]) -> None:
    from narrascope.web import make_app

    app = make_app(built["url"])
    with open_store(built["url"], read_only=True) as store:
        doc_id = next(iter(store.documents()))["id"]
        entity_id = next(iter(store.entities()))["id"]

    def get(path: str, query: str = "") -> tuple[str, bytes]:
        got: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            got["status"] = status

        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                   "HTTP_HOST": "127.0.0.1:8001", "wsgi.input": io.BytesIO(b""),
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
        body = b"".join(app(environ, start_response))
        return got["status"], body

    for path in ("/", f"/doc/{doc_id}", f"/entity/{entity_id}", "/timeline", "/claims",
                 "/reuse", "/tables", "/api/table/documents_fts.json"):
        status, body = get(path)
        assert status.startswith("200"), (path, status, body[:300])
    status, body = get("/api/search", "q=council")
    assert status.startswith("200")
    assert json.loads(body)["hits"], body[:300]


def test_build_on_a_dask_cluster_into_postgresql(built: dict[str, Any], pg_server: str) -> None:
    """Per-document stages on local Dask workers, the one writer storing into PostgreSQL."""
    pytest.importorskip("distributed")
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build

    url = new_database(pg_server)
    with sample_corpus() as folder, open_store(url) as store:
        report = build([str(folder)], store, replace(Settings(), workers=2, batch_size=4))
    assert report.added == built["sqlite_report"].added
    texts = []
    for db in (built["sqlite"], url):
        out = io.StringIO()
        with open_store(db, read_only=True) as s:
            export(s, "documents", "jsonl", out)
        texts.append(out.getvalue())
    assert texts[1] == texts[0]


def test_build_apart_into_postgresql(built: dict[str, Any], pg_server: str) -> None:
    """The per-document phase in a process of its own, opening the store by its URL."""
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build

    url = new_database(pg_server)
    with sample_corpus() as folder, open_store(url) as store:
        report = build([str(folder)], store, replace(Settings(), parse_process_mb=0.0))
    assert report.added == built["sqlite_report"].added
    assert report.entities == built["sqlite_report"].entities
    for what in ("documents", "claims", "quotes"):
        texts = []
        for db in (built["sqlite"], url):
            out = io.StringIO()
            with open_store(db, read_only=True) as s:
                export(s, what, "jsonl", out)
            texts.append(out.getvalue())
        assert texts[1] == texts[0], what
