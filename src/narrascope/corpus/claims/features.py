"""What the claim rules read of a content sentence, computed once per document.

A sentence's numbers, counted quantities, word stems, capitalised-word stems,
content-word pairs and the mentions inside it depend on its document alone: they
are computed the first time the claim stage sees a document and kept in the
store (``claim_features``, one JSON row per document), so a rebuild after adding
documents reads them back instead of re-reading every old text. What depends on
the corpus (a mention's resolved entity, which entities and word pairs are rare)
is applied on every build, by :func:`sentences`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from narrascope.corpus.claims.sents import Place, Sent, SentColumns, Sents, apart, meets
from narrascope.errors import StoreError
from narrascope.model import Document
from narrascope.store import SqliteStore

__all__ = [
    "VERSION",
    "ClaimParams",
    "Sent",
    "Sents",
    "apart",
    "candidate_spans",
    "document_features",
    "feature_rows",
    "features_of",
    "meets",
    "numbers",
    "quantities",
    "sentence_texts",
    "sentences",
    "spaced",
]

#: Version of the stored features; a store with another is recomputed, not misread.
VERSION = "claim-features-v1"
_CHUNK = 200  #: documents per query when features are computed
_PAIRS = 1 << 21  #: word pairs counted at once, about (2 million: a few 16 MB arrays)

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
    #: an add of more new documents than this share of the stored ones recomputes all claims
    incremental_share: float = 0.25

    def key(self) -> str:
        """What the stored claims were computed with: another key recomputes them all."""
        fields = {k: v for k, v in asdict(self).items() if k != "incremental_share"}
        return f"{_version(self)} {json.dumps(fields, sort_keys=True)}"


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


def spaced(text: str) -> str:
    """``text`` with its spacing normalised: what is embedded, and what copies share."""
    return " ".join(text.split())


def _digest(text: str) -> str:
    return hashlib.blake2b(spaced(text).encode("utf-8"), digest_size=8).hexdigest()


def document_features(
    text: str,
    spans: Iterable[tuple[int, int]],
    mentions: Sequence[tuple[int, int, str]],
    p: ClaimParams,
) -> list[list[Any]]:
    """One JSON-able row per sentence of ``min_words`` to ``max_words`` words.

    ``spans``: the document's sentences (start, end); ``mentions``: its entity
    mentions (start, end, their stored text), sorted by start. A row is
    ``[start, end, digest, word count, numbers, stems, quantities, capitalised stems,
    pairs, mentions inside as [start, end, lower-case text], stems of those mentions]``.
    """
    starts = [m[0] for m in mentions]
    longest = max((m[1] - m[0] for m in mentions), default=0)
    rows: list[list[Any]] = []
    for s, e in spans:
        body = text[s:e]
        words = _WORD.findall(body)
        if not p.min_words <= len(words) <= p.max_words:
            continue
        # the mentions that overlap [s, e): they start before e, and end after s
        lo = bisect.bisect_left(starts, s - longest)
        hi = bisect.bisect_left(starts, e)
        inside = [m for m in mentions[lo:hi] if m[1] > s]
        named = {w.lower()[:6] for a, b, _ in inside for w in _WORD.findall(text[a:b])}
        rows.append([
            s, e, _digest(body), len(words), sorted(numbers(body)), sorted(_stems(words)),
            sorted([v, w] for v, w in _quantities(words)), sorted(_names(words)),
            sorted(_pairs(words)), [[a, b, low.lower()] for a, b, low in inside], sorted(named),
        ])  # fmt: skip
    return rows


_INSERT = "INSERT OR REPLACE INTO claim_features (doc, version, data) VALUES (?, ?, ?)"


def _version(p: ClaimParams) -> str:
    return f"{VERSION} words {p.min_words}-{p.max_words}"


def features_of(doc: Document, p: ClaimParams) -> list[list[Any]]:
    """:func:`document_features` of an annotated document, from its sentences and mentions."""
    spans = sorted((s.start, s.end) for s in doc.sentences)
    mentions = sorted((m.start, m.end, m.text) for m in doc.mentions)
    return document_features(doc.text, spans, mentions, p)


def _row(doc: str, data: list[list[Any]], p: ClaimParams) -> tuple[str, str, str]:
    """The ``claim_features`` row of a document's features."""
    return doc, _version(p), json.dumps(data, separators=(",", ":"))


