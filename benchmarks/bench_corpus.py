"""Corpus stages alone: time and peak memory of each, from scratch, on a copy of a store.

Takes a store kept by ``bench_build.py --keep DIR`` (or any built store), copies it,
clears the stored reuse (so that every document is signed again) and runs the
corpus stages as a build does, with every claim recomputed, in a process that
loads no language model. Prints each stage's seconds and the process's peak RSS
after it (MB): what the corpus stages cost without the parse's memory beneath.

    python benchmarks/bench_corpus.py stores/bench-10000.db
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench_build import peaks, stages  # type: ignore[import-not-found]  # benchmarks/

from narrascope.pipeline import run_corpus_stages
from narrascope.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a built store (it is copied, not changed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrascope-corpus-") as tmp:
        db = Path(tmp) / "store.db"
        shutil.copy(args.store, db)
        timings: dict[str, float] = {}
        peak: dict[str, float] = {}
        with open_store(db) as store:
            store.execute("DELETE FROM reuse")
            store.execute("DELETE FROM reuse_signatures")
            run_corpus_stages(store, timings, peaks=peak, incremental=False)
    print(f"time per stage: {stages(timings)}")
    print(f"peak RSS after each stage (MB): {peaks(peak)}")


if __name__ == "__main__":
    main()
