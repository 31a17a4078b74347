"""Score extracted events against a hand-made gold (``data/eval/events_gold.json``).

A gold event names its document (a path suffix of the source), its true date
value and a fragment of its evidence sentence. A system event (an ``events``
export record) matches a gold event of the same document when its evidence
sentence contains the fragment and its date is the gold date; each counts once.
Precision is over the system events of the gold's documents (the gold is
exhaustive for them), recall over the gold events.

Run ``python -m narrascope.eval.events --db STORE`` on a store built from the sample.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["EventScore", "GoldEvent", "load_gold", "main", "score_events"]


@dataclass(frozen=True, slots=True)
class GoldEvent:
    source: str
    date: str
    evidence: str


@dataclass(frozen=True, slots=True)
class EventScore:
    gold: int
    system: int
    matched: int
    dated: int  # gold events whose sentence was found, whatever its date
    misses: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.matched / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: str | Path | None = None) -> tuple[tuple[str, ...], tuple[GoldEvent, ...]]:
    """The gold's documents and events (the bundled gold unless ``path`` is given)."""
    if path is None:
        text = (resources.files("narrascope.data") / "eval" / "events_gold.json").read_text(
            encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    events = tuple(GoldEvent(e["source"], e["date"], e["evidence"]) for e in data["events"])
    return tuple(data["documents"]), events


def score_events(
    documents: Sequence[str], gold: Sequence[GoldEvent], records: Iterable[Mapping[str, Any]],
    sources: Mapping[str, str],
) -> EventScore:
    """Score ``records`` (events export) given ``sources`` (document id -> source)."""

    def gold_doc(doc_id: str) -> str | None:
        source = sources.get(doc_id, "").replace("\\", "/")
        return next((d for d in documents if source.endswith(d)), None)

    system = [(gold_doc(str(r["doc"])), r) for r in records]
    system = [(d, r) for d, r in system if d is not None]
    free = list(range(len(system)))
    matched = dated = 0
    misses = []
    for g in gold:
        same_sentence = [i for i in free
                         if system[i][0] == g.source and g.evidence in str(system[i][1]["text"])]
        if same_sentence:
            dated += 1
        hit = next((i for i in same_sentence if system[i][1]["date"] == g.date), None)
        if hit is None:
            got = sorted({str(system[i][1]["date"]) for i in same_sentence})
            misses.append(f"{g.source}: {g.date} {g.evidence!r} (got {', '.join(got) or '-'})")
            continue
        free.remove(hit)
        matched += 1
    return EventScore(len(gold), len(system), matched, dated, tuple(misses))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.events",
                                     description="Score a store's events against the gold.")
    parser.add_argument("--db", required=True, help="store built from the sample corpus")
    parser.add_argument("--gold", help="gold file (default: the bundled events_gold.json)")
    args = parser.parse_args(argv)

    from narrascope.corpus.events import export_events
    from narrascope.store import open_store

    documents, gold = load_gold(args.gold)
    with open_store(args.db, read_only=True) as store:
        sources = {r["id"]: r["source"] for r in store.query("SELECT id, source FROM documents")}
        result = score_events(documents, gold, list(export_events(store)), sources)
    print(f"gold events {result.gold}, system events in those documents {result.system}, "
          f"matched {result.matched}")
    print(f"P={result.precision:.3f} R={result.recall:.3f} F1={result.f1:.3f}")
    for miss in result.misses:
        print("  missed " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
