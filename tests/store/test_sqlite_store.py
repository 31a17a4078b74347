from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from narrascope.errors import StoreError
from narrascope.model import CONTENT, Document, Mention, Region, Sentence, document_id
from narrascope.store import SCHEMA_VERSION, SqliteStore, open_store


def _doc(text: str = "Alpha Corp sued Beta Ltd. Boilerplate here.") -> Document:
    doc_id = document_id(text)
    return Document(
        source="a.txt", format="txt", text=text, title="T",
        regions=(Region(0, 25, CONTENT), Region(26, len(text), "footer")),
        sentences=(Sentence(doc_id, 0, 25),),
        mentions=(Mention(doc_id, 0, 10, "Alpha Corp", "ORG"),),
    )


def test_migrations_set_schema_version(memory_store: SqliteStore) -> None:
    assert memory_store.schema_version == SCHEMA_VERSION


def test_save_is_idempotent(memory_store: SqliteStore) -> None:
    doc = _doc()
    memory_store.save_document(doc)
    memory_store.save_document(doc)
    assert memory_store.count("documents") == 1
    assert memory_store.count("mentions") == 1
    assert memory_store.count("regions") == 2
    assert memory_store.has_document(doc.id)


# Search and entity links are tested on both stores in test_postgres.py (store fixture).


def test_fetch_cache_round_trip(memory_store: SqliteStore) -> None:
    from narrascope.ingest.fetch import CachedResponse

    resp = CachedResponse(
        url="http://x.test/a", status=200, content_type="text/html",
        headers={"a": "b"}, body=b"<p>hi</p>", fetched_at="2026-01-01T00:00:00+00:00",
    )
    memory_store.put(resp.url, resp)
    assert memory_store.get(resp.url) == resp
    assert memory_store.get("http://x.test/other") is None


def test_file_store_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with open_store(path) as store:
        store.save_document(_doc())
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with open_store(path, read_only=True) as ro:
        assert ro.count("documents") == 1


def test_read_only_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "absent.db", read_only=True)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        open_store(path)


def test_other_store_urls_are_refused_clearly() -> None:
    with pytest.raises(StoreError, match="not supported"):
        open_store("mysql://localhost/x")
