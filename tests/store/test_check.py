"""``check_store`` passes on a sound store and names what is broken otherwise."""

from __future__ import annotations

from narrascope.model import CONTENT, Document, Region, Sentence
from narrascope.store import SqliteStore
from narrascope.store.check import check_store


def _store_with_one_document(store: SqliteStore) -> Document:
    text = "Alpha beta gamma. Delta epsilon."
    doc = Document(source="a.txt", format="txt", text=text,
                   regions=(Region(0, len(text), CONTENT),))
    doc = Document(source=doc.source, format="txt", text=text, regions=doc.regions,
                   sentences=(Sentence(doc.id, 0, 17), Sentence(doc.id, 18, len(text))))
    store.save_document(doc)
    return doc


def _failed(store: SqliteStore) -> set[str]:
    return {r.name for r in check_store(store) if not r.ok}


def test_sound_store_passes(memory_store: SqliteStore) -> None:
    _store_with_one_document(memory_store)
    assert _failed(memory_store) == set()


def test_offsets_outside_the_text_are_reported(memory_store: SqliteStore) -> None:
    doc = _store_with_one_document(memory_store)
    memory_store.execute("UPDATE sentences SET end = 999 WHERE doc = ? AND idx = 1", (doc.id,))
    assert _failed(memory_store) == {"offsets in sentences"}


def test_fts_out_of_sync_and_changed_text_are_reported(memory_store: SqliteStore) -> None:
    doc = _store_with_one_document(memory_store)
    memory_store.execute("DELETE FROM documents_fts WHERE doc = ?", (doc.id,))
    memory_store.execute("UPDATE documents SET text = 'Alpha beta gamma. Delta epsilom.'")
    assert _failed(memory_store) == {"full-text index in sync", "document ids match their text"}
