"""Passage reuse between and within documents (a corpus stage, incremental).

Each document's content regions are cut into word windows; each window's word
n-gram shingles get a MinHash signature (datasketch), stored per document so a
later build only signs the new documents. Candidate window pairs come from a
MinHash LSH index (never all pairs); each candidate is aligned token by token
(rapidfuzz opcodes) to the exact passage boundaries in both documents, and
overlapping pieces are merged. A passage is *verbatim* when its words are the
same (case and punctuation aside), else *near-verbatim* with its similarity.
``direction`` is ``a->b`` when ``doc_a`` was published before ``doc_b`` (both
dates known), else ``undirected``. Passages that recur only among documents of
one site are flagged as site boilerplate and never count as reuse.
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from narrascope.errors import StoreError
from narrascope.store import SqliteStore

__all__ = [
    "Passage",
    "ReuseParams",
    "Tokens",
    "align",
    "content_tokens",
    "export_reuse",
    "find_reuse",
    "reuse_passages",
    "site_key",
]

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch 2 MinHash scheme of the stored signatures
_CHUNK = 200  #: documents per query


@dataclass(frozen=True, slots=True)
class ReuseParams:
    """Knobs of the reuse stage (stored with the signatures; a change re-signs all)."""

    ngram: int = 5  #: words per shingle
    window: int = 40  #: words per window
    stride: int = 20  #: words between window starts
    num_perm: int = 64  #: MinHash permutations
    threshold: float = 0.25  #: LSH Jaccard threshold for candidate windows
    seed: int = 7
    min_words: int = 12  #: shortest passage reported, in matched words
    anchor: int = 3  #: a passage starts with at least this many equal words in a row
    max_gap: int = 4  #: longest edit gap (words) inside a passage
    min_density: float = 0.6  #: matched words / passage words

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True, slots=True)
class Tokens:
    """A document's content words, lower-cased, with their offsets and content span.

    Flat arrays, a few bytes a word (and each distinct word one string): the
    stage holds the words of every new document at once, which as one object a
    word took a gigabyte on a 10,000-document corpus.
    """

    norms: list[str]
    starts: array[int]
    ends: array[int]
    regions: array[int]


@dataclass(frozen=True, slots=True)
class Passage:
    """``doc_a[start_a:end_a]`` reappears as ``doc_b[start_b:end_b]``."""

    doc_a: str
    start_a: int
    end_a: int
    doc_b: str
    start_b: int
    end_b: int
    similarity: float
    kind: str
    scope: str
    direction: str = "undirected"
    boilerplate: bool = False


def content_tokens(
    text: str, spans: Sequence[tuple[int, int]], words: dict[str, str] | None = None
) -> Tokens:
    """Lower-cased words of the content spans, with their offsets and span index.

    ``words``: the strings to share with other documents' tokens (filled here).
    """
    shared: dict[str, str] = {} if words is None else words
    out = Tokens([], array("i"), array("i"), array("i"))
    for i, (s, e) in enumerate(spans):
        found = list(_WORD.finditer(text, s, e))
        out.norms.extend([shared.setdefault(w, w) for w in (m.group().lower() for m in found)])
        out.starts.extend([m.start() for m in found])
        out.ends.extend([m.end() for m in found])
        out.regions.extend(itertools.repeat(i, len(found)))
    return out


def _windows(tokens: Tokens, p: ReuseParams) -> list[tuple[int, int]]:
    """Token ranges of the windows: per content span, overlapping, each >= ngram words."""
    out: list[tuple[int, int]] = []
    regions = tokens.regions
    i = 0
    while i < len(regions):
        j = i
        while j < len(regions) and regions[j] == regions[i]:
            j += 1
        if j - i >= max(p.ngram, p.min_words // 2):
            starts = list(range(i, max(i + 1, j - p.window + 1), p.stride))
            if starts[-1] + p.window < j:
                starts.append(j - p.window)
            out.extend((s, min(s + p.window, j)) for s in starts)
        i = j
    return out


def _signatures(tokens: Tokens, windows: Sequence[tuple[int, int]], p: ReuseParams) -> np.ndarray:
    from datasketch import MinHash

    norms = tokens.norms
    hashes = [
        zlib.crc32(" ".join(norms[k : k + p.ngram]).encode("utf-8"))
        for k in range(max(0, len(norms) - p.ngram + 1))
    ]
    sigs = np.zeros((len(windows), p.num_perm), dtype=np.uint32)
    for row, (s, e) in enumerate(windows):
        m = MinHash(num_perm=p.num_perm, seed=p.seed, hashfunc=_identity, scheme=_SCHEME)
        m.update_batch(hashes[s : max(s + 1, e - p.ngram + 1)])
        sigs[row] = m.hashvalues
    return sigs


def _identity(value: int) -> int:
    return value


def align(a: Sequence[str], b: Sequence[str], p: ReuseParams) -> list[tuple[int, int, int, int]]:
    """Local alignments of two word sequences: ``(a0, a1, b0, b1)`` token ranges.

    Equal runs of the global alignment are chained while the gaps between
    them stay under ``max_gap`` words; a chain starts on a run of ``anchor``
    words and is kept when it matches ``min_words`` words densely enough.
    """
    from rapidfuzz.distance import Indel

    chains: list[tuple[int, int, int, int]] = []
    cur: list[int] | None = None
    matched = 0

    def close() -> None:
        if cur is not None:
            a0, a1, b0, b1 = cur
            if matched >= p.min_words and matched >= p.min_density * max(a1 - a0, b1 - b0):
                chains.append((a0, a1, b0, b1))

    for op in Indel.opcodes(list(a), list(b)):
        if op.tag != "equal":
            continue
        size = op.src_end - op.src_start
        if cur is not None and (
            op.src_start - cur[1] <= p.max_gap and op.dest_start - cur[3] <= p.max_gap
        ):
            cur[1], cur[3] = op.src_end, op.dest_end
            matched += size
        elif size >= p.anchor:
            close()
            cur = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            matched = size
    close()
    return chains


def site_key(site: str | None, url: str | None) -> str | None:
    """The site a document belongs to: its ``site`` field, else its URL's host."""
    if site:
        return site.lower().removeprefix("www.")
    if url:
        host = urlsplit(url).hostname
        return host.removeprefix("www.") if host else None
    return None


