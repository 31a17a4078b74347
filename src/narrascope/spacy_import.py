"""Import spaCy without PyTorch where the pipeline does not need it.

spaCy's machine-learning library, thinc, imports PyTorch as soon as it is
installed (``thinc.compat``), whether or not a pipeline uses it. PyTorch is
installed here for the MiniLM model's one-time export, and importing it costs
about 180 MB of resident memory in every process that imports spaCy: more than
the English pipeline itself. The CNN pipelines (``en_core_web_sm`` and its kin)
never call it. So spaCy is imported with ``torch`` hidden, unless the pipeline's
package asks for PyTorch or a transformer library, or PyTorch is already loaded.
Code that imports ``torch`` afterwards gets it as usual; only thinc does without.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["import_spacy", "needs_torch"]

#: requirements that mean a pipeline runs on PyTorch
_TORCH_REQUIREMENTS = frozenset({
    "torch", "spacy-transformers", "spacy-curated-transformers", "curated-transformers",
})  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class _HideTorch(importlib.abc.MetaPathFinder):
    """A finder that makes ``import torch`` fail while it is installed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ImportError(f"{fullname} is not imported for spaCy (narrascope.spacy_import)")
        return None


def needs_torch(model: str | None) -> bool:
    """Whether the spaCy pipeline ``model`` (a package name or a folder) requires PyTorch.

    ``None`` (no pipeline, e.g. spaCy's stop-word lists only) needs none. A
    pipeline whose requirements cannot be read is taken to need it.
    """
    if model is None:
        return False
    requirements: list[str] | None = None
    folder = Path(model)
    if folder.is_dir():
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            requirements = [str(r) for r in meta.get("requirements", [])]
        except (OSError, ValueError, AttributeError):
            return True
    else:
        dists = importlib.metadata.packages_distributions().get(model, [])
        if not dists:
            return True
        requirements = []
        for dist in dists:
            requirements.extend(importlib.metadata.requires(dist) or [])
    names = {m.group().lower().replace("_", "-") for r in requirements
             if (m := _NAME.match(r.strip()))}  # fmt: skip
    return bool(names & _TORCH_REQUIREMENTS)


def import_spacy(model: str | None = None) -> None:
    """``import spacy``, with PyTorch hidden from thinc unless ``model`` needs it (the
    callers then import spaCy's modules as usual).

    Where spaCy (or thinc, or PyTorch) is already imported, this does nothing: what
    thinc found then stays.
    """
    if any(name in sys.modules for name in ("spacy", "thinc", "torch")) or needs_torch(model):
        return
    finder = _HideTorch()
    sys.meta_path.insert(0, finder)
    try:
        importlib.import_module("spacy")
    finally:
        sys.meta_path.remove(finder)
