"""Claim features: computed once per document, kept in the store, equal to a fresh run."""

from __future__ import annotations

import json
import random
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from narrascope.corpus.claims import ClaimParams, claims, find_claims
from narrascope.corpus.claims import features as features_module
from narrascope.corpus.claims.features import VERSION, document_features, sentences
from narrascope.corpus.claims.sents import Sent, Sents
from narrascope.store import SqliteStore

SaveDoc = Callable[..., str]  # the save_doc fixture (conftest.py)

LEXICAL = ClaimParams(model="lexical")  # no model needed: near-copies meet on hashed words
BRIDGE = "The ministry announced that the new bridge over the river will open in May."
DOCS = {
    "a": [BRIDGE, "A choir from the north sang old folk songs at the festival."],
    "b": [BRIDGE.replace("announced", "said"), "The price of coffee beans rose sharply."],
    "c": ["Young chess players gathered for a weekend tournament downtown.",
          "The ministry said that the new bridge over the river will open in May."],
    "d": ["A choir from the north sang the old folk songs at a festival.",
          "Heavy rain flooded the lower streets of the port on Sunday."],
}  # fmt: skip


def _claims(store: SqliteStore) -> list[tuple[str, tuple[tuple[str, int, int], ...]]]:
    return sorted((c.text, tuple((m.doc, m.start, m.end) for m in c.members))
                  for c in claims(store))  # fmt: skip


def test_document_features_read_the_sentence_and_its_mentions() -> None:
    text = "Short one. The Americans said that six Americans died in 1975 in a raid."
    rows = document_features(text, [(0, 10), (11, len(text))], [(15, 24, "Americans")],
                             ClaimParams())  # fmt: skip
    (row,) = rows  # the first sentence is too short to be a claim
    start, end, _, words, nums, _, qty, _, _, inside, named = row
    assert (start, end, words) == (11, len(text), 12)
    assert nums == [6, 1975]
    assert qty == [[6, "americ"]]
    assert inside == [[15, 24, "americans"]]
    assert named == ["americ"]


def test_features_are_computed_once_per_document(
    memory_store: SqliteStore, monkeypatch: pytest.MonkeyPatch, save_doc: SaveDoc
) -> None:
    for name in ("a", "b"):
        save_doc(memory_store, name, DOCS[name])
    assert find_claims(memory_store, LEXICAL) == 1
    stored = memory_store.query("SELECT doc, version, data FROM claim_features")
    assert len(stored) == 2
    assert all(r["version"].startswith(VERSION) and json.loads(r["data"]) for r in stored)
    calls: list[str] = []
    real = features_module.document_features

    def counted(text: str, *args: Any) -> list[list[Any]]:
        calls.append(text)
        return real(text, *args)

    monkeypatch.setattr(features_module, "document_features", counted)
    before = _claims(memory_store)
    assert find_claims(memory_store, LEXICAL) == 1
    assert calls == []  # nothing new: every document's features were read back
    assert _claims(memory_store) == before
    save_doc(memory_store, "c", DOCS["c"])
    find_claims(memory_store, LEXICAL)
    (new,) = calls  # only the new document
    assert "chess" in new
    (claim,) = claims(memory_store)
    assert claim.doc_count == 3


