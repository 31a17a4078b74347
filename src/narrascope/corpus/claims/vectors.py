"""Sentence vectors for the claim rules: MiniLM where it loads, else hashed words.

Each content sentence that the rules compare is embedded once and its vector
stored (``sentence_embeddings``, under the model's name), so a rebuild embeds
only new sentences, and each distinct text once: republished copies cost
nothing more. Where MiniLM cannot be loaded, a lexical fallback (hashed stems
and stem pairs, L2-normalised) takes its place under another model name, so
the two never mix.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from narrascope.corpus.claims.features import _STOP, _WORD, Sent, sentence_texts
from narrascope.corpus.embed import DIM, MINILM, minilm
from narrascope.store import SqliteStore

__all__ = ["LEXICAL", "MINILM", "embeddings", "encoder"]

LEXICAL = "lexical-hash-v1"
_CHUNK = 500  #: documents per query for stored vectors


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
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        words = [w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP]
        for feat in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
            out[row, zlib.crc32(feat.encode("utf-8")) % DIM] += 1.0
        norm = float(np.linalg.norm(out[row]))
        if norm:
            out[row] /= norm
    return out


def embeddings(store: SqliteStore, sents: Sequence[Sent], kind: str) -> np.ndarray:
    """Vectors of ``sents``: the stored ones, embedding (and storing) only the missing ones.

    Only the documents of ``sents`` are read, so a corpus's other vectors stay on disk.
    """
    if not sents:  # nothing to compare: no model to load
        return np.zeros((0, DIM), dtype=np.float32)
    name, encode = encoder(kind)
    wanted = {(s.doc, s.start, s.end) for s in sents}
    have: dict[tuple[str, int, int], bytes] = {}
    doc_ids = sorted({s.doc for s in sents})
    for lo in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT doc, start, end, vector FROM sentence_embeddings WHERE model = ? AND doc IN ({marks})"  # noqa: E501, S608 - placeholders only
        for r in store.query(sql, (name, *chunk)):
            here = (r["doc"], int(r["start"]), int(r["end"]))
            if here in wanted:
                have[here] = r["vector"]
    missing = [i for i, s in enumerate(sents) if (s.doc, s.start, s.end) not in have]
    vectors = np.zeros((len(sents), DIM), dtype=np.float32)
    if missing:
        # each distinct text is embedded once: republished copies cost nothing more
        distinct: dict[str, int] = {}
        first: list[int] = []
        for i in missing:
            if sents[i].key not in distinct:
                distinct[sents[i].key] = len(first)
                first.append(i)
        texts = sentence_texts(store, [sents[i] for i in first])
        encoded = encode([" ".join(t.split()) for t in texts])
        new = [encoded[distinct[sents[i].key]] for i in missing]
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
