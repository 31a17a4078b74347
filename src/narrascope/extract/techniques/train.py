"""The training recipe and the PTC evaluation of the technique detector.

``train`` parses the PTC training articles one paragraph (line) at a time,
as a build parses content regions, fits the SI token model, the sentence
model and the TC span model (scikit-learn logistic regression, fixed seed;
the span model's classes weighted towards the rare ones), tunes the SI
threshold and gap, the TC prior shift (how far the rare techniques' scores
are raised, for TC micro-F1 plus half the macro-F1) and the sentence
threshold (for the span-and-technique F1, :func:`score_flc`) on a held-out
part of the training articles, refits on all of them, and writes the
weights. ``evaluate`` scores a model on a split with the official
definitions (:mod:`narrascope.extract.techniques.semeval`).
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from narrascope.errors import InputError
from narrascope.extract.nlp import Parsed
from narrascope.extract.techniques.cliches import CLICHE, generic_statements
from narrascope.extract.techniques.model import (
    LinearModel,
    TechniqueModel,
    decode_spans,
    sentence_candidates,
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
    "macro_f1",
    "parse_articles",
    "predict_si",
    "predict_tc",
    "score_flc",
    "sentence_spans",
    "train",
]

_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
_LOWS = (0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4)
_GAPS = (0, 1, 2, 3, 5)
#: Class weights of the span model: (n / (k * n_class)) ** _BALANCE, a partial balancing.
_BALANCE = 0.3
#: Candidate shifts tau: the span model's log-odds get ``-tau * log(prior of the class)``.
_SHIFTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Weight of the macro-F1 beside the micro-F1 when choosing the shift on held-out spans.
_MACRO_WEIGHT = 0.5
#: Candidate thresholds of the sentence model (above 1: no sentence spans).
_SENT_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
#: A sentence is a technique span when it and a gold span each cover this share of the other.
_SENT_COVER = 0.5


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
    tc_shift: float = 0.0
    heldout_tc_macro: float = 0.0
    sent_threshold: float = 1.0


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
         min_count: int, seed: int, balance: float = 0.0) -> tuple[LinearModel, list[str]]:
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
    weights = None
    if balance:
        n = Counter(y)
        per = {k: (len(y) / (len(n) * v)) ** balance for k, v in n.items()}
        weights = np.asarray([per[k] for k in y], dtype=np.float64)
        weights /= weights.mean()
    clf.fit(x, np.asarray(y), sample_weight=weights)
    classes = [str(k) for k in clf.classes_]
    coef = clf.coef_.T.astype(np.float32)
    bias = clf.intercept_.astype(np.float32)
    return LinearModel(vocab, coef, bias), classes


def predict_si(model: TechniqueModel, parsed: Mapping[str, list[Parsed]], *,
               threshold: float | None = None, gap: int | None = None,
               probs: Mapping[str, list[list[float]]] | None = None,
               low: float | None = None,
               sentences: Mapping[str, list[tuple[int, int, float]]] | None = None,
               articles: Mapping[str, str] | None = None,
               ) -> dict[str, list[tuple[int, int]]]:
    """Predicted SI spans by article id: token runs, the sentence model's sentences and clichés.

    ``sentences`` (character spans by article, as :func:`sentence_spans` gives)
    replaces the model's own sentence spans; ``articles`` (the texts) feeds the
    sentence model's repetition features.
    """
    thr = model.threshold if threshold is None else threshold
    g = model.gap if gap is None else gap
    lo = model.low if low is None else low
    out: dict[str, list[tuple[int, int]]] = {}
    for aid, pieces in parsed.items():
        spans = []
        for k, piece in enumerate(pieces):
            p = probs[aid][k] if probs is not None else model.token_probs(piece.doc)
            for a, b, _ in decode_spans(p, piece.doc, thr, g, lo):
                spans.append(_chars(piece, a, b))
            spans.extend(_chars(piece, s.start, s.end) for s in generic_statements(piece.doc))
        if sentences is not None:
            spans.extend((s, e) for s, e, _ in sentences.get(aid, ()))
        out[aid] = spans
    if sentences is None and model.sent is not None:
        for aid, found in sentence_spans(model, articles or {}, parsed).items():
            out[aid].extend((s, e) for s, e, _ in found)
    return out


def _chars(piece: Parsed, a: int, b: int) -> tuple[int, int]:
    return (piece.offset + piece.doc[a].idx,
            piece.offset + piece.doc[b - 1].idx + len(piece.doc[b - 1]))


def sentence_spans(
    model: TechniqueModel, articles: Mapping[str, str], parsed: Mapping[str, list[Parsed]],
    threshold: float | None = None,
) -> dict[str, list[tuple[int, int, float]]]:
    """The sentence model's spans (characters) and their probability by article.

    ``articles`` gives the texts for the repetition features ("" where unknown).
    """
    out: dict[str, list[tuple[int, int, float]]] = {}
    for aid, pieces in parsed.items():
        lowered = articles.get(aid, "").lower()
        found = []
        for piece in pieces:
            for a, b, p in model.sentence_spans(piece.doc, lowered, piece.offset, threshold):
                found.append((*_chars(piece, a, b), p))
        out[aid] = found
    return out


def _sent_table(
    articles: Mapping[str, str], parsed: Mapping[str, list[Parsed]], ids: Sequence[str],
    spans: Sequence[TcSpan],
) -> tuple[list[list[str]], list[int], list[tuple[str, int, int]]]:
    """Span features, label (1: a technique span) and place of every candidate sentence.

    A sentence is a technique span if it and a gold span each cover
    ``_SENT_COVER`` of the other.
    """
    by_article: dict[str, list[TcSpan]] = {}
    for t in spans:
        by_article.setdefault(t.article, []).append(t)
    rows: list[list[str]] = []
    labels: list[int] = []
    places: list[tuple[str, int, int]] = []
    for aid in ids:
        lowered = articles[aid].lower()
        gold = by_article.get(aid, [])
        for piece in parsed.get(aid, []):
            for cand in sentence_candidates(piece.doc):
                s, e = _chars(piece, cand.start, cand.end)
                label = 0
                for t in gold:
                    inter = min(e, t.end) - max(s, t.start)
                    if inter >= _SENT_COVER * (e - s) and inter >= _SENT_COVER * (t.end - t.start):
                        label = 1
                        break
                rows.append(span_features(piece.doc, cand, lowered, piece.offset))
                labels.append(label)
                places.append((aid, s, e))
    return rows, labels, places


def predict_tc(model: TechniqueModel, articles: Mapping[str, str],
               parsed: Mapping[str, list[Parsed]], spans: Sequence[TcSpan]) -> list[TcSpan]:
    """Each given span with the model's technique (a generic statement: a cliché)."""
    rows, _, _ = _tc_rows(articles, parsed, spans)
    if not rows:
        return []
    from narrascope.extract.techniques.model import _softmax

    cliches = {(aid, *_chars(piece, s.start, s.end)) for aid, pieces in parsed.items()
               for piece in pieces for s in generic_statements(piece.doc)}
    probs = _softmax(model.tc.scores(rows))
    return [TcSpan(t.article, CLICHE if (t.article, t.start, t.end) in cliches
                   else model.labels[int(probs[i].argmax())], t.start, t.end)
            for i, t in enumerate(spans)]


