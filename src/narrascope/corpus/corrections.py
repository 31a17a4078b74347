"""Human corrections to entity resolution, kept as an audit log and re-applied on every build.

A correction names entities by a name or spelling, never by id, so it keeps
applying when a rebuild re-forms the clusters:

* ``merge A B``: the entity called (or spelled) B joins the one called A;
* ``split A SPELLING``: the mentions of A spelled SPELLING become their own entity;
* ``rename A NEW``: A is shown as NEW;
* ``ignore A``: A is dropped and its mentions left unlinked.

Corrections are applied in the order they were recorded, after the
automatic rules; one that no longer matches anything is reported, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from narrascope.corpus.entities import Cluster, canonical_name, mention_key
from narrascope.errors import InputError
from narrascope.extract.names import folded_name, name_key

if TYPE_CHECKING:
    from narrascope.store import SqliteStore

__all__ = ["ACTIONS", "Correction", "apply_corrections", "corrections", "record_correction"]

#: action -> whether it takes an argument
ACTIONS = {"merge": True, "split": True, "rename": True, "ignore": False}


@dataclass(frozen=True, slots=True)
class Correction:
    id: int
    action: str
    target: str
    argument: str | None
    note: str | None
    created_at: str


def record_correction(
    store: SqliteStore, action: str, target: str, argument: str | None = None,
    note: str | None = None,
) -> int:
    """Append a correction to the store's log; returns its id."""
    if action not in ACTIONS:
        raise InputError(f"unknown correction {action!r}; one of {', '.join(ACTIONS)}")
    if ACTIONS[action] and not (argument or "").strip():
        raise InputError(f"'{action}' needs a second name")
    if not target.strip():
        raise InputError("name the entity to correct")
    with store.transaction():
        return store.execute(
            "INSERT INTO entity_corrections (action, target, argument, note, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (action, target.strip(), (argument or "").strip() or None, note,
             datetime.now(UTC).isoformat(timespec="seconds")),
        )


def corrections(store: SqliteStore) -> list[Correction]:
    """The log, oldest first."""
    rows = store.query("SELECT * FROM entity_corrections ORDER BY id")
    return [Correction(r["id"], r["action"], r["target"], r["argument"], r["note"],
                       r["created_at"]) for r in rows]


def _find(clusters: list[Cluster], name: str) -> Cluster | None:
    """The cluster called ``name``, else the largest one with that spelling."""
    key = folded_name(name)
    for cluster in clusters:
        if name_key(canonical_name(cluster)) == key and not cluster.ignored:
            return cluster
    spelled = [c for c in clusters if not c.ignored and any(
        mention_key(m.text, m.label) == key for m in c.mentions)]
    return max(spelled, key=lambda c: len(c.mentions)) if spelled else None


def apply_corrections(clusters: list[Cluster], log: list[Correction]) -> list[str]:
    """Apply ``log`` to ``clusters`` in place; returns a line per unmatched correction."""
    unmatched = []
    for c in log:
        target = _find(clusters, c.target)
        if target is None:
            unmatched.append(f"correction {c.id} ({c.action} {c.target!r}): no such entity")
            continue
        rule: dict[str, object] = {"rule": f"correction:{c.action}", "correction": c.id}
        if c.action == "merge":
            other = _find(clusters, c.argument or "")
            if other is None:
                unmatched.append(f"correction {c.id} (merge {c.argument!r}): no such entity")
                continue
            if other is not target:
                target.mentions.extend(other.mentions)
                target.rules.append({**rule, "names": [c.target, c.argument]})
                clusters.remove(other)
        elif c.action == "split":
            key = folded_name(c.argument or "")
            moved = [m for m in target.mentions if mention_key(m.text, m.label) == key]
            if not moved or len(moved) == len(target.mentions):
                unmatched.append(f"correction {c.id} (split {c.argument!r}): nothing to split")
                continue
            target.mentions[:] = [m for m in target.mentions if m not in moved]
            clusters.append(Cluster(mentions=moved, rules=[{**rule, "names": [c.target,
                                                                               c.argument]}]))
        elif c.action == "rename":
            target.name = c.argument
            target.rules.append({**rule, "names": [c.target, c.argument]})
        elif c.action == "ignore":
            target.ignored = True
    return unmatched
