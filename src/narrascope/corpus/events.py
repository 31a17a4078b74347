"""Corpus stage: merge the events the documents assert into one timeline.

Two events are the same when they carry the same date value at the same
granularity and either share an actor (the same entity, from ``mentions.entity``
as the entity stage left it; the normalised text where a mention has no entity)
or have the same predicate lemma (light verbs such as "be" and "have" excepted).
Merging is transitive within a date. Each timeline entry lists all its
sources; the stage replaces the whole timeline on every run, so the result does
not depend on the order documents were added.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from narrascope.corpus.entities import normalize_name
from narrascope.errors import StoreError
from narrascope.store import SqliteStore

__all__ = [
    "EventRef",
    "Source",
    "TimelineEntry",
    "export_events",
    "export_timexes",
    "group_events",
    "merge_events",
    "timeline",
]

#: Predicates too general to say two sentences tell the same event.
_LIGHT = frozenset({"be", "have", "do", "get", "make", "take", "become"})


@dataclass(frozen=True, slots=True)
class EventRef:
    """An event as the merge sees it: its date, predicate and actor keys."""

    id: int
    doc: str
    start: int
    date: str
    granularity: str | None
    sort_key: str
    predicate: str | None
    actors: tuple[tuple[str, str, str | None], ...]  # (key, name, role)
    place: str | None


@dataclass(frozen=True, slots=True)
class Source:
    doc: str
    source: str
    start: int
    end: int
    text: str
    date_text: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: str
    date: str
    granularity: str | None
    predicate: str | None
    label: str
    actors: tuple[str, ...]
    place: str | None
    sources: tuple[Source, ...]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group_events(events: Iterable[EventRef]) -> list[list[EventRef]]:
    """Clusters of the same event: same date and granularity, shared actor or predicate."""
    by_date: dict[tuple[str, str | None], list[EventRef]] = defaultdict(list)
    for e in events:
        by_date[(e.date, e.granularity)].append(e)
    clusters: list[list[EventRef]] = []
    for members in by_date.values():
        # two events are one when they share an actor or a predicate that is not light:
        # each is joined to the first event of each of its keys, so a date with
        # thousands of events costs their keys, not every pair of them
        parent = list(range(len(members)))
        first: dict[tuple[bool, str], int] = {}
        for i, a in enumerate(members):
            keys = [(True, k) for k, _, _ in a.actors]
            if a.predicate is not None and a.predicate not in _LIGHT:
                keys.append((False, a.predicate))
            for key in keys:
                j = first.setdefault(key, i)
                if j != i:
                    parent[_find(parent, i)] = _find(parent, j)
        groups: dict[int, list[EventRef]] = defaultdict(list)
        for i, e in enumerate(members):
            groups[_find(parent, i)].append(e)
        clusters.extend(groups.values())
    return sorted(clusters, key=lambda c: (c[0].sort_key, min((e.doc, e.start) for e in c)))


def _entry_row(cluster: Sequence[EventRef]) -> tuple[Any, ...]:
    first = min(cluster, key=lambda e: (e.doc, e.start, e.id))
    # the first event's row id too: one sentence can hold two events of one date
    # that share no actor or predicate, and so start two entries
    ident = hashlib.sha256(
        f"{first.date}\x00{first.granularity}\x00{first.doc}\x00{first.start}\x00{first.id}".encode()
    ).hexdigest()[:12]
    predicates = Counter(e.predicate for e in cluster if e.predicate)
    predicate = predicates.most_common(1)[0][0] if predicates else None
    names: Counter[tuple[str, str]] = Counter()
    roles: dict[str, set[str]] = defaultdict(set)
    for e in cluster:
        for key, name, role in e.actors:
            names[(key, name)] += 1
            if role:
                roles[key].add(role)
    best: dict[str, tuple[int, str]] = {}
    counts: Counter[str] = Counter()
    for (key, name), n in names.items():
        best[key] = max(best.get(key, (0, name)), (n, name))
        counts[key] += n
    order = sorted(best, key=lambda k: (-len(roles[k]), -counts[k], best[k][1]))
    actors: list[dict[str, Any]] = [
        {"entity": k, "name": best[k][1], "roles": sorted(roles[k]), "count": counts[k]}
        for k in order
    ]
    places = Counter(e.place for e in cluster if e.place)
    place = places.most_common(1)[0][0] if places else None
    label = " ".join(x for x in [predicate or "", ", ".join(a["name"] for a in actors[:3])] if x)
    docs = sorted({e.doc for e in cluster})
    merged_by = {"rule": "same-date+shared-actor-or-predicate", "events": len(cluster)}
    return (ident, first.date, first.granularity, first.sort_key, predicate,
            label or first.date, json.dumps(actors, ensure_ascii=False), place,
            json.dumps(docs), len(cluster), len(docs), json.dumps(merged_by))


def _refs(store: SqliteStore) -> list[EventRef]:
    """Every stored event as the merge reads it, in the timeline's order.

    The whole corpus's events and linked mentions are read (on a 10,000-document
    corpus, about 110,000 and 460,000), so they are read row by row and held
    small: a mention's place as one number, and each repeated string (a document,
    a date, an entity's id and name) once.
    """
    one: dict[Any, Any] = {}  # each string, and each entity's (id, name), held once
    doc_no: dict[str, int] = {}
    entity_of: dict[int, tuple[str, str]] = {}
    for r in store.rows(
        "SELECT m.doc, m.start, m.end, m.entity, e.name FROM mentions m"
        " JOIN entities e ON e.id = m.entity"
    ):
        doc = doc_no.setdefault(r["doc"], len(doc_no))
        linked = (r["entity"], r["name"])
        entity_of[_place(doc, int(r["start"]), int(r["end"]))] = one.setdefault(linked, linked)
    refs = []
    for r in store.rows("SELECT * FROM events ORDER BY sort_key, doc, start"):
        actors = []
        doc = doc_no.get(r["doc"], -1)
        for a in json.loads(r["actors"]):
            found = entity_of.get(_place(doc, int(a["start"]), int(a["end"])))
            key, name = found if found else (f"{a['label']}:{normalize_name(a['text'])}",
                                               a["text"])
            actors.append((one.setdefault(key, key), one.setdefault(name, name),
                           one.setdefault(a["role"], a["role"])))
        refs.append(EventRef(int(r["id"]), one.setdefault(r["doc"], r["doc"]), int(r["start"]),
                             one.setdefault(r["date"], r["date"]),
                             one.setdefault(r["granularity"], r["granularity"]),
                             one.setdefault(r["sort_key"], r["sort_key"]),
                             one.setdefault(r["predicate"], r["predicate"]), tuple(actors),
                             one.setdefault(r["place"], r["place"])))  # fmt: skip
    return refs


def _place(doc: int, start: int, end: int) -> int:
    """A mention's document number and offsets as one number (offsets below 2**32)."""
    return (doc << 64) | (start << 32) | end


