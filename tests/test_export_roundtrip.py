"""Property: what the store holds comes back unchanged through the JSONL and CSV exports."""

from __future__ import annotations

import csv
import io
import json
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.export import export
from narrascope.model import CONTENT, Document, Mention, Region
from narrascope.store import SqliteStore

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=300,
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(TEXT)
    cuts = sorted({*draw(st.lists(st.integers(0, len(text)), max_size=8)), 0, len(text)})
    kinds = st.sampled_from([CONTENT, "list", "cookie", "title"])
    regions = tuple(
        Region(a, b, draw(kinds)) for a, b in pairwise(cuts) if a < b
    )
    doc = Document(source=draw(st.text(min_size=1, max_size=40)), format="txt", text=text,
                   title=draw(st.none() | st.text(max_size=30)), regions=regions)
    mentions = tuple(
        Mention(doc.id, r.start, r.end, text[r.start : r.end], "ORG")
        for r in regions if r.kind == CONTENT
    )  # fmt: skip
    return Document(source=doc.source, format="txt", text=text, title=doc.title,
                    regions=regions, mentions=mentions)


def _jsonl(store: SqliteStore, what: str) -> list[dict[str, object]]:
    out = io.StringIO()
    export(store, what, "jsonl", out)
    return [json.loads(line) for line in out.getvalue().split("\n") if line]


@settings(max_examples=60, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4, unique_by=lambda d: d.id))
def test_documents_and_mentions_round_trip(docs: list[Document]) -> None:
    with SqliteStore(":memory:") as store:
        for doc in docs:
            store.save_document(doc)
        by_id = {d.id: d for d in docs}
        records = _jsonl(store, "documents")
        assert {r["id"] for r in records} == set(by_id)
        for rec in records:
            doc = by_id[str(rec["id"])]
            assert rec["text"] == doc.text
            assert rec["source"] == doc.source
            assert rec["title"] == doc.title
            assert rec["content_spans"] == [list(s) for s in doc.content_spans]
            assert rec["boilerplate_spans"] == [list(s) for s in doc.boilerplate_spans]
        mentions = _jsonl(store, "mentions")
        assert len(mentions) == sum(len(d.mentions) for d in docs)
        for m in mentions:
            text = by_id[str(m["doc"])].text
            assert text[int(str(m["start"])) : int(str(m["end"]))] == m["text"]
        out = io.StringIO()
        export(store, "documents", "csv", out)
        rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
        assert sorted(r["text"] for r in rows) == sorted(d.text for d in docs)
