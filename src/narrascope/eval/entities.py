"""Score entity resolution with B-cubed against a hand-made gold.

The gold (``data/eval/entities_gold.json`` for the bundled sample) lists
clusters as spellings; each stored mention whose folded name equals a gold
spelling belongs to that gold cluster, the others are not scored. For each
scored mention, B-cubed precision is the share of the scored mentions in its
predicted entity that share its gold cluster, recall the share of its gold
cluster that share its predicted entity; both are averaged over mentions.
Mentions left unlinked count as singletons. ``must_not_merge`` pairs of
spellings are violated when any mention of one and any of the other share
an entity.

    python -m narrascope.eval.entities --db STORE [--gold FILE]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.corpus.entities import mention_key
from narrascope.extract.names import folded_name

__all__ = ["BCubed", "bcubed", "load_gold", "main", "score_store"]


@dataclass(frozen=True, slots=True)
class BCubed:
    precision: float
    recall: float
    mentions: int
    violations: tuple[tuple[str, str], ...]

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: str | Path | None = None) -> dict[str, Any]:
    """The gold file at ``path``, or the bundled sample's."""
    if path is None:
        raw = (resources.files("narrascope.data") / "eval" / "entities_gold.json").read_text(
            encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    gold: dict[str, Any] = json.loads(raw)
    return gold


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float]:
    """B-cubed (precision, recall) of ``predicted`` (item -> entity) against ``gold``."""
    items = list(gold)
    if not items:
        return 0.0, 0.0
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_gold[gold[item]].add(item)
        by_pred[predicted.get(item) or f"singleton:{item}"].add(item)
    precision = recall = 0.0
    for item in items:
        g = by_gold[gold[item]]
        p = by_pred[predicted.get(item) or f"singleton:{item}"]
        both = len(g & p)
        precision += both / len(p)
        recall += both / len(g)
    return precision / len(items), recall / len(items)


def score_mentions(rows: Iterable[Mapping[str, Any]], gold: Mapping[str, Any]) -> BCubed:
    """Score mention rows (``id``, ``text``, ``label``, ``entity``) against ``gold``."""
    cluster_of = {folded_name(s): name for name, spellings in gold["clusters"].items()
                  for s in spellings}
    gold_map: dict[str, str] = {}
    predicted: dict[str, str] = {}
    entities_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        key = mention_key(row["text"], row["label"])
        entities_of[key].add(row["entity"] or f"none:{row['id']}")
        if key in cluster_of:
            gold_map[str(row["id"])] = cluster_of[key]
            if row["entity"]:
                predicted[str(row["id"])] = row["entity"]
    precision, recall = bcubed(gold_map, predicted)
    violations = tuple(
        (a, b) for a, b in gold.get("must_not_merge", [])
        if entities_of.get(folded_name(a), set()) & entities_of.get(folded_name(b), set())
    )
    return BCubed(precision, recall, len(gold_map), violations)


def score_store(db: str, gold_path: str | None = None) -> BCubed:
    """Score the entities of the store at ``db``."""
    from narrascope.store import open_store

    with open_store(db, read_only=True) as store:
        rows = [dict(r) for r in store.query("SELECT id, text, label, entity FROM mentions")]
    return score_mentions(rows, load_gold(gold_path))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m narrascope.eval.entities",
        description="B-cubed precision/recall/F1 of a store's entities against a gold file "
        "(default: the bundled sample corpus's gold; build it with `narrascope demo "
        "--no-serve --db STORE`).")
    parser.add_argument("--db", required=True, help="store built from the gold's corpus")
    parser.add_argument("--gold", help="gold file (default: data/eval/entities_gold.json)")
    args = parser.parse_args(argv)
    score = score_store(args.db, args.gold)
    print(f"B-cubed over {score.mentions} gold mentions: P {score.precision:.3f}  "
          f"R {score.recall:.3f}  F1 {score.f1:.3f}")
    print(f"must-not-merge pairs violated: {len(score.violations)}")
    for a, b in score.violations:
        print(f"  {a!r} and {b!r} share an entity")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