def _fit_si(rows: list[list[str]], y: list[int], seed: int) -> LinearModel:
    model, classes = _fit(rows, y, binary=True, c=0.3, min_count=3, seed=seed)
    if classes != ["0", "1"]:
        raise InputError(f"SI training needs positive and negative tokens, got {classes}")
    return model


def _fit_tc(rows: list[list[str]], y: list[str], seed: int) -> tuple[LinearModel, list[str]]:
    return _fit(rows, y, binary=False, c=1.0, min_count=2, seed=seed, balance=_BALANCE)


def _fit_sent(rows: list[list[str]], y: list[int], seed: int) -> LinearModel | None:
    """The sentence model (``None`` without both technique and plain sentences)."""
    if len(set(y)) < 2:
        return None
    return _fit(rows, y, binary=True, c=0.3, min_count=3, seed=seed)[0]


def _log_prior(labels: Sequence[str], y: Sequence[str]) -> np.ndarray[Any, Any]:
    n = Counter(y)
    counts = np.asarray([n[k] + 1.0 for k in labels], dtype=np.float64)
    out: np.ndarray[Any, Any] = np.log(counts / counts.sum())
    return out


def _shifted(model: LinearModel, shift: np.ndarray[Any, Any]) -> LinearModel:
    return LinearModel(model.vocab, model.weights, (model.bias + shift).astype(np.float32))


