"""Score quotes and attribution on PolNeAR: ``python -m narrascope.eval.polnear DIR --split dev``.

PolNeAR (Newell, Margolin and Ruths, LREC 2018; github.com/networkdynamics/PolNeAR)
annotates attribution relations in US political news: a *source* span (who),
a *cue* span ("said", "according to") and a *content* span (what), in brat
standoff files (``data/<split>/attributions/<article>_<annotator>.ann``) over
``data/<split>/text/<article>.txt``. Some articles are annotated by several
annotators; the first annotation file in name order is used for each article.

Each article's whole text is one content region; narrascope's quote stage
(:func:`narrascope.extract.attribution.attribute`) runs on it, and every
predicted quote gives a content span (each of its ``parts``) and, when it has
a speaker span (``speaker_start``/``speaker_end``), a source span. Gold
relations give their Source and Content spans (discontinuous spans split into
their pieces). Only relations with a content span are scored.

Spans are compared as sets of word tokens: a token is a maximal ``\\w+`` run,
identified by its character offset; a span covers the tokens that lie inside
it. Three measures are reported, separately for sources and for contents:

* **token F1**: micro-averaged over all articles, precision is the share of
  predicted tokens (the union of the predicted spans) that lie in some gold
  span, recall the share of gold tokens that lie in some predicted span;
* **partial-match F1**: a predicted span and a gold span match when they share
  at least one token; precision is the share of predicted spans that match
  some gold span, recall the share of gold spans matched by some predicted span;
* **exact-match F1**: as partial, but the two spans must cover exactly the same
  tokens (so punctuation and quote marks at the edges do not matter).

Precision is over every predicted span and recall over every gold span of the
split; PolNeAR counts beliefs, intentions and reported facts ("X wants …",
"a poll shows …") as attributions, which narrascope does not all extract.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from narrascope.model import CONTENT, Document, Region

__all__ = ["GoldRelation", "SpanScore", "main", "read_split", "score_spans"]

_WORD = re.compile(r"\w+")

Span = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """One PolNeAR attribution: its source and content, each a tuple of pieces."""

    source: Span
    content: Span


@dataclass(slots=True)
class SpanScore:
    """Counts behind token, partial-match and exact-match precision/recall."""

    pred_tokens: int = 0
    gold_tokens: int = 0
    common_tokens: int = 0
    pred_spans: int = 0
    gold_spans: int = 0
    pred_partial: int = 0
    gold_partial: int = 0
    pred_exact: int = 0
    gold_exact: int = 0

    def add(self, text: str, predicted: Sequence[Span], gold: Sequence[Span]) -> None:
        p_sets = [s for s in (_tokens(text, x) for x in predicted) if s]
        g_sets = [s for s in (_tokens(text, x) for x in gold) if s]
        p_all = set().union(*p_sets) if p_sets else set()
        g_all = set().union(*g_sets) if g_sets else set()
        self.pred_tokens += len(p_all)
        self.gold_tokens += len(g_all)
        self.common_tokens += len(p_all & g_all)
        self.pred_spans += len(p_sets)
        self.gold_spans += len(g_sets)
        self.pred_partial += sum(any(p & g for g in g_sets) for p in p_sets)
        self.gold_partial += sum(any(p & g for p in p_sets) for g in g_sets)
        self.pred_exact += sum(any(p == g for g in g_sets) for p in p_sets)
        self.gold_exact += sum(any(p == g for p in p_sets) for g in g_sets)

    def prf(self, which: str) -> tuple[float, float, float]:
        """Precision, recall and F1 of ``which``: token, partial or exact."""
        if which == "token":
            p = _ratio(self.common_tokens, self.pred_tokens)
            r = _ratio(self.common_tokens, self.gold_tokens)
        elif which == "partial":
            p = _ratio(self.pred_partial, self.pred_spans)
            r = _ratio(self.gold_partial, self.gold_spans)
        else:
            p = _ratio(self.pred_exact, self.pred_spans)
            r = _ratio(self.gold_exact, self.gold_spans)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _tokens(text: str, span: Span) -> frozenset[int]:
    out: set[int] = set()
    for s, e in span:
        out.update(m.start() for m in _WORD.finditer(text, s, e))
    return frozenset(out)


def _pieces(field_text: str) -> Span:
    out = []
    for piece in field_text.split(";"):
        s, e = piece.split()
        out.append((int(s), int(e)))
    return tuple(out)


def read_ann(path: Path) -> list[GoldRelation]:
    """The attribution relations of one brat ``.ann`` file."""
    spans: dict[str, tuple[str, Span]] = {}
    relations: list[GoldRelation] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        cols = line.split("\t")
        if line.startswith("T") and len(cols) >= 2:
            label, _, where = cols[1].partition(" ")
            spans[cols[0]] = (label, _pieces(where))
    for line in lines:
        cols = line.split("\t")
        if not line.startswith("E") or len(cols) < 2:
            continue
        source: list[tuple[int, int]] = []
        content: list[tuple[int, int]] = []
        for arg in cols[1].split():
            role, _, ref = arg.partition(":")
            if ref not in spans:
                continue
            if role.startswith("Source"):
                source.extend(spans[ref][1])
            elif role.startswith("Content"):
                content.extend(spans[ref][1])
        if content:
            relations.append(GoldRelation(tuple(sorted(source)), tuple(sorted(content))))
    return relations


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    text: str
    gold: list[GoldRelation] = field(default_factory=list)


def read_split(root: Path, split: str) -> Iterator[Article]:
    """The articles of ``root/data/split`` with one annotator's relations each."""
    base = root / "data" / split
    anns = sorted((base / "attributions").glob("*.ann"))
    for txt in sorted((base / "text").glob("*.txt")):
        mine = [a for a in anns if a.stem.rsplit("_", 1)[0] == txt.stem]
        if not mine:
            continue
        yield Article(txt.stem, txt.read_text(encoding="utf-8"), read_ann(mine[0]))


