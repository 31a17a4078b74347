"""Incremental add benchmark: new generated documents added to a copy of a built store.

Takes a store kept by ``bench_build.py --keep DIR``, copies it, generates ``--docs``
new articles with the same invented world (``benchmarks/generate.py``, a seed of its
own so none repeats an earlier one), builds them into the copy and prints the time
per stage and the peak memory after each step. Divide by the full build's time that
``bench_build.py`` printed for that store to get the add's share.

    python benchmarks/bench_build.py --docs 10000 --incremental --keep stores
    python benchmarks/bench_add.py stores/bench-10000.db --docs 100
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench_build import peaks, stages, timed_build  # type: ignore[import-not-found]  # benchmarks/
from generate import World, make_corpus  # type: ignore[import-not-found]  # benchmarks/generate.py

from narrascope.extract.nlp import load_nlp
from narrascope.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a store kept by bench_build.py --keep")
    parser.add_argument("--docs", type=int, default=100, help="documents to add (default 100)")
    parser.add_argument("--seed", type=int, default=2,
                        help="generator seed (bench_build.py uses 0 and, for its add, 1)")
    args = parser.parse_args()
    settings = Settings()
    nlp = load_nlp(settings)
    with tempfile.TemporaryDirectory(prefix="narrascope-add-") as tmp:
        more = Path(tmp) / "more"
        more.mkdir()
        make_corpus(more, args.docs, args.seed, f"add{args.seed}-", world=World(nlp))
        db = Path(tmp) / "store.db"
        shutil.copy(args.store, db)
        report, seconds = timed_build(more, db, settings, nlp)
    print(f"added {report.added} documents to a copy of {args.store.name}: {seconds:.2f}s")
    print(f"time per stage: {stages(report.timings)}")
    print(f"peak RSS after each step (MB): {peaks(report.peak_rss_mb)}")


if __name__ == "__main__":
    main()
