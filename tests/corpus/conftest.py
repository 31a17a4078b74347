"""Fixtures of the corpus-stage tests: documents made of given sentences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from narrascope.model import Document, Mention, Region, Sentence
from narrascope.store import SqliteStore

#: ``save_doc(store, name, sentences, *, site=None, published=None, entities=())``
SaveDoc = Callable[..., str]


def save_sentences(
    store: SqliteStore,
    name: str,
    sentences: list[str],
    *,
    site: str | None = None,
    published: str | None = None,
    entities: tuple[str, ...] = (),
) -> str:
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        start = text.index(s, pos)
        spans.append((start, start + len(s)))
        pos = start + len(s)
    doc = Document(
        source=name,
        format="txt",
        text=text,
        site=site,
        published=published,
        regions=(Region(0, len(text), "content"),),
    )
    # the document's id (its text's) is known once it is made: its findings come after
    doc = replace(
        doc,
        sentences=tuple(Sentence(doc.id, s, e) for s, e in spans),
        mentions=tuple(
            Mention(doc.id, i, i + len(e), e, "NORP")
            for e in entities
            for i in [text.find(e)]
            if i >= 0
        ),
    )
    store.save_document(doc)
    return str(store.query("SELECT id FROM documents WHERE source = ?", (name,))[0][0])


@pytest.fixture
def save_doc() -> SaveDoc:
    """Store a document made of ``sentences`` (one content region, ``entities`` as NORP)."""
    return save_sentences
