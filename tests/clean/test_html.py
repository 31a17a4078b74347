"""extract_html: main text and metadata, fallbacks, and hostile markup."""

from __future__ import annotations

import dataclasses
import time

import pytest

from narrascope.clean.html import HtmlExtract, extract_html
from narrascope.errors import InputError

BODY = (
    "The city council approved the new budget on Monday after a long debate. "
    "Mayor Ana Ruiz said the plan would fund three new libraries by 2026. "
)

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<title>Council passes budget | Daily Example</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="Daily Example">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<script>var tracking = "should never appear";</script>
<style>p {{ color: red; }}</style>
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Council passes budget</h1>
<p>{BODY * 3}</p>
<p>Opposition members said the spending was too high and promised to keep fighting it.</p>
</article>
<footer>Copyright 2024 Daily Example. All rights reserved.</footer>
</body></html>"""


def test_article_text_and_metadata() -> None:
    result = extract_html(PAGE, url="https://daily.example.com/news/budget")
    assert isinstance(result, HtmlExtract)
    assert "approved the new budget on Monday" in result.text
    assert "Opposition members" in result.text
    assert "should never appear" not in result.text
    assert "color: red" not in result.text
    assert "All rights reserved" not in result.text
    assert result.title is not None
    assert "Council passes budget" in result.title
    assert result.author == "Jane Doe"
    assert result.published == "2024-03-05"
    assert result.site == "Daily Example"


def test_result_is_frozen() -> None:
    result = extract_html(PAGE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "changed"  # type: ignore[misc]


def test_fragment_and_short_page() -> None:
    assert "Only a fragment" in extract_html("<p>Only a fragment of text here.</p>").text
    short = extract_html("<html><head><title>Hi</title></head><body><p>Short.</p></body></html>")
    assert short.text == "Short."


def test_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    result = extract_html(
        "<html><head><title>Fallback page</title><script>x()</script></head><body>"
        "<div>First block</div><div>Second   block</div><ul><li>item</li></ul></body></html>"
    )
    assert result.text == "First block\nSecond block\nitem"
    assert result.title == "Fallback page"


def test_trafilatura_crash_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def explode(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(trafilatura, "bare_extraction", explode)
    assert extract_html("<html><body><p>Still here.</p></body></html>").text == "Still here."


@pytest.mark.parametrize(
    "markup",
    [
        "",
        "   \n\t ",
        "<html><head><script>only()</script><style>a{}</style></head><body></body></html>",
        "<html><body><!-- just a comment --></body></html>",
    ],
)
def test_nothing_to_extract(markup: str) -> None:
    with pytest.raises(InputError):
        extract_html(markup)


def test_size_cap() -> None:
    with pytest.raises(InputError, match="too large"):
        extract_html(PAGE, max_chars=100)


def test_truncated_markup() -> None:
    cut = PAGE[: PAGE.index("Opposition")]
    result = extract_html(cut)
    assert "approved the new budget" in result.text


def test_xml_declaration_with_encoding() -> None:
    markup = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + PAGE
    assert "approved the new budget" in extract_html(markup).text


def test_entity_expansion_bomb_is_harmless() -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    markup = (
        '<?xml version="1.0"?><!DOCTYPE html [' + "".join(levels) + "]>"
        "<html><body><p>Harmless text &l9; and more.</p></body></html>"
    )
    start = time.monotonic()
    result = extract_html(markup)
    assert time.monotonic() - start < 5
    assert "Harmless text" in result.text
    assert len(result.text) < 1000  # not expanded to 10**9 characters


def test_deep_nesting_does_not_crash() -> None:
    depth = 50_000
    markup = "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "</body></html>"
    start = time.monotonic()
    try:
        result = extract_html(markup)
    except InputError:
        pass
    else:
        assert isinstance(result.text, str)
    assert time.monotonic() - start < 10


def test_garbage_markup_raises_input_error_or_extracts() -> None:
    for markup in ["<<<>>>", "<html", "\x00\x01\x02<p>", "<![CDATA[x]]>", "&#0;&#xD800;<p>t</p>"]:
        try:
            result = extract_html(markup)
        except InputError:
            continue
        assert isinstance(result.text, str)
