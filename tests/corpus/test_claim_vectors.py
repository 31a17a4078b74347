"""Claim vectors held in a file and compared a tile of rows at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narrascope.corpus.claims import find_claims, link
from narrascope.corpus.claims.vectors import VectorFile
from narrascope.store import SqliteStore


def test_vector_file_rows_round_trip() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 16)).astype(np.float32)
    with VectorFile(1000, np.float16, 16) as f:
        assert not f.read(0, 1000).any()  # unwritten rows are zeros
        order = rng.permutation(1000)
        f.put(order.tolist(), x[order])  # any order: runs of rows written together
        assert np.array_equal(f.read(0, 1000), x.astype(np.float16))
        assert np.array_equal(f.read(990, 2000), x[990:].astype(np.float16))  # cut at the end
        f.clear()
        assert not f.read(0, 1000).any()
        with pytest.raises(IndexError):
            f.write(999, x[:2])


@pytest.mark.parametrize("tile", [1, 3, 64, 1 << 15])
def test_tiles_hold_every_pair_once_in_its_tiles(tile: int) -> None:
    rng = np.random.default_rng(tile)
    left = np.sort(rng.integers(0, 200, 5000)).astype(np.int32)
    right = (left + rng.integers(1, 100, 5000)).astype(np.int32)
    seen = np.zeros(len(left), dtype=np.int64)
    tiles = 0
    for l0, r0, pairs in link._tiles(left, right, tile):
        tiles += 1
        seen[pairs] += 1
        assert ((left[pairs] >= l0) & (left[pairs] < l0 + tile)).all()
        assert ((right[pairs] >= r0) & (right[pairs] < r0 + tile)).all()
    assert (seen == 1).all()
    assert tiles > 1 or tile == 1 << 15
    assert list(link._tiles(left[:0], right[:0], tile)) == []


def _members(store: SqliteStore) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.query(
        "SELECT claim, doc, start, end FROM claim_members ORDER BY claim, doc, start")]  # fmt: skip


@contextmanager
def _sample_store(tmp_path: Path, nlp: Any, settings: Any) -> Iterator[SqliteStore]:
    """A store of the sample corpus, built."""
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build

    with sample_corpus() as folder, SqliteStore(tmp_path / "s.db") as store:
        build([str(folder)], store, settings, nlp=nlp)
        yield store


def test_claims_the_same_whatever_the_tiles(
    tmp_path: Path, nlp: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _sample_store(tmp_path, nlp, settings) as store:
        whole = _members(store)
        assert whole  # the sample makes claims
        tiles: list[int] = []
        real = link._tiles

        def counted(*args: Any) -> Any:
            for t in real(*args):
                tiles.append(1)
                yield t

        monkeypatch.setattr(link, "_TILE", 5)
        monkeypatch.setattr(link, "_tiles", counted)
        find_claims(store)
        assert _members(store) == whole
        assert len(tiles) > 10  # compared a few rows at a time


def test_claims_the_same_with_few_vectors_and_failures_held(
    tmp_path: Path, nlp: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _sample_store(tmp_path, nlp, settings) as store:
        whole = _members(store)
        assert whole
        reads: list[int] = []
        real = link.VectorFile.read

        def read(self: Any, lo: int, hi: int) -> Any:
            reads.append(hi - lo)
            return real(self, lo, hi)

        monkeypatch.setattr(link, "_HELD_VECTORS", 2)
        monkeypatch.setattr(link, "_FAILED", 1)
        monkeypatch.setattr(link.VectorFile, "read", read)
        find_claims(store)
        assert _members(store) == whole
        assert reads.count(1) > 4  # the clustering read its vectors a row at a time
