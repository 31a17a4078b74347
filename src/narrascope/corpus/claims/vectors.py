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
import queue
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from narrascope.corpus.claims.features import _STOP, _WORD, Sent, sentence_texts, spaced
from narrascope.corpus.embed import DIM, MINILM, minilm, onnx_minilm
from narrascope.store import SqliteStore

__all__ = ["LEXICAL", "MINILM", "BackgroundVectors", "embeddings", "encoder", "store_vectors"]

LEXICAL = "lexical-hash-v1"
_CHUNK = 500  #: documents per query for stored vectors
_RUN = 128  #: sentences the vectors thread embeds between looks at its stop flag


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


def embeddings(
    store: SqliteStore, sents: Sequence[Sent], kind: str, dtype: type[np.floating[Any]] = np.float32
) -> np.ndarray:
    """Vectors of ``sents``: the stored ones, embedding (and storing) only the missing ones.

    Only the documents of ``sents`` are read, so a corpus's other vectors stay
    on disk, and each stored vector is copied into the result as it is read
    (as ``dtype``: the stored vectors stay float32 whatever it is).
    """
    if not sents:  # nothing to compare: no model to load
        return np.zeros((0, DIM), dtype=dtype)
    # the model is loaded only when a vector is missing (MiniLM's name is tried first)
    name = LEXICAL if kind == "lexical" else MINILM
    vectors = np.zeros((len(sents), DIM), dtype=dtype)
    found = _stored_vectors(store, sents, name, vectors)
    missing = np.flatnonzero(~found).tolist()
    if missing:
        loaded, encode = encoder(kind)
        if loaded != name:  # MiniLM cannot be loaded here: the fallback's own vectors
            name = loaded
            vectors[:] = 0.0
            found = _stored_vectors(store, sents, loaded, vectors)
            missing = np.flatnonzero(~found).tolist()
    if missing:
        # each distinct text is embedded once: republished copies cost nothing more
        distinct: dict[str, int] = {}
        first: list[int] = []
        for i in missing:
            if sents[i].key not in distinct:
                distinct[sents[i].key] = len(first)
                first.append(i)
        texts = sentence_texts(store, [sents[i] for i in first])
        encoded = encode([spaced(t) for t in texts])
        new = [encoded[distinct[sents[i].key]] for i in missing]
        rows = [
            (sents[i].doc, sents[i].start, sents[i].end, name, new[k].tobytes())
            for k, i in enumerate(missing)
        ]
        store_vectors(store, rows)
        for k, i in enumerate(missing):
            vectors[i] = new[k]
    return vectors


def _stored_vectors(
    store: SqliteStore, sents: Sequence[Sent], name: str, into: np.ndarray
) -> np.ndarray:
    """Copy the stored vectors of ``sents`` under the model ``name`` into their rows of
    ``into``; returns which rows were found."""
    row = {(s.doc, s.start, s.end): i for i, s in enumerate(sents)}
    found = np.zeros(len(sents), dtype=bool)
    doc_ids = sorted({s.doc for s in sents})
    for lo in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT doc, start, end, vector FROM sentence_embeddings WHERE model = ? AND doc IN ({marks})"  # noqa: E501, S608 - placeholders only
        for r in store.query(sql, (name, *chunk)):
            i = row.get((r["doc"], int(r["start"]), int(r["end"])))
            if i is not None:
                into[i] = np.frombuffer(r["vector"], dtype=np.float32)
                found[i] = True
    return found


