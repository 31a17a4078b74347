"""The training recipe and the PTC evaluation of the technique detector.

``train`` parses the PTC training articles one paragraph (line) at a time,
as a build parses content regions, fits the SI token model and the TC span
model (scikit-learn logistic regression, fixed seed), tunes the SI threshold
and gap on a held-out part of the training articles, refits on all of them,
and writes the weights. ``evaluate`` scores a model on a split with the
official definitions (:mod:`narrascope.extract.techniques.semeval`).
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from narrascope.errors import InputError
from narrascope.extract.nlp import Parsed
from narrascope.extract.techniques.model import (
    LinearModel,
    TechniqueModel,
    decode_spans,
    span_features,
    token_features,
)
from narrascope.extract.techniques.semeval import (
    Score,
    TcSpan,
    load_ptc,
    merge_spans,
    score_si,
    score_tc,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

__all__ = [
    "TrainReport",
    "evaluate",
    "locate",
    "parse_articles",
    "predict_si",
    "predict_tc",
    "train",
]

_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
_LOWS = (0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4)
_GAPS = (0, 1, 2, 3, 5)


@dataclass(frozen=True, slots=True)
class TrainReport:
    folder: str
    seconds: float
    size_bytes: int
    threshold: float
    gap: int
    low: float
    heldout_si: Score
    heldout_tc: Score
    train_articles: int
    si_features: int
    tc_features: int


def parse_articles(articles: Mapping[str, str], nlp: Language) -> dict[str, list[Parsed]]:
    """Each article parsed one non-blank line at a time."""
    pieces = [(aid, m.start(), m.group()) for aid, text in articles.items()
              for m in _PARAGRAPH.finditer(text)]
    parsed: dict[str, list[Parsed]] = {aid: [] for aid in articles}
    for (aid, offset, _), doc in zip(
        pieces, nlp.pipe((p[2] for p in pieces), batch_size=64), strict=True
    ):
        parsed[aid].append(Parsed(offset, doc))
    return parsed


def locate(pieces: Sequence[Parsed], start: int, end: int) -> tuple[Parsed, Span] | None:
    """The piece holding ``start`` and the token span covering ``[start, end)`` in it."""
    for piece in pieces:
        lo, hi = piece.offset, piece.offset + len(piece.doc.text)
        if lo <= start < hi:
            span = piece.doc.char_span(start - lo, min(end, hi) - lo, alignment_mode="expand")
            if span is None or len(span) == 0:
                return None
            return piece, span
    return None


SiData = dict[str, list[tuple[list[list[str]], list[int]]]]


def _si_data(
    parsed: Mapping[str, list[Parsed]], gold: Mapping[str, Sequence[tuple[int, int]]],
) -> SiData:
    """Token features and labels (in a gold span or not) of every paragraph by article."""
    data: SiData = {}
    for aid, pieces in parsed.items():
        spans = merge_spans(gold.get(aid, ()))
        data[aid] = []
        for piece in pieces:
            labels = []
            for t in piece.doc:
                s = piece.offset + t.idx
                e = s + len(t)
                labels.append(int(any(gs < e and s < ge for gs, ge in spans)))
            data[aid].append((token_features(piece.doc), labels))
    return data


def _flat(data: SiData, ids: Sequence[str]) -> tuple[list[list[str]], list[int]]:
    rows = [r for aid in ids for piece_rows, _ in data[aid] for r in piece_rows]
    labels = [y for aid in ids for _, piece_labels in data[aid] for y in piece_labels]
    return rows, labels


def _tc_rows(
    articles: Mapping[str, str], parsed: Mapping[str, list[Parsed]], spans: Sequence[TcSpan],
) -> tuple[list[list[str]], list[str], list[int]]:
    rows, labels, kept = [], [], []
    lowered = {aid: text.lower() for aid, text in articles.items()}
    for i, t in enumerate(spans):
        found = locate(parsed.get(t.article, []), t.start, t.end)
        if found is None:
            rows.append(["bias"])
        else:
            piece, span = found
            rows.append(span_features(piece.doc, span, lowered[t.article], piece.offset))
        labels.append(t.technique)
        kept.append(i)
    return rows, labels, kept


def _fit(rows: Sequence[Sequence[str]], y: Sequence[Any], *, binary: bool, c: float,
         min_count: int, seed: int) -> tuple[LinearModel, list[str]]:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for r in rows for f in set(r))
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    indptr: list[int] = [0]
    indices: list[int] = []
    for r in rows:
        indices.extend(vocab[f] for f in r if f in vocab)
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                   shape=(len(rows), len(vocab)))
    if binary:
        clf = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=200)
    else:
        clf = LogisticRegression(C=c, solver="lbfgs", random_state=seed, max_iter=1000)
    clf.fit(x, np.asarray(y))
    classes = [str(k) for k in clf.classes_]
    coef = clf.coef_.T.astype(np.float32)
    bias = clf.intercept_.astype(np.float32)
    return LinearModel(vocab, coef, bias), classes


def predict_si(model: TechniqueModel, parsed: Mapping[str, list[Parsed]], *,
               threshold: float | None = None, gap: int | None = None,
               probs: Mapping[str, list[list[float]]] | None = None,
               low: float | None = None,
               ) -> dict[str, list[tuple[int, int]]]:
    """Predicted SI spans by article id."""
    thr = model.threshold if threshold is None else threshold
    g = model.gap if gap is None else gap
    lo = model.low if low is None else low
    out: dict[str, list[tuple[int, int]]] = {}
    for aid, pieces in parsed.items():
        spans = []
        for k, piece in enumerate(pieces):
            p = probs[aid][k] if probs is not None else model.token_probs(piece.doc)
            for a, b, _ in decode_spans(p, piece.doc, thr, g, lo):
                start = piece.offset + piece.doc[a].idx
                end = piece.offset + piece.doc[b - 1].idx + len(piece.doc[b - 1])
                spans.append((start, end))
        out[aid] = spans
    return out


def predict_tc(model: TechniqueModel, articles: Mapping[str, str],
               parsed: Mapping[str, list[Parsed]], spans: Sequence[TcSpan]) -> list[TcSpan]:
    """Each given span with the model's technique."""
    rows, _, _ = _tc_rows(articles, parsed, spans)
    if not rows:
        return []
    from narrascope.extract.techniques.model import _softmax

    probs = _softmax(model.tc.scores(rows))
    return [TcSpan(t.article, model.labels[int(probs[i].argmax())], t.start, t.end)
            for i, t in enumerate(spans)]


