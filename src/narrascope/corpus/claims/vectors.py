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
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from narrascope.corpus.claims.features import (
    _STOP,
    _WORD,
    ClaimParams,
    candidate_spans,
    sentence_texts,
    spaced,
)
from narrascope.corpus.claims.sents import Place, Rows
from narrascope.corpus.embed import DIM, MINILM, minilm, onnx_minilm
from narrascope.store import SqliteStore

__all__ = [
    "LEXICAL",
    "MINILM",
    "BackgroundVectors",
    "VectorFile",
    "complete_vectors",
    "embedding_file",
    "encoder",
    "store_vectors",
]

LEXICAL = "lexical-hash-v1"
_CHUNK = 100  #: documents per query for stored vectors (their rows are read at once)
_FLUSH = 4096  #: stored vectors read before they are written to the vector file (6 MB)
_RUN = 128  #: sentences the vectors thread embeds between looks at its stop flag


def encoder(kind: str = "auto") -> tuple[str, Callable[[Sequence[str]], np.ndarray]]:
    """``(model name, encode)``: MiniLM if it can be loaded (and ``kind`` allows), else lexical.

    ``kind``: ``"auto"`` (MiniLM by ONNX Runtime, else PyTorch), ``"torch"`` or
    ``"lexical"``; see :mod:`narrascope.corpus.embed`. MiniLM is loaded anew by each
    call and freed with ``encode``: the claim stage holds it only while it embeds.
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


class VectorFile:
    """Rows of vectors in an unlinked temporary file, read back a range at a time.

    The claim stage compares hundreds of thousands of sentence vectors (on a
    10,000-document corpus, 368,000: 269 MB in half precision). Held in a file,
    they are the system's file cache, which it can drop, and not the process's
    memory: only the ranges being compared are read in. The file is the
    platform's temporary folder's (``TMPDIR``), removed when closed.
    """

    def __init__(self, rows: int, dtype: type[np.floating[Any]] = np.float16, dim: int = DIM):
        self.rows, self.dim, self.dtype = rows, dim, np.dtype(dtype)
        self._width = dim * self.dtype.itemsize
        self._file = tempfile.TemporaryFile(prefix="narrascope-vectors-")  # noqa: SIM115 - closed by close()
        self._file.truncate(rows * self._width)  # unwritten rows read as zeros

    def __enter__(self) -> VectorFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the file."""
        self._file.close()

    def clear(self) -> None:
        """Make every row zeros again."""
        self._file.truncate(0)
        self._file.truncate(self.rows * self._width)

    def write(self, start: int, block: np.ndarray) -> None:
        """Store ``block``'s rows as rows ``start``, ``start + 1``, ... (in the file's type)."""
        if not len(block):
            return
        if start < 0 or start + len(block) > self.rows:
            raise IndexError(f"rows {start}-{start + len(block)} of {self.rows}")
        self._file.seek(start * self._width)
        self._file.write(np.ascontiguousarray(block, dtype=self.dtype).tobytes())

    def put(self, rows: Sequence[int], block: np.ndarray) -> None:
        """Store ``block[i]`` as row ``rows[i]``, each run of consecutive rows in one write."""
        where = np.asarray(rows, dtype=np.int64)
        order = np.argsort(where, kind="stable")
        at = where[order]
        cuts = np.flatnonzero(np.diff(at) != 1) + 1
        for run in np.split(np.arange(len(at)), cuts):
            if len(run):
                self.write(int(at[run[0]]), block[order[run]])

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo`` to ``hi`` (not included), as a new array."""
        lo, hi = max(0, lo), min(hi, self.rows)
        out = np.zeros((max(0, hi - lo), self.dim), dtype=self.dtype)
        if len(out):
            self._file.seek(lo * self._width)
            self._file.readinto(out.data)
        return out


def embedding_file(
    store: SqliteStore,
    sents: Rows,
    kind: str,
    dtype: type[np.floating[Any]] = np.float16,
    *,
    batch: int = 4096,
) -> VectorFile:
    """Vectors of ``sents``, one row each, in a :class:`VectorFile` (the caller closes it):
    the stored ones, embedding (and storing) only the missing ones, ``batch`` at a time.

    Only the documents of ``sents`` are read, so a corpus's other vectors stay
    on disk; each stored vector goes to the file as it is read (as ``dtype``:
    the stored vectors stay float32 whatever it is).
    """
    out = VectorFile(len(sents), dtype)
    try:
        if sents:
            _fill(store, sents, kind, out, batch)
    except BaseException:
        out.close()
        raise
    return out


def _fill(
    store: SqliteStore, sents: Rows, kind: str, out: VectorFile, batch: int
) -> None:
    """Write the vectors of ``sents`` into ``out`` (:func:`embedding_file`)."""
    # the model is loaded only when a vector is missing (MiniLM's name is tried first)
    name = LEXICAL if kind == "lexical" else MINILM
    found = _stored_vectors(store, sents, name, out)
    missing = np.flatnonzero(~found).tolist()
    if missing:
        loaded, encode = encoder(kind)
        if loaded != name:  # MiniLM cannot be loaded here: the fallback's own vectors
            name = loaded
            out.clear()
            found = _stored_vectors(store, sents, loaded, out)
            missing = np.flatnonzero(~found).tolist()
    # each distinct text is embedded once: republished copies cost nothing more
    distinct: dict[int, list[int]] = {}
    for i in missing:
        distinct.setdefault(sents.key(i), []).append(i)
    groups = list(distinct.values())
    del distinct
    for lo in range(0, len(groups), batch):
        part = groups[lo : lo + batch]
        texts = sentence_texts(store, [sents[g[0]] for g in part])
        encoded = encode([spaced(t) for t in texts])
        rows = [i for g in part for i in g]
        new = encoded[[k for k, g in enumerate(part) for _ in g]]
        store_vectors(store, [(*sents.span(i), name, new[k].tobytes())
                              for k, i in enumerate(rows)])  # fmt: skip
        out.put(rows, new)


def _stored_vectors(
    store: SqliteStore, sents: Rows, name: str, into: VectorFile
) -> np.ndarray:
    """Write the stored vectors of ``sents`` under the model ``name`` into their rows of
    ``into``, a chunk of documents at a time; returns which rows were found."""
    by_doc: dict[str, list[int]] = {}
    for i in range(len(sents)):
        by_doc.setdefault(sents.span(i)[0], []).append(i)
    found = np.zeros(len(sents), dtype=bool)
    doc_ids = sorted(by_doc)
    rows: list[int] = []
    vectors: list[bytes] = []

    def flush() -> None:
        if rows:
            block = np.frombuffer(b"".join(vectors), dtype=np.float32)
            into.put(rows, block.reshape(len(rows), -1))
            rows.clear()
            vectors.clear()

    for lo in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[lo : lo + _CHUNK]
        row = {sents.span(i): i for d in chunk for i in by_doc[d]}
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT doc, start, end, vector FROM sentence_embeddings WHERE model = ? AND doc IN ({marks})"  # noqa: E501, S608 - placeholders only
        for r in store.query(sql, (name, *chunk)):
            at = row.get((r["doc"], int(r["start"]), int(r["end"])))
            if at is not None and not found[at]:
                rows.append(at)
                vectors.append(r["vector"])
                found[at] = True
                if len(rows) >= _FLUSH:
                    flush()
        flush()
    return found


class BackgroundVectors:
    """MiniLM vectors of candidate claim sentences, computed on a second core during a build.

    The build's writer submits each stored document's candidate sentences; a
    daemon thread embeds them with ONNX Runtime on one core (ONNX Runtime and the
    tokenizer release the interpreter lock, so the parse beside it is not slowed)
    and hands back rows for ``sentence_embeddings``, which the writer stores. What
    the thread did not reach is embedded once the parse is done
    (:func:`complete_vectors`; :meth:`close` drops what is still queued and waits
    only for the run of ``_RUN`` sentences in hand). The thread takes up to
    ``batch`` queued sentences at a time, from several documents, so that ONNX
    Runtime's batches of sentences of one length pad little. Nothing here fails a build:
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


