"""Highlighting: text split at span boundaries, each piece escaped, overlaps handled."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from narrascope.web.data import bucket
from narrascope.web.spans import Layer, Span, render_text, span_tables


def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_overlapping_and_nested_spans() -> None:
    text = "Anna Berg met <b>Carl</b> in 1999."
    ents = Layer("mentions", "Entities", 0, (Span(0, 9, "PERSON", "/entity/e1"),
                                             Span(17, 21, "PERSON")))
    quotes = Layer("quotes", "Quotes", 1, (Span(5, 25, "direct quote · speaker: X"),))
    html = str(render_text(text, [ents, quotes], [(29, 34, "footer")]))
    assert _plain(html) == text
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    # "Berg" is covered by both layers, "Anna " by the entity only
    assert '<span class="hl hl-L0" title="Entities: PERSON"><a href="/entity/e1">Anna </a>' in html
    assert 'class="hl hl-L0 hl hl-L1"' not in html
    assert re.search(r'class="hl hl-L0 hl-L1"[^>]*><a href="/entity/e1">Berg</a>', html)
    assert '<span class="bp" title="boilerplate: footer">1999.</span>' in html
    assert html.count("<span") == html.count("</span>")


def test_focus_and_invalid_spans() -> None:
    text = "abcdef"
    html = str(render_text(text, [], focus=(2, 4)))
    assert html == 'ab<span class="focus" title="evidence" id="focus">cd</span>ef'
    assert str(render_text(text, [], focus=(4, 99))) == "abcdef"


def test_span_tables_picks_any_doc_start_end_table() -> None:
    tables = {"techniques": ["id", "doc", "start", "end", "technique"],
              "mentions": ["doc", "start", "end"], "sentences": ["doc", "start", "end"],
              "documents": ["id", "text"], "zeta_spans": ["doc", "start", "end", "label"]}
    assert span_tables(tables) == ["mentions", "techniques", "zeta_spans"]


def test_bucket() -> None:
    assert bucket("198X", "year") == "1980s"
    assert bucket("1979-11", "decade") == "1970s"
    assert bucket("1979-11", "year") == "1979"
    assert bucket("1979-11-03", "month") == "1979-11"
    assert bucket("1979", "month") == "1979"
    assert bucket("PRESENT_REF", "year") == "undated"


@given(st.text(alphabet="ab<>&\"' \n", max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6))
def test_any_spans_keep_the_text_and_escape_it(text: str, pairs: list[tuple[int, int]]) -> None:
    spans = tuple(Span(a, b, "<x>") for a, b in pairs if 0 <= a < b <= len(text))
    html = str(render_text(text, [Layer("t", "T", 0, spans)], [(0, len(text) // 2, "site")]))
    assert _plain(html) == text
    assert "<x>" not in html
    assert re.sub(r"</?(span|a)\b[^>]*>", "", html).count("<") == 0
