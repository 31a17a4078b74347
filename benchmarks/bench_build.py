"""Build benchmark: documents/second, peak memory, and build time vs spaCy alone.

Generates N news-like articles (``benchmarks/generate.py``: new prose from
templates, shared invented actors, a few copied paragraphs and restated claims;
``--replicate`` instead varies copies of the bundled sample, a worst case for
reuse and claims, whose output then grows with the square of the corpus),
builds them into a fresh store, then runs spaCy's
``nlp.pipe`` alone over the same content regions the build parsed (the part
of the work no pipeline can avoid), and prints the ratio.

    python benchmarks/bench_build.py --docs 200
    python benchmarks/bench_build.py --docs 1000 3000 --incremental --workers 2

Each size runs in a fresh process, so its peak RSS (the resident-set high-water
mark of the build process, after the build) is its own; with several sizes the
last lines give the ratios between the largest and the smallest. The build runs as
``narrascope build`` does: it loads its language model and lets it go after the
parse (the generator's model is let go before it); timings exclude loading the
model. ``--no-spacy`` skips the spaCy pass (and the ratio), for a run that measures
memory and stage times alone. ``--incremental`` then
adds 1% more new documents to the built store and compares that build's time
with the full one; ``--workers W`` builds the same corpus again on a local Dask
cluster of W processes and prints the speed-up (worker processes' memory is not
in the peak RSS).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from generate import World, make_corpus  # type: ignore[import-not-found]  # benchmarks/generate.py

from narrascope.demo import sample_corpus
from narrascope.extract.nlp import load_nlp
from narrascope.pipeline import BuildReport, build
from narrascope.settings import Settings
from narrascope.store import open_store

REPLICABLE = (".txt", ".html", ".htm")


def replicate_corpus(folder: Path, n_docs: int, seed: int = 0, prefix: str = "doc") -> None:
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
        marker = f"Copy {prefix} {i} was filed from desk {rng.randint(1, 999)}."
        if suffix == ".txt":
            varied = varied.replace("\n\n", f"\n\n{marker} ", 1)
        else:
            article = re.search(r"<article[^>]*>", varied)
            at = article.end() if article else varied.find("<p>")
            varied = f"{varied[:at]}<p>{marker}</p>{varied[at:]}"
        (folder / f"{prefix}{i:06d}{suffix}").write_text(varied, encoding="utf-8")


def cpu_s() -> float:
    """CPU seconds (user and system) this process has used, all its threads together."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stages(timings: dict[str, float]) -> str:
    """A build's time per stage, on one line."""
    return ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())


def peaks(peak_rss_mb: dict[str, float]) -> str:
    """A build's peak memory after each step (``BuildReport.peak_rss_mb``), on one line."""
    return ", ".join(f"{k} {v:.0f}" for k, v in peak_rss_mb.items())


def timed_build(corpus: Path, db: Path, settings: Settings) -> tuple[BuildReport, float]:
    """Build ``corpus`` into the store at ``db``; the report and the seconds it took,
    less loading the language model."""
    started = time.perf_counter()
    with open_store(db) as store:
        report = build([str(corpus)], store, settings)
    return report, time.perf_counter() - started - report.timings.pop("load model", 0.0)


def minilm_cost(db: Path, sample: int = 2000, seed: int = 0) -> dict[str, Any]:
    """MiniLM's CPU seconds, on one core, for ``sample`` of the sentences the build embedded.

    The build embeds its candidate claim sentences on the second core while the
    first parses; this is what that work costs on its own, scaled to all of them,
    so that the build's floor on two cores can be read next to spaCy's time.
    """
    from narrascope.corpus.claims.features import spaced
    from narrascope.corpus.embed import onnx_minilm

    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT substr(d.text, e.start + 1, e.end - e.start) FROM sentence_embeddings e"
        " JOIN documents d ON d.id = e.doc"
    ).fetchall()
    con.close()
    texts = sorted({spaced(r[0]) for r in rows})
    picked = sorted(random.Random(seed).sample(texts, min(sample, len(texts))), key=len)
    encode = onnx_minilm(threads=1)
    if encode is None or not picked:
        return {}
    started = time.process_time()
    for lo in range(0, len(picked), 128):  # the vectors thread's runs
        encode(picked[lo : lo + 128])
    spent = time.process_time() - started
    return {"minilm_sample": len(picked), "minilm_texts": len(texts),
            "minilm_sample_cpu_s": spent, "minilm_cpu_s": spent * len(texts) / len(picked)}


