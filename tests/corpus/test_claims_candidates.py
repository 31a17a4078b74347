"""Candidate pairs of the claim stage: made in passes, the same as in one."""

from __future__ import annotations

import random

import numpy as np
import pytest

from narrascope.corpus.claims import ClaimParams, link
from narrascope.corpus.claims.sents import Sent, Sents, Units


def _corpus(seed: int = 0) -> Sents:
    rng = random.Random(seed)
    vocab = [f"word{i}" for i in range(40)]
    names = [f"name{i}" for i in range(8)]
    out = []
    for d in range(30):
        for k in range(4):
            words = tuple(sorted(set(rng.sample(vocab, 8))))
            named = tuple(sorted(set(rng.sample(names, 2))))
            nums = (rng.randrange(5),) if rng.random() < 0.3 else ()
            out.append(Sent(f"doc{d:02}", k * 100, k * 100 + 90, d * 10 + k, nums, (),
                            words, (), named, (), 12))  # fmt: skip
    return Sents.of(out)


def _pairs(sents: Sents, fresh: np.ndarray | None = None) -> list[tuple[int, int]]:
    units = Units(np.arange(len(sents)))  # one unit a sentence
    docs = [frozenset([s.doc]) for s in sents]
    passes = link._candidate_passes(units, sents, docs, ClaimParams(), fresh)
    return [(a, b) for left, right in passes
            for a, b in zip(left.tolist(), right.tolist(), strict=True)]  # fmt: skip


@pytest.mark.parametrize("with_fresh", [False, True])
def test_pairs_made_in_passes_are_those_of_one_pass(
    monkeypatch: pytest.MonkeyPatch, with_fresh: bool
) -> None:
    sents = _corpus()
    fresh = np.arange(len(sents)) >= 100 if with_fresh else None
    whole = _pairs(sents, fresh)
    assert len(whole) > 100  # the vocabulary is small: many sentences share keys
    passes: list[int] = []
    real = link._passes

    def small(*args: object) -> list[tuple[int, int, int]]:
        found = real(*args)  # type: ignore[arg-type]
        passes.append(len(found))
        return found

    monkeypatch.setattr(link, "_PASS", 50)
    monkeypatch.setattr(link, "_passes", small)
    assert _pairs(sents, fresh) == whole
    assert passes[0] > 5  # it did run in several passes
    if fresh is not None:
        assert all(a >= 100 or b >= 100 for a, b in whole)


def test_pass_bounds_cover_every_pair() -> None:
    own = np.array([0, 3, 1, 3, 2, 0, 1, 2, 3], dtype=np.int64)
    # postings: [0, 3] [1, 3, 2] [0, 1, 2, 3] (their first keys at 0, 2, 5)
    groups = [(2, np.array([0])), (3, np.array([2])), (4, np.array([5]))]
    bounds = link._passes(groups, own, 4)
    assert sum(b for _, _, b in bounds) == 1 + 3 + 6
    assert bounds[0][0] == 0
    assert bounds[-1][1] == 4


@pytest.mark.parametrize(("block", "tile"), [(1, 1), (7, 5), (1000, 16), (1 << 18, 1 << 14)])
def test_pairs_read_back_from_their_file_a_left_tile_at_a_time(block: int, tile: int) -> None:
    rng = np.random.default_rng(block)
    left = np.sort(rng.integers(0, 300, 2000)).astype(np.int32)
    right = (left + rng.integers(1, 50, 2000)).astype(np.int32)
    row = (np.arange(400) // 2).astype(np.int32)  # units to rows: in order, as the stage's
    with link._Spill(np.int32, 2) as pairs:
        for lo in range(0, 2000, 300):  # appended a pass at a time
            pairs.append(left[lo : lo + 300], right[lo : lo + 300])
        assert pairs.count == 2000
        back = [(b[:, 0], b[:, 1]) for b in pairs.blocks(block)]
        tiles = list(link._left_tiles(iter(back), row, tile))
    assert np.array_equal(np.concatenate([a for a, _ in back]), left)
    assert np.array_equal(np.concatenate([b for _, b in back]), right)
    assert np.array_equal(np.concatenate([a for a, _ in tiles]), row[left])
    assert np.array_equal(np.concatenate([b for _, b in tiles]), row[right])
    firsts = [int(a[0]) // tile for a, _ in tiles]
    assert firsts == sorted(set(firsts))  # each left tile once, in order
    assert all((a // tile == a[0] // tile).all() for a, _ in tiles)


def test_half_precision_vectors_move_cosines_by_a_thousandth_at_most() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2000, 384)).astype(np.float32)
    b = a + rng.normal(scale=0.5, size=a.shape).astype(np.float32)  # cosines near 0.9
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    exact = np.einsum("ij,ij->i", a.astype(np.float64), b.astype(np.float64))
    got = link._cos(a.astype(np.float16), b.astype(np.float16))
    assert got.dtype == np.float64
    assert np.abs(got - exact).max() < 1e-3
    mean = link._mean(a[:5].astype(np.float16), b[:7].astype(np.float16))
    assert abs(mean - float((a[:5].astype(np.float64) @ b[:7].T.astype(np.float64)).mean())) < 1e-3


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 21])
def test_a_pass_keeps_each_pair_of_one_strong_or_two_keys_once(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(block)
    n = 9
    pairs = rng.integers(0, n, size=(300, 2))
    weights = rng.integers(1, 3, size=300)
    code = (pairs[:, 0] * n + pairs[:, 1]) * 4 + weights
    total: dict[tuple[int, int], int] = {}
    for (a, b), w in zip(pairs.tolist(), weights.tolist(), strict=True):
        total[a, b] = total.get((a, b), 0) + w
    want = sorted(k for k, w in total.items() if w >= 2)
    monkeypatch.setattr(link, "_CODES", block)
    left, right = link._pass(code.astype(np.int64), n)
    assert left.dtype == right.dtype == np.int32
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == want


@pytest.mark.parametrize(("scan", "part", "codes"),
                         [(3, 1 << 21, 1 << 20), (1 << 18, 1 << 21, 1 << 20), (1 << 18, 7, 5),
                          (3, 50, 1)])  # fmt: skip
def test_postings_are_the_shared_keys(
    monkeypatch: pytest.MonkeyPatch, scan: int, part: int, codes: int
) -> None:
    sents = _corpus(1)
    units = Units(np.arange(len(sents)))  # one unit a sentence
    p = ClaimParams()
    by_key: dict[str, list[int]] = {}
    for k, keys in link._unit_keys(units, sents, p, None):
        for key in keys:
            by_key.setdefault(key, []).append(k)
    expected = sorted((tuple(sorted(us)), 2 if key[0] in "qrp" else 1)
                      for key, us in by_key.items() if 2 <= len(us) <= p.max_posting)  # fmt: skip
    assert len(expected) > 20
    assert len(by_key) > len(expected)  # keys of one unit, or too many, are left out
    monkeypatch.setattr(link, "_SCAN", scan)  # blocks that end where a key does
    # entries spilled a few at a time, sorted in ranges of a few entries (of whole keys)
    monkeypatch.setattr(link, "_PART", part)
    monkeypatch.setattr(link, "_CODES", codes)
    own, wt, sizes = link._postings(units, sents, p, None)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    found = sorted((tuple(own[a : a + n].tolist()), int(wt[a]))
                   for a, n in zip(starts.tolist(), sizes.tolist(), strict=True))  # fmt: skip
    assert found == expected
    assert all(len(set(wt[a : a + n].tolist())) == 1
               for a, n in zip(starts.tolist(), sizes.tolist(), strict=True))  # fmt: skip
