"""Which claim sentences are linked, and how links grow into claims.

Two sentences of different documents are compared only when they share a key
(:func:`_keys`: an anchor that a linking rule needs, or several rare words), so
no pair of unrelated sentences is ever scored and only the sentences of some
candidate pair are embedded. A pair is linked when its cosine reaches what its
shared anchors require (:func:`_needed`); links, strongest first, are grown into
clusters of one sentence per document under an average-cosine check.
"""

from __future__ import annotations

import itertools
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any

import numpy as np

from narrascope.corpus.claims.features import ClaimParams
from narrascope.corpus.claims.sents import Rows, Sent, Sents, Units, apart, meets
from narrascope.corpus.claims.vectors import VectorFile, embedding_file
from narrascope.store import SqliteStore

__all__ = ["clusters", "conflict"]

_BLOCK = 4096  #: candidate pairs whose cosines are computed at once (both vectors: 19 MB)
_READ = 1 << 18  #: candidate pairs read back from their file at once (2 MB)
_CODES = _BLOCK * 256  #: pair codes made or read at once (2 million: 16 MB)
_PASS = 1 << 22  #: pair codes sorted at once, at most (4.2 million: 34 MB)
_SCAN = 1 << 18  #: index entries scanned at once for shared keys (a few 2 MB arrays)
_DF = 1 << 15  #: sentences whose words are counted at once (about 25 MB of arrays at 10k)
_PART = 1 << 21  #: key index entries sorted at once, about (2 million: 16 MB)
_TILE = 1 << 14  #: rows of vectors read in at once, on each side of the pairs (25 MB in all)
_FAILED = 1 << 18  #: failed checks of two clusters remembered at once (about 20 MB)
_HELD_VECTORS = 1 << 15  #: vectors the clustering holds read at once (about 28 MB)


def conflict(a: Sent, b: Sent) -> bool:
    """Different numbers, or names on both sides and none in common."""
    return apart(a.nums, b.nums) or apart(a.names, b.names)


def clash(sents: Sents, i: int, k: int) -> bool:
    """:func:`conflict` of the sentences ``i`` and ``k``, read from the columns."""
    return (apart(sents.raw(i, "nums"), sents.raw(k, "nums"))
            or apart(sents.raw(i, "names"), sents.raw(k, "names")))  # fmt: skip


def _needed(a: Sent, b: Sent, p: ClaimParams) -> float | None:
    """The least cosine at which ``a`` and ``b`` are linked; ``None``: never (a conflict).

    Every rule but the cosine one needs an anchor that the words show, so this
    is known before either sentence is embedded.
    """
    if conflict(a, b):
        return None
    need = p.high
    if meets(a.rare, b.rare):
        need = min(need, p.rare_low)
    if meets(a.ents, b.ents) and _said(a, b):
        need = min(need, p.entity_low)  # a shared entity and a shared word that is no name
    if max(a.size, b.size) <= p.anchor_words:
        if meets(a.qty, b.qty):
            need = min(need, p.quantity_low)
        if meets(a.pairs, b.pairs):
            need = min(need, p.phrase_low)
        if meets(a.nums, b.nums):
            need = min(need, p.low)
    return need


def _said(a: Sent, b: Sent) -> bool:
    """Whether ``a`` and ``b`` share a word that is a name of neither."""
    other = frozenset(b.words)
    names = {*a.names, *b.names}
    return any(w in other and w not in names for w in a.words)


def _ranks(units: Units, sents: Sents) -> tuple[dict[str, int], frozenset[str]]:
    """Each word's place among the corpus's words, rarest first (by units that have it,
    then alphabetically), and the words that only one unit has."""
    vocab = sents.vocab
    head = np.zeros(len(sents), dtype=bool)
    head[units.first] = True
    df = np.zeros(len(vocab), dtype=np.int64)
    for lo in range(0, len(sents), _DF):  # a unit's words and names, each once
        hi = min(lo + _DF, len(sents))
        codes = []
        for field in ("words", "names"):
            rows, ids = sents.items(field, lo, hi)
            keep = head[rows]
            codes.append(rows[keep] * len(vocab) + ids[keep])
        df += np.bincount(np.unique(np.concatenate(codes)) % len(vocab), minlength=len(vocab))
    counts = df.tolist()
    order = sorted(np.flatnonzero(df).tolist(), key=lambda i: (counts[i], vocab[i]))
    return ({vocab[i]: r for r, i in enumerate(order)},
            frozenset(vocab[i] for i in order if counts[i] == 1))  # fmt: skip


_Picks = tuple[list[str], list[str], list[str]]