def feature_rows(
    doc: str, rows: list[list[Any]], p: ClaimParams
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """``(insert statement, rows)`` storing a document's features (``save_document(extra=...)``)."""
    return [(_INSERT, [_row(doc, rows, p)])]


def _complete(store: SqliteStore, p: ClaimParams) -> None:
    """Compute and store the features of every document that has none of this version."""
    version = _version(p)
    found = {
        r["doc"]
        for r in store.query("SELECT doc FROM claim_features WHERE version = ?", (version,))
    }
    ids = [r["id"] for r in store.query("SELECT id FROM documents")]
    missing = sorted(d for d in ids if d not in found)
    for lo in range(0, len(missing), _CHUNK):
        chunk = missing[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for r in store.query(
            f"SELECT doc, start, end FROM sentences WHERE doc IN ({marks}) ORDER BY doc, start",  # noqa: S608 - placeholders only
            chunk,
        ):
            spans[r["doc"]].append((int(r["start"]), int(r["end"])))
        mentions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for r in store.query(
            f"SELECT doc, start, end, text FROM mentions WHERE doc IN ({marks})"  # noqa: S608 - placeholders only
            " ORDER BY doc, start",
            chunk,
        ):
            mentions[r["doc"]].append((int(r["start"]), int(r["end"]), r["text"]))
        rows = []
        for r in store.query(f"SELECT id, text FROM documents WHERE id IN ({marks})", chunk):  # noqa: S608 - placeholders only
            data = document_features(r["text"], spans[r["id"]], mentions[r["id"]], p)
            rows.append(_row(r["id"], data, p))
        try:
            with store.transaction():
                store.executemany(_INSERT, rows)
        except StoreError as exc:
            raise StoreError(f"cannot store the claim features: {exc}") from None


def candidate_spans(
    store: SqliteStore, docs: Sequence[str], p: ClaimParams
) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """``(doc, [(start, end), ...])``: the candidate claim sentences of the stored
    features of ``docs`` (those that have features of this version), a chunk of
    documents read at a time."""
    version = _version(p)
    for lo in range(0, len(docs), _CHUNK):
        chunk = list(docs[lo : lo + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            f"SELECT doc, data FROM claim_features WHERE version = ? AND doc IN ({marks})"  # noqa: S608 - placeholders only
            " ORDER BY doc",
            (version, *chunk),
        ):
            yield row["doc"], [(int(f[0]), int(f[1])) for f in json.loads(row["data"])]


def sentences(store: SqliteStore, p: ClaimParams) -> Sents:
    """The corpus's candidate claim sentences, by document and start, with corpus-wide anchors.

    The stored features and resolved mentions are read back a chunk of documents
    at a time, so only the sentences' columns (:class:`Sents`), not their JSON or
    every mention too, are held for the whole corpus.
    """
    _complete(store, p)
    # nationalities and other groups: descriptors more than actors
    groups = {
        r["entity"] or r["text"].lower()
        for r in store.query("SELECT text, entity FROM mentions WHERE label = 'NORP'")
    }
    cols = SentColumns()
    # every word pair of every sentence, as hashes in flat arrays: most pairs are
    # in one sentence alone and are dropped below, so they are never held as strings
    pair_hash: array[int] = array("q")
    pair_owner: array[int] = array("i")
    version = _version(p)
    ids = [r["doc"] for r in store.query(
        "SELECT doc FROM claim_features WHERE version = ? ORDER BY doc", (version,))]  # fmt: skip
    for lo in range(0, len(ids), _CHUNK):
        chunk = ids[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        entity = {
            (r["doc"], int(r["start"]), int(r["end"])): r["entity"]
            for r in store.query(
                f"SELECT doc, start, end, entity FROM mentions WHERE entity IS NOT NULL AND doc IN ({marks})",  # noqa: E501, S608 - placeholders only
                chunk,
            )
        }
        for row in store.query(
            f"SELECT doc, data FROM claim_features WHERE version = ? AND doc IN ({marks})"  # noqa: S608 - placeholders only
            " ORDER BY doc",
            (version, *chunk),
        ):
            doc = row["doc"]
            for s, e, digest, size, nums, words, qty, names, pairs, inside, named in json.loads(
                row["data"]
            ):
                keys = tuple(dict.fromkeys(
                    entity.get((doc, a, b)) or low for a, b, low in inside))  # fmt: skip
                pair_hash.extend(map(hash, pairs))
                pair_owner.extend(itertools.repeat(len(cols), len(pairs)))
                cols.append(doc, s, e, int(digest, 16) >> 1, size, {
                    "nums": nums, "ents": keys, "words": words, "qty": qty,
                    "names": dict.fromkeys([*keys, *named, *names])})  # fmt: skip
    is_group = np.zeros(len(cols.vocab), dtype=bool)
    is_group[[cols.ids[g] for g in groups if g in cols.ids]] = True
    out = cols.done()
    del cols
    # an entity or word pair that many sentences share is the corpus's subject, no anchor;
    # one that one sentence alone has can be shared with none: it is dropped too (most
    # word pairs are such)
    rows, ents = out.items("ents")
    df = np.bincount(ents, minlength=len(out.vocab))[ents]
    kept = (df >= 2) & (df <= max(2.0, p.entity_share * len(out)))
    rare = kept & (df <= max(3.0, p.rare_share * len(out))) & ~is_group[ents]
    out.put("rare", rows[rare], ents[rare])
    out.put("ents", rows[kept], ents[kept])
    del rows, ents, df, kept, rare
    _shared_pairs(out, pair_hash, pair_owner, p.phrase_df)
    return out


def _shared_pairs(
    out: Sents, hashes: array[int], owners: array[int], most: int, part: int = _PAIRS
) -> None:
    """Give each sentence of ``out`` its word pairs (``hashes``, by sentence index in
    ``owners``) that 2 to ``most`` sentences have.

    The pairs are counted a range of hash values at a time (about ``part`` pairs
    each): sorting a whole corpus's pairs at once takes three more arrays of their
    size beside them (millions of pairs at 10,000 documents); most pairs are in one
    sentence and none of them is kept.
    """
    if not hashes:
        return
    h = np.frombuffer(hashes, dtype=np.int64)
    owner = np.frombuffer(owners, dtype=np.int32)
    bits = max(0, min(8, (len(h) // part).bit_length()))
    bucket = (h.view(np.uint64) >> np.uint64(64 - bits)).astype(np.uint8) if bits else None
    found_h: list[np.ndarray] = []
    found_who: list[np.ndarray] = []
    for k in range(1 << bits):
        idx = np.arange(len(h)) if bucket is None else np.flatnonzero(bucket == k)
        order = idx[np.argsort(h[idx], kind="stable")]
        hk = h[order]
        starts = np.flatnonzero(np.r_[True, hk[1:] != hk[:-1]])
        sizes = np.diff(np.r_[starts, len(hk)])
        keep = np.repeat((sizes >= 2) & (sizes <= most), sizes)
        found_h.append(hk[keep])
        found_who.append(owner[order[keep]])
        del idx, order, hk, starts, sizes, keep
    kept, who = np.concatenate(found_h), np.concatenate(found_who)
    by = np.lexsort((kept, who))  # by sentence, then by hash
    out.put("pairs", who[by].astype(np.int64), kept[by])


def sentence_texts(store: SqliteStore, sents: Sequence[Sent | Place]) -> list[str]:
    """The texts of ``sents``, in their order (their documents are read in chunks)."""
    out = [""] * len(sents)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sents):
        by_doc[s.doc].append(i)
    docs = sorted(by_doc)
    for lo in range(0, len(docs), _CHUNK):
        chunk = docs[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for r in store.query(f"SELECT id, text FROM documents WHERE id IN ({marks})", chunk):  # noqa: S608 - placeholders only
            for i in by_doc[r["id"]]:
                out[i] = r["text"][sents[i].start : sents[i].end]
    return out
