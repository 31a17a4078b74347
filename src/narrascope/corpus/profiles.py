"""Entity profiles: what the store knows about one entity, with the sentences behind it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from narrascope.corpus.entities import mention_key
from narrascope.errors import InputError

if TYPE_CHECKING:
    from narrascope.store import SqliteStore

__all__ = ["EntityProfile", "find_entity", "profile"]

_SENTENCES = 50


@dataclass(frozen=True, slots=True)
class EntityProfile:
    id: str
    name: str
    type: str
    aliases: list[tuple[str, int]]
    mention_count: int
    docs: list[dict[str, Any]]  #: {id, title, source, published, mentions}
    first_seen: str | None
    last_seen: str | None
    titles: dict[str, int]
    merged_by: list[dict[str, Any]]
    cooccurring: list[tuple[str, str, int]]  #: (entity id, name, sentences together)
    sentences: list[dict[str, Any]]  #: {doc, start, end, text}


def find_entity(store: SqliteStore, name: str) -> str:
    """The id of the entity called ``name`` or spelled so (its id works too)."""
    rows = store.query("SELECT id FROM entities WHERE id = ?", (name,))
    if rows:
        return str(rows[0]["id"])
    key = mention_key(name, "")
    best: tuple[int, str] | None = None
    for row in store.query("SELECT id, name, mention_count FROM entities"):
        if mention_key(row["name"], "PERSON") == key or mention_key(row["name"], "") == key:
            return str(row["id"])
    for row in store.query(
        "SELECT m.entity, m.text, m.label, e.mention_count FROM mentions m"
        " JOIN entities e ON e.id = m.entity"
    ):
        if mention_key(row["text"], row["label"]) == key and (
            best is None or row["mention_count"] > best[0]
        ):
            best = (int(row["mention_count"]), str(row["entity"]))
    if best is None:
        raise InputError(f"no entity called or spelled {name!r}")
    return best[1]


def profile(store: SqliteStore, name: str) -> EntityProfile:
    """The profile of the entity called ``name`` (a name, spelling or id)."""
    eid = find_entity(store, name)
    row = store.query("SELECT * FROM entities WHERE id = ?", (eid,))[0]
    mentions = store.query(
        "SELECT m.doc, m.start, m.end, s.start AS s_start, s.end AS s_end"
        " FROM mentions m LEFT JOIN sentences s"
        " ON s.doc = m.doc AND s.start <= m.start AND m.end <= s.end"
        " WHERE m.entity = ? ORDER BY m.doc, m.start", (eid,),
    )
    per_doc = Counter(m["doc"] for m in mentions)
    docs = []
    texts: dict[str, str] = {}
    named: dict[str, list[tuple[int, int, str, str]]] = {}
    for doc_id, n in per_doc.most_common():
        d = store.query("SELECT title, source, published, text FROM documents WHERE id = ?",
                        (doc_id,))[0]
        docs.append({"id": doc_id, "title": d["title"], "source": d["source"],
                     "published": d["published"], "mentions": n})
        texts[doc_id] = d["text"]
        named[doc_id] = [(int(o["start"]), int(o["end"]), o["id"], o["name"]) for o in store.query(
            "SELECT m.start, m.end, e.id, e.name FROM mentions m JOIN entities e"
            " ON e.id = m.entity WHERE m.doc = ? AND e.id != ?", (doc_id, eid))]
    spans = sorted({(m["doc"], m["s_start"], m["s_end"]) for m in mentions
                    if m["s_start"] is not None})
    together: Counter[tuple[str, str]] = Counter()
    sentences: list[dict[str, Any]] = []
    for doc_id, start, end in spans:
        together.update({(i, n) for s, e, i, n in named[doc_id] if start <= s and e <= end})
        if len(sentences) < _SENTENCES:
            sentences.append({"doc": doc_id, "start": start, "end": end,
                              "text": texts[doc_id][start:end]})
    merged = json.loads(row["merged_by"]) if row["merged_by"] else {}
    return EntityProfile(
        id=eid, name=row["name"], type=row["type"], aliases=store.entity_aliases(eid),
        mention_count=int(row["mention_count"]), docs=docs,
        first_seen=row["first_seen"], last_seen=row["last_seen"],
        titles=json.loads(row["titles"]) if row["titles"] else {},
        merged_by=list(merged.get("rules", [])),
        cooccurring=[(i, n, c) for (i, n), c in together.most_common(15)],
        sentences=sentences,
    )