def _fit_si(rows: list[list[str]], y: list[int], seed: int) -> LinearModel:
    model, classes = _fit(rows, y, binary=True, c=0.3, min_count=3, seed=seed)
    if classes != ["0", "1"]:
        raise InputError(f"SI training needs positive and negative tokens, got {classes}")
    return model


def _fit_tc(rows: list[list[str]], y: list[str], seed: int) -> tuple[LinearModel, list[str]]:
    return _fit(rows, y, binary=False, c=1.0, min_count=2, seed=seed)


def train(
    ptc_dir: str | Path, nlp: Language, *, out: str | Path, seed: int = 0,
    heldout: float = 0.15, log: Callable[[str], None] | None = None,
    parsed: Mapping[str, list[Parsed]] | None = None,
) -> TrainReport:
    """Train on ``ptc_dir``'s train split and save the model into ``out``.

    ``parsed`` may hold the articles already parsed (:func:`parse_articles`).
    """
    say = log or (lambda _m: None)
    started = time.perf_counter()
    ptc = load_ptc(ptc_dir, "train")
    if parsed is None:
        say(f"parsing {len(ptc.articles)} training articles")
        parsed = parse_articles(ptc.articles, nlp)
    ids = sorted(ptc.articles)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split
    rng.shuffle(ids)
    n_held = max(1, int(len(ids) * heldout)) if len(ids) > 1 else 0
    held, fit_ids = sorted(ids[:n_held]), sorted(ids[n_held:])
    say(f"tuning on {len(held)} held-out articles")
    data = _si_data(parsed, ptc.si)
    si = _fit_si(*_flat(data, fit_ids), seed)
    tc_fit = [t for t in ptc.tc if t.article in set(fit_ids)]
    tc_held = [t for t in ptc.tc if t.article in set(held)]
    tc_rows, tc_y, _ = _tc_rows(ptc.articles, parsed, tc_fit)
    tc, labels = _fit_tc(tc_rows, tc_y, seed)
    probe = TechniqueModel(si, tc, tuple(labels), 0.5)
    held_parsed = {aid: parsed[aid] for aid in held}
    probs = {aid: [probe.token_probs(p.doc) for p in pieces]
             for aid, pieces in held_parsed.items()}
    best = (-1.0, 0.5, 1, 0.5)
    for thr in _THRESHOLDS:
        for low in (x for x in _LOWS if x <= thr):
            for gap in _GAPS:
                s = score_si(ptc.si, predict_si(
                    probe, held_parsed, threshold=thr, gap=gap, probs=probs, low=low), held)
                best = max(best, (s.f1, thr, gap, low))
    _, threshold, gap, low = best
    held_si = score_si(ptc.si, predict_si(
        probe, held_parsed, threshold=threshold, gap=gap, probs=probs, low=low), held)
    held_tc = score_tc(tc_held, predict_tc(probe, ptc.articles, parsed, tc_held))
    say(f"held-out SI F1 {held_si.f1:.3f} (threshold {threshold}, low {low}, gap {gap}), "
        f"TC micro-F1 {held_tc.f1:.3f}; refitting on all {len(ids)} articles")
    si = _fit_si(*_flat(data, sorted(ids)), seed)
    tc_rows, tc_y, _ = _tc_rows(ptc.articles, parsed, ptc.tc)
    tc, labels = _fit_tc(tc_rows, tc_y, seed)
    seconds = time.perf_counter() - started
    info = {"seed": seed, "train_articles": len(ids), "train_seconds": round(seconds, 1),
            "heldout_si_f1": round(held_si.f1, 4), "heldout_tc_f1": round(held_tc.f1, 4)}
    model = TechniqueModel(si, tc, tuple(labels), threshold, gap, low, info)
    model.save(out)
    size = sum(p.stat().st_size for p in Path(out).iterdir() if p.is_file())
    return TrainReport(str(out), seconds, size, threshold, gap, low, held_si, held_tc, len(ids),
                       len(si.vocab), len(tc.vocab))


def evaluate(model: TechniqueModel, ptc_dir: str | Path, split: str, nlp: Language,
             parsed: Mapping[str, list[Parsed]] | None = None) -> tuple[Score, Score]:
    """SI scores of detected spans and TC micro-F1 on the gold spans of ``split``."""
    ptc = load_ptc(ptc_dir, split)
    if parsed is None:
        parsed = parse_articles(ptc.articles, nlp)
    si = score_si(ptc.si, predict_si(model, parsed), ptc.articles)
    tc = score_tc(ptc.tc, predict_tc(model, ptc.articles, parsed, ptc.tc))
    return si, tc
