"""``narrascope techniques``: train, run and score the persuasion technique detector.

``train`` fits the model on the PTC corpus (SemEval-2020 Task 11); ``detect``
and ``classify`` write the task's SI and TC formats for ``article<ID>.txt``
files; ``score`` prints the official-style SI and TC scores of a split;
``counts`` prints per-document or per-entity counts and densities of a store.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "article_paths"]


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "techniques", parents=[common], help="persuasion technique detector (PTC / SemEval)",
        description="Train, run and score the persuasion technique detector on the PTC "
        "corpus of SemEval-2020 Task 11 (14 techniques, character spans).",
    )
    tsub = p.add_subparsers(dest="techniques_command", metavar="COMMAND", required=True)

    t = tsub.add_parser("train", parents=[common], help="train on PTC train articles")
    t.add_argument("--ptc", required=True, metavar="DIR",
                   help="PTC folder (train-articles/, train-labels-task-si/, ...)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("-o", "--output", metavar="MODEL_DIR",
                   help="where to write the model (default: the bundled model folder)")
    t.set_defaults(func=cmd_train)

    d = tsub.add_parser("detect", parents=[common],
                        help="find technique spans in article<ID>.txt files")
    d.add_argument("articles", nargs="+", metavar="ARTICLES", help="files or folders")
    d.add_argument("--format", choices=("semeval-si", "semeval-tc"), default="semeval-tc")
    d.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    d.add_argument("--model", metavar="DIR", help="model folder (default: bundled)")
    d.set_defaults(func=cmd_detect)

    c = tsub.add_parser("classify", parents=[common],
                        help="label the spans of a TC template (id, ?, start, end)")
    c.add_argument("--spans", required=True, metavar="TEMPLATE", help="TC template file")
    c.add_argument("articles", nargs="+", metavar="ARTICLES", help="files or folders")
    c.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    c.add_argument("--model", metavar="DIR", help="model folder (default: bundled)")
    c.set_defaults(func=cmd_classify)

    s = tsub.add_parser("score", parents=[common], help="SI F1 and TC micro-F1 on a PTC split")
    s.add_argument("--ptc", required=True, metavar="DIR", help="PTC folder")
    s.add_argument("--split", default="dev", help="split to score (default dev)")
    s.add_argument("--model", metavar="DIR", help="model folder (default: bundled)")
    s.set_defaults(func=cmd_score)

    n = tsub.add_parser("counts", parents=[common],
                        help="technique counts and density per 1,000 words of a store")
    n.add_argument("--db", required=True, metavar="PATH", help="store file")
    n.add_argument("--by", choices=("doc", "entity"), default="doc")
    n.set_defaults(func=cmd_counts)


def article_paths(items: Sequence[str]) -> list[Path]:
    """Files named, and the ``*.txt`` files of folders named, in order."""
    from narrascope.errors import InputError

    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(path.glob("*.txt")))
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(f"no such file or folder: {item}")
    return paths


def _nlp(args: argparse.Namespace) -> Any:
    from narrascope.extract.nlp import load_nlp
    from narrascope.settings import load_settings

    return load_nlp(load_settings(args.config))


def _model(args: argparse.Namespace) -> Any:
    from narrascope.extract.techniques.model import load_model

    return load_model(args.model)


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_train(args: argparse.Namespace) -> int:
    from narrascope.extract.techniques.model import bundled_model_dir
    from narrascope.extract.techniques.train import train

    out = args.output or str(bundled_model_dir())
    report = train(args.ptc, _nlp(args), out=out, seed=args.seed,
                   log=lambda m: print(m, file=sys.stderr))
    print(f"model: {report.folder} ({report.size_bytes / 1e6:.2f} MB)")
    print(f"training: {report.train_articles} articles, {report.seconds:.0f} s "
          f"(parsing included), seed {args.seed}")
    print(f"held-out SI F1 {report.heldout_si.f1:.3f} (threshold {report.threshold}, "
          f"gap {report.gap}, sentence threshold {report.sent_threshold}); TC micro-F1 "
          f"{report.heldout_tc.f1:.3f}, macro-F1 {report.heldout_tc_macro:.3f} "
          f"(prior shift {report.tc_shift})")
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from narrascope.extract.techniques.semeval import TcSpan, read_articles, write_si, write_tc
    from narrascope.extract.techniques.train import parse_articles, predict_si, predict_tc

    articles = read_articles(article_paths(args.articles))
    model = _model(args)
    parsed = parse_articles(articles, _nlp(args))
    spans = predict_si(model, parsed, articles=articles)
    if args.format == "semeval-si":
        _write(write_si(spans), args.output)
    else:
        template = [TcSpan(a, "?", s, e) for a in sorted(spans) for s, e in sorted(spans[a])]
        _write(write_tc(predict_tc(model, articles, parsed, template)), args.output)
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from narrascope.errors import InputError
    from narrascope.extract.techniques.semeval import read_articles, read_tc, write_tc
    from narrascope.extract.techniques.train import parse_articles, predict_tc

    template = read_tc([Path(args.spans)])
    articles = read_articles(article_paths(args.articles))
    missing = sorted({t.article for t in template} - set(articles))
    if missing:
        raise InputError(f"the template names articles not given: {', '.join(missing[:5])}")
    parsed = parse_articles(articles, _nlp(args))
    _write(write_tc(predict_tc(_model(args), articles, parsed, template)), args.output)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from narrascope.extract.techniques.train import evaluate

    si, tc = evaluate(_model(args), args.ptc, args.split, _nlp(args))
    print(f"SI  precision {si.precision:.4f}  recall {si.recall:.4f}  F1 {si.f1:.4f}  "
          f"({si.predicted} predicted, {si.gold} gold spans)")
    print(f"TC  micro-F1 {tc.f1:.4f}  ({tc.gold} gold spans)")
    return 0


def cmd_counts(args: argparse.Namespace) -> int:
    from narrascope.extract.techniques import technique_counts
    from narrascope.store import open_store

    with open_store(args.db, read_only=True) as store:
        counts = technique_counts(store, args.by)
    print(f"{args.by}\ttechnique\tcount\tper_1000_words")
    for c in counts:
        print(f"{c.key}\t{c.technique}\t{c.count}\t{c.per_1000_words}")
    return 0 if counts else 1