def complete_vectors(
    store: SqliteStore,
    docs: Sequence[str],
    params: ClaimParams | None = None,
    *,
    batch: int = 2048,
) -> int:
    """Embed and store the MiniLM vectors that the candidate claim sentences of ``docs``
    lack; returns how many were embedded (none where MiniLM cannot be loaded).

    A build calls it when the parse is done and its language model let go, for
    what the vectors thread (:class:`BackgroundVectors`) did not reach, so that
    the claim stage finds every vector stored and does not load MiniLM while it
    holds the corpus's sentence columns. It embeds every candidate sentence, not
    only those the claim rules will compare (those are known only in that stage):
    on a 10,000-document corpus, the claim stage compared 61,000 of the 87,000
    that the thread left. Each distinct text is embedded once, ``batch`` at a time.
    """
    p = params or ClaimParams()
    if p.model == "lexical":
        return 0
    encode: Callable[[Sequence[str]], np.ndarray] | None = None
    todo: dict[str, list[Place]] = {}  # text -> where it is
    # a text embedded in an earlier batch: where its vector was stored (by the text's
    # hash, not the text: a few bytes each however long the corpus), and its copies
    embedded: dict[int, Place] = {}
    copies: list[tuple[Place, Place]] = []

    def flush(encode: Callable[[Sequence[str]], np.ndarray]) -> None:
        texts = list(todo)
        vectors = encode(texts)
        store_vectors(store, [(w.doc, w.start, w.end, MINILM, vectors[k].tobytes())
                              for k, t in enumerate(texts) for w in todo[t]])  # fmt: skip
        embedded.update((hash(t), todo[t][0]) for t in texts)
        todo.clear()

    for lo in range(0, len(docs), _CHUNK):
        chunk = list(docs[lo : lo + _CHUNK])
        marks = ",".join("?" * len(chunk))
        have = {
            (r["doc"], int(r["start"]), int(r["end"]))
            for r in store.query(
                f"SELECT doc, start, end FROM sentence_embeddings WHERE model = ? AND doc IN ({marks})",  # noqa: E501, S608 - placeholders only
                (MINILM, *chunk),
            )
        }
        missing = [Place(doc, s, e) for doc, spans in candidate_spans(store, chunk, p)
                   for s, e in spans if (doc, s, e) not in have]  # fmt: skip
        if not missing:
            continue
        if encode is None:
            loaded, encode = encoder(p.model)
            if loaded != MINILM:  # the claim stage's fallback vectors are cheap: left to it
                return 0
        for place, raw in zip(missing, sentence_texts(store, missing), strict=True):
            text = spaced(raw)
            if (first := embedded.get(hash(text))) is not None:
                copies.append((place, first))
                continue
            todo.setdefault(text, []).append(place)
            if len(todo) >= batch:
                flush(encode)
    if todo and encode is not None:
        flush(encode)
    _copy_vectors(store, copies)
    return len(embedded)


def _copy_vectors(store: SqliteStore, copies: Sequence[tuple[Place, Place]]) -> None:
    """Store, for each ``(copy, first)``, the MiniLM vector of ``first`` as that of ``copy``."""
    if copies:
        with store.transaction():
            store.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings (doc, start, end, model, vector)"
                " SELECT ?, ?, ?, model, vector FROM sentence_embeddings"
                " WHERE doc = ? AND start = ? AND end = ? AND model = ?",
                [(*copy, *first, MINILM) for copy, first in copies],
            )


def store_vectors(store: SqliteStore, rows: Sequence[tuple[str, int, int, str, bytes]]) -> None:
    """Write ``(doc, start, end, model, vector)`` rows to ``sentence_embeddings``."""
    if rows:
        with store.transaction():
            store.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings"
                " (doc, start, end, model, vector) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
