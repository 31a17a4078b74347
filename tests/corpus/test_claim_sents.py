"""Candidate claim sentences in columns: what goes in comes back, row by row."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.corpus.claims import sents as sents_module
from narrascope.corpus.claims.sents import Place, Rows, Sent, SentColumns, Sents, Units


def _some() -> list[Sent]:
    return [
        Sent("a", 0, 40, 7, (6, 1975), ("ent-1",), ("americ", "killed", "six"),
             ((6, "americ"),), ("ent-1", "tehran"), (-5, 12), 9, ("ent-1",)),
        Sent("a", 41, 90, 8, (), (), ("bridge", "fell"), (), (), (), 7, ()),
        Sent("b", 3, 50, 7, (6,), ("ent-1", "ent-2"), ("deaths", "six", "americ"),
             ((6, "americ"),), ("ent-2",), (), 8, ()),
    ]  # fmt: skip


def test_rows_come_back_as_they_went_in() -> None:
    given = _some()
    sents = Sents.of(given)
    assert len(sents) == 3
    assert list(sents) == given
    assert sents[-1] == given[-1]
    assert sents[0:2] == given[0:2]
    with pytest.raises(IndexError):
        sents[3]
    assert sents.doc_of(2) == "b"
    # one vocabulary for every field: a word and a name spelled alike share an id
    assert len(sents.vocab) == len(set(sents.vocab))
    assert sents.lengths("words").tolist() == [3, 2, 3]


def test_a_field_can_be_filtered_and_replaced() -> None:
    sents = Sents.of(_some())
    rows, ents = sents.items("ents")
    assert rows.tolist() == [0, 2, 2]
    keep = np.array([sents.vocab[i] == "ent-1" for i in ents.tolist()])
    sents.put("ents", rows[keep], ents[keep])
    assert [s.ents for s in sents] == [("ent-1",), (), ("ent-1",)]
    sents.put("pairs", np.array([1, 1]), np.array([3, 4]))
    assert [s.pairs for s in sents] == [(), (3, 4), ()]
    assert [s.words for s in sents] == [s.words for s in _some()]  # others untouched
    rows, words = sents.items("words", 1, 2)
    assert rows.tolist() == [1, 1]
    assert [sents.vocab[i] for i in words.tolist()] == ["bridge", "fell"]


def test_a_sentence_is_found_by_its_place() -> None:
    sents = Sents.of(_some())
    assert sents.locate("a", 41, 90) == 1
    assert sents.locate("b", 3, 50) == 2
    assert sents.locate("a", 41, 91) is None
    assert sents.locate("c", 0, 40) is None


def test_the_columns_appended_to_are_kept_not_copied() -> None:
    cols = SentColumns()
    for s in _some():
        cols.append(s.doc, s.start, s.end, s.key, s.size, {"words": s.words, "nums": s.nums})
    sents = cols.done()
    assert [s.start for s in sents] == [0, 41, 3]
    assert sents[0].words == ("americ", "killed", "six")
    assert np.shares_memory(sents.start, np.frombuffer(cols.start, dtype=np.int32))
    with pytest.raises(BufferError):  # the columns are done: nothing is appended after
        cols.append("c", 0, 9, 1, 2, {})


def test_places_keep_where_each_row_is_and_nothing_else() -> None:
    sents = Sents.of(_some())
    places = sents.places()
    del sents  # the places do not need the columns they were made from
    assert len(places) == 3
    assert [places.place(i) for i in range(3)] == [
        Place("a", 0, 40), Place("a", 41, 90), Place("b", 3, 50)
    ]
    assert places.doc_of(2) == "b"
    assert all(type(v) is int for v in places.place(1)[1:])  # written to the store as they are
    assert not hasattr(places, "vocab")


def test_rows_hold_a_bounded_number_of_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sents_module, "HELD", 2)
    sents = Sents.of(_some())
    rows = Rows(sents, np.array([2, 0, 1]))
    assert rows[0] is rows[0]  # held
    assert rows[1].doc == "a"
    assert rows[2].start == 41  # a third: the held ones are let go first
    assert len(rows._held) == 1
    assert rows.span(0) == ("b", 3, 50)
    assert rows.key(1) == 7
    assert list(rows) == [sents[2], sents[0], sents[1]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_units_group_rows_by_key_in_order_of_their_first_row(seed: int) -> None:
    key = np.random.default_rng(seed).integers(-5, 40, size=200)
    expected: dict[int, list[int]] = {}
    for i, k in enumerate(key.tolist()):
        expected.setdefault(k, []).append(i)
    units = Units(key)
    assert list(units) == list(expected.values())
    assert units.first.tolist() == [u[0] for u in expected.values()]
    assert np.diff(units.bounds).tolist() == [len(u) for u in expected.values()]
    assert units[-1] == list(expected.values())[-1]
    with pytest.raises(IndexError):
        units[len(expected)]
    assert len(Units(np.zeros(0, dtype=np.int64))) == 0


def test_raw_fields_share_items_as_the_sentences_do() -> None:
    sents = Sents.of(_some())
    assert list(sents.raw(0, "nums")) == [6, 1975]
    assert [sents.vocab[i] for i in sents.raw(2, "names")] == ["ent-2"]
    assert len(sents.raw(1, "names")) == 0
    for i in range(3):
        for k in range(3):
            for field in ("nums", "names", "ents", "words"):
                assert sents_module.meets(sents.raw(i, field), sents.raw(k, field)) == (
                    sents_module.meets(getattr(sents[i], field), getattr(sents[k], field)))