@dataclass(slots=True)
class _Doc:
    id: str
    text: str
    published: str | None
    site: str | None
    tokens: Tokens


def _tokens(store: SqliteStore, doc: str, text: str, words: dict[str, str] | None = None) -> Tokens:
    """The words of the stored document ``doc``'s content regions."""
    spans = [(int(r["start"]), int(r["end"])) for r in store.regions(doc) if r["kind"] == "content"]
    return content_tokens(text, spans, words)


def _load_doc(store: SqliteStore, row: Any, words: dict[str, str] | None = None) -> _Doc:
    return _Doc(
        row["id"],
        row["text"],
        row["published"],
        site_key(row["site"], row["url"]),
        _tokens(store, row["id"], row["text"], words),
    )


def _rows(store: SqliteStore, sql: str, ids: Sequence[str]) -> Iterator[Any]:
    """``sql`` (which ends in ``IN``) over ``ids``, a chunk of ids per query, in their order."""
    for lo in range(0, len(ids), _CHUNK):
        chunk = ids[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found = {r[0]: r for r in store.query(f"{sql} ({marks})", chunk)}
        yield from (found[d] for d in chunk if d in found)


def find_reuse(store: SqliteStore, params: ReuseParams | None = None) -> int:
    """Sign new documents, find their reuse against the corpus, store it; returns passages.

    Memory stays with the signatures: a new document's words are read to sign it
    and dropped, and read again only if it has candidate windows, for as long as
    its candidate pairs are being aligned.
    """
    p = params or ReuseParams()
    key = p.key()
    stored = {
        r["doc"]: r["params"] for r in store.query("SELECT doc, params FROM reuse_signatures")
    }
    if any(v != key for v in stored.values()):
        with store.transaction():
            store.execute("DELETE FROM reuse")
            store.execute("DELETE FROM reuse_signatures")
        stored = {}
    new = [r["id"] for r in store.query("SELECT id FROM documents ORDER BY id")
           if r["id"] not in stored]  # fmt: skip
    if not new:
        return _mark(store)
    fresh_sigs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for row in _rows(store, "SELECT id, text FROM documents WHERE id IN", new):
        tokens = _tokens(store, row["id"], row["text"])
        wins = np.array(_windows(tokens, p), dtype=np.int32).reshape(-1, 2)
        fresh_sigs[row["id"]] = (wins, _signatures(tokens, [tuple(w) for w in wins], p))
    windows: dict[str, np.ndarray] = {}
    candidates = _candidates(store, fresh_sigs, set(new), windows, p)
    found = _aligned(store, candidates, windows, p)
    try:
        with store.transaction():
            marks = ",".join("?" * len(new))
            store.execute(
                f"DELETE FROM reuse WHERE doc_a IN ({marks}) OR doc_b IN ({marks})",  # noqa: S608 - placeholders only
                [*new, *new],
            )
            store.executemany(
                "INSERT INTO reuse (doc_a, start_a, end_a, doc_b, start_b, end_b, similarity,"
                " kind, scope, direction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        x.doc_a,
                        x.start_a,
                        x.end_a,
                        x.doc_b,
                        x.start_b,
                        x.end_b,
                        x.similarity,
                        x.kind,
                        x.scope,
                        x.direction,
                    )
                    for x in found
                ],
            )
            store.executemany(
                "INSERT OR REPLACE INTO reuse_signatures (doc, params, windows, sigs)"
                " VALUES (?, ?, ?, ?)",
                [(d, key, w.tobytes(), s.tobytes()) for d, (w, s) in fresh_sigs.items()],
            )
    except StoreError as exc:
        raise StoreError(f"cannot write the reuse table: {exc}") from None
    return _mark(store)


