"""Claims after an add: new sentences join the stored claims, the rest stays as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import narrascope.corpus.claims as claims_module
from narrascope.corpus.claims import ClaimParams, claims, find_claims
from narrascope.corpus.claims import features as features_module
from narrascope.store import SqliteStore

SaveDoc = Callable[..., str]  # the save_doc fixture (conftest.py)

LEXICAL = ClaimParams(model="lexical")  # no model needed: near-copies meet on hashed words
ADD = ClaimParams(model="lexical", incremental_share=1.0)  # a store this small: any add
BRIDGE = "The ministry announced that the new bridge over the river will open in May."
CHOIR = "A choir from the north sang old folk songs at the festival of the valley."
DOCS = {
    "a": [BRIDGE, CHOIR],
    "b": [BRIDGE.replace("announced", "said"), "The price of coffee beans rose sharply."],
    "c": ["Young chess players gathered for a weekend tournament downtown.",
          CHOIR.replace("old folk", "the old folk")],
    "d": ["Heavy rain flooded the lower streets of the port on Sunday night.",
          "The ministry said that the new bridge over the river would open in May."],
    "e": ["A choir from the north sang the old folk songs at a festival of the valley.",
          "Heavy rain flooded the lower streets of the old port on Sunday night."],
}  # fmt: skip


def _claims(store: SqliteStore) -> list[tuple[str, ...]]:
    """Each claim as the sorted texts of its members (ids and order aside)."""
    return sorted(tuple(sorted(m.text for m in c.members)) for c in claims(store))


def _ids(store: SqliteStore) -> dict[tuple[str, ...], int]:
    return {tuple(sorted(m.text for m in c.members)): c.id for c in claims(store)}


def _built(store: SqliteStore, save_doc: SaveDoc, names: str) -> int:
    """A store of the documents ``names`` with its claims computed from scratch."""
    for name in names:
        save_doc(store, name, DOCS[name])
    return find_claims(store, LEXICAL)


def test_an_add_grows_the_stored_claims_and_keeps_the_others(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    assert _built(memory_store, save_doc, "abc") == 2  # the bridge (a, b), the choir (a, c)
    before = _ids(memory_store)
    save_doc(memory_store, "d", DOCS["d"])
    assert find_claims(memory_store, ADD, incremental=True) == 2
    after = _ids(memory_store)
    bridge = next(k for k in after if len(k) == 3)
    assert DOCS["d"][1] in bridge  # the new document's sentence joined the bridge claim
    assert after[bridge] > max(before.values())  # written again, as a new row
    choir = next(k for k in before if CHOIR in k)
    assert after[choir] == before[choir]  # untouched by the add: the same stored row
    # and the claims are those of a build from scratch
    incremental = _claims(memory_store)
    assert find_claims(memory_store, LEXICAL) == 2
    assert _claims(memory_store) == incremental


def test_an_add_compares_no_pair_of_old_sentences_again(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    _built(memory_store, save_doc, "abc")
    (choir,) = [c.id for c in claims(memory_store) if any(m.text == CHOIR for m in c.members)]
    memory_store.execute("DELETE FROM claims WHERE id = ?", (choir,))  # as if never linked
    save_doc(memory_store, "d", DOCS["d"])
    find_claims(memory_store, ADD, incremental=True)
    assert not any(CHOIR in k for k in _claims(memory_store))  # a and c: not compared again
    assert any(DOCS["d"][1] in k for k in _claims(memory_store))
    find_claims(memory_store, LEXICAL)  # from scratch, they are
    assert any(CHOIR in k for k in _claims(memory_store))


def test_new_sentences_link_to_old_ones_outside_any_claim(
    memory_store: SqliteStore, save_doc: SaveDoc
) -> None:
    _built(memory_store, save_doc, "abd")
    assert not any(DOCS["d"][0] in k for k in _claims(memory_store))
    # e's rain sentence meets d's, which was in no claim; e's choir sentence meets a's
    save_doc(memory_store, "e", DOCS["e"])
    find_claims(memory_store, ADD, incremental=True)
    incremental = _claims(memory_store)
    assert tuple(sorted((DOCS["e"][1], DOCS["d"][0]))) in incremental  # members: sorted
    assert any(CHOIR in k and DOCS["e"][0] in k for k in incremental)
    find_claims(memory_store, LEXICAL)
    assert _claims(memory_store) == incremental


def test_an_add_reads_only_what_it_needs_and_nothing_when_nothing_is_new(
    memory_store: SqliteStore, save_doc: SaveDoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    _built(memory_store, save_doc, "abcd")
    done = memory_store.query("SELECT doc, params FROM claim_docs")
    assert len(done) == 4
    assert {r["params"] for r in done} == {LEXICAL.key()}

    def fail(*_: object) -> None:
        raise AssertionError("the sentences were read again")

    monkeypatch.setattr("narrascope.corpus.claims.sentences", fail)
    assert find_claims(memory_store, ADD, incremental=True) == len(_claims(memory_store))
    with pytest.raises(AssertionError, match="read again"):  # a full run reads them
        find_claims(memory_store, LEXICAL)


@pytest.mark.parametrize(
    "params",
    [
        ClaimParams(model="lexical", high=0.79),  # other settings: the stored claims do not hold
        ClaimParams(model="lexical", incremental_share=0.1),  # an add too large for its store
    ],
)
def test_an_add_recomputes_all_where_the_stored_claims_do_not_serve(
    memory_store: SqliteStore,
    save_doc: SaveDoc,
    params: ClaimParams,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _built(memory_store, save_doc, "abc")
    save_doc(memory_store, "d", DOCS["d"])
    seen: list[object] = []
    real = claims_module.clusters

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("fresh"))
        return real(*args, **kwargs)

    monkeypatch.setattr(claims_module, "clusters", spy)
    find_claims(memory_store, params, incremental=True)
    assert seen == [None]  # from scratch: no document counts as the only new one
    assert any(CHOIR in k for k in _claims(memory_store))
    assert {r["params"] for r in memory_store.query("SELECT params FROM claim_docs")} == {
        params.key()
    }
    assert memory_store.query("SELECT count(*) FROM claim_docs")[0][0] == 4


def test_the_key_names_every_setting_but_the_add_share() -> None:
    assert ClaimParams().key() == ClaimParams(incremental_share=0.9).key()
    assert ClaimParams().key() != ClaimParams(cohesion=0.6).key()
    assert features_module.VERSION in ClaimParams().key()