def _predict(articles: Sequence[Article], nlp: Any) -> Iterator[tuple[Article, Document]]:
    from narrascope.extract import nlp as nlp_stage
    from narrascope.extract.attribution import attribute
    from narrascope.settings import Settings

    settings = Settings()
    for article in articles:
        doc = Document(source=article.name, format="txt", text=article.text,
                       regions=(Region(0, len(article.text), CONTENT),))
        parsed = nlp_stage.parse_batch([doc], nlp, settings)[0]
        doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                      mentions=nlp_stage.mentions(doc, parsed))
        yield article, attribute(doc, parsed)


def score_spans(pairs: Iterable[tuple[Article, Document]]) -> tuple[SpanScore, SpanScore]:
    """Source and content scores over ``(article, annotated document)`` pairs."""
    source, content = SpanScore(), SpanScore()
    for article, doc in pairs:
        p_content = [((s, e),) for q in doc.quotes for s, e in q.parts]
        p_source = sorted({((q.speaker_start, q.speaker_end),) for q in doc.quotes
                           if q.speaker_start is not None and q.speaker_end is not None})
        content.add(article.text, p_content, [g.content for g in article.gold])
        source.add(article.text, p_source, [g.source for g in article.gold if g.source])
    return source, content


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.polnear",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a PolNeAR checkout (holding data/)")
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--limit", type=int, help="score only the first N articles")
    args = parser.parse_args(argv)
    if not (args.root / "data" / args.split / "text").is_dir():
        print(f"no PolNeAR split at {args.root / 'data' / args.split}", file=sys.stderr)
        return 2
    from narrascope.extract import nlp as nlp_stage
    from narrascope.settings import Settings

    articles = list(read_split(args.root, args.split))[: args.limit]
    nlp = nlp_stage.load_nlp(Settings())
    source, content = score_spans(_predict(articles, nlp))
    relations = sum(len(a.gold) for a in articles)
    print(f"PolNeAR {args.split}: {len(articles)} articles, {relations} gold attributions "
          f"with content, {content.pred_spans} predicted content spans")
    for name, sc in (("source", source), ("content", content)):
        for which in ("token", "partial", "exact"):
            p, r, f = sc.prf(which)
            print(f"{name:8} {which:8} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
