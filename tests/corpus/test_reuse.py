"""Passage reuse: planted passages found with exact offsets, repetition, boilerplate, seeds."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from narrascope.corpus.reuse import ReuseParams, align, find_reuse, reuse_passages
from narrascope.model import Document, Region
from narrascope.store import SqliteStore

_RNG = random.Random(3)
_VOCAB = [f"w{i}" for i in range(4000)]


def _para(n: int) -> str:
    return " ".join(_RNG.choice(_VOCAB) for _ in range(n)) + "."


def _save(
    store: SqliteStore,
    name: str,
    parts: list[str],
    *,
    published: str | None = None,
    site: str | None = None,
    boiler: str | None = None,
) -> tuple[str, str]:
    """Store a document made of ``parts`` (content paragraphs) and an optional boilerplate."""
    text = "\n\n".join([*parts, *([boiler] if boiler else [])])
    regions, pos = [], 0
    for i, part in enumerate([*parts, *([boiler] if boiler else [])]):
        start = text.index(part, pos)
        kind = "navigation" if boiler is not None and i == len(parts) else "content"
        regions.append(Region(start, start + len(part), kind))
        pos = start + len(part)
    doc = Document(
        source=name, format="txt", text=text, regions=tuple(regions), published=published, site=site
    )
    store.save_document(doc)
    return store.query("SELECT id FROM documents WHERE source = ?", (name,))[0][0], text


def test_planted_passage_exact_offsets_and_direction(memory_store: SqliteStore) -> None:
    shared = _para(60)
    a, ta = _save(memory_store, "a", [_para(80), shared, _para(50)], published="2021-03-02")
    b, tb = _save(memory_store, "b", [_para(40), shared, _para(70)], published="2021-03-01")
    _save(memory_store, "c", [_para(120)])
    find_reuse(memory_store)
    found = reuse_passages(memory_store)
    assert len(found) == 1
    x = found[0]
    assert (x.doc_a, x.doc_b, x.direction) == (b, a, "a->b")  # b was published first
    assert tb[x.start_a : x.end_a] == shared[:-1]  # the words, without the final full stop
    assert ta[x.start_b : x.end_b] == shared[:-1]
    assert (x.kind, x.scope, x.similarity) == ("verbatim", "between", 1.0)


def test_edited_passage_is_near_verbatim(memory_store: SqliteStore) -> None:
    shared = _para(60)
    words = shared.split()
    words[20], words[41] = "CHANGED", "EDITED"
    _save(memory_store, "a", [_para(30), shared])
    _save(memory_store, "b", [" ".join(words), _para(30)])
    find_reuse(memory_store)
    (x,) = reuse_passages(memory_store)
    assert x.kind == "near-verbatim"
    assert 0.8 < x.similarity < 1.0
    assert x.direction == "undirected"


def test_within_document_repetition(memory_store: SqliteStore) -> None:
    repeated = _para(45)
    d, text = _save(memory_store, "a", [repeated, _para(100), repeated, _para(20)])
    find_reuse(memory_store)
    (x,) = reuse_passages(memory_store)
    assert x.scope == "within"
    assert x.doc_a == x.doc_b == d
    assert x.end_a <= x.start_b
    assert text[x.start_a : x.end_a] == text[x.start_b : x.end_b] == repeated[:-1]


def test_boilerplate_never_counts(memory_store: SqliteStore) -> None:
    template = _para(50)
    for i in range(3):  # the same paragraph on every page of one site
        _save(memory_store, f"s{i}", [_para(60), template], site="one.example")
    # excluded regions are never shingled, even when identical across sites
    nav = _para(40)
    _save(memory_store, "x", [_para(60)], site="two.example", boiler=nav)
    _save(memory_store, "y", [_para(60)], site="three.example", boiler=nav)
    find_reuse(memory_store)
    assert reuse_passages(memory_store) == []
    flagged = reuse_passages(memory_store, boilerplate=True)
    assert flagged
    assert all(x.boilerplate for x in flagged)
    # the same template copied by another site is reuse again
    _save(memory_store, "t", [template, _para(30)], site="two.example")
    find_reuse(memory_store)
    assert reuse_passages(memory_store)


def test_incremental_keeps_old_signatures(memory_store: SqliteStore) -> None:
    shared = _para(50)
    _save(memory_store, "a", [_para(50), shared])
    find_reuse(memory_store)
    before = memory_store.query("SELECT doc, sigs FROM reuse_signatures")
    assert len(before) == 1
    assert reuse_passages(memory_store) == []
    _save(memory_store, "b", [shared])
    find_reuse(memory_store)
    after = {
        r["doc"]: r["sigs"] for r in memory_store.query("SELECT doc, sigs FROM reuse_signatures")
    }
    assert after[before[0]["doc"]] == before[0]["sigs"]
    assert len(reuse_passages(memory_store)) == 1


def test_align_finds_local_passage() -> None:
    p = ReuseParams()
    core = [f"c{i}" for i in range(20)]
    a = ["x"] * 5 + core + ["y"] * 7
    b = ["z"] * 9 + core
    assert align(a, b, p) == [(5, 25, 9, 29)]
    assert align(["q"] * 30, ["r"] * 30, p) == []


def test_seeds_paragraph_repeated_within_article(
    seeds: Path, tmp_path: Path, nlp: Any, settings: Any
) -> None:
    from narrascope.pipeline import build

    with SqliteStore(tmp_path / "seeds.db") as store:
        build([str(seeds)], store, settings, nlp=nlp)
        within = [x for x in reuse_passages(store) if x.scope == "within"]
        assert within
        for x in within:
            text = store.query("SELECT text FROM documents WHERE id = ?", (x.doc_a,))[0][0]
            first, second = text[x.start_a : x.end_a], text[x.start_b : x.end_b]
            assert len(first.split()) >= 20
            assert first == second
            content = [
                (r["start"], r["end"]) for r in store.regions(x.doc_a) if r["kind"] == "content"
            ]
            for s, e in ((x.start_a, x.end_a), (x.start_b, x.end_b)):
                assert any(cs <= s and e <= ce for cs, ce in content)


def test_documents_too_short_for_a_window(memory_store: SqliteStore) -> None:
    _save(memory_store, "a", ["Too short."])
    _save(memory_store, "b", ["Also short."])
    assert find_reuse(memory_store) == 0
    assert reuse_passages(memory_store) == []


def test_only_documents_with_candidates_are_read_again(
    memory_store: SqliteStore, monkeypatch: Any
) -> None:
    """Signing reads each new document once; alignment re-reads only those with
    candidate windows, each once, and holds none past its last pair."""
    from narrascope.corpus import reuse

    shared = _para(60)
    a, _ = _save(memory_store, "a", [_para(50), shared])
    b, _ = _save(memory_store, "b", [shared, _para(50)])
    alone = [_save(memory_store, f"c{i}", [_para(80)])[0] for i in range(4)]
    loads: list[str] = []
    held: list[int] = []
    load, passages = reuse._load_doc, reuse._passages

    def counted(store: SqliteStore, row: Any, words: Any = None) -> Any:
        loads.append(row["id"])
        return load(store, row, words)

    def passages_of(da: Any, *args: Any) -> Any:
        held.append(len(loads))
        return passages(da, *args)

    monkeypatch.setattr(reuse, "_load_doc", counted)
    monkeypatch.setattr(reuse, "_passages", passages_of)
    assert find_reuse(memory_store) == 1
    assert sorted(loads) == sorted([a, b])
    assert not set(loads) & set(alone)
    assert held == [2]
