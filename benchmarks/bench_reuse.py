"""Time the reuse stage (and, with --claims, the claim stage) on synthetic corpora.

    .venv/bin/python benchmarks/bench_reuse.py --docs 1000 10000 [--claims]

Documents come from ``narrascope.eval.reuse.make_synthetic`` (random-word paragraphs
with planted copies); each size is built in a fresh temporary store. A second run
after adding 1% more documents shows the incremental cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from narrascope.corpus.claims import find_claims
from narrascope.corpus.reuse import find_reuse
from narrascope.eval.reuse import make_synthetic
from narrascope.store import SqliteStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000])
    parser.add_argument("--claims", action="store_true", help="time the claim stage too")
    args = parser.parse_args()
    for n in args.docs:
        syn = make_synthetic(n, seed=2)
        extra = max(1, n // 100)
        with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "b.db") as store:
            for doc in syn.docs[: n - extra]:
                store.save_document(doc)
            t0 = time.perf_counter()
            found = find_reuse(store)
            t1 = time.perf_counter()
            for doc in syn.docs[n - extra :]:
                store.save_document(doc)
            find_reuse(store)
            t2 = time.perf_counter()
            words = sum(len(d.text.split()) for d in syn.docs)
            print(f"{n} docs ({words:,} words): reuse {t1 - t0:.1f}s ({found} passages); "
                  f"+{extra} docs incremental {t2 - t1:.1f}s")
            if args.claims:
                t3 = time.perf_counter()
                c = find_claims(store)
                print(f"  claims {time.perf_counter() - t3:.1f}s ({c} claims)")


if __name__ == "__main__":
    main()