def _aligned(
    store: SqliteStore,
    candidates: dict[tuple[str, str], set[tuple[int, int]]],
    windows: dict[str, np.ndarray],
    p: ReuseParams,
) -> list[Passage]:
    """The passages of the candidate window pairs, document pair by document pair.

    A document is read when its first pair comes and dropped after its last.
    """
    pairs = sorted(candidates)
    left = Counter(d for pair in pairs for d in set(pair))
    docs: dict[str, _Doc] = {}
    words: dict[str, str] = {}  # one string per distinct word of the documents held
    found: list[Passage] = []
    for a, b in pairs:
        for d in {a, b} - docs.keys():
            row = store.query(
                "SELECT id, text, published, site, url FROM documents WHERE id = ?", (d,)
            )[0]
            docs[d] = _load_doc(store, row, words)
        found.extend(_passages(docs[a], docs[b], windows[a], windows[b], candidates[a, b], p))
        for d in {a, b}:
            left[d] -= 1
            if not left[d]:
                del docs[d]
        if not docs:
            words.clear()
    return found


def _candidates(
    store: SqliteStore,
    fresh: dict[str, tuple[np.ndarray, np.ndarray]],
    new: set[str],
    windows: dict[str, np.ndarray],
    p: ReuseParams,
) -> dict[tuple[str, str], set[tuple[int, int]]]:
    """Window pairs, each with a new document's window, that agree on a whole LSH band.

    The bands are datasketch's (``MinHashLSH(threshold, num_perm).hashranges``),
    so the candidates are those its index would return; the index itself is a
    sort of each band's values over every stored window, which costs numpy
    time, not a Python object per window. The signatures stay one array per
    document: each band's columns are gathered from them in turn, never all
    columns at once. Fills ``windows`` with each document's.
    """
    from datasketch import MinHashLSH

    ranges = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm).hashranges
    ids: list[str] = []
    parts: list[np.ndarray] = []
    for doc_id, wins, sigs in _all_signatures(store, fresh):
        windows[doc_id] = wins
        ids.append(doc_id)
        parts.append(sigs)
    out: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    if not sum(len(x) for x in parts):  # no document has a window
        return out
    doc_of = np.repeat(np.arange(len(ids)), [len(x) for x in parts])
    win_of = np.concatenate([np.arange(len(x)) for x in parts])
    is_new = np.array([d in new for d in ids], dtype=bool)[doc_of]
    for lo, hi in ranges:
        band = np.concatenate([x[:, lo:hi] for x in parts])
        key: np.ndarray[Any, Any]
        if band.shape[1] == 2:  # two 32-bit values: one 64-bit key, exactly
            key = band.view(np.uint64).ravel()
        else:
            key = np.unique(band, axis=0, return_inverse=True)[1].ravel()
        order = np.argsort(key, kind="stable")
        sk = key[order]
        starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        sizes = np.diff(np.r_[starts, len(sk)])
        fresh_in = np.add.reduceat(is_new[order].astype(np.int64), starts)
        for start, size in zip(
            starts[(sizes > 1) & (fresh_in > 0)].tolist(),
            sizes[(sizes > 1) & (fresh_in > 0)].tolist(),
            strict=True,
        ):
            members = order[start : start + size].tolist()
            for x in members:
                if not is_new[x]:
                    continue
                doc_id, i = ids[doc_of[x]], int(win_of[x])
                for y in members:
                    other, j = ids[doc_of[y]], int(win_of[y])
                    if x == y or (other in new and other < doc_id):
                        continue  # itself, or found from the other side
                    a, b, ia, jb = (
                        (doc_id, other, i, j) if doc_id <= other else (other, doc_id, j, i)
                    )
                    if a == b:
                        if _overlap(windows[a], ia, jb):
                            continue  # overlapping windows of one document share words
                        ia, jb = min(ia, jb), max(ia, jb)
                    out[a, b].add((ia, jb))
    return out


