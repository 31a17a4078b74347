"""SemEval-2020 Task 11 (PTC) formats and official-style scorers.

The corpus is a folder of ``article<ID>.txt`` files with labels in
``article<ID>.task-si.labels`` (``id\\tstart\\tend``: span identification, SI) and
``article<ID>.task-flc-tc.labels`` (``id\\ttechnique\\tstart\\tend``: technique
classification, TC). Offsets are character offsets into the article file as
read with universal newlines off (``newline=""`` is not used by the task: the
files have ``\\n`` line ends).

:func:`score_si` follows the task's SI scorer: overlapping spans of one article
are merged; a predicted span ``s`` and a gold span ``t`` contribute
``|s ∩ t| / |s|`` to precision and ``|s ∩ t| / |t|`` to recall; the sums are
divided by the number of predicted and gold spans. :func:`score_tc` is the TC
micro-F1 on given spans (a prediction is right when the same span carries that
technique in the gold; spans labelled twice match as multisets).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.errors import InputError

__all__ = [
    "Ptc",
    "Score",
    "TcSpan",
    "article_id",
    "load_ptc",
    "merge_spans",
    "read_articles",
    "read_si",
    "read_tc",
    "score_si",
    "score_tc",
    "write_si",
    "write_tc",
]

_ARTICLE = re.compile(r"article(\d+)\.txt$")

SiSpans = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class TcSpan:
    """One line of a TC file: a span of an article and its technique (``?`` if unknown)."""

    article: str
    technique: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int


@dataclass
class Ptc:
    """One split of the corpus: article texts by id, SI spans, TC spans."""

    articles: dict[str, str] = field(default_factory=dict)
    si: SiSpans = field(default_factory=dict)
    tc: list[TcSpan] = field(default_factory=list)


def article_id(path: str | Path) -> str:
    """The id in ``article<ID>.txt``; the file stem otherwise."""
    name = Path(path).name
    match = _ARTICLE.search(name)
    return match.group(1) if match else Path(name).stem


def read_articles(paths: Iterable[str | Path]) -> dict[str, str]:
    """Article texts by id, read exactly (no newline translation)."""
    found: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                found[article_id(path)] = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read article {path}: {exc}") from None
    return found


def _lines(path: Path) -> Iterable[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read labels {path}: {exc}") from None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise InputError(f"{path}:{n}: expected tab-separated fields, got {line!r}")
            yield parts


def _int(value: str, path: Path) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{path}: bad offset {value!r}") from None


def read_si(paths: Iterable[Path]) -> SiSpans:
    """SI spans (``id\\tstart\\tend``) by article id, from one or more label files."""
    spans: SiSpans = defaultdict(list)
    for path in paths:
        for parts in _lines(path):
            spans[parts[0]].append((_int(parts[1], path), _int(parts[2], path)))
    return dict(spans)


def read_tc(paths: Iterable[Path]) -> list[TcSpan]:
    """TC spans (``id\\ttechnique\\tstart\\tend``) from one or more label files."""
    out = []
    for path in paths:
        for parts in _lines(path):
            if len(parts) < 4:
                raise InputError(f"{path}: expected id, technique, start, end")
            out.append(TcSpan(parts[0], parts[1], _int(parts[2], path), _int(parts[3], path)))
    return out


def write_si(spans: Mapping[str, Sequence[tuple[int, int]]]) -> str:
    return "".join(
        f"{aid}\t{s}\t{e}\n" for aid in sorted(spans) for s, e in sorted(spans[aid])
    )


def write_tc(spans: Iterable[TcSpan]) -> str:
    return "".join(f"{t.article}\t{t.technique}\t{t.start}\t{t.end}\n" for t in spans)


def _folder(root: Path, *names: str) -> Path | None:
    for name in names:
        if (root / name).is_dir():
            return root / name
    return None


def load_ptc(root: str | Path, split: str) -> Ptc:
    """Load ``split`` (train or dev) from a PTC folder in the task's layout.

    ``ROOT/<split>-articles/article*.txt`` with labels in
    ``ROOT/<split>-labels-task-si/`` and ``ROOT/<split>-labels-task-flc-tc/``
    (label files lying next to the articles are found too).
    """
    base = Path(root)
    articles_dir = _folder(base, f"{split}-articles", split)
    if articles_dir is None:
        raise InputError(f"no {split}-articles folder in {base}")
    ptc = Ptc(read_articles(sorted(articles_dir.glob("article*.txt"))))
    if not ptc.articles:
        raise InputError(f"no article*.txt in {articles_dir}")
    si_dir = _folder(base, f"{split}-labels-task-si", f"{split}-labels-SI") or articles_dir
    tc_dir = _folder(base, f"{split}-labels-task-flc-tc", f"{split}-labels-TC") or articles_dir
    ptc.si = read_si(sorted(si_dir.glob("*.task-si.labels")))
    ptc.tc = read_tc(sorted(tc_dir.glob("*.task-flc-tc.labels")))
    if not ptc.si and ptc.tc:
        ptc.si = {}
        for t in ptc.tc:
            ptc.si.setdefault(t.article, []).append((t.start, t.end))
    return ptc


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones merged (touching spans stay apart)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _prf(p_num: float, p_den: int, r_num: float, r_den: int) -> Score:
    p = p_num / p_den if p_den else 0.0
    r = r_num / r_den if r_den else 0.0
    f1 = 2 * p * r / (p + r) if p > 0 and r > 0 else (1.0 if not p_den and not r_den else 0.0)
    return Score(p, r, f1, p_den, r_den)


def score_si(gold: Mapping[str, Sequence[tuple[int, int]]],
             predicted: Mapping[str, Sequence[tuple[int, int]]],
             articles: Iterable[str] | None = None) -> Score:
    """SI precision/recall/F1 with the task's partial-overlap definition.

    ``articles`` restricts scoring to those ids (default: every id in ``gold``
    or ``predicted``).
    """
    ids = set(articles) if articles is not None else set(gold) | set(predicted)
    p_num = r_num = 0.0
    p_den = r_den = 0
    for aid in ids:
        g = merge_spans(gold.get(aid, ()))
        s = merge_spans(predicted.get(aid, ()))
        p_den += len(s)
        r_den += len(g)
        for ps, pe in s:
            for gs, ge in g:
                inter = min(pe, ge) - max(ps, gs)
                if inter > 0:
                    p_num += inter / (pe - ps)
                    r_num += inter / (ge - gs)
    return _prf(p_num, p_den, r_num, r_den)


def score_tc(gold: Iterable[TcSpan], predicted: Iterable[TcSpan]) -> Score:
    """TC micro precision/recall/F1 on given spans."""
    g = Counter((t.article, t.start, t.end, t.technique) for t in gold)
    p = Counter((t.article, t.start, t.end, t.technique) for t in predicted)
    right = sum((g & p).values())
    n_pred, n_gold = sum(p.values()), sum(g.values())
    return _prf(float(right), n_pred, float(right), n_gold)
