"""Score quotes and speakers against a gold file: ``python -m narrascope.eval.quotes --db PATH``.

The gold (default: the bundled ``data/eval/quotes_gold.json`` for the sample
corpus) lists, per document (by its source path's tail), its quotes with their
text and speaker name. A predicted quote matches a gold quote of the same
document when their texts overlap by at least half of the shorter one (after
normalising spaces and quote marks). Reported: detection precision, recall and
F1, and speaker accuracy over the matched quotes (a speaker is right when the
gold name and the predicted speaker share their last word, case-folded).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.store import SqliteStore

__all__ = ["Score", "load_gold", "main", "score"]


@dataclass(frozen=True, slots=True)
class Score:
    gold: int
    predicted: int
    matched: int
    speaker_right: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.matched if self.matched else 0.0


def _norm(text: str) -> str:
    text = re.sub("[\"“”„«»‘’'`]", "", text)
    return " ".join(text.split()).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _norm(text))


def _overlap(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    common = len(set(wa) & set(wb))
    return common / min(len(set(wa)), len(set(wb)))


def _same_speaker(gold: str | None, predicted: str | None) -> bool:
    if not gold:
        return not predicted
    if not predicted:
        return False
    g, p = _words(gold), _words(predicted)
    return bool(g and p) and (g[-1] == p[-1] or _norm(gold) == _norm(predicted))


def load_gold(path: Path | None = None) -> list[dict[str, Any]]:
    """Gold quotes as records with ``source``, ``text`` and ``speaker``."""
    if path is None:
        raw = (resources.files("narrascope.data") / "eval" / "quotes_gold.json").read_text(
            encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    data = json.loads(raw)
    out: list[dict[str, Any]] = []
    docs = data.get("documents", data) if isinstance(data, dict) else data
    for d in docs:
        source = d.get("source") or d.get("doc") or d.get("file") or ""
        for q in d.get("quotes", [d] if "text" in d or "quote" in d else []):
            out.append({  # noqa: PERF401
                "source": source,
                "text": q.get("text") or q.get("quote") or q.get("content") or "",
                "speaker": q.get("speaker") or q.get("speaker_name"),
                "kind": q.get("kind"),
            })
    return out


def _predicted(store: SqliteStore) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT q.parts, q.speaker, q.speaker_start, q.speaker_end, q.source_type, d.source,"
        " d.text FROM quotes q JOIN documents d ON d.id = q.doc"
    )
    out = []
    for r in rows:
        parts = json.loads(r["parts"])
        speaker = r["speaker"] or (
            r["text"][r["speaker_start"]:r["speaker_end"]] if r["speaker_start"] is not None
            else None)
        out.append({"source": r["source"], "text": " ".join(r["text"][s:e] for s, e in parts),
                    "speaker": speaker})
    return out


def _same_doc(gold_source: str, source: str) -> bool:
    g = gold_source.replace("\\", "/").strip("/")
    s = source.replace("\\", "/")
    return bool(g) and (s.endswith(g) or g.endswith(s.rsplit("/", 1)[-1]))


def score(gold: Sequence[dict[str, Any]], predicted: Iterable[dict[str, Any]]) -> Score:
    """Greedy one-to-one matching of predicted to gold quotes by text overlap."""
    preds = list(predicted)
    used: set[int] = set()
    matched = right = 0
    for g in gold:
        best, best_i = 0.5, -1
        for i, p in enumerate(preds):
            if i in used or not _same_doc(g["source"], p["source"]):
                continue
            ov = _overlap(g["text"], p["text"])
            if ov >= best:
                best, best_i = ov, i
        if best_i >= 0:
            used.add(best_i)
            matched += 1
            right += _same_speaker(g["speaker"], preds[best_i]["speaker"])
    return Score(len(gold), len(preds), matched, right)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.quotes",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="store built with narrascope demo")
    parser.add_argument("--gold", type=Path, help="gold file (default: the bundled one)")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    with SqliteStore(args.db, read_only=True) as store:
        result = score(gold, _predicted(store))
    print(f"quotes: gold {result.gold}, predicted {result.predicted}, matched {result.matched}")
    print(f"detection  P {result.precision:.3f}  R {result.recall:.3f}  F1 {result.f1:.3f}")
    print(f"speaker accuracy (matched quotes) {result.speaker_accuracy:.3f}"
          f" ({result.speaker_right}/{result.matched})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