def _overlap(wins: np.ndarray, i: int, j: int) -> bool:
    """Whether windows ``i`` and ``j`` of one document share words."""
    return bool(wins[i][1] > wins[j][0] and wins[j][1] > wins[i][0])


def _all_signatures(
    store: SqliteStore, fresh: dict[str, tuple[np.ndarray, np.ndarray]]
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    for d, (w, s) in fresh.items():
        yield d, w, s
    old = [r["doc"] for r in store.query("SELECT doc FROM reuse_signatures ORDER BY doc")
           if r["doc"] not in fresh]  # fmt: skip
    for r in _rows(store, "SELECT doc, windows, sigs FROM reuse_signatures WHERE doc IN", old):
        wins = np.frombuffer(r["windows"], dtype=np.int32).reshape(-1, 2)
        # copied out of the row's bytes, which would otherwise be kept beside the array
        sigs = np.frombuffer(r["sigs"], dtype=np.uint32).reshape(len(wins), -1).copy()
        yield r["doc"], wins.copy(), sigs


def _passages(  # noqa: PLR0917 - both sides of a pair
    da: _Doc, db: _Doc, wa: np.ndarray, wb: np.ndarray, pairs: set[tuple[int, int]], p: ReuseParams
) -> list[Passage]:
    """Align every candidate window pair (widened by a window) and merge the pieces."""
    same = da.id == db.id
    pieces: list[tuple[int, int, int, int]] = []
    for i, j in sorted(pairs):
        a0, a1 = int(wa[i][0]), int(wa[i][1])
        b0, b1 = int(wb[j][0]), int(wb[j][1])
        ra = _widen(da.tokens, a0, a1, p.window)
        rb = _widen(db.tokens, b0, b1, p.window)
        if same:  # keep the two sides apart
            ra = (ra[0], min(ra[1], b0))
            rb = (max(rb[0], a1), rb[1])
        ta = da.tokens.norms[ra[0] : ra[1]]
        tb = db.tokens.norms[rb[0] : rb[1]]
        pieces.extend(
            (ra[0] + x0, ra[0] + x1, rb[0] + y0, rb[0] + y1) for x0, x1, y0, y1 in align(ta, tb, p)
        )
    return [_passage(da, db, piece) for piece in _merge(pieces, same)]


def _widen(tokens: Tokens, s: int, e: int, by: int) -> tuple[int, int]:
    regions = tokens.regions
    region = regions[s]
    lo = s
    while lo > 0 and lo > s - by and regions[lo - 1] == region:
        lo -= 1
    hi = e
    while hi < len(regions) and hi < e + by and regions[hi] == region:
        hi += 1
    return lo, hi


def _merge(pieces: list[tuple[int, int, int, int]], same: bool) -> list[tuple[int, int, int, int]]:
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in sorted(set(pieces)):
        for m in merged:
            if a0 < m[1] and m[0] < a1 and b0 < m[3] and m[2] < b1:
                cand = [min(m[0], a0), max(m[1], a1), min(m[2], b0), max(m[3], b1)]
                if not (same and cand[1] > cand[2]):
                    m[:] = cand
                    break
        else:
            merged.append([a0, a1, b0, b1])
    return [(m[0], m[1], m[2], m[3]) for m in merged]


def _passage(da: _Doc, db: _Doc, piece: tuple[int, int, int, int]) -> Passage:
    from rapidfuzz import fuzz

    a0, a1, b0, b1 = piece
    wa = da.tokens.norms[a0:a1]
    wb = db.tokens.norms[b0:b1]
    verbatim = wa == wb
    similarity = 1.0 if verbatim else round(fuzz.ratio(" ".join(wa), " ".join(wb)) / 100, 3)
    first, second = (da, db)
    sa = (da.tokens.starts[a0], da.tokens.ends[a1 - 1])
    sb = (db.tokens.starts[b0], db.tokens.ends[b1 - 1])
    direction = "undirected"
    if da.id != db.id and da.published and db.published and da.published != db.published:
        direction = "a->b"
        if db.published < da.published:
            first, second, sa, sb = db, da, sb, sa
    return Passage(
        first.id,
        sa[0],
        sa[1],
        second.id,
        sb[0],
        sb[1],
        similarity,
        "verbatim" if verbatim else "near-verbatim",
        "within" if da.id == db.id else "between",
        direction,
    )


def _mark(store: SqliteStore) -> int:
    """Flag passages recurring on one site only as boilerplate; returns passages kept."""
    sites = {
        r["id"]: site_key(r["site"], r["url"])
        for r in store.query("SELECT id, site, url FROM documents")
    }
    rows = store.query("SELECT id, doc_a, start_a, end_a, doc_b, start_b, end_b FROM reuse")
    parent = {int(r["id"]): int(r["id"]) for r in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for r in rows:
        spans[r["doc_a"]].append((r["start_a"], r["end_a"], int(r["id"])))
        spans[r["doc_b"]].append((r["start_b"], r["end_b"], int(r["id"])))
    for items in spans.values():
        items.sort()
        reach, owner = -1, -1
        for s, e, rid in items:
            if s < reach:
                parent[find(rid)] = find(owner)
            if e > reach:
                reach, owner = e, rid
    clusters: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        clusters[find(int(r["id"]))].update((r["doc_a"], r["doc_b"]))
    flags = []
    for r in rows:
        docs = clusters[find(int(r["id"]))]
        keys = {sites.get(d) for d in docs}
        flag = len(docs) >= 2 and len(keys) == 1 and None not in keys
        flags.append((int(flag), int(r["id"])))
    with store.transaction():
        store.executemany("UPDATE reuse SET boilerplate = ? WHERE id = ?", flags)
    return sum(1 for f, _ in flags if not f)


def reuse_passages(store: SqliteStore, *, boilerplate: bool = False) -> list[Passage]:
    """The stored passages (site boilerplate left out unless asked for)."""
    where = "" if boilerplate else " WHERE boilerplate = 0"
    return [
        Passage(
            r["doc_a"],
            r["start_a"],
            r["end_a"],
            r["doc_b"],
            r["start_b"],
            r["end_b"],
            r["similarity"],
            r["kind"],
            r["scope"],
            r["direction"],
            bool(r["boilerplate"]),
        )
        for r in store.query(f"SELECT * FROM reuse{where} ORDER BY doc_a, start_a, doc_b, start_b")  # noqa: S608 - fixed text
    ]


def export_reuse(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what reuse``."""
    texts: dict[str, str] = {}

    def text(doc: str) -> str:
        if doc not in texts:
            texts[doc] = store.query("SELECT text FROM documents WHERE id = ?", (doc,))[0][0]
        return texts[doc]

    for x in reuse_passages(store):
        yield {
            "doc_a": x.doc_a,
            "start_a": x.start_a,
            "end_a": x.end_a,
            "doc_b": x.doc_b,
            "start_b": x.start_b,
            "end_b": x.end_b,
            "similarity": x.similarity,
            "kind": x.kind,
            "direction": x.direction,
            "scope": x.scope,
            "text_a": text(x.doc_a)[x.start_a : x.end_a],
            "text_b": text(x.doc_b)[x.start_b : x.end_b],
        }
