"""Vectors beside the parse: MiniLM's vectors, never a failed build, the same claims."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narrascope.corpus import embed
from narrascope.corpus.claims import export_claims
from narrascope.corpus.claims import vectors as vectors_module
from narrascope.corpus.claims.vectors import MINILM, BackgroundVectors
from narrascope.demo import sample_corpus
from narrascope.pipeline import build
from narrascope.settings import Settings
from narrascope.store import SqliteStore

TEXT = (
    "The group killed six Americans in the 1970s, according to the State Department. "
    "Six US citizens died in attacks the organisation carried out in Iran. "
    "A leopard cannot change its spots."
)
SPANS = [(0, 80), (81, 150), (151, len(TEXT))]


@pytest.fixture(scope="module")
def onnx() -> None:
    pytest.importorskip("onnxruntime")
    if embed.onnx_minilm(threads=1) is None:
        pytest.skip("MiniLM by ONNX Runtime not available")


def _wait(vectors: BackgroundVectors, n: int) -> list[tuple[str, int, int, str, bytes]]:
    """The first ``n`` rows the thread hands back (it has a minute: a bound, not a timing)."""
    rows: list[tuple[str, int, int, str, bytes]] = []
    for _ in range(600):
        rows += vectors.take()
        if len(rows) >= n or vectors.error:
            break
        time.sleep(0.1)
    return rows


def _all_rows(vectors: BackgroundVectors, n: int) -> list[tuple[str, int, int, str, bytes]]:
    return _wait(vectors, n) + vectors.close()


def test_background_vectors_are_minilms(onnx: None) -> None:
    vectors = BackgroundVectors()
    vectors.submit("doc-1", SPANS, TEXT)
    rows = _all_rows(vectors, len(SPANS))
    assert vectors.error is None
    assert [(d, s, e, m) for d, s, e, m, _ in rows] == [("doc-1", s, e, MINILM) for s, e in SPANS]
    got = np.stack([np.frombuffer(r[4], dtype=np.float32) for r in rows])
    encode = embed.minilm("auto")
    assert encode is not None
    want = encode([" ".join(TEXT[s:e].split()) for s, e in SPANS])
    assert float(np.abs(got - want).max()) < 1e-5


def test_close_drops_what_is_queued(onnx: None) -> None:
    vectors = BackgroundVectors(batch=1)
    vectors.submit("doc-1", SPANS * 200, TEXT)
    rows = vectors.close()  # stops after the batch in hand
    assert len(rows) < len(SPANS) * 200
    vectors.submit("doc-2", SPANS, TEXT)  # after close: ignored
    assert vectors.take() == []


def test_no_model_no_vectors_and_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "onnx_minilm", lambda threads: None)
    vectors = BackgroundVectors()
    vectors.submit("doc-1", SPANS, TEXT)
    assert vectors.close() == []
    assert vectors.error == "MiniLM by ONNX Runtime is not available"


def _claims(db: Path) -> tuple[list[Any], int]:
    with SqliteStore(db) as store:
        found = [(c["text"], [(m["doc"], m["start"], m["end"]) for m in c["members"]])
                 for c in export_claims(store)]  # fmt: skip
        return found, int(store.query("SELECT count(*) FROM sentence_embeddings")[0][0])


class _Patient(BackgroundVectors):
    """Closes only once every submitted sentence is embedded (a fast parse cannot outrun it)."""

    submitted = 0
    taken = 0

    def submit(self, doc: str, spans: Any, text: str) -> None:
        super().submit(doc, spans, text)
        self.submitted += len(spans)

    def take(self) -> list[tuple[str, int, int, str, bytes]]:
        rows = super().take()
        self.taken += len(rows)
        return rows

    def close(self) -> list[tuple[str, int, int, str, bytes]]:
        before = self.taken
        rows = _wait(self, self.submitted - before) + super().close()
        assert before + len(rows) == self.submitted
        return rows


class _Idle(BackgroundVectors):
    """Embeds nothing: every candidate sentence is left for after the parse."""

    def submit(self, doc: str, spans: Any, text: str) -> None:
        pass


def test_build_with_vectors_beside_the_parse_finds_the_same_claims(
    tmp_path: Path, nlp: Any, onnx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrascope import pipeline

    made: list[int] = []
    real = pipeline.complete_vectors

    def counted(*args: Any, **kwargs: Any) -> int:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pipeline, "complete_vectors", counted)
    with sample_corpus() as sample:
        for name, thread, on in (("beside", _Patient, True), ("idle", _Idle, True),
                                 ("after", BackgroundVectors, False)):  # fmt: skip
            monkeypatch.setattr(pipeline, "BackgroundVectors", thread)
            with SqliteStore(tmp_path / f"{name}.db") as store:
                report = build([str(sample)], store,
                               Settings().replace(vectors_while_parsing=on), nlp=nlp)  # fmt: skip
                assert ("vectors" in report.peak_rss_mb) == on  # the step after the parse
    beside, embedded_beside = _claims(tmp_path / "beside.db")
    idle, embedded_idle = _claims(tmp_path / "idle.db")
    after, embedded_after = _claims(tmp_path / "after.db")
    assert beside
    assert beside == idle == after
    # beside the parse every candidate sentence is embedded (what the thread did not
    # reach, once the parse is done); after it, only compared ones
    with SqliteStore(tmp_path / "beside.db") as store:
        candidates = sum(len(json.loads(r[0]))
                         for r in store.query("SELECT data FROM claim_features"))  # fmt: skip
    assert embedded_beside == embedded_idle == candidates > embedded_after
    # the patient thread left nothing; the idle one, every distinct text
    assert made[0] == 0
    assert 0 < made[1] <= candidates


def test_complete_vectors_embeds_what_is_missing_once(
    tmp_path: Path, nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrascope.corpus.claims.features import ClaimParams

    calls: list[list[str]] = []

    def fake(kind: str) -> Any:
        def encode(texts: list[str]) -> np.ndarray:
            calls.append(list(texts))
            out = np.zeros((len(texts), embed.DIM), dtype=np.float32)
            out[:, 0] = [len(t) for t in texts]
            return out

        return MINILM, encode

    monkeypatch.setattr(vectors_module, "encoder", fake)
    with sample_corpus() as sample, SqliteStore(tmp_path / "s.db") as store:
        build([str(sample)], store, Settings().replace(vectors_while_parsing=False), nlp=nlp)
        store.execute("DELETE FROM sentence_embeddings")
        calls.clear()  # the claim stage's
        docs = [r["id"] for r in store.query("SELECT id FROM documents ORDER BY id")]
        features = store.query("SELECT doc, data FROM claim_features")
        spans = {(r["doc"], int(s), int(e)) for r in features
                 for s, e, *_ in json.loads(r["data"])}  # fmt: skip
        texts = {r["id"]: r["text"] for r in store.query("SELECT id, text FROM documents")}
        # the first document's vectors are there already: they are not made again
        first = sorted(s for s in spans if s[0] == docs[0])
        ones = np.ones(embed.DIM, np.float32).tobytes()
        vectors_module.store_vectors(store, [(d, a, b, MINILM, ones) for d, a, b in first])
        made = vectors_module.complete_vectors(store, docs, ClaimParams(), batch=50)
        rows = store.query("SELECT * FROM sentence_embeddings WHERE model = ?", (MINILM,))
        stored = {(r["doc"], int(r["start"]), int(r["end"])): np.frombuffer(r["vector"], np.float32)
                  for r in rows}  # fmt: skip
        assert set(stored) == spans
        sent = [t for c in calls for t in c]
        assert len(sent) == len(set(sent)) == made  # each distinct text once
        assert max(len(c) for c in calls) <= 50
        rest = spans - set(first)
        assert made == len({" ".join(texts[d][a:b].split()) for d, a, b in rest})
        for d, a, b in first:
            assert stored[d, a, b][0] == 1.0
        for d, a, b in rest:
            assert stored[d, a, b][0] == len(" ".join(texts[d][a:b].split()))
        # nothing left: nothing loaded or embedded
        calls.clear()
        assert vectors_module.complete_vectors(store, docs, ClaimParams()) == 0
        assert calls == []
        assert vectors_module.complete_vectors(store, docs, ClaimParams(model="lexical")) == 0


def test_a_thread_behind_leaves_sentences_to_the_claim_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = threading.Event()

    def slow_model(threads: int) -> Any:
        started.wait(60)  # the thread is held at loading until every submission is made
        return lambda texts: np.zeros((len(texts), embed.DIM), dtype=np.float32)

    monkeypatch.setattr(vectors_module, "onnx_minilm", slow_model)
    vectors = BackgroundVectors(max_queued=5)
    for k in range(4):
        vectors.submit(f"doc-{k}", SPANS, TEXT)  # 3 sentences each
    assert vectors._todo.qsize() == 6  # the third and fourth documents found 6 waiting
    started.set()
    vectors.close()


def test_close_waits_for_one_run_not_the_whole_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    running = threading.Event()

    def slow_model(threads: int) -> Any:
        def encode(texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            running.set()
            time.sleep(0.2)
            return np.zeros((len(texts), embed.DIM), dtype=np.float32)

        return encode

    monkeypatch.setattr(vectors_module, "onnx_minilm", slow_model)
    vectors = BackgroundVectors(batch=2000, gather=0.0)
    text = " ".join(f"Sentence number {k:04d} says something." for k in range(1000))
    spans = [(k * 37, k * 37 + 36) for k in range(1000)]
    assert len({text[s:e] for s, e in spans}) == 1000
    vectors.submit("doc-1", spans, text)
    assert running.wait(60)
    rows = vectors.close()
    # the thread took all 1,000 sentences in one batch, embedded them in runs, and
    # stopped after the run in hand: its rows are those of the runs it finished
    assert calls
    assert max(calls) <= vectors_module._RUN
    assert len(calls) < 1000 // vectors_module._RUN
    assert len(rows) == sum(calls)
