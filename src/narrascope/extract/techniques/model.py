"""Features and inference of the technique detector: three linear models over spaCy tokens.

Span identification (SI) scores every token of a parsed paragraph with a
logistic regression over its word, shape, part of speech, dependency, its
neighbours and the content words of its sentence; runs of tokens over the
tuned threshold become spans. A sentence model (a logistic regression over the
span features of a whole sentence) adds the sentences likely to be spans.
Technique classification (TC) labels a span with a multinomial logistic
regression over the span's words and bigrams, its edges, its context, its
syntax, how often its text recurs in the document (the cue for Repetition),
its place and shape in its sentence and whom the sentence cites. Each model is
a vocabulary (feature string -> row) and a weight matrix, stored as
``weights.npz`` and ``meta.json.gz`` (no pickles) in
``narrascope/data/models/techniques``; inference needs only numpy.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import chain, pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from narrascope.errors import ModelError

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "LinearModel",
    "TechniqueModel",
    "bundled_model_dir",
    "decode_spans",
    "load_model",
    "sentence_candidates",
    "span_features",
    "token_features",
]

_QUOTES = frozenset('"“”«»')
_WORD = re.compile(r"\w+")
#: Verbs (and "according") that attribute a statement to a speaker.
_REPORTING_WORDS = """
    according said says say saying told tells tell stated states state claimed claims claim
    warned warns warn explained explains explain noted notes note added adds argued argues
    argue wrote writes write testified testifies announced announces confirmed confirms
    reported reports insisted insists believes believe believed suggested suggests concluded
    concludes found finds showed shows revealed reveals declared declares asserted asserts
    acknowledged admitted admits agreed agrees maintained maintains stressed stresses
    emphasized emphasised observed observes pointed points
"""
_REPORTING = frozenset(_REPORTING_WORDS.split())
#: Nouns of experts, offices, bodies and studies (the sources an appeal to authority cites).
_AUTHORITY_WORDS = """
    expert experts official officials scientist scientists study studies research researchers
    researcher report reports professor prof dr doctor doctors analyst analysts spokesman
    spokeswoman spokesperson director chief president minister secretary general judge court
    agency intelligence department ministry authorities authority government institute
    university scholar scholars historian historians economist economists survey data
    evidence specialist specialists commission committee council panel
