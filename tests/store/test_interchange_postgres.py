"""The other-tools exports (``narrascope.interchange``) give the same out of SQLite and PostgreSQL.

A few documents with mentions, entities and technique spans are written into both
stores; the table list, every table's CSV, the FollowTheMoney lines and the SemEval
lines must match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.interchange import export_other, export_tables, store_tables
from narrascope.model import CONTENT, Document, Mention, Region, Sentence, document_id
from narrascope.store import EntityRow, SqliteStore, open_store

TEXTS = (
    "Alpha Corp sued Beta Ltd in Brandholm. The corrupt regime lies.",
    "Marta Quell of Alpha Corp spoke. Traitors! Traitors everywhere, she said.",
)


def _docs() -> list[Document]:
    out = []
    for n, text in enumerate(TEXTS):
        doc_id = document_id(text)
        words = [(text.index(w), text.index(w) + len(w), w, label) for w, label in (
            ("Alpha Corp", "ORG"), ("Beta Ltd", "ORG"), ("Brandholm", "GPE"),
            ("Marta Quell", "PERSON")) if w in text]
        out.append(Document(
            source=f"/data/article{100 + n}.txt" if n == 0 else "crawl.jsonl#2", format="txt",
            text=text, title=f"T{n}", published="2024-01-0" + str(n + 1),
            regions=(Region(0, len(text), CONTENT),),
            sentences=(Sentence(doc_id, 0, len(text)),),
            mentions=tuple(Mention(doc_id, s, e, w, label) for s, e, w, label in words),
        ))
    return out


def _fill(store: Any) -> None:
    build = store.start_build(["x"])
    docs = _docs()
    for doc in docs:
        store.save_document(doc, build)
    ids: dict[str, list[int]] = {}
    for m in store.mentions():
        ids.setdefault(m["text"], []).append(int(m["id"]))
    store.replace_entities([
        EntityRow(f"e{n}", name, label, tuple(ids[name]), 1)
        for n, (name, label) in enumerate((("Alpha Corp", "ORG"), ("Beta Ltd", "ORG"),
                                           ("Brandholm", "GPE"), ("Marta Quell", "PERSON")))
    ])
    with store.transaction():
        for doc in docs:
            for word, technique in (("corrupt regime", "Loaded_Language"),
                                    ("Traitors!", "Name_Calling,Labeling")):
                if word in doc.text:
                    start = doc.text.index(word)
                    store.execute(
                        "INSERT INTO techniques (doc, start, end, text, technique, score)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (doc.id, start, start + len(word), word, technique, 0.9))


@pytest.fixture
def stores(pg_url: str, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    with SqliteStore(tmp_path / "a.db") as lite, open_store(pg_url) as pg:
        _fill(lite)
        _fill(pg)
        yield lite, pg


def _csvs(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out[path.stem] = list(csv.DictReader(fh))
    return out


def test_same_tables_and_rows_from_both_stores(stores: tuple[Any, Any], tmp_path: Path) -> None:
    lite, pg = stores
    assert store_tables(lite)[0] == "documents"  # creation order
    assert sorted(store_tables(pg)) == sorted(store_tables(lite))
    assert "documents_fts" not in store_tables(pg)
    counts = [export_tables(s, tmp_path / name) for s, name in ((lite, "lite"), (pg, "pg"))]
    assert counts[0] == counts[1]
    assert counts[0]["documents"] == 2
    assert counts[0]["techniques"] == 2
    a, b = _csvs(tmp_path / "lite"), _csvs(tmp_path / "pg")
    assert set(a) == set(b)
    for table in ("documents", "mentions", "entities", "regions", "sentences", "techniques"):
        key = sorted(a[table][0])
        assert sorted(b[table][0]) == key, table

        def rows(found: list[dict[str, str]], drop: tuple[str, ...] = ("id", "build_id",
                                                                       "added_at")) -> list:
            return sorted(tuple((k, v) for k, v in r.items() if k not in drop) for r in found)

        assert rows(a[table]) == rows(b[table]), table


@pytest.mark.parametrize(("what", "fmt"), [("entities", "ftm"), ("documents", "ftm"),
                                           ("techniques", "semeval-si"),
                                           ("techniques", "semeval-tc")])
def test_same_lines_from_both_stores(stores: tuple[Any, Any], what: str, fmt: str) -> None:
    outs = []
    for store in stores:
        out = io.StringIO()
        export_other(store, what, fmt, out)
        outs.append(out.getvalue())
    assert outs[0] == outs[1]
    assert outs[0]
    if fmt.startswith("semeval"):
        assert outs[0].startswith("100\t")  # article100.txt keeps its id
        assert document_id(TEXTS[1]) in outs[0]  # the other is named by its document id
