"""Faults other than a kill: a full disk, and readers while a build writes."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest

from narrascope.errors import StoreError
from narrascope.pipeline import build
from narrascope.settings import Settings
from narrascope.store import SqliteStore
from narrascope.store.check import check_store

WORDS = ["canal", "senate", "drought", "tariff", "strike", "pension", "ferry", "census"]
N_DOCS = 12


def _corpus(folder: Path) -> None:
    rng = random.Random(3)
    folder.mkdir()
    for i in range(N_DOCS):
        paras = [
            f"The assembly of Norrvik debated item {i}-{p}. "
            + " ".join(rng.choice(WORDS) for _ in range(400)) + "."
            for p in range(4)
        ]
        (folder / f"doc{i:02d}.txt").write_text(f"Item {i}\n\n" + "\n\n".join(paras))


def test_full_disk_stops_cleanly_and_a_rerun_completes(
    tmp_path: Path, settings: Settings, nlp: Any
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    db = tmp_path / "full.db"
    with SqliteStore(db) as store:
        pages = store.query("PRAGMA page_count")[0][0]
        # room for a few documents only: SQLite then fails with "database or disk is full"
        store.query(f"PRAGMA max_page_count = {pages + 60}")
        with pytest.raises(StoreError, match="full"):
            build([str(corpus)], store, settings, nlp=nlp)
        stored = store.count("documents")
    assert 0 < stored < N_DOCS
    with SqliteStore(db) as store:  # space freed: a new connection has no page limit
        report = build([str(corpus)], store, settings, nlp=nlp)
        assert report.unchanged == stored
        assert report.added == N_DOCS - stored
        assert store.count("documents") == N_DOCS
        assert all(result.ok for result in check_store(store)), check_store(store)


def test_readers_see_committed_documents_while_a_build_writes(
    tmp_path: Path, settings: Settings, nlp: Any
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    db = tmp_path / "shared.db"
    SqliteStore(db).close()  # create the schema before the reader opens it
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                with SqliteStore(db, read_only=True) as reader:
                    # one statement reads one snapshot
                    n, indexed = reader.query(
                        "SELECT (SELECT COUNT(*) FROM documents),"
                        " (SELECT COUNT(*) FROM documents_fts)"
                    )[0]
                    assert indexed == n  # a document and its index row are committed together
                    seen.append(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        with SqliteStore(db) as store:
            build([str(corpus)], store, settings, nlp=nlp)
    finally:
        done.set()
        thread.join()
    assert not errors, errors
    assert seen
    assert seen == sorted(seen)  # counts only grow: readers never see a half-written state
