"""Corpus stage: how each document portrays each entity it discusses.

For a document and an entity with mentions in it (``mentions.entity``, after the
entity stage) the stance combines three kinds of evidence, each a score in -1..1:

* ``sentiment``: the VADER compound score of every content sentence naming the
  entity (``sentence_sentiment``, :mod:`narrascope.extract.stance`);
* ``relation_polarity``: the relations it takes part in that portray their source
  or target (``portrayal`` in ``data/taxonomy/relations.json``: the source of
  *attacks* and the target of *accuses* count -1); negated relations do not count;
* ``technique_polarity``: the VADER score of each persuasion-technique span whose
  target is one of its mentions (a loaded label aimed at it), where not neutral.

``polarity`` is the mean of all those scores (each sentence, relation and
technique one vote) and ``label`` negative (< -0.05), positive (> 0.05) or
neutral. :func:`by_site` averages the documents of each site so a reader can
compare outlets. The stage replaces the whole table on every run.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from narrascope.errors import StoreError
from narrascope.extract.stance import polarity as text_polarity
from narrascope.store import SqliteStore
from narrascope.taxonomy import relation_taxonomy

__all__ = ["SiteStance", "by_site", "export_stance", "find_stance", "label_of"]

_NEUTRAL = 0.05


def label_of(score: float) -> str:
    """negative, neutral or positive for a polarity in -1..1."""
    if score < -_NEUTRAL:
        return "negative"
    if score > _NEUTRAL:
        return "positive"
    return "neutral"


@dataclass(frozen=True, slots=True)
class SiteStance:
    """The mean stance of one site's documents towards one entity."""

    site: str
    entity: str
    name: str
    polarity: float
    label: str
    docs: int


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _tables(store: SqliteStore) -> set[str]:
    return set(store.table_columns())


def find_stance(store: SqliteStore) -> int:
    """Replace the stance table; returns the number of (document, entity) rows."""
    tables = _tables(store)
    names = {r["id"]: r["name"] for r in store.query("SELECT id, name FROM entities")}
    # the corpus's linked mentions, its sentences and relations are read row by row (on
    # a 10,000-document corpus, about 460,000 mentions and 490,000 sentences), and each
    # entity's id is held once
    one: dict[str, str] = {}
    mentions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for m in store.rows(
        "SELECT doc, start, end, entity FROM mentions WHERE entity IS NOT NULL ORDER BY doc, start"
    ):
        mentions[m["doc"]].append((m["start"], m["end"], one.setdefault(m["entity"], m["entity"])))
    del one
    starts = {doc: [m[0] for m in found] for doc, found in mentions.items()}
    sentiment: dict[tuple[str, str], list[float]] = defaultdict(list)
    for s in store.rows("SELECT doc, start, end, compound FROM sentence_sentiment"):
        # the mentions inside the sentence: those that start in it (by bisection) and end in it
        here, at = mentions.get(s["doc"], []), starts.get(s["doc"], [])
        lo, hi = bisect.bisect_left(at, s["start"]), bisect.bisect_left(at, s["end"])
        named = {e for _, b, e in here[lo:hi] if b <= s["end"]}
        for ent in named:
            sentiment[(s["doc"], ent)].append(float(s["compound"]))
    relations: dict[tuple[str, str], list[float]] = defaultdict(list)
    types = relation_taxonomy().relations
    for r in store.rows("SELECT doc, relation, subject_entity, object_entity FROM relations"
                        " WHERE negated = 0"):
        rtype = types.get(r["relation"])
        if rtype is None:
            continue
        for ent, vote in ((r["subject_entity"], rtype.source_portrayal),
                          (r["object_entity"], rtype.target_portrayal)):
            if ent is not None and vote:
                relations[(r["doc"], ent)].append(float(vote))
    techniques: dict[tuple[str, str], list[float]] = defaultdict(list)
    if "techniques" in tables:
        for t in store.rows("SELECT doc, text, target_start, target_end FROM techniques"
                            " WHERE target_start IS NOT NULL"):
            hit = {e for a, b, e in mentions.get(t["doc"], ())
                   if a < t["target_end"] and t["target_start"] < b}
            score = text_polarity(t["text"])
            if score:
                for ent in hit:
                    techniques[(t["doc"], ent)].append(score)
    rows = []
    for key in sorted(set(sentiment) | set(relations) | set(techniques)):
        doc, ent = key
        votes = [*sentiment.get(key, []), *relations.get(key, []), *techniques.get(key, [])]
        score = round(sum(votes) / len(votes), 4)
        rows.append((doc, ent, names.get(ent, ent), score, label_of(score),
                     _round(_mean(sentiment.get(key, []))), len(sentiment.get(key, [])),
                     _round(_mean(relations.get(key, []))), len(relations.get(key, [])),
                     _round(_mean(techniques.get(key, []))), len(techniques.get(key, []))))
    try:
        with store.transaction():
            store.execute("DELETE FROM stance")
            store.executemany(
                "INSERT INTO stance (doc, entity, name, polarity, label, sentiment, sentences,"
                " relation_polarity, relations, technique_polarity, techniques)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    except StoreError as exc:
        raise StoreError(f"cannot write the stance table: {exc}") from None
    return len(rows)


def _round(x: float | None) -> float | None:
    return round(x, 4) if x is not None else None


def by_site(store: SqliteStore, entity: str | None = None) -> list[SiteStance]:
    """Mean stance per (site, entity); ``entity`` is an entity id (None: all)."""
    sql = ("SELECT COALESCE(d.site, '(no site)') AS site, s.entity, s.name, AVG(s.polarity) AS p,"
           " COUNT(*) AS n FROM stance s JOIN documents d ON d.id = s.doc")
    params: tuple[Any, ...] = ()
    if entity is not None:
        sql += " WHERE s.entity = ?"
        params = (entity,)
    sql += " GROUP BY COALESCE(d.site, '(no site)'), s.entity, s.name ORDER BY s.name, site"
    return [SiteStance(r["site"], r["entity"], r["name"], round(float(r["p"]), 4),
                       label_of(float(r["p"])), int(r["n"])) for r in store.query(sql, params)]


def export_stance(store: SqliteStore) -> Iterator[dict[str, Any]]:
    """Records of ``narrascope export --what stance``."""
    for r in store.query("SELECT s.*, d.site FROM stance s JOIN documents d ON d.id = s.doc"
                         " ORDER BY d.source, s.name"):
        yield {
            "doc": r["doc"], "site": r["site"], "entity": r["entity"], "name": r["name"],
            "polarity": r["polarity"], "label": r["label"], "sentiment": r["sentiment"],
            "sentences": r["sentences"], "relation_polarity": r["relation_polarity"],
            "relations": r["relations"], "technique_polarity": r["technique_polarity"],
            "techniques": r["techniques"],
        }
