"""Temporal expressions: finding them in content only, and their TIMEX3-style values."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.extract.dates import timexes
from narrascope.extract.nlp import parse_batch
from narrascope.extract.timex_grammar import Anchor, number, sort_key
from narrascope.model import CONTENT, Document, Region, Timex
from narrascope.settings import Settings


def _doc(text: str, published: str | None = None,
         regions: tuple[Region, ...] | None = None) -> Document:
    return Document(source="t.txt", format="txt", text=text, published=published,
                    regions=regions or (Region(0, len(text), CONTENT),))


def _found(nlp: Any, settings: Settings, text: str, published: str | None = None
           ) -> dict[str, Timex]:
    doc = _doc(text, published)
    parsed = parse_batch([doc], nlp, settings)[0]
    return {t.text: t for t in timexes(doc, parsed, published)}


@pytest.mark.parametrize(
    ("text", "expr", "value", "granularity"),
    [
        ("The car was attacked on Saturday, August 28, 1976, in Tehran.",
         "Saturday, August 28, 1976", "1976-08-28", "day"),
        ("The statement is dated Sun, 21 Jun 2009 and was signed by the leaders.",
         "Sun, 21 Jun 2009", "2009-06-21", "day"),
        ("In February 14, 1979, they established contact with an agent.",
         "February 14, 1979", "1979-02-14", "day"),
        ("The embassy was taken over in November 1979 by students.",
         "November 1979", "1979-11", "month"),
        ("When the president visited the country in 1972, bombs went off.",
         "1972", "1972", "year"),
        ("The group was founded in the 1960s by students.", "the 1960s", "196X", "decade"),
        ("Prices rose sharply in the late 1970s across the region.",
         "the late 1970s", "197X", "decade"),
        ("The archive was compiled in the 19th century by monks.",
         "the 19th century", "18", "century"),
        ("Profits fell in the third quarter of 1989 at the bank.",
         "the third quarter of 1989", "1989-Q3", "quarter"),
    ],
)
def test_absolute_and_partial_dates(
    nlp: Any, settings: Settings, text: str, expr: str, value: str, granularity: str
) -> None:
    found = _found(nlp, settings, text)
    assert expr in found, found
    assert (found[expr].value, found[expr].granularity) == (value, granularity)
    assert found[expr].kind == "date"
    assert found[expr].anchor_source == "absolute"


@pytest.mark.parametrize(
    ("text", "expr", "value"),
    [
        ("In the past two decades, its leaders have been resettled abroad.",
         "the past two decades", "P20Y"),
        ("The talks lasted six months before they collapsed.", "six months", "P6M"),
        ("The army stayed there for more than four decades of occupation.",
         "more than four decades", "P40Y"),
    ],
)
def test_durations(nlp: Any, settings: Settings, text: str, expr: str, value: str) -> None:
    found = _found(nlp, settings, text)
    assert found[expr].value == value
    assert found[expr].kind == "duration"


@pytest.mark.parametrize(
    ("text", "expr", "start", "end"),
    [
        ("From 1972 to 1975, the group continued its bombings.", "From 1972 to 1975",
         "1972", "1975"),
        ("It sided with the enemy in the 1980–88 war against its own country.", "1980–88",
         "1980", "1988"),
        ("It fought in the war imposed on the country (1980-1988).", "1980-1988",
         "1980", "1988"),
        ("Donations were made between 2014 and 2018 by several firms.",
         "between 2014 and 2018", "2014", "2018"),
    ],
)
def test_ranges(nlp: Any, settings: Settings, text: str, expr: str, start: str, end: str
                ) -> None:
    t = _found(nlp, settings, text)[expr]
    assert (t.kind, t.start_value, t.end_value, t.value) == ("range", start, end,
                                                             f"{start}/{end}")


@pytest.mark.parametrize(
    ("text", "expr", "value"),
    [
        ("Security officials reported Saturday that they had arrested dozens.", "Saturday",
         "2009-06-20"),
        ("The minister resigned last July after the scandal.", "last July", "2008-07"),
        ("In July of last year, the lawyer spoke at the rally.", "July of last year",
         "2008-07"),
        ("Sales collapsed earlier this year, the company said.", "earlier this year", "2009"),
        ("The delegation was in the parliament last week to ask for help.", "last week",
         "2009-W24"),
        ("The party was banned three years ago by the court.", "three years ago", "2006"),
        ("The police arrested him yesterday at the border.", "yesterday", "2009-06-20"),
    ],
)
def test_relative_to_the_document_date(
    nlp: Any, settings: Settings, text: str, expr: str, value: str
) -> None:
    t = _found(nlp, settings, text, published="2009-06-21")[expr]
    assert (t.value, t.anchor_source) == (value, "document")


def test_future_tense_looks_forward(nlp: Any, settings: Settings) -> None:
    t = _found(nlp, settings, "The committee will meet on Tuesday to decide.",
               published="2009-06-21")["Tuesday"]
    assert t.value == "2009-06-23"


def test_narrative_past_uses_the_discourse_date(nlp: Any, settings: Settings) -> None:
    text = ("The movement was founded in 1965 by six students. The following year, it "
            "opened an office abroad. In July, its leaders were arrested.")
    found = _found(nlp, settings, text, published="2009-06-21")
    assert found["The following year"].value == "1966"
    assert found["The following year"].anchor_source == "discourse"
    assert found["July"].value == "1966-07"


def test_offset_from_a_following_date(nlp: Any, settings: Settings) -> None:
    found = _found(nlp, settings, "Six days after August 28, 1976, a second bomb exploded.")
    t = found["Six days after"]
    assert (t.value, t.anchor_source) == ("1976-09-03", "following")


@pytest.mark.parametrize(
    ("text", "expr"),
    [
        ("The rally took place on Saturday in the capital.", "Saturday"),
        ("Officials met last week to discuss the plan.", "last week"),
        ("The following year, the office was closed.", "The following year"),
        ("A few days later the memo was withdrawn.", "A few days later"),
    ],
)
def test_unresolvable_stays_unresolved(nlp: Any, settings: Settings, text: str, expr: str
                                       ) -> None:
    t = _found(nlp, settings, text)[expr]
    assert t.value is None
    assert t.unresolved_reason


def test_offset_from_an_undated_event_is_only_a_duration(nlp: Any, settings: Settings) -> None:
    found = _found(nlp, settings, "A year after the revolution, they met foreign agents.",
                   published="2009-06-21")
    assert [(t.text, t.value, t.kind) for t in found.values()] == [("A year", "P1Y", "duration")]


def test_numbers_are_not_years(nlp: Any, settings: Settings) -> None:
    found = _found(nlp, settings, "About 2000 protesters marched, and 1500 police watched.")
    assert not any(t.value in {"2000", "1500"} for t in found.values())


def test_only_content_is_searched(nlp: Any, settings: Settings) -> None:
    head = "Latest: On July 22, 2019 the minister spoke\n"
    body = "The group was founded in 1965. It moved abroad in March 1981."
    text = head + body
    doc = _doc(text, regions=(Region(0, len(head) - 1, "list"),
                              Region(len(head), len(text), CONTENT)))
    parsed = parse_batch([doc], nlp, Settings())[0]
    found = timexes(doc, parsed, None)
    assert [t.value for t in found] == ["1965", "1981-03"]
    for t in found:
        assert 0 <= t.start < t.end <= len(text)
        assert doc.in_content(t.start, t.end)
        assert text[t.start:t.end] == t.text


def test_helpers() -> None:
    assert number("twenty-four") == 24
    assert number("a") == 1
    assert number("several") is None
    assert Anchor.parse("2009-06-21") == Anchor(2009, 6, 21)
    assert Anchor.parse(None) is None
    keys = [sort_key(v, g) for v, g in [("196X", "decade"), ("1960", "year"),
                                         ("1979-02-14", "day"), ("1979-11", "month"),
                                         ("2009-W25", "week"), ("2009-06-20", "day")]]
    assert keys == sorted(keys)
