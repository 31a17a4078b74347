"""MiniLM's cost on a kept store: the CPU seconds, on one core, of the sentences it embedded.

``bench_build.py`` prints this after each build; this runs the same measurement
on a store kept by ``bench_build.py --keep DIR`` (the build computes these vectors
on a second core while the first parses, so the build's time on two cores cannot
fall below half of spaCy's and MiniLM's CPU time together).

    python benchmarks/bench_minilm.py stores/bench-1000.db --sample 2000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_build import minilm_cost  # type: ignore[import-not-found]  # benchmarks/


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a store kept by bench_build.py --keep")
    parser.add_argument("--sample", type=int, default=2000,
                        help="distinct sentences to embed (default 2000)")
    args = parser.parse_args()
    print(json.dumps(minilm_cost(args.store, args.sample), indent=1))


if __name__ == "__main__":
    main()