"""
_AUTHORITY = frozenset(_AUTHORITY_WORDS.split())
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl"})


# -- features ------------------------------------------------------------------------


def _bucket(value: float, edges: Sequence[float]) -> int:
    return sum(1 for e in edges if value >= e)


def token_features(doc: Doc) -> list[list[str]]:
    """The SI features of every token of ``doc`` (one paragraph or content region)."""
    toks = list(doc)
    low = [t.lower_ for t in toks]
    pos = [t.pos_ for t in toks]
    n = len(toks)
    sent_of: list[tuple[int, int, list[str]]] = [(0, 0, [])] * n
    for sent in doc.sents:
        bag = sorted({"s=" + t.lower_ for t in sent if t.is_alpha and not t.is_stop})
        punct = [f"sp={t.text}" for t in sent if t.text in {"!", "?"}]
        extra = [*bag, *sorted(set(punct)), f"sl={_bucket(len(sent), (5, 10, 20, 35, 60))}"]
        for i in range(sent.start, sent.end):
            sent_of[i] = (sent.start, sent.end, extra)
    out: list[list[str]] = []
    quoted = False
    for i, t in enumerate(toks):
        s0, s1, extra = sent_of[i]
        if i == s0:
            quoted = False
        if t.text in _QUOTES:
            quoted = not quoted
        w = low[i]
        f = [
            "bias", "w=" + w, "p=" + pos[i], "t=" + t.tag_, "d=" + t.dep_,
            "hw=" + t.head.lower_, "dh=" + t.dep_ + "|" + t.head.pos_,
            "wd=" + w + "|" + t.dep_, "sh=" + t.shape_[:5], "suf=" + w[-3:],
            f"rp={_bucket((i - s0) / max(1, s1 - s0), (0.2, 0.4, 0.6, 0.8))}",
        ]
        for k in (-3, -2, -1, 1, 2, 3):
            j = i + k
            nb = low[j] if s0 <= j < s1 else "<s>"
            f.append(f"w{k}={nb}")
            if abs(k) == 1:
                f.append(f"p{k}={pos[j] if s0 <= j < s1 else '<s>'}")
        f.append("b-=" + (low[i - 1] if i > s0 else "<s>") + "|" + w)
        f.append("b+=" + w + "|" + (low[i + 1] if i + 1 < s1 else "<s>"))
        if quoted:
            f.append("inq")
        if t.is_upper and len(t) > 1:
            f.append("caps")
        if t.ent_type_:
            f.append("ne=" + t.ent_type_)
        f.extend(extra)
        out.append(f)
    return out


def span_features(
    doc: Doc, span: Span, doc_text_lower: str, offset: int = 0, counts: dict[str, int] | None = None
) -> list[str]:
    """The TC features of ``span`` (a span of ``doc``, parsed at ``offset`` in the document).

    ``doc_text_lower`` is the whole document's text, lowercased (for repetitions);
    ``counts`` keeps how often each word occurs in it, for the other spans of the
    document (a word is counted in the whole text once, not once per span).
    The span's and its sentence's tokens are read once: each read of a span makes
    its token objects anew, and this runs on every sentence of every document.
    """
    every = list(span)
    sent = span.sent
    in_sent = list(sent)
    words = [t.lower_ for t in every if not t.is_space]
    f = ["bias", f"len={_bucket(len(words), (1, 2, 3, 4, 6, 9, 14, 20, 30))}"]
    f.extend("w=" + w for w in set(words))
    f.extend("b=" + a + "|" + b for a, b in set(pairwise(words)))
    if words:
        f += ["first=" + words[0], "last=" + words[-1]]
    f.extend("p=" + t.pos_ for t in every)
    root = span.root
    f += ["rd=" + root.dep_, "rp=" + root.pos_, "rh=" + root.head.lower_,
          "rw=" + root.lower_]
    f.extend("ne=" + t.ent_type_ for t in every if t.ent_type_)
    if span.start == sent.start and span.end >= sent.end - 1:
        f.append("whole-sentence")
    for k in (1, 2, 3):
        if span.start - k >= 0:
            f.append(f"c-{k}=" + doc[span.start - k].lower_)
        if span.end + k - 1 < len(doc):
            f.append(f"c+{k}=" + doc[span.end + k - 1].lower_)
    f.extend("s=" + t.lower_ for t in in_sent if t.is_alpha and not t.is_stop and
             not (span.start <= t.i < span.end))
    text = span.text.lower().strip()
    if text:
        f.append(f"rep={_bucket(doc_text_lower.count(text), (2, 3, 5))}")
        before = doc_text_lower.count(text, 0, offset + span.start_char)
        f.append(f"before={_bucket(before, (1, 2, 4))}")
    if offset == 0:
        f.append("first-paragraph")
    content = {w for w in words if _WORD.fullmatch(w) and len(w) > 3}
    if content:
        memo = {} if counts is None else counts
        for w in content - memo.keys():
            memo[w] = doc_text_lower.count(w)
        most = max(memo[w] for w in content)
        f.append(f"wrep={_bucket(most, (2, 3, 5, 8))}")
    texts = {t.text for t in every}
    if "!" in texts:
        f.append("excl")
    if "?" in texts:
        f.append("quest")
    before_text = doc[span.start - 1].text if span.start > 0 else None
    if texts & _QUOTES or before_text in _QUOTES:
        f.append("quoted")
    if any(t.is_upper and len(t) > 1 for t in every):
        f.append("caps")
    toks = [t for t in every if not t.is_space]
    f.extend(_shape_features(span, sent, toks))
    f.extend(_source_features(doc, span, sent, in_sent=in_sent, toks=toks, before_text=before_text))
    return f


def _shape_features(span: Span, sent: Span, toks: Sequence[Token]) -> list[str]:
    """Where the span sits in its sentence (``sent``) and its form (``toks``: no spaces).

    A thought-terminating cliche is often a short, whole sentence or an
    imperative, with few content words.
    """
    f = [f"sl={_bucket(len(sent), (4, 7, 10, 15, 25, 40))}"]
    if span.end >= sent.end - 1:
        f.append("ends-sentence")
    if span.start == sent.start:
        f.append("starts-sentence")
    content = [t for t in toks if t.is_alpha and not t.is_stop]
    f.append(f"cw={_bucket(len(content), (1, 2, 3, 5, 8, 12))}")
    if span.start <= sent.start + 1 and span.end >= sent.end - 1 and len(sent) <= 10:
        f.append("short-whole-sentence")
    root = sent.root
    if root.tag_ == "VB" and not any(c.dep_ in _SUBJECTS for c in root.children):
        f.append("imperative-sent")
        if span.start <= root.i < span.end:
            f.append("imperative-span")
    if toks and len(toks) <= 6 and not any(t.ent_type_ for t in toks):
        f.append("short-no-ne")
    return f


def _source_features(
    doc: Doc,
    span: Span,
    sent: Span,
    *,
    in_sent: Sequence[Token],
    toks: Sequence[Token],
    before_text: str | None,
) -> list[str]:
    """Who the span's sentence cites, and its quote marks.

    An appeal to authority cites an expert, an office or a study with a
    reporting verb ("said", "according to"). ``in_sent`` are the tokens of
    ``sent``, ``toks`` the span's without spaces, ``before_text`` the token
    before the span.
    """
    f = []
    words = {t.lower_ for t in toks}
    sent_words = {t.lower_ for t in in_sent}
    if words & _REPORTING:
        f.append("rep-span")
    if sent_words & _REPORTING:
        f.append("rep-sent")
    if words & _AUTHORITY:
        f.append("auth-span")
    if sent_words & _AUTHORITY:
        f.append("auth-sent")
    if "according" in sent_words:
        f.append("according-sent")
    for t in in_sent:
        if t.dep_ in ("nsubj", "nsubjpass") and t.head.lower_ in _REPORTING:
            f.append("speaker=" + (t.ent_type_ or ("AUTH" if t.lower_ in _AUTHORITY
                                                   else t.pos_)))
            if any(c.lower_ in _AUTHORITY for c in t.subtree):
                f.append("speaker-auth")
    ents = {t.ent_type_ for t in toks if t.ent_type_}
    if "PERSON" in ents:
        f.append("person-span")
    if "ORG" in ents:
        f.append("org-span")
    if not any(t.text in _QUOTES for t in toks) and any(
        t.text in _QUOTES or t.text in "‘’" for t in in_sent
    ):
        f.append("quote-in-sent")
    after_text = doc[span.end].text if span.end < len(doc) else None
    if toks and (toks[0].text in _QUOTES or before_text in _QUOTES) and (
        toks[-1].text in _QUOTES or after_text in _QUOTES
    ):
        f.append("fully-quoted")
    if after_text in {".", "!", "?"}:
        f.append("c+=" + after_text)
    return f


# -- models --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearModel:
    """``scores = bias + sum of the weight rows of the features present``."""

    vocab: dict[str, int]
    weights: np.ndarray[Any, np.dtype[np.float32]]
    bias: np.ndarray[Any, np.dtype[np.float32]]

    def scores(self, rows: Sequence[Sequence[str]]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Raw scores, one row per feature list, one column per class."""
        out = np.tile(self.bias, (len(rows), 1)).astype(np.float32)
        # every feature looked up at once (map runs the lookups without a Python loop);
        # the weight rows are added in the features' order, as one by one
        flat = list(chain.from_iterable(rows))
        idx = np.fromiter(map(self.vocab.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        owner = np.repeat(np.arange(len(rows)), [len(feats) for feats in rows])
        known = idx >= 0
        if known.any():
            np.add.at(out, owner[known], self.weights[idx[known]])
        return out


def _sigmoid(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
    return out


def _softmax(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    out: np.ndarray[Any, Any] = e / e.sum(axis=1, keepdims=True)
    return out


@dataclass(frozen=True)
class TechniqueModel:
    """The SI token model, the TC span model, the labels and the SI threshold.

    ``sent`` (optional) is the sentence model: a logistic regression over the
    span features of a whole sentence, the probability that the sentence is a
    technique span; a sentence at ``sent_threshold`` or more is a span too
    (for the techniques that fill a sentence, such as an appeal to authority
    or a thought-terminating cliche, which the token model rarely finds), and
    the span model names its technique like any other span's.
    """

    si: LinearModel
    tc: LinearModel
    labels: tuple[str, ...]
    threshold: float
    gap: int = 1
    low: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    sent: LinearModel | None = None
    sent_threshold: float = 1.0

    def sentence_spans(
        self, doc: Doc, doc_text_lower: str, offset: int = 0, threshold: float | None = None,
        counts: dict[str, int] | None = None,
    ) -> list[tuple[int, int, float]]:
        """Sentences (token ``start``/``end``, probability) at the threshold or over.

        ``counts``: word counts of ``doc_text_lower`` kept between calls (:func:`span_features`).
        """
        if self.sent is None:
            return []
        cands = sentence_candidates(doc)
        if not cands:
            return []
        thr = self.sent_threshold if threshold is None else threshold
        probs = _sigmoid(self.sent.scores(
            [span_features(doc, c, doc_text_lower, offset, counts) for c in cands])[:, 0])
        return [(c.start, c.end, float(p)) for c, p in zip(cands, probs, strict=True)
                if p >= thr]

    def token_probs(self, doc: Doc) -> list[float]:
        """The probability that each token of ``doc`` lies in a technique span."""
        if len(doc) == 0:
            return []
        return [float(p) for p in _sigmoid(self.si.scores(token_features(doc))[:, 0])]

    def classify(
        self, doc: Doc, spans: Sequence[Span], doc_text_lower: str, offset: int = 0,
        counts: dict[str, int] | None = None,
    ) -> list[tuple[str, float]]:
        """The most likely technique of each span and its probability (``counts``: as
        :meth:`sentence_spans`)."""
        if not spans:
            return []
        probs = _softmax(self.tc.scores(
            [span_features(doc, s, doc_text_lower, offset, counts) for s in spans]))
        best = probs.argmax(axis=1)
        return [(self.labels[int(b)], float(probs[i, b])) for i, b in enumerate(best)]

    def save(self, folder: str | Path) -> None:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "si_weights": self.si.weights.astype(np.float16), "si_bias": self.si.bias,
            "tc_weights": self.tc.weights.astype(np.float16), "tc_bias": self.tc.bias,
        }
        meta: dict[str, Any] = {
            "format": 1, "labels": list(self.labels), "threshold": self.threshold,
            "gap": self.gap, "low": self.low, "si_vocab": _ordered(self.si.vocab),
            "tc_vocab": _ordered(self.tc.vocab), "info": self.meta,
        }
        if self.sent is not None:
            arrays["sent_weights"] = self.sent.weights.astype(np.float16)
            arrays["sent_bias"] = self.sent.bias
            meta.update(sent_vocab=_ordered(self.sent.vocab),
                        sent_threshold=self.sent_threshold)
        np.savez_compressed(out / "weights.npz", allow_pickle=False, **arrays)
        with gzip.open(out / "meta.json.gz", "wt", encoding="utf-8") as fh:
            json.dump(meta, fh, ensure_ascii=False, separators=(",", ":"))


def _ordered(vocab: dict[str, int]) -> list[str]:
    return [f for f, _ in sorted(vocab.items(), key=lambda kv: kv[1])]


#: Parts of speech trimmed from the ends of a detected span (besides punctuation).
_LEADING = frozenset({"CCONJ", "ADP", "SCONJ"})
_TRAILING = frozenset({"CCONJ", "ADP", "SCONJ", "DET", "PART"})


def _loose(tok: Token, pos: frozenset[str]) -> bool:
    if tok.is_space or (tok.is_punct and tok.text not in _QUOTES):
        return True
    return tok.pos_ in pos


def sentence_candidates(doc: Doc) -> list[Span]:
    """The sentences of ``doc`` trimmed as detected spans are, of two tokens or more."""
    out = []
    for sent in doc.sents:
        a, b = sent.start, sent.end
        while a < b and _loose(doc[a], _LEADING):
            a += 1
        while b > a and _loose(doc[b - 1], _TRAILING):
            b -= 1
        if b - a >= 2:
            out.append(doc[a:b])
    return out


def decode_spans(
    probs: Sequence[float], doc: Doc, threshold: float, gap: int = 1, low: float | None = None
) -> list[tuple[int, int, float]]:
    """Token runs (``start``/``end`` token indices, mean probability) found by hysteresis.

    A run is a stretch of tokens with probability at least ``low`` (default
    ``threshold``) holding at least one token at ``threshold`` or more; runs stay
    inside one sentence, may bridge ``gap`` tokens under ``low``, and are trimmed
    of punctuation, spaces and dangling function words (a trailing "of", "the",
    a leading "and") at both ends.
    """
    floor = threshold if low is None else min(low, threshold)
    found: list[tuple[int, int, float]] = []
    for sent in doc.sents:
        i = sent.start
        while i < sent.end:
            if probs[i] < floor:
                i += 1
                continue
            j = i + 1
            while j < sent.end:
                if probs[j] >= floor:
                    j += 1
                    continue
                k = j
                while k < sent.end and k - j < gap and probs[k] < floor:
                    k += 1
                if k < sent.end and probs[k] >= floor and k - j <= gap:
                    j = k + 1
                else:
                    break
            a, b = i, j
            i = j
            if max(probs[a:b]) < threshold:
                continue
            while a < b and _loose(doc[a], _LEADING):
                a += 1
            while b > a and _loose(doc[b - 1], _TRAILING):
                b -= 1
            if b > a:
                found.append((a, b, float(np.mean(probs[a:b]))))
    return found


def bundled_model_dir() -> Path:
    """The folder of the trained weights shipped with narrascope."""
    return Path(str(resources.files("narrascope.data") / "models" / "techniques"))


@lru_cache(maxsize=4)
def load_model(folder: str | None = None) -> TechniqueModel:
    """Load a trained model (the bundled one by default); read once per folder."""
    path = Path(folder) if folder else bundled_model_dir()
    try:
        with gzip.open(path / "meta.json.gz", "rt", encoding="utf-8") as fh:
            meta = json.load(fh)
        arrays = np.load(path / "weights.npz", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load technique model from {path}: {exc}") from None
    if meta.get("format") != 1:
        raise ModelError(f"{path}: unknown technique model format {meta.get('format')!r}")

    def linear(prefix: str) -> LinearModel:
        return LinearModel(
            vocab={f: i for i, f in enumerate(meta[f"{prefix}_vocab"])},
            weights=arrays[f"{prefix}_weights"].astype(np.float32),
            bias=arrays[f"{prefix}_bias"].astype(np.float32),
        )

    has_sent = "sent_vocab" in meta and "sent_weights" in arrays
    return TechniqueModel(
        si=linear("si"), tc=linear("tc"), labels=tuple(meta["labels"]),
        threshold=float(meta["threshold"]), gap=int(meta.get("gap", 1)),
        low=float(meta["low"]) if meta.get("low") is not None else None,
        meta=dict(meta.get("info", {})),
        sent=linear("sent") if has_sent else None,
        sent_threshold=float(meta.get("sent_threshold", 1.0)),
    )
