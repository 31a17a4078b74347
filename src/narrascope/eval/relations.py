"""Score the actor network of a store against a must-find / must-not-find gold.

``python -m narrascope.eval.relations --db STORE [--gold FILE]``: the gold
(default ``data/eval/relations_gold.json``, for the sample corpus) lists edges
the network must hold and edges it must not; each end is matched by any of
its names against an entity's name and spellings. Prints the edges found and
missed, the recall of ``must_find`` and the number of ``must_not_find`` edges
present; exit status 1 if any must-find edge is missing or any must-not edge
is present.

``--sample N [--seed S]`` prints a reproducible random sample of N extracted
relations (with their sentences) to check by hand; ``--checked FILE`` reads such
a sample with a ``correct`` verdict on each and prints the precision of the
relations of the store that it judges.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.corpus.network import normalize
from narrascope.store import SqliteStore

__all__ = ["GoldCheck", "check_gold", "load_gold", "main", "precision", "sample_relations"]


@dataclass(frozen=True, slots=True)
class GoldCheck:
    """One gold edge and the network edges that match it."""

    kind: str  # must_find, must_not_find
    source: str
    relation: str
    target: str
    negated: bool
    matches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.matches) == (self.kind == "must_find")


def load_gold(path: str | None = None) -> dict[str, Any]:
    if path:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return data
    raw = (resources.files("narrascope.data") / "eval" / "relations_gold.json").read_text(
        encoding="utf-8")
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def _spellings(store: SqliteStore) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for r in store.query("SELECT id, name FROM entities"):
        names[r["id"]].add(normalize(r["name"]))
    for r in store.query("SELECT DISTINCT entity, text FROM mentions WHERE entity IS NOT NULL"):
        names[r["entity"]].add(normalize(r["text"]))
    return names


def check_gold(store: SqliteStore, gold: dict[str, Any]) -> list[GoldCheck]:
    """Match every gold edge against the store's network."""
    spellings = _spellings(store)
    edges = store.query("SELECT id, source, relation, target, negated FROM network_edges")
    checks = []
    for kind in ("must_find", "must_not_find"):
        for g in gold.get(kind, []):
            src = {normalize(n) for n in g["source"]}
            tgt = {normalize(n) for n in g["target"]}
            negated = bool(g.get("negated", False))
            matches = tuple(
                e["id"] for e in edges
                if e["relation"] == g["relation"] and bool(e["negated"]) == negated
                and spellings.get(e["source"], set()) & src
                and spellings.get(e["target"], set()) & tgt)
            checks.append(GoldCheck(kind, g["source"][0], g["relation"], g["target"][0],
                                    negated, matches))
    return checks


def _key(r: dict[str, Any]) -> tuple[str, int, int, str, str, str]:
    return (r["doc"], int(r["predicate_start"]), int(r["subject_start"]), r["subject"],
            r["relation"], r["object"])


def sample_relations(store: SqliteStore, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """A reproducible random sample of ``n`` relations (between two named actors)."""
    import random

    from narrascope.corpus.network import export_relations

    pool = sorted(export_relations(store), key=_key)
    picked = random.Random(seed).sample(pool, min(n, len(pool)))  # noqa: S311 - reproducible
    return [{k: r[k] for k in ("doc", "start", "end", "text", "subject", "subject_start",
                               "predicate", "predicate_start", "relation", "object",
                               "negated", "modality", "asserted_by")} for r in picked]


def precision(store: SqliteStore, checked: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """(correct, judged) over the checked relations that the store still extracts."""
    from narrascope.corpus.network import export_relations

    have = {_key(r) for r in export_relations(store)}
    judged = [c for c in checked if _key(c) in have]
    return sum(1 for c in judged if c["correct"]), len(judged)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.relations",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, metavar="STORE")
    parser.add_argument("--gold", metavar="FILE", help="gold file (default: the sample gold)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="print N random relations (JSON lines) to check by hand")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument("--checked", metavar="FILE",
                        help="a checked sample (JSON with a 'relations' list): print precision")
    args = parser.parse_args(argv)
    if args.sample or args.checked:
        with SqliteStore(args.db, read_only=True) as store:
            if args.sample:
                for r in sample_relations(store, args.sample, args.seed):
                    print(json.dumps(r, ensure_ascii=False))
                return 0
            data = json.loads(Path(args.checked).read_text(encoding="utf-8"))
            ok, n = precision(store, data["relations"])
        print(f"precision {ok}/{n} ({ok / n if n else 0.0:.3f}) of the checked relations"
              f" ({len(data['relations'])} checked, {n} extracted by this version)")
        return 0
    with SqliteStore(args.db, read_only=True) as store:
        checks = check_gold(store, load_gold(args.gold))
    for c in checks:
        mark = "ok  " if c.ok else "FAIL"
        neg = "NOT " if c.negated else ""
        print(f"{mark} {c.kind:<13} {c.source} -{neg}{c.relation}-> {c.target}"
              f" ({len(c.matches)} edge{'s' if len(c.matches) != 1 else ''})")
    found = [c for c in checks if c.kind == "must_find"]
    banned = [c for c in checks if c.kind == "must_not_find"]
    hit = sum(1 for c in found if c.ok)
    present = sum(1 for c in banned if not c.ok)
    print(f"must-find recall {hit}/{len(found)}"
          f" ({hit / len(found) if found else 1.0:.3f});"
          f" must-not-find present {present}/{len(banned)}")
    return 0 if hit == len(found) and present == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