class BackgroundVectors:
    """MiniLM vectors of candidate claim sentences, computed on a second core during a build.

    The build's writer submits each stored document's candidate sentences; a
    daemon thread embeds them with ONNX Runtime on one core (ONNX Runtime and the
    tokenizer release the interpreter lock, so the parse beside it is not slowed)
    and hands back rows for ``sentence_embeddings``, which the writer stores. The
    claim stage then finds them stored and embeds only what the thread did not
    reach (:meth:`close` drops what is still queued and waits only for the run of
    ``_RUN`` sentences in hand). The thread takes up to ``batch`` queued sentences
    at a time, from several documents, so that ONNX Runtime's batches of sentences
    of one length pad little. Nothing here fails a build:
    where the model cannot be had, or a batch fails, the thread stops, says why in
    :attr:`error`, and the claim stage embeds what it needs as before.
    """

    def __init__(self, batch: int = 512, max_queued: int = 20_000, gather: float = 1.0) -> None:
        self.error: str | None = None
        self._batch = batch
        self._gather = gather
        self._max_queued = max_queued
        self._todo: queue.SimpleQueue[tuple[str, int, int, str] | None] = queue.SimpleQueue()
        self._done: list[tuple[str, int, int, str, bytes]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="narrascope-vectors", daemon=True)
        self._thread.start()

    def __enter__(self) -> BackgroundVectors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, doc: str, spans: Sequence[tuple[int, int]], text: str) -> None:
        """Queue the sentences ``text[start:end]`` of the stored document ``doc``.

        Where the thread has fallen behind (``max_queued`` sentences wait), the
        document's sentences are left to the claim stage, so that the queue never
        holds a large corpus's text.
        """
        if self._thread.is_alive() and self._todo.qsize() < self._max_queued:
            for start, end in spans:
                self._todo.put((doc, start, end, spaced(text[start:end])))

    def take(self) -> list[tuple[str, int, int, str, bytes]]:
        """The rows finished since the last call: (doc, start, end, model, vector)."""
        with self._lock:
            done, self._done = self._done, []
        return done

    def close(self) -> list[tuple[str, int, int, str, bytes]]:
        """Stop after the batch in hand (queued sentences are dropped); the rows not yet taken."""
        self._stop.set()
        self._todo.put(None)
        self._thread.join()
        return self.take()

    def _run(self) -> None:
        try:
            encode = onnx_minilm(threads=1)
        except Exception as exc:  # noqa: BLE001 - the claim stage embeds instead
            encode, self.error = None, f"{type(exc).__name__}: {exc}"
        if encode is None:
            self.error = self.error or "MiniLM by ONNX Runtime is not available"
            return
        while not self._stop.is_set():
            items = [self._todo.get()]
            # sentences of many documents, sorted by length, pad less in ONNX Runtime's
            # batches than one document's (3,000 sentences: 15% less CPU time than 64
            # at a time, same vectors); so wait up to ``gather`` seconds for half a batch
            deadline = time.monotonic() + self._gather
            while items[-1] is not None and len(items) < self._batch:
                try:
                    if len(items) < self._batch // 2 and (wait := deadline - time.monotonic()) > 0:
                        items.append(self._todo.get(timeout=wait))
                    else:
                        items.append(self._todo.get_nowait())
                except queue.Empty:
                    break
            todo = [x for x in items if x is not None]
            if self._stop.is_set() or not todo:
                return
            # by length, in runs of ``_RUN``: close() then waits for one run, not the batch
            texts = sorted(dict.fromkeys(x[3] for x in todo), key=len)
            found: dict[str, np.ndarray] = {}
            for lo in range(0, len(texts), _RUN):
                if self._stop.is_set():
                    break
                try:
                    found.update(zip(texts[lo : lo + _RUN], encode(texts[lo : lo + _RUN]),
                                     strict=True))  # fmt: skip
                except Exception as exc:  # noqa: BLE001 - as above
                    self.error = f"{type(exc).__name__}: {exc}"
                    break
            rows = [(d, s, e, MINILM, found[t].tobytes()) for d, s, e, t in todo if t in found]
            with self._lock:
                self._done.extend(rows)
            if self.error is not None:
                return


def store_vectors(store: SqliteStore, rows: Sequence[tuple[str, int, int, str, bytes]]) -> None:
    """Write ``(doc, start, end, model, vector)`` rows to ``sentence_embeddings``."""
    if rows:
        with store.transaction():
            store.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings"
                " (doc, start, end, model, vector) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