def test_features_of_another_version_are_recomputed(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    for name in ("a", "b"):
        save_doc(memory_store, name, DOCS[name])
    find_claims(memory_store, LEXICAL)
    before = _claims(memory_store)
    memory_store.execute("UPDATE claim_features SET version = 'old', data = '[]'")
    find_claims(memory_store, LEXICAL)
    assert _claims(memory_store) == before
    versions = {r[0] for r in memory_store.query("SELECT version FROM claim_features")}
    (version,) = versions
    assert version.startswith(VERSION)


def test_stored_features_follow_entity_resolution(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    save_doc(memory_store, "a", ["The Americans said that six Americans died in 1975 in a raid."],
          entities=("Americans",))  # fmt: skip
    (sent,) = sentences(memory_store, ClaimParams())
    assert sent.ents == ()  # named by one sentence alone: it can link nothing
    save_doc(memory_store, "b", ["Several Americans were hurt when the old bridge fell down."],
          entities=("Americans",))  # fmt: skip
    assert [s.ents for s in sentences(memory_store, ClaimParams())] == [("americans",)] * 2
    # the entity stage resolves the mentions after their features were stored
    memory_store.execute(
        "INSERT INTO entities (id, name, type) VALUES ('ent-1', 'Americans', 'NORP')"
    )
    memory_store.execute("UPDATE mentions SET entity = 'ent-1'")
    assert [s.ents for s in sentences(memory_store, ClaimParams())] == [("ent-1",)] * 2


def test_adding_documents_in_two_steps_equals_one_step(
    memory_store: SqliteStore, tmp_path: Any, save_doc: SaveDoc
) -> None:
    with SqliteStore(tmp_path / "one.db") as one:
        for name, text in DOCS.items():
            save_doc(one, name, text)
        find_claims(one, LEXICAL)
        expected = _claims(one)
    assert len(expected) == 2  # the bridge (a, b, c) and the choir (a, d)
    for name in ("a", "b"):
        save_doc(memory_store, name, DOCS[name])
    find_claims(memory_store, LEXICAL)
    for name in ("c", "d"):
        save_doc(memory_store, name, DOCS[name])
    find_claims(memory_store, LEXICAL)
    assert _claims(memory_store) == expected


def test_no_model_is_loaded_when_every_vector_is_stored(
    memory_store: SqliteStore, monkeypatch: pytest.MonkeyPatch, save_doc: SaveDoc
) -> None:
    from narrascope.corpus.claims import vectors

    for name in ("a", "b"):
        save_doc(memory_store, name, DOCS[name])
    find_claims(memory_store, LEXICAL)
    before = _claims(memory_store)

    def no_model(kind: str) -> Any:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(vectors, "encoder", no_model)
    find_claims(memory_store, LEXICAL)
    assert _claims(memory_store) == before


def test_only_word_pairs_that_two_sentences_share_are_kept(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    texts = {
        "a": "Officials said the terrorist cult bombed the old market.",
        "b": "A terrorist cult bombed a bridge near the market square.",
        "c": "The old market was bombed by a terrorist cult at night.",
        "d": "Reporters saw a bridge near the river before the storm.",
    }
    ids = {save_doc(memory_store, name, [text]): name for name, text in texts.items()}
    sents = {ids[s.doc]: s for s in sentences(memory_store, ClaimParams())}
    # "terror cult": three sentences, so no anchor; "cult bombed" (a, b), "bridge
    # near" (b, d) and "old market" (a, c): two each, kept on both sides
    assert set(sents["a"].pairs) & set(sents["b"].pairs) == {hash("cult bombed")}
    assert set(sents["b"].pairs) & set(sents["d"].pairs) == {hash("bridge near")}
    assert set(sents["a"].pairs) & set(sents["c"].pairs) == {hash("old market")}
    every = [k for s in sents.values() for k in s.pairs]
    assert hash("terror cult") not in every  # in three sentences
    assert len(every) == 2 * len(set(every))  # each kept pair: exactly two sentences


def test_word_pairs_counted_by_hash_range_are_those_counted_at_once() -> None:
    rng = random.Random(3)
    n = 300
    rows = [Sent(f"d{i % 40}", i, i + 5, i, (), (), (), ()) for i in range(n)]
    owners, hashes = array("i"), array("q")
    for i in range(n):  # each sentence's pairs distinct; some shared by 2 to 6 sentences
        mine = {rng.choice([rng.getrandbits(63) - (1 << 62), rng.randrange(-60, 60) << 56])
                for _ in range(rng.randrange(0, 12))}
        owners.extend([i] * len(mine))
        hashes.extend(sorted(mine))
    whole, parts = Sents.of(rows), Sents.of(rows)
    features_module._shared_pairs(whole, hashes, owners, 4, part=1 << 30)  # one range
    features_module._shared_pairs(parts, hashes, owners, 4, part=64)  # 32 ranges
    assert [s.pairs for s in parts] == [s.pairs for s in whole]
    kept = [k for s in whole for k in s.pairs]
    assert kept  # some pairs were shared, and by at most four sentences each
    assert all(2 <= kept.count(k) <= 4 for k in kept)
    assert np.all(np.diff(np.array(whole.items("pairs")[0])) >= 0)