def write_corpora(tmp: Path, n_docs: int, settings: Settings, replicate: bool,
                  more: bool) -> None:
    """Write the corpus (``tmp/corpus``) and, with ``more``, its 1% more (``tmp/more``)."""
    world = None if replicate else World(load_nlp(settings))
    corpora = [(tmp / "corpus", n_docs, 0, "doc")]
    corpora += [(tmp / "more", max(1, n_docs // 100), 1, "more")] * more
    for folder, n, seed, prefix in corpora:
        folder.mkdir()
        if world is None:
            replicate_corpus(folder, n, seed, prefix)
        else:
            make_corpus(folder, n, seed, prefix, world=world)


def run_one(n_docs: int, settings: Settings, incremental: bool, workers: int,
            replicate: bool = False, *, keep: str | None = None,
            spacy: bool = True) -> dict[str, Any]:
    """Build ``n_docs`` generated documents; the figures of one size."""
    tmp = Path(tempfile.mkdtemp(prefix="narrascope-bench-"))
    try:
        corpus = tmp / "corpus"
        write_corpora(tmp, n_docs, settings, replicate, incremental)
        gc.collect()  # the generator's language model, before the build loads its own
        db = tmp / "bench.db"
        cpu = cpu_s()
        report, build_s = timed_build(corpus, db, settings)
        out: dict[str, Any] = {"docs": n_docs, "added": report.added, "chars": 0,
                                  "skipped": len(report.skipped), "build_s": build_s,
                                  "build_cpu_s": cpu_s() - cpu,
                                  "timings": report.timings, "peaks": report.peak_rss_mb,
                                  "peak_rss_mb": max(report.peak_rss_mb.values())}
        if spacy:
            out.update(spacy_alone(db, settings))
            out.update(minilm_cost(db))
        if incremental:
            rep, inc_s = timed_build(tmp / "more", db, settings)
            out.update(incremental_docs=rep.added, incremental_s=inc_s,
                       incremental_timings=rep.timings)
        if workers:
            _, w_s = timed_build(corpus, tmp / "workers.db", settings.replace(workers=workers))
            out.update(workers=workers, workers_s=w_s)
        return out
    finally:
        if keep and (tmp / "bench.db").exists():  # for later measurements (bench_add.py)
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.move(tmp / "bench.db", Path(keep) / f"bench-{n_docs}.db")
        shutil.rmtree(tmp, ignore_errors=True)


def spacy_alone(db: Path, settings: Settings) -> dict[str, Any]:
    """spaCy's ``nlp.pipe`` alone over the content regions that the build parsed."""
    con = sqlite3.connect(db)
    texts = [row[0] for row in con.execute(
        "SELECT substr(d.text, r.start + 1, r.end - r.start) FROM regions r"
        " JOIN documents d ON d.id = r.doc WHERE r.kind = 'content'"
    )]  # fmt: skip
    con.close()
    nlp = load_nlp(settings)
    started, cpu = time.perf_counter(), cpu_s()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return {"spacy_s": time.perf_counter() - started, "spacy_cpu_s": cpu_s() - cpu,
            "chars": sum(len(t) for t in texts)}


def report_one(r: dict[str, Any]) -> None:
    build_s = float(r["build_s"])
    chars = f"; {r['chars']:,} characters of content parsed" if r["chars"] else ""
    print(f"--- {r['docs']} documents: built {r['added']}, skipped {r['skipped']}{chars}")
    print(f"build: {build_s:.2f}s, {int(r['added']) / build_s:.1f} documents/second")
    print(f"peak RSS: {float(r['peak_rss_mb']):.0f} MB")
    print(f"time per stage: {stages(r['timings'])}")
    if r.get("peaks"):  # the high-water mark after each step: where the peak is reached
        print(f"peak RSS after each step (MB): {peaks(r['peaks'])}")
    if "spacy_s" in r:
        spacy_s = float(r["spacy_s"])
        print(f"spaCy nlp.pipe alone over the same content regions: {spacy_s:.2f}s")
        print(f"ratio build / spaCy alone: {build_s / spacy_s:.2f}")
    if "spacy_cpu_s" in r:  # both cores' seconds: the build computes vectors on a second one
        build_cpu, spacy_cpu = float(r["build_cpu_s"]), float(r["spacy_cpu_s"])
        print(f"CPU time: build {build_cpu:.2f}s, spaCy alone {spacy_cpu:.2f}s, "
              f"ratio {build_cpu / spacy_cpu:.2f}")
    if "minilm_cpu_s" in r:  # the second core's work, measured alone
        ml, sp = float(r["minilm_cpu_s"]), float(r["spacy_cpu_s"])
        print(f"MiniLM alone, one core: {float(r['minilm_sample_cpu_s']):.2f}s CPU for "
              f"{r['minilm_sample']:,} of the {r['minilm_texts']:,} distinct sentences "
              f"embedded, so about {ml:.0f}s for all, {ml / sp:.2f} times spaCy's CPU time")
        print("  floor of the ratio on two cores, counting spaCy and MiniLM only: "
              f"{max(1.0, (sp + ml) / 2 / sp):.2f}")
    if "incremental_s" in r:
        inc = float(r["incremental_s"])
        print(f"incremental add of {r['incremental_docs']} documents (1%): {inc:.2f}s, "
              f"{inc / build_s:.1%} of the full build")
        print(f"  its time per stage: {stages(r['incremental_timings'])}")
    if "workers_s" in r:
        w_s = float(r["workers_s"])
        print(f"build on {r['workers']} local Dask workers: {w_s:.2f}s, "
              f"speed-up {build_s / w_s:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[200],
                        help="corpus sizes to build, each in a fresh process (default 200)")
    parser.add_argument("--no-techniques", action="store_true",
                        help="build without the persuasion technique stage (setting techniques)")
    parser.add_argument("--incremental", action="store_true",
                        help="then add 1%% more documents and time that build")
    parser.add_argument("--workers", type=int, default=0, metavar="W",
                        help="also build on a local Dask cluster of W processes")
    parser.add_argument("--replicate", action="store_true",
                        help="build varied copies of the sample instead (worst case for reuse)")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each size's store (with its 1%% add, if any) as "
                             "DIR/bench-N.db, for bench_add.py")
    parser.add_argument("--no-spacy", action="store_true",
                        help="skip the spaCy-alone pass and MiniLM's measure (no ratio)")
    parser.add_argument("--spacy-up-to", type=int, metavar="N",
                        help="the spaCy-alone pass only for sizes of N documents or fewer")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: one size, JSON out
    args = parser.parse_args()
    settings = Settings().replace(techniques=not args.no_techniques)
    if args.one:
        print(json.dumps(run_one(args.one, settings, args.incremental, args.workers,
                                 args.replicate, keep=args.keep, spacy=not args.no_spacy)))
        return
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"spaCy model {settings.spacy_model}")
    results: list[dict[str, Any]] = []
    for n in args.docs:
        cmd = [sys.executable, __file__, "--one", str(n), "--workers", str(args.workers)]
        cmd += ["--incremental"] * args.incremental + ["--no-techniques"] * args.no_techniques
        no_spacy = args.no_spacy or (args.spacy_up_to is not None and n > args.spacy_up_to)
        cmd += ["--replicate"] * args.replicate + ["--no-spacy"] * no_spacy
        cmd += ["--keep", args.keep] if args.keep else []
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"benchmark of {n} documents failed:\n{done.stderr[-2000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        report_one(results[-1])
    if len(results) > 1:
        lo, hi = results[0], results[-1]
        speed = [r["added"] / r["build_s"] for r in (lo, hi)]
        print(f"--- {hi['docs']} vs {lo['docs']} documents: peak RSS ratio "
              f"{hi['peak_rss_mb'] / lo['peak_rss_mb']:.2f}, "
              f"documents/second ratio {speed[1] / speed[0]:.2f}")


if __name__ == "__main__":
    main()