def _picks(s: Sent, rank: dict[str, int], once: frozenset[str], p: ClaimParams) -> _Picks:
    """The words a sentence's keys are made of: its rarest non-name words that some
    other sentence has too (a word no other sentence has can link nothing, and a
    common one links everything), its rarest names, and its five rarest words.
    ``rank`` and ``once``: :func:`_ranks`."""
    names = frozenset(s.names)
    return (
        sorted((w for w in s.words if w not in names and w not in once),
               key=rank.__getitem__)[: p.key_words],
        sorted((w for w in s.names if w not in once), key=rank.__getitem__)[: p.key_words],
        sorted((w for w in s.words if w not in once), key=rank.__getitem__)[:5],
    )  # fmt: skip


def _keys(s: Sent, picks: _Picks) -> set[str]:
    """What a sentence can share with a claim-mate, one key per way the rules link two.

    A rule of :func:`_needed` needs an anchor (a quantity, a rare entity, a rare
    word pair, an entity or a number with a word beside it) or a high cosine,
    which in practice means several rare words in common. Only sentences that
    share a key are compared, so no pair of unrelated sentences is ever scored.
    ``picks``: :func:`_picks`.
    """
    said, names, top = picks
    keys = {f"q{v} {w}" for v, w in s.qty}
    keys.update(f"r{k}" for k in s.rare)
    keys.update(f"p{k}" for k in s.pairs)
    for e in s.ents:
        keys.update(f"e{e}|{w}" for w in said)
    for m in names:
        keys.update(f"m{m}|{w}" for w in said)
    keys.update(f"m{a}|{b}" for a, b in itertools.combinations(sorted(names), 2))
    for n in s.nums:
        keys.update(f"n{n}|{w}" for w in said)
    keys.update(f"w{a}|{b}" for a, b in itertools.combinations(sorted(top), 2))
    return keys


def _unit_keys(
    units: Units, sents: Sents, p: ClaimParams, fresh: np.ndarray | None
) -> Iterator[tuple[int, set[str]]]:
    """``(unit, its keys)``; with ``fresh``, only the keys that some fresh unit has too.

    The fresh units' keys come first. An old unit can share one of them only if
    it has one of the words, names, quantities, rare entities or word pairs they
    are made of (a key of two words needs both), so the other old units' keys are
    never made.
    """
    rank, once = _ranks(units, sents)
    if fresh is None:
        for k, first in enumerate(units.first.tolist()):
            s = sents[first]
            yield k, _keys(s, _picks(s, rank, once, p))
        return
    wanted: set[str] = set()
    said: set[str] = set()
    names: set[str] = set()
    top: set[str] = set()
    anchors: set[object] = set()  # quantities, rare entities, word pairs
    for k in np.flatnonzero(fresh).tolist():
        s = sents[int(units.first[k])]
        picks = _picks(s, rank, once, p)
        keys = _keys(s, picks)
        wanted |= keys
        said.update(picks[0])
        names.update(picks[1])
        top.update(picks[2])
        anchors.update(s.qty, s.rare, s.pairs)
        yield k, keys
    for k in np.flatnonzero(~fresh).tolist():
        s = sents[int(units.first[k])]
        picks = _picks(s, rank, once, p)
        if (
            anchors.isdisjoint(s.qty)
            and anchors.isdisjoint(s.rare)
            and anchors.isdisjoint(s.pairs)
            and said.isdisjoint(picks[0])
            and names.isdisjoint(picks[1])
            and top.isdisjoint(picks[2])
        ):
            continue
        if keys := _keys(s, picks) & wanted:
            yield k, keys