def macro_f1(gold: Sequence[TcSpan], predicted: Sequence[TcSpan]) -> float:
    """The mean over the gold techniques of their F1 (spans matched as in :func:`score_tc`)."""
    g = Counter((t.article, t.start, t.end, t.technique) for t in gold)
    p = Counter((t.article, t.start, t.end, t.technique) for t in predicted)
    right = g & p
    f1s = []
    for label in sorted({t.technique for t in gold}):
        tp = sum(v for k, v in right.items() if k[3] == label)
        n_g = sum(v for k, v in g.items() if k[3] == label)
        n_p = sum(v for k, v in p.items() if k[3] == label)
        f1s.append(2.0 * tp / (n_g + n_p) if n_g + n_p else 0.0)
    return float(np.mean(f1s)) if f1s else 0.0


def _tune_shift(
    probe: TechniqueModel, articles: Mapping[str, str], parsed: Mapping[str, list[Parsed]],
    held: Sequence[TcSpan], log_prior: np.ndarray[Any, Any],
) -> tuple[float, Score, float]:
    """The shift with the best held-out micro-F1 + ``_MACRO_WEIGHT`` * macro-F1."""
    rows, _, _ = _tc_rows(articles, parsed, held)
    scores = probe.tc.scores(rows) if rows else np.zeros((0, len(probe.labels)))
    tried = []
    for tau in _SHIFTS:
        best = (scores - tau * log_prior).argmax(axis=1)
        predicted = [TcSpan(t.article, probe.labels[int(best[i])], t.start, t.end)
                     for i, t in enumerate(held)]
        micro, macro = score_tc(held, predicted), macro_f1(held, predicted)
        tried.append((round(micro.f1 + _MACRO_WEIGHT * macro, 9), -tau, micro, macro))
    _, tau, micro, macro = max(tried, key=lambda r: (r[0], r[1]))
    return -tau, micro, macro


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
    shift, held_tc, held_macro = _tune_shift(
        probe, ptc.articles, parsed, tc_held, _log_prior(labels, [t.technique for t in tc_fit]))
    say(f"held-out SI F1 {held_si.f1:.3f} (threshold {threshold}, low {low}, gap {gap}), "
        f"TC micro-F1 {held_tc.f1:.3f}, macro-F1 {held_macro:.3f} (prior shift {shift}); "
        f"refitting on all {len(ids)} articles")
    probe = TechniqueModel(
        si, _shifted(tc, -shift * _log_prior(labels, [t.technique for t in tc_fit])),
        tuple(labels), threshold, gap, low,
        sent=_fit_sent(*_sent_table(ptc.articles, parsed, fit_ids, ptc.tc)[:2], seed))
    sent_threshold, held_si, held_flc = _tune_sentences(
        probe, gold_si=ptc.si, gold_tc=tc_held, articles=ptc.articles,
        held_parsed=held_parsed, probs=probs, held_si=held_si, say=say)
    say(f"sentence threshold {sent_threshold}: held-out SI F1 {held_si.f1:.3f}, "
        f"span and technique F1 {held_flc.f1:.3f}")
    si = _fit_si(*_flat(data, sorted(ids)), seed)
    tc_rows, tc_y, _ = _tc_rows(ptc.articles, parsed, ptc.tc)
    tc, labels = _fit_tc(tc_rows, tc_y, seed)
    tc = _shifted(tc, -shift * _log_prior(labels, tc_y))
    sent = _fit_sent(*_sent_table(ptc.articles, parsed, sorted(ids), ptc.tc)[:2], seed)
    seconds = time.perf_counter() - started
    info = {"seed": seed, "train_articles": len(ids), "train_seconds": round(seconds, 1),
            "heldout_si_f1": round(held_si.f1, 4), "heldout_tc_f1": round(held_tc.f1, 4),
            "heldout_tc_macro_f1": round(held_macro, 4), "tc_balance": _BALANCE,
            "tc_prior_shift": shift, "sent_threshold": sent_threshold,
            "heldout_flc_f1": round(held_flc.f1, 4)}
    model = TechniqueModel(si, tc, tuple(labels), threshold, gap, low, info, sent=sent,
                           sent_threshold=sent_threshold)
    model.save(out)
    size = sum(p.stat().st_size for p in Path(out).iterdir() if p.is_file())
    return TrainReport(str(out), seconds, size, threshold, gap, low, held_si, held_tc, len(ids),
                       len(si.vocab), len(tc.vocab), shift, held_macro, sent_threshold)


