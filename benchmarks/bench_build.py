"""Build benchmark: documents/second, peak memory, and build time vs spaCy alone.

Replicates the bundled sample corpus to N documents (each copy varied so no
two texts are equal), builds it into a fresh store, then runs spaCy's
``nlp.pipe`` alone over the same content regions the build parsed (the part
of the work no pipeline can avoid), and prints the ratio.

    python benchmarks/bench_build.py --docs 200

Timings exclude loading the spaCy model (done once, before both runs). Peak
RSS is the resident-set high-water mark of this process after the build.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from narrascope.demo import sample_corpus
from narrascope.extract.nlp import load_nlp
from narrascope.pipeline import build
from narrascope.settings import Settings
from narrascope.store import open_store

REPLICABLE = (".txt", ".html", ".htm")


def make_corpus(folder: Path, n_docs: int, seed: int = 0) -> None:
    """Write ``n_docs`` varied copies of the sample's text and HTML articles."""
    rng = random.Random(seed)
    with sample_corpus() as sample:
        sources = sorted(p for p in sample.rglob("*") if p.suffix in REPLICABLE)
        texts = [(p.suffix, p.read_text(encoding="utf-8")) for p in sources]
    for i in range(n_docs):
        suffix, text = texts[i % len(texts)]
        words = text.split(" ")
        # Vary the text: shuffle a window of words and add a numbered sentence.
        j = rng.randrange(max(1, len(words) - 12))
        window = words[j:j + 12]
        rng.shuffle(window)
        words[j:j + 12] = window
        varied = " ".join(words)
        marker = f"Copy {i} was filed from desk {rng.randint(1, 999)}."
        if suffix == ".txt":
            varied = varied.replace("\n\n", f"\n\n{marker} ", 1)
        else:
            article = re.search(r"<article[^>]*>", varied)
            at = article.end() if article else varied.find("<p>")
            varied = f"{varied[:at]}<p>{marker}</p>{varied[at:]}"
        (folder / f"doc{i:06d}{suffix}").write_text(varied, encoding="utf-8")


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="documents to build (default 200)")
    parser.add_argument("--no-techniques", action="store_true",
                        help="build without the persuasion technique stage (setting techniques)")
    args = parser.parse_args()
    settings = Settings().replace(techniques=not args.no_techniques)
    tmp = Path(tempfile.mkdtemp(prefix="narrascope-bench-"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        make_corpus(corpus, args.docs)
        nlp = load_nlp(settings)
        db = tmp / "bench.db"
        started = time.perf_counter()
        with open_store(db) as store:
            report = build([str(corpus)], store, settings, nlp=nlp)
        build_s = time.perf_counter() - started
        rss = peak_rss_mb()
        con = sqlite3.connect(db)
        texts = [row[0] for row in con.execute(
            "SELECT substr(d.text, r.start + 1, r.end - r.start) FROM regions r"
            " JOIN documents d ON d.id = r.doc WHERE r.kind = 'content'"
        )]  # fmt: skip
        con.close()
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        spacy_s = time.perf_counter() - started
        chars = sum(len(t) for t in texts)
        print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
              f"Python {platform.python_version()}, spaCy model {settings.spacy_model}")
        print(f"documents built: {report.added}, already stored: {report.unchanged}, "
              f"skipped: {len(report.skipped)}; {chars:,} characters of content parsed")
        print(f"build: {build_s:.2f}s, {report.added / build_s:.1f} documents/second")
        print(f"peak RSS: {rss:.0f} MB")
        print(f"spaCy nlp.pipe alone over the same content regions: {spacy_s:.2f}s")
        print(f"ratio build / spaCy alone: {build_s / spacy_s:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
