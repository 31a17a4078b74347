"""Corpus stages alone: time and peak memory of each, from scratch, on a copy of a store.

Takes a store kept by ``bench_build.py --keep DIR`` (or any built store), copies it,
clears the stored reuse (so that every document is signed again) and runs the
corpus stages as a build does, with every claim recomputed, in a process that
loads no language model. Prints each stage's seconds and the process's peak RSS
after it (MB): what the corpus stages cost without the parse's memory beneath; then
how many claims, members and reused passages it stored, with a digest of them, so
that two versions of the code can be shown to give the same output.

With ``--warm N`` the process first builds N generated documents into a scratch
store (``generate.py``, seed 5) as ``narrascope build`` does (the build loads its
language model and lets it go after the parse): the corpus stages then run on what
a build's parse leaves beneath them, as in a build, and the peaks they print include
that parse's.

    python benchmarks/bench_corpus.py stores/bench-10000.db
    python benchmarks/bench_corpus.py stores/bench-10000.db --warm 200
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

from bench_build import peaks, stages  # type: ignore[import-not-found]  # benchmarks/

from narrascope.pipeline import build, run_corpus_stages
from narrascope.settings import Settings
from narrascope.store import SqliteStore, open_store

#: what is compared: every entity and mention's entity, timeline entry, claim and member by
#: its place, reused passage, network edge, relation's entities and stance row
_OUTPUT = {
    "entities": "SELECT * FROM entities ORDER BY id",
    "linked mentions": "SELECT id, entity FROM mentions ORDER BY id",
    "timeline entries": "SELECT t.*, (SELECT group_concat(id) FROM (SELECT id FROM events"
                        " WHERE timeline = t.id ORDER BY id)) FROM timeline t ORDER BY t.id",
    "claims": "SELECT doc, start, end, text, docs, sites, doc_count, independent_count,"
              " first_seen FROM claims ORDER BY doc, start, end",
    "claim members": "SELECT c.doc, c.start, c.end, m.doc, m.start, m.end FROM claim_members m"
                     " JOIN claims c ON c.id = m.claim ORDER BY 1, 2, 3, 4, 5, 6",
    "reused passages": "SELECT doc_a, start_a, end_a, doc_b, start_b, end_b, kind FROM reuse"
                       " ORDER BY 1, 2, 3, 4, 5, 6",
    "network edges": "SELECT * FROM network_edges ORDER BY id",
    "linked relations": "SELECT id, subject_entity, object_entity, edge FROM relations ORDER BY id",
    "stance rows": "SELECT * FROM stance ORDER BY doc, entity",
}  # fmt: skip


def digest(store: SqliteStore) -> str:
    """How many rows of each output there are, and a digest of them all."""
    h = hashlib.sha256()
    counts = []
    for name, sql in _OUTPUT.items():
        n = 0
        for row in store.query(sql):
            h.update(repr(tuple(row)).encode("utf-8"))
            n += 1
        counts.append(f"{n:,} {name}")
    return f"{', '.join(counts)}; digest {h.hexdigest()[:16]}"


def warm(folder: Path, n_docs: int) -> None:
    """Build ``n_docs`` generated documents into a store in ``folder``, as the command does."""
    from generate import World, make_corpus  # type: ignore[import-not-found]  # benchmarks/

    from narrascope.extract.nlp import load_nlp

    settings = Settings()
    nlp = load_nlp(settings)
    corpus = folder / "warm"
    corpus.mkdir()
    make_corpus(corpus, n_docs, 5, "warm", world=World(nlp))
    del nlp  # the generator's: the build loads its own, as the command's does
    with open_store(folder / "warm.db") as store:
        report = build([str(corpus)], store, settings)
    print(f"warm build of {report.added} documents: peak RSS after each step (MB): "
          f"{peaks(report.peak_rss_mb)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a built store (it is copied, not changed)")
    parser.add_argument("--warm", type=int, default=0, metavar="N",
                        help="first build N generated documents in this process, as "
                             "narrascope build does (default 0: no model loaded)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrascope-corpus-") as tmp:
        if args.warm:
            warm(Path(tmp), args.warm)
        db = Path(tmp) / "store.db"
        shutil.copy(args.store, db)
        timings: dict[str, float] = {}
        peak: dict[str, float] = {}
        with open_store(db) as store:
            store.execute("DELETE FROM reuse")
            store.execute("DELETE FROM reuse_signatures")
            run_corpus_stages(store, timings, peaks=peak, incremental=False)
            output = digest(store)
    print(f"time per stage: {stages(timings)}")
    print(f"peak RSS after each stage (MB): {peaks(peak)}")
    print(f"output: {output}")


if __name__ == "__main__":
    main()