def merge_events(store: SqliteStore) -> int:
    """Replace the timeline from the stored events; returns the number of entries."""
    clusters = group_events(_refs(store))
    try:
        with store.transaction():
            store.execute("UPDATE events SET timeline = NULL")
            store.execute("DELETE FROM timeline")
            for cluster in clusters:
                row = _entry_row(cluster)
                store.execute(
                    "INSERT INTO timeline (id, date, granularity, sort_key, predicate, label,"
                    " actors, place, docs, event_count, doc_count, merged_by)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row,
                )
                store.executemany("UPDATE events SET timeline = ? WHERE id = ?",
                                  [(row[0], e.id) for e in cluster])
    except StoreError as exc:
        raise StoreError(f"cannot write the timeline: {exc}") from None
    return len(clusters)


def timeline(store: SqliteStore, entity: str | None = None) -> list[TimelineEntry]:
    """The timeline in date order; ``entity`` keeps entries with an actor of that name."""
    wanted = normalize_name(entity) if entity else None
    entries = []
    for row in store.query("SELECT * FROM timeline ORDER BY sort_key, id"):
        actors = json.loads(row["actors"])
        events = store.query(
            "SELECT e.*, d.source, d.text AS doc_text FROM events e"
            " JOIN documents d ON d.id = e.doc WHERE e.timeline = ? ORDER BY d.source, e.start",
            (row["id"],),
        )
        if wanted is not None and not _mentions_entity(store, wanted, actors, events):
            continue
        seen: dict[tuple[str, int, int], Source] = {}
        for e in events:  # one line per evidence sentence, even with two dates in it
            seen.setdefault((e["doc"], e["start"], e["end"]), Source(
                e["doc"], e["source"], e["start"], e["end"],
                e["doc_text"][e["start"]:e["end"]], e["date_text"]))
        sources = tuple(seen.values())
        entries.append(TimelineEntry(row["id"], row["date"], row["granularity"],
                                     row["predicate"], row["label"],
                                     tuple(a["name"] for a in actors), row["place"], sources))
    return entries


def _mentions_entity(
    store: SqliteStore, wanted: str, actors: list[dict[str, Any]], events: Sequence[Any]
) -> bool:
    """Whether an actor of the entry is ``wanted`` by name or by one of its aliases."""
    for a in actors:
        if normalize_name(a["name"]) == wanted:
            return True
        if not a["entity"].startswith(tuple(f"{x}:" for x in ("PERSON", "ORG", "GPE", "NORP",
                                                              "LOC", "FAC"))):
            aliases = store.entity_aliases(a["entity"])
            if any(normalize_name(t) == wanted for t, _ in aliases):
                return True
    return any(
        normalize_name(x["text"]) == wanted for e in events for x in json.loads(e["actors"])
    )


def export_events(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Export records of the events: the evidence sentence, its date and participants."""
    entity_of = {
        (r["doc"], r["start"], r["end"]): r["entity"]
        for r in store.query("SELECT doc, start, end, entity FROM mentions"
                             " WHERE entity IS NOT NULL")
    }
    rows = store.query(
        "SELECT e.*, d.text AS doc_text FROM events e JOIN documents d ON d.id = e.doc"
        " ORDER BY e.sort_key, d.source, e.start, e.id"
    )
    for r in rows:
        yield {
            "doc": r["doc"],
            "start": r["start"],
            "end": r["end"],
            "text": r["doc_text"][r["start"]:r["end"]],
            "date": r["date"],
            "date_text": r["date_text"],
            "date_start": r["timex_start"],
            "date_end": r["timex_end"],
            "granularity": r["granularity"],
            "predicate": r["predicate"],
            "actors": [
                {**a, "entity": entity_of.get((r["doc"], a["start"], a["end"]))}
                for a in json.loads(r["actors"])
            ],
            "place": r["place"],
            "event_id": r["timeline"],
        }


def export_timexes(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Export records of the temporal expressions, resolved or not (with the reason)."""
    for r in store.query(
        "SELECT t.* FROM timexes t JOIN documents d ON d.id = t.doc ORDER BY d.source, t.start"
    ):
        yield {k: r[k] for k in r.keys() if k != "id"}  # noqa: SIM118 - sqlite3.Row