def _postings(
    units: Units, sents: Sents, p: ClaimParams, fresh: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The keys that 2 to ``max_posting`` units share: their units (int32, key by key,
    each key's in order), each entry's key weight (2: a strong key), and each key's
    number of units.

    A key that many sentences share says nothing about two of them, and most keys
    (on a 2,000-document corpus, 2.7 of 3.0 million) are one unit's alone: only the
    others are kept. Each entry of the index is one 64-bit code, the key's hash
    (truncated to the bits that the unit number leaves), its weight and its unit:
    8 bytes an entry, where a hash, a unit, a weight and a sort order took 21.
    Truncation can make two keys one (on a 10,000-document corpus, about a dozen of
    15 million): their units are then compared, and the rules alone decide whether
    they are linked.

    The entries wait in a temporary file as they are made (on a 10,000-document
    corpus, 15 million: 120 MB), which is then read once per range of the codes
    (:data:`_PART` entries each, about): a range holds whole keys, and the ranges
    in order give what one sort of all the entries would.
    """
    bits = max(1, (len(units) - 1).bit_length())
    mask = (1 << (62 - bits)) - 1  # key hash, weight and unit: 63 bits, a non-negative int64
    owns: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    with _Spill(np.int64) as spill:
        entries: array[int] = array("q")
        for k, keys in _unit_keys(units, sents, p, fresh):
            entries.extend([(((hash(key) & mask) << 1 | (key[0] in "qrp")) << bits) | k
                            for key in keys])  # fmt: skip
            if len(entries) >= _CODES:
                spill.append(entries)
                entries = array("q")
        spill.append(entries)
        del entries
        parts = -(-spill.count // _PART)
        for j in range(parts):  # ranges of whole keys: bounds are multiples of 2**bits
            lo, hi = ((j << 63) // parts) >> bits << bits, ((j + 1 << 63) // parts) >> bits << bits
            held = [c[(c >= lo) & (c < hi)] for c in (b[:, 0] for b in spill.blocks(_CODES))]
            code = np.concatenate(held) if held else np.zeros(0, dtype=np.int64)
            del held
            code.sort()
            _shared_keys(code, bits, p.max_posting, owns, wts, sizes)
            del code
    if not owns:
        return np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int64)
    return np.concatenate(owns), np.concatenate(wts), np.concatenate(sizes)


def _shared_keys(  # noqa: PLR0917 - a range of codes, and where its shared keys go
    code: np.ndarray,
    bits: int,
    most: int,
    owns: list[np.ndarray],
    wts: list[np.ndarray],
    sizes: list[np.ndarray],
) -> None:
    """Append the keys of ``code`` (sorted entries of :func:`_postings`) that 2 to ``most``
    units share: their units, weights and sizes."""
    unit = (1 << bits) - 1
    lo = 0
    while lo < len(code):  # a block at a time, each ending where a key does
        hi = min(lo + _SCAN, len(code))
        if hi < len(code):
            hi = int(np.searchsorted(code, (int(code[hi - 1]) >> bits << bits) | unit, "right"))
        block = code[lo:hi]
        key = block >> bits
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        size = np.diff(np.r_[first, len(key)])
        ok = (size >= 2) & (size <= most)
        keep = np.repeat(ok, size)
        owns.append((block[keep] & unit).astype(np.int32))
        wts.append(((key[keep] & 1) + 1).astype(np.int8))
        sizes.append(size[ok])
        lo = hi


def _candidate_passes(
    units: Units,
    sents: Sents,
    unit_docs: Sequence[frozenset[str]],
    p: ClaimParams,
    fresh: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of units (of different documents) worth comparing, as two int32 index arrays
    a pass at a time: the passes' pairs, one after the other, are in order.

    With ``fresh`` (a boolean per unit), only pairs with a fresh unit on one side
    at least: which words are rare is still the whole corpus's, but only the keys
    that a fresh unit has are made (:func:`_unit_keys`) and make pairs.

    A pair qualifies when it shares a strong key (a quantity, a rare entity, a
    rare word pair) or at least two keys of any kind: one shared name or number
    beside one shared word is common by chance in a large corpus. Keys are
    hashed into one flat array and grouped by sorting, so the index costs a few
    bytes per key, not a Python object (:func:`_postings`).
    """
    own, wt, sizes = _postings(units, sents, p, fresh)
    if not len(sizes):  # no key is shared by two sentences
        return
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    n = len(units)
    # a pair is coded as (a * n + b) * 4 + the key's weight, in one array sorted in
    # place: a few bytes a pair, not an index and two sorted copies besides;
    # the pairs are made for all keys of one posting size at once (most keys: size 2)
    shared = np.ones(len(sizes), dtype=bool)
    if fresh is not None:
        shared &= np.add.reduceat(fresh[own].astype(np.int64), starts) > 0
    groups = [(size, starts[shared & (sizes == size)])
              for size in np.unique(sizes[shared]).tolist()]  # fmt: skip
    if not groups:  # no shared key has a fresh unit
        return
    # units of one document each (most): compare document numbers; copies: their sets
    names = {d: i for i, d in enumerate(sorted({d for docs in unit_docs for d in docs}))}
    single = np.array(
        [names[next(iter(d))] if len(d) == 1 else -1 for d in unit_docs], dtype=np.int32
    )
    del names
    # the pairs are made, sorted and deduplicated in passes, each over the pairs
    # whose first (lower) unit is in one range: concatenated, they are in the order
    # one sort of them all would give, but only one pass's codes are held at a time;
    # a pass's pairs of one document are dropped before it is handed on
    for lo, hi, bound in _passes(groups, own, n):
        left, right = _pass(_pair_codes(groups, own, wt, n, fresh, (lo, hi), bound), n)
        ok = _apart(left, right, single, unit_docs)
        yield left[ok], right[ok]
        del left, right, ok


def _apart(
    left: np.ndarray, right: np.ndarray, single: np.ndarray, unit_docs: Sequence[frozenset[str]]
) -> np.ndarray:
    """Which pairs of units have no document in common; ``single``: each unit's document
    number, or -1 for units in several documents (compared by their sets)."""
    da, db = single[left], single[right]
    ok: np.ndarray = (left != right) & ((da != db) | (da < 0))
    multi = np.flatnonzero(ok & ((da < 0) | (db < 0)))
    ok[multi] = [not unit_docs[int(left[i])] & unit_docs[int(right[i])] for i in multi]
    return ok


def _members(own: np.ndarray, firsts: np.ndarray, size: int) -> np.ndarray:
    """The units of the postings that start at ``firsts`` (each of ``size``), one sorted
    row a posting."""
    return np.sort(own[firsts[:, None] + np.arange(size)].astype(np.int64), axis=1)


def _passes(
    groups: Sequence[tuple[int, np.ndarray]], own: np.ndarray, n: int
) -> list[tuple[int, int, int]]:
    """Ranges of first units ``(lo, hi, at most how many pairs)``, each of about
    ``_PASS`` pairs (a unit with more is a range alone)."""
    per = np.zeros(n, dtype=np.float64)  # pairs whose first unit this is (exact: < 2**53)
    for size, firsts in groups:
        after = np.arange(size - 1, -1, -1, dtype=np.float64)  # members after each place
        step = max(1, _CODES // size)
        for lo in range(0, len(firsts), step):
            members = _members(own, firsts[lo : lo + step], size)
            per += np.bincount(members.ravel(), weights=np.tile(after, len(members)), minlength=n)
    cum = np.cumsum(per).astype(np.int64)
    cuts = np.unique(np.searchsorted(cum, np.arange(_PASS, int(cum[-1]), _PASS), side="right"))
    edges = [0, *(int(c) for c in cuts if 0 < c < n), n]
    below = np.r_[0, cum]
    return [(lo, hi, int(below[hi] - below[lo])) for lo, hi in itertools.pairwise(edges)]


def _pair_codes(  # noqa: PLR0917 - the postings, and the pass
    groups: Sequence[tuple[int, np.ndarray]],
    own: np.ndarray,
    wt: np.ndarray,
    n: int,
    fresh: np.ndarray | None,
    first: tuple[int, int],
    bound: int,
) -> np.ndarray:
    """The codes of the pairs of each posting (by size: its first keys) whose first unit
    is in the range ``first``; ``bound``: at most how many there are (:func:`_passes`).

    One array, filled group by group and sorted in place by :func:`_pass` (its
    pages past the codes are never touched, so cost no memory).
    """
    code = np.empty(bound, dtype=np.int64)
    at = 0
    low, high = first
    for size, firsts in groups:
        a, b = np.triu_indices(size, 1)
        step = max(1, _CODES // len(a))  # keys at a time
        for lo in range(0, len(firsts), step):
            first_of = firsts[lo : lo + step]
            members = _members(own, first_of, size)
            # a posting whose pairs all start outside the range is left out
            inside = (members[:, 0] < high) & (members[:, size - 2] >= low)
            members, first_of = members[inside], first_of[inside]
            left = members[:, a]
            part = (left * n + members[:, b]) * 4 + wt[first_of, None]
            wanted = (left >= low) & (left < high)
            if fresh is not None:  # a posting with a fresh unit has pairs of old ones too
                wanted &= fresh[left] | fresh[members[:, b]]
            part = part[wanted]
            code[at : at + len(part)] = part
            at += len(part)
    return code[:at]


def _pass(code: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(left, right)`` (int32 units, in order) that the coded keys qualify:
    one strong key or two keys. ``code`` is sorted, then overwritten, in place."""
    code.sort()
    # weights are 1 or 2, so a pair's total reaches 2 where one of its codes weighs 2
    # or it has two codes; both are read off the sorted array a block at a time, so
    # no second array of its size is made
    keep = np.empty(len(code), dtype=bool)
    for lo in range(0, len(code), _CODES):
        keep[lo : lo + _CODES] = (code[lo : lo + _CODES] & 3) == 2
    code >>= 2  # now the pair alone
    for lo in range(0, len(code) - 1, _CODES):
        hi = min(lo + _CODES, len(code) - 1)
        keep[lo:hi] |= code[lo:hi] == code[lo + 1 : hi + 1]
    # the kept pairs, each once, are moved to the front of ``code`` a block at a time
    # (never past the block being read): no copy of the kept pairs is made
    at = 0
    for lo in range(0, len(code), _CODES):
        block = code[lo : lo + _CODES][keep[lo : lo + _CODES]]
        if not len(block):
            continue
        first = np.r_[at == 0 or block[0] != code[at - 1], block[1:] != block[:-1]]
        block = block[first]
        code[at : at + len(block)] = block
        at += len(block)
    del keep
    left = np.empty(at, dtype=np.int32)
    right = np.empty(at, dtype=np.int32)
    for lo in range(0, at, _CODES):
        hi = min(lo + _CODES, at)
        left[lo:hi], right[lo:hi] = np.divmod(code[lo:hi], n)
    return left, right


class _Spill:
    """Rows of ``width`` integers of one type in an unlinked temporary file, appended a
    block at a time and read back in order a block at a time (the platform's temporary
    folder, ``TMPDIR``; removed when closed). The claim stage's large intermediates
    wait in them, never all in memory: on a 10,000-document corpus, 15 million key
    index entries (120 MB) and 18.9 million candidate pairs (151 MB)."""

    def __init__(self, dtype: type[np.integer[Any]], width: int = 1) -> None:
        self.dtype, self.width = np.dtype(dtype), width
        self._file = tempfile.TemporaryFile(prefix="narrascope-spill-")  # noqa: SIM115 - closed by close()
        self.count = 0

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def append(self, *columns: np.ndarray | array[int]) -> None:
        """Append the rows whose columns are ``columns`` (one per column of a row)."""
        block = np.column_stack([np.asarray(c) for c in columns]).astype(self.dtype)
        self._file.seek(0, 2)
        self._file.write(block.tobytes())
        self.count += len(block)

    def blocks(self, size: int = _CODES) -> Iterator[np.ndarray]:
        """The rows, ``size`` at a time (an array of ``(rows, width)``), in the order appended."""
        self._file.seek(0)
        for lo in range(0, self.count, size):
            block = np.empty((min(size, self.count - lo), self.width), dtype=self.dtype)
            self._file.readinto(block.data)
            yield block



def _left_tiles(
    blocks: Iterable[tuple[np.ndarray, np.ndarray]], row: np.ndarray, tile: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs of ``blocks`` (units, in order of the left one) as rows ``row[unit]``, the
    pairs of one tile of ``tile`` left rows at a time."""
    held: list[tuple[np.ndarray, np.ndarray]] = []

    def joined() -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate([x for x, _ in held]), np.concatenate([y for _, y in held])

    current = -1
    for left, right in blocks:
        a, b = row[left], row[right]
        cuts = np.searchsorted(a, np.arange((int(a[0]) // tile + 1) * tile, int(a[-1]) + 1, tile))
        for lo, hi in itertools.pairwise([0, *cuts.tolist(), len(a)]):
            if lo == hi:
                continue
            t = int(a[lo]) // tile
            if held and t != current:
                yield joined()
                held = []
            current = t
            held.append((a[lo:hi], b[lo:hi]))
    if held:
        yield joined()


def _single(vectors: np.ndarray) -> np.ndarray:
    """Half-precision rows as single precision, for products summed in it."""
    return vectors.astype(np.float32)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cosines of rows ``a[i]`` and ``b[i]`` (unit vectors), as float64.

    Rounding a unit vector's components to half precision moves each by at most
    2**-11 of itself, so a cosine by at most about 0.001; summed in half precision,
    384 products would lose far more.
    """
    cos: np.ndarray = np.einsum("ij,ij->i", _single(a), _single(b)).astype(np.float64)
    return cos


def _mean(a: np.ndarray, b: np.ndarray) -> float:
    """The mean cosine of the rows of ``a`` with those of ``b``: the product of their sums
    over the number of pairs, not the mean of a matrix of every pair's cosine (which, for
    the largest clusters of a 10,000-document corpus, took 45 MB)."""
    sa = _single(a).sum(axis=0, dtype=np.float64)
    sb = _single(b).sum(axis=0, dtype=np.float64)
    return float(sa @ sb) / (len(a) * len(b))


def _tiles(left: np.ndarray, right: np.ndarray, tile: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """The pairs ``(left[i], right[i])`` (``left`` sorted) grouped by tiles of ``tile`` rows on
    each side: ``(first row of the left tile, first row of the right tile, the pairs' i)``."""
    if not len(left):
        return
    bounds = np.searchsorted(left, np.arange(0, int(left[-1]) + tile + 1, tile))
    for t, (lo, hi) in enumerate(itertools.pairwise(bounds.tolist())):
        if lo == hi:
            continue
        side = right[lo:hi] // tile
        order = np.argsort(side, kind="stable")
        side = side[order]
        cuts = np.flatnonzero(np.diff(side)) + 1
        for run in np.split(np.arange(len(order)), cuts):
            yield t * tile, int(side[run[0]]) * tile, lo + order[run]


class _Links:
    """Links in flat arrays, 16 bytes a link, not a tuple of three objects (on a
    10,000-document corpus, 2.1 million links)."""

    def __init__(self) -> None:
        self.cosines: array[float] = array("d")
        self.left: array[int] = array("i")
        self.right: array[int] = array("i")

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.frombuffer(self.cosines, dtype=np.float64),
                np.frombuffer(self.left, dtype=np.int32),
                np.frombuffer(self.right, dtype=np.int32))  # fmt: skip


def _edges(  # noqa: PLR0917 - the stage's inputs, and where its vector file is closed
    store: SqliteStore,
    units: Units,
    sents: Sents,
    unit_docs: Sequence[frozenset[str]],
    p: ClaimParams,
    closing: ExitStack,
    *,
    fresh: np.ndarray | None = None,
    extra: Sequence[int] = (),
) -> tuple[list[int], _Vectors, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The units compared (the rows), their vectors (in a file that ``closing`` closes),
    the links (cosines, rows a, rows b: three arrays, in no order), and which rows can
    stand alone as a claim.

    Cosines come first, for every candidate pair (a tile of rows on each side at a
    time): no rule links a pair below the lowest threshold, so the rules, which
    read Python sets, run only on the few pairs above it (on a 10,000-document
    corpus, a fraction of its 18.9 million candidate pairs). A unit of copies in
    several documents is a claim on its own when it is in a pair that no
    conflict rules out, whatever its cosine: its pairs are all checked.

    ``fresh``: only pairs with a fresh unit (:func:`_candidate_passes`); ``extra``: units
    that are rows (and get vectors) whether or not they are in a pair.
    """
    with ExitStack() as stack:  # the pairs' file and the vectors' file
        # the candidate pairs wait in a file, a pass at a time; the units of some pair
        # (and ``extra``) become rows
        pairs = stack.enter_context(_Spill(np.int32, 2))
        seen = np.zeros(len(units), dtype=bool)
        for left, right in _candidate_passes(units, sents, unit_docs, p, fresh):
            seen[left] = True
            seen[right] = True
            pairs.append(left, right)
            del left, right
        extra_units = np.asarray(extra, dtype=np.int64)
        seen[extra_units] = True
        used = np.flatnonzero(seen)
        del seen
        row = np.zeros(len(units), dtype=np.int32)
        row[used] = np.arange(len(used), dtype=np.int32)
        rows = used.tolist()
        heads = units.first[used]
        reps = Rows(sents, heads)
        # the quantity rule's threshold is far below the others, but it needs a counted
        # quantity on both sides in sentences short enough for weak anchors
        floor = min(p.high, p.low, p.entity_low, p.rare_low, p.phrase_low)
        q_floor = min(floor, p.quantity_low)
        counted = (sents.lengths("qty")[heads] > 0) & (sents.size[heads] <= p.anchor_words)
        copies = np.array([len(unit_docs[k]) > 1 for k in rows], dtype=bool)
        paired = np.zeros(len(used), dtype=bool)  # in a pair that no conflict rules out
        links = _Links()
        # the vectors wait in a file, in half precision (:class:`VectorFile`); a tile of
        # rows on each side is read in at a time, and products are taken in single
        # precision, where a cosine moves by 0.001 at most from the stored vectors' (:func:`_cos`)
        vectors = closing.enter_context(embedding_file(store, reps, p.model, np.float16))
        held: dict[int, np.ndarray] = {}
        blocks = ((b[:, 0], b[:, 1]) for b in pairs.blocks(_READ))
        for ra, rb in _left_tiles(blocks, row, _TILE):
            for l0, r0, tiled in _tiles(ra, rb, _TILE):
                # a tile is read again only when it changes, after the one it replaces is let go
                held = {k: v for k, v in held.items() if k in (l0, r0)}
                for k in (l0, r0):
                    held[k] = held[k] if k in held else vectors.read(k, k + _TILE)
                for lo in range(0, len(tiled), _BLOCK):
                    a, b = ra[tiled[lo : lo + _BLOCK]], rb[tiled[lo : lo + _BLOCK]]
                    cos = _cos(held[l0][a - l0], held[r0][b - r0])
                    near = (cos >= floor) | ((cos >= q_floor) & counted[a] & counted[b])
                    _rules(a[near], b[near], cos[near], reps, p, paired, links)
                    for i in np.flatnonzero(~near & (copies[a] | copies[b])).tolist():
                        x, y = int(a[i]), int(b[i])
                        if not clash(sents, int(heads[x]), int(heads[y])):
                            paired[x] = paired[y] = True
        del held
        return rows, _Vectors(vectors), links.arrays(), paired


class _Vectors:
    """The rows' vectors as the clustering reads them: from their file, a row at a time,
    the last ``limit`` or so read held (the clustering reads a cluster's rows again at
    each of its checks). The clustering reads the vectors of the rows it links, a few
    each check; held all at once they were the stage's largest object (on a
    10,000-document corpus, 209,000 rows: 153 MB in half precision)."""

    def __init__(self, file: VectorFile, limit: int | None = None) -> None:
        self._file = file
        self._limit = _HELD_VECTORS if limit is None else limit
        self._held: dict[int, np.ndarray] = {}

    def __getitem__(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors of ``rows``, one row each (half precision)."""
        held = self._held
        out = np.empty((len(rows), self._file.dim), dtype=self._file.dtype)
        for j, r in enumerate(rows):
            v = held.get(r)
            if v is None:
                if len(held) >= self._limit:
                    held.clear()
                v = held[r] = self._file.read(r, r + 1)[0]
            out[j] = v
        return out


def _rules(  # noqa: PLR0917 - one block's near pairs, and where their results go
    a: np.ndarray,
    b: np.ndarray,
    cos: np.ndarray,
    reps: Sequence[Sent],
    p: ClaimParams,
    paired: np.ndarray,
    links: _Links,
) -> None:
    """Link the pairs of rows ``(a[i], b[i])`` whose cosine ``cos[i]`` reaches what their
    anchors require (:func:`_needed`); mark the rows of every pair no conflict rules out."""
    for x, y, c in zip(a.tolist(), b.tolist(), cos.tolist(), strict=True):
        need = _needed(reps[x], reps[y], p)
        if need is not None:
            paired[x] = paired[y] = True
            if c >= need:
                links.cosines.append(c)
                links.left.append(x)
                links.right.append(y)


def clusters(
    sents: Sents,
    store: SqliteStore,
    p: ClaimParams,
    *,
    fresh: frozenset[str] | None = None,
    stored: Sequence[Sequence[int]] = (),
) -> tuple[list[list[int]], list[int]]:
    """Claims as lists of sentence indices (one sentence per document), and each one's
    most central member (:func:`_central`: the sentence that stands for it).

    Sentences with the same text (republished copies) are one unit: the rules
    run over distinct texts, so a corpus of copies costs what its distinct
    sentences cost, and each claim then lists every copy. Only units that share
    a key with a unit of another document are embedded and compared.

    With ``fresh`` (the documents added since the claims were stored) and
    ``stored`` (the stored claims, as sentence indices), only pairs with a
    sentence of a fresh document are compared: the stored claims are the
    clusters that the new links then grow, under the same checks, and every
    other sentence starts alone, as it would from scratch.
    """
    units = Units(sents.key)
    # one set object per distinct set of documents (most units: one document)
    distinct: dict[frozenset[str], frozenset[str]] = {}
    unit_docs = [distinct.setdefault(d, d) for d in (frozenset(sents.doc_of(i) for i in u)
                                                     for u in units)]  # fmt: skip
    del distinct
    unit_of = {i: k for k, u in enumerate(units) for i in u} if stored else {}
    seeds = [sorted({unit_of[i] for i in claim}) for claim in stored]
    is_fresh = (None if fresh is None else
                np.array([not fresh.isdisjoint(d) for d in unit_docs], dtype=bool))  # fmt: skip
    with ExitStack() as closing:
        used, rvec, edges, paired = _edges(store, units, sents, unit_docs, p, closing,
                                           fresh=is_fresh, extra=[k for s in seeds for k in s])
        return _clustered(sents, units, unit_docs, seeds, p, used, rvec, edges, paired)


def _clustered(  # noqa: PLR0917 - the stage's state, handed on whole
    sents: Sents,
    units: Units,
    unit_docs: Sequence[frozenset[str]],
    seeds: Sequence[Sequence[int]],
    p: ClaimParams,
    used: Sequence[int],
    rvec: _Vectors,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    paired: np.ndarray,
) -> tuple[list[list[int]], list[int]]:
    """:func:`clusters` once the links are known: grow them into clusters, strongest first."""
    # strongest first; among equal cosines, the higher rows first (as tuples sorted
    # in reverse would be)
    order = np.lexsort((edges[2], edges[1], edges[0]))[::-1]
    owner = list(range(len(used)))
    # the rows and documents of each cluster of two or more rows (a row alone: itself
    # and its unit's documents, held once for the whole corpus)
    members: dict[int, list[int]] = {}
    docs_of: dict[int, set[str]] = {}
    alone = [unit_docs[k] for k in used]
    _seed(seeds, used, owner, members, docs_of, alone, paired)
    first_of = units.first[used].tolist()  # a row's first sentence (all have its features)
    # two clusters that failed the checks fail them again until one of them grows,
    # and clusters only grow: a failure is kept with both sizes (on a 10,000-document
    # corpus, 0.8 million of 1.6 million failed checks repeat an earlier one), the last
    # ``_FAILED`` at most (all 0.8 million took 60 MB)
    failed: dict[int, int] = {}
    n = len(used)
    for a, b in _in_order(edges[1], edges[2], order):
        ca, cb = owner[a], owner[b]
        if ca == cb:
            continue
        xa, xb = members.get(ca) or [ca], members.get(cb) or [cb]
        da, db = docs_of.get(ca) or alone[ca], docs_of.get(cb) or alone[cb]
        if not da.isdisjoint(db):
            continue  # one sentence per document and claim
        pair, sizes = (ca * n + cb, len(xa) << 32 | len(xb)) if ca < cb else (
            cb * n + ca, len(xb) << 32 | len(xa))  # fmt: skip
        if failed.get(pair) == sizes:
            continue
        if (len(xa) + len(xb) > 2 and _mean(rvec[xa], rvec[xb]) < p.cohesion) or any(
            clash(sents, first_of[x], first_of[y]) for x in xa for y in xb
        ):
            if len(failed) >= _FAILED:
                failed.clear()
            failed[pair] = sizes
            continue
        for x in xb:
            owner[x] = ca
        _join(ca, cb, members, docs_of, alone)
    found = []
    central = []
    for head in (k for k in range(n) if owner[k] == k):
        cluster = members.get(head) or [head]
        if len(docs_of.get(head) or alone[head]) < 2 or not paired[head]:
            continue  # one document, or copies that no rule could link to anything
        first: dict[str, tuple[int, int]] = {}  # a document's first member, and its row
        for k in cluster:
            for i in units[used[k]]:
                doc = sents.doc_of(i)
                if doc not in first or sents.start[i] < sents.start[first[doc][0]]:
                    first[doc] = (i, k)
        found.append(sorted(i for i, _ in first.values()))
        central.append(_central([first[d] for d in sorted(first)], sents, rvec))
    return found, central


def _central(
    members: Sequence[tuple[int, int]], sents: Sents, rvec: _Vectors
) -> int:
    """The most central of a claim's members (``(sentence, row)``, one per document, in
    document order): the one with the highest sum of cosines to all of them, rounded,
    so that float noise (ONNX Runtime or PyTorch) never decides a tie, which goes to the
    first member in document order."""
    ordered = sorted(members, key=lambda m: (sents.doc_of(m[0]), int(sents.start[m[0]])))
    sub = _single(rvec[[k for _, k in ordered]])
    centrality = np.round((sub @ sub.T).sum(axis=1), 4)
    return ordered[int(centrality.argmax())][0]


def _seed(  # noqa: PLR0917 - the clustering's state, changed in place
    seeds: Sequence[Sequence[int]],
    used: Sequence[int],
    owner: list[int],
    members: dict[int, list[int]],
    docs_of: dict[int, set[str]],
    alone: Sequence[frozenset[str]],
    paired: np.ndarray,
) -> None:
    """Make each stored claim (its units, ``seeds``) one cluster again, whatever links it had."""
    row = {k: r for r, k in enumerate(used)}
    for seed in seeds:
        head, *rest = (row[k] for k in seed)
        if rest and owner[head] != head:
            continue  # its first unit is in an earlier seed already (a republished copy)
        for x in rest:
            if owner[x] == x and x not in members:  # a row alone
                owner[x] = head
                _join(head, x, members, docs_of, alone)
        paired[members.get(head) or [head]] = True


def _join(
    a: int,
    b: int,
    members: dict[int, list[int]],
    docs_of: dict[int, set[str]],
    alone: Sequence[frozenset[str]],
) -> None:
    """Add the cluster of row ``b`` to that of row ``a`` (their owners are set apart)."""
    rows = members.pop(b, None)
    members.setdefault(a, [a]).extend([b] if rows is None else rows)
    docs = docs_of.pop(b, None)
    docs_of.setdefault(a, set(alone[a])).update(alone[b] if docs is None else docs)


def _in_order(
    left: np.ndarray, right: np.ndarray, order: np.ndarray, step: int = 1 << 16
) -> Iterator[tuple[int, int]]:
    """``(left[i], right[i])`` for ``i`` in ``order``, as Python ints made a block at a time."""
    for lo in range(0, len(order), step):
        at = order[lo : lo + step]
        yield from zip(left[at].tolist(), right[at].tolist(), strict=True)
