"""Per-document stages on a real Dask cluster give the same store as a serial build."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from narrascope.demo import sample_corpus
from narrascope.pipeline import build
from narrascope.settings import Settings
from narrascope.store import open_store

distributed = pytest.importorskip("distributed")

#: What a build stores per document, compared across execution modes.
QUERIES = {
    "documents": "SELECT id, text FROM documents ORDER BY id",
    "sentences": "SELECT doc, start, end FROM sentences ORDER BY doc, start",
    "mentions": "SELECT doc, start, end, label FROM mentions ORDER BY doc, start, end",
    "quotes": "SELECT doc, start, end, kind, speaker FROM quotes ORDER BY doc, start",
    "timexes": "SELECT doc, start, end, value FROM timexes ORDER BY doc, start",
    "techniques": "SELECT doc, start, end, technique FROM techniques ORDER BY doc, start",
}


def _snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with open_store(db, read_only=True) as store:
        return {k: [tuple(r) for r in store.query(q)] for k, q in QUERIES.items()}


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("parallel")
    with sample_corpus() as sample:
        db = folder / "serial.db"
        with open_store(db) as store:
            report = build([str(sample)], store, Settings())
        assert report.added >= 11
        yield sample, db


def test_local_cluster_matches_serial_build(serial: tuple[Path, Path], tmp_path: Path) -> None:
    sample, serial_db = serial
    db = tmp_path / "workers.db"
    settings = replace(Settings(), workers=2, batch_size=2)
    with open_store(db) as store:
        report = build([str(sample)], store, settings)
    assert report.skipped == []
    assert _snapshot(db) == _snapshot(serial_db)
    with open_store(db, read_only=True) as store:  # corpus stages ran after the cluster
        assert store.query("SELECT COUNT(*) AS n FROM entities")[0]["n"] > 0
        assert store.query("SELECT COUNT(*) AS n FROM reuse")[0]["n"] > 0


def test_remote_scheduler_address(serial: tuple[Path, Path], tmp_path: Path) -> None:
    sample, serial_db = serial
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    try:
        db = tmp_path / "remote.db"
        settings = replace(Settings(), scheduler=cluster.scheduler_address, batch_size=3)
        with open_store(db) as store:
            build([str(sample)], store, settings)
        assert _snapshot(db) == _snapshot(serial_db)
    finally:
        cluster.close()


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    from narrascope.errors import ConfigError

    settings = replace(Settings(), scheduler="tcp://127.0.0.1:9")
    with open_store(tmp_path / "x.db") as store, sample_corpus() as sample, \
            pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        build([str(sample)], store, settings)
