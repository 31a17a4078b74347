"""The sample corpus shipped in the package, and the demo build over it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from narrascope.pipeline import BuildReport, Progress, build
from narrascope.settings import Settings
from narrascope.store import SqliteStore

__all__ = ["DEFAULT_DEMO_DB", "run_demo", "sample_corpus"]

DEFAULT_DEMO_DB = "narrascope-demo.db"


@contextmanager
def sample_corpus() -> Iterator[Path]:
    """The folder of the fictional sample corpus (a real path while the block runs)."""
    with resources.as_file(resources.files("narrascope.data") / "sample") as path:
        yield path


def run_demo(
    store: SqliteStore, settings: Settings, progress: Progress | None = None
) -> BuildReport:
    """Build the sample corpus into ``store``."""
    with sample_corpus() as folder:
        return build([str(folder)], store, settings, progress=progress)