def _tune_sentences(
    probe: TechniqueModel, *, gold_si: Mapping[str, Sequence[tuple[int, int]]],
    gold_tc: Sequence[TcSpan], articles: Mapping[str, str],
    held_parsed: Mapping[str, list[Parsed]], probs: Mapping[str, list[list[float]]],
    held_si: Score, say: Callable[[str], None],
) -> tuple[float, Score, Score]:
    """The sentence threshold with the best held-out span-and-technique F1.

    That is :func:`score_flc` of the token and sentence spans, each named by
    the span model; thresholds that cost more than 0.005 of SI F1 are not
    taken. Returns the threshold, the SI and the span-and-technique scores.
    """
    held = sorted(held_parsed)
    everything = sentence_spans(probe, articles, held_parsed, threshold=0.0)
    tried = []
    for thr in _SENT_THRESHOLDS:
        found = {aid: [s for s in spans if s[2] >= thr] for aid, spans in everything.items()}
        spans = predict_si(probe, held_parsed, probs=probs, sentences=found)
        si = score_si(gold_si, spans, held)
        template = [TcSpan(a, "?", s, e) for a in held for s, e in spans[a]]
        flc = score_flc(gold_tc, predict_tc(probe, articles, held_parsed, template))
        say(f"  sentences at {thr}: {sum(map(len, found.values()))} spans, SI F1 {si.f1:.3f}, "
            f"span and technique F1 {flc.f1:.3f}")
        if si.f1 >= held_si.f1 - 0.005 or thr > 1:
            tried.append((round(flc.f1, 9), thr, si, flc))
    _, thr, si, flc = max(tried, key=lambda r: (r[0], r[1]))
    return thr, si, flc


def score_flc(gold: Iterable[TcSpan], predicted: Iterable[TcSpan]) -> Score:
    """Span-and-technique scores: SI's partial overlap, counted between spans of one technique.

    Precision sums ``|s ∩ t| / |s|`` and recall ``|s ∩ t| / |t|`` over the pairs
    of a predicted and a gold span of the same article and technique, divided
    by the numbers of predicted and gold spans (the FLC scorer of the task).
    """
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t in gold:
        by_key.setdefault((t.article, t.technique), []).append((t.start, t.end))
    pred = list(predicted)
    n_gold = sum(len(v) for v in by_key.values())
    p_num = r_num = 0.0
    for t in pred:
        for gs, ge in by_key.get((t.article, t.technique), ()):
            inter = min(t.end, ge) - max(t.start, gs)
            if inter > 0:
                p_num += inter / (t.end - t.start)
                r_num += inter / (ge - gs)
    precision = p_num / len(pred) if pred else 0.0
    recall = r_num / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(pred), n_gold)


def evaluate(model: TechniqueModel, ptc_dir: str | Path, split: str, nlp: Language,
             parsed: Mapping[str, list[Parsed]] | None = None) -> tuple[Score, Score]:
    """SI scores of detected spans and TC micro-F1 on the gold spans of ``split``."""
    ptc = load_ptc(ptc_dir, split)
    if parsed is None:
        parsed = parse_articles(ptc.articles, nlp)
    si = score_si(ptc.si, predict_si(model, parsed, articles=ptc.articles), ptc.articles)
    tc = score_tc(ptc.tc, predict_tc(model, ptc.articles, parsed, ptc.tc))
    return si, tc
