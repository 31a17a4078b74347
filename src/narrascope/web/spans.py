"""Highlight layers over a document's text, rendered to escaped HTML server-side.

A layer is a kind of finding (entities, quotes, dates, techniques, ...). Each
finding becomes a :class:`Span` with offsets into the document text. Any table of
the store with ``doc``, ``start`` and ``end`` columns can feed a layer, so a new
kind of finding shows up in the reader without changes here.

The text is split at every span boundary; each piece is escaped on its own and
wrapped in one ``<span>`` carrying the classes of every span covering it, so
overlapping and nested findings render without broken markup.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = [
    "KNOWN_LAYERS",
    "MAX_LAYERS",
    "Layer",
    "Span",
    "document_layers",
    "render_text",
    "span_tables",
]

#: Layer slots styled by the stylesheet (``hl-L0`` .. ``hl-L9``).
MAX_LAYERS = 10

#: Tables with their own span builder; any other doc/start/end table is generic.
KNOWN_LAYERS = ("mentions", "quotes", "timexes", "techniques")

#: Tables with doc/start/end that are not findings to highlight.
#: (``claims`` holds each claim's representative sentence, which is one of its
#: ``claim_members``: one layer of claims, not two with the same title.)
_NOT_LAYERS = frozenset({"regions", "sentences", "events", "documents_fts",
                         "sentence_embeddings", "sentence_attribution", "claims"})

#: Columns tried, in order, for a generic span's label.
_LABEL_COLUMNS = ("label", "technique", "kind", "type", "value", "name")


@dataclass(frozen=True, slots=True)
class Span:
    """One highlighted stretch: ``text[start:end]``, its label, an optional link."""

    start: int
    end: int
    label: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Layer:
    """A toggleable kind of finding, with its spans in one document."""

    key: str
    title: str
    slot: int
    spans: tuple[Span, ...]


def span_tables(tables: dict[str, list[str]]) -> list[str]:
    """Tables (name -> columns) whose rows are spans of a document, known ones first."""
    found = [
        t for t, cols in tables.items()
        if {"doc", "start", "end"} <= set(cols) and t not in _NOT_LAYERS
        and not t.startswith(("sqlite_", "documents_fts"))
    ]
    known = [t for t in KNOWN_LAYERS if t in found]
    return known + sorted(t for t in found if t not in KNOWN_LAYERS)


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) else None


def _quote_spans(rows: Iterable[Any]) -> list[Span]:
    spans = []
    for r in rows:
        speaker = r["speaker"] or r["source_type"] or "unattributed"
        label = f"{r['kind']} quote · speaker: {speaker}"
        try:
            parts = [tuple(p) for p in json.loads(r["parts"] or "[]")]
        except (ValueError, TypeError):
            parts = []
        for s, e in parts or [(r["start"], r["end"])]:
            spans.append(Span(int(s), int(e), label))
        ss, se = _int(r["speaker_start"]), _int(r["speaker_end"])
        if ss is not None and se is not None and ss < se:
            spans.append(Span(ss, se, f"speaker of a {r['kind']} quote"))
    return spans


def _mention_spans(rows: Iterable[Any]) -> list[Span]:
    return [
        Span(r["start"], r["end"], r["label"], f"/entity/{r['entity']}" if r["entity"] else None)
        for r in rows
    ]


def _timex_spans(rows: Iterable[Any]) -> list[Span]:
    return [
        Span(r["start"], r["end"], f"{r['kind']}: {r['value'] or 'unresolved'}") for r in rows
    ]


def _technique_spans(rows: Iterable[Any]) -> list[Span]:
    spans = []
    for r in rows:
        label = str(r["technique"])
        if "score" in r and isinstance(r["score"], float):
            label += f" ({r['score']:.2f})"
        spans.append(Span(r["start"], r["end"], label))
    return spans


#: VADER compound score from which a sentence is marked as clearly negative or positive.
#: Every content sentence has a score; marking them all would grey the whole text.
SENTIMENT_MARK = 0.5


def _sentiment_spans(rows: Iterable[Any]) -> list[Span]:
    return [
        Span(r["start"], r["end"],
             f"{'negative' if r['compound'] < 0 else 'positive'} ({r['compound']:+.2f})")
        for r in rows
        if isinstance(r["compound"], float) and abs(r["compound"]) >= SENTIMENT_MARK
    ]  # fmt: skip


def _generic_spans(rows: Iterable[Any], columns: Sequence[str]) -> list[Span]:
    col = next((c for c in _LABEL_COLUMNS if c in columns), None)
    return [Span(r["start"], r["end"], str(r[col]) if col else "") for r in rows]


_TITLES = {"mentions": "Entities", "quotes": "Quotes", "timexes": "Dates",
           "techniques": "Techniques", "claim_members": "Claims"}


def document_layers(
    query: Any, tables: dict[str, list[str]], doc_id: str, length: int
) -> list[Layer]:
    """The highlight layers of one document; ``query(sql, params)`` reads the store."""
    layers: list[Layer] = []
    for slot, table in enumerate(span_tables(tables)[:MAX_LAYERS]):
        rows = query(
            f'SELECT * FROM "{table}" WHERE doc = ? ORDER BY start',  # noqa: S608 - name from sqlite_master
            (doc_id,),
        )
        if table == "mentions":
            spans = _mention_spans(rows)
        elif table == "quotes":
            spans = _quote_spans(rows)
        elif table == "timexes":
            spans = _timex_spans(rows)
        elif table == "techniques":
            spans = _technique_spans(rows)
        elif table == "sentence_sentiment":
            spans = _sentiment_spans(rows)
        elif table == "claim_members":
            spans = [Span(r["start"], r["end"], f"claim {r['claim']}", "/claims") for r in rows]
        else:
            spans = _generic_spans(rows, tables[table])
        valid = tuple(s for s in spans if isinstance(s.start, int) and isinstance(s.end, int)
                      and 0 <= s.start < s.end <= length)
        layers.append(Layer(table, _TITLES.get(table, table.replace("_", " ").title()),
                            slot, valid))
    return layers


def render_text(
    text: str,
    layers: Sequence[Layer],
    boilerplate: Iterable[tuple[int, int, str]] = (),
    focus: tuple[int, int] | None = None,
) -> Markup:
    """``text`` as HTML: every piece escaped, highlighted by the layers covering it.

    ``boilerplate`` is ``(start, end, kind)`` of regions shown greyed out; ``focus``
    marks one span (``id="focus"``) that a link to the evidence points at.
    """
    n = len(text)
    items: list[tuple[int, int, str, str, str | None]] = []  # start, end, class, title, href
    for layer in layers:
        items += [(s.start, s.end, f"hl hl-L{layer.slot}", f"{layer.title}: {s.label}", s.href)
                  for s in layer.spans]
    items += [(max(0, s), min(n, e), "bp", f"boilerplate: {k}", None)
              for s, e, k in boilerplate if s < e]
    if focus is not None and 0 <= focus[0] < focus[1] <= n:
        items.append((focus[0], focus[1], "focus", "evidence", None))
    cuts = sorted({0, n, *(i[0] for i in items), *(i[1] for i in items)})
    starts: dict[int, list[int]] = {}
    for k, it in enumerate(items):
        starts.setdefault(it[0], []).append(k)
    active: set[int] = set()
    out: list[str] = []
    focus_done = False
    for a, b in itertools.pairwise(cuts):
        active = {k for k in active if items[k][1] > a} | set(starts.get(a, ()))
        piece = str(escape(text[a:b]))
        if not active:
            out.append(piece)
            continue
        on = sorted(active)
        classes = " ".join(dict.fromkeys(" ".join(items[k][2] for k in on).split()))
        title = "; ".join(dict.fromkeys(items[k][3] for k in on))
        href = next((items[k][4] for k in on if items[k][4]), None)
        attrs = f' class="{escape(classes)}" title="{escape(title)}"'
        if "focus" in classes and not focus_done:
            attrs += ' id="focus"'
            focus_done = True
        inner = f'<a href="{escape(href)}">{piece}</a>' if href else piece
        out.append(f"<span{attrs}>{inner}</span>")
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped
