"""Targets of technique spans from the dependency parse."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.extract.techniques.targets import find_target
from narrascope.model import Mention


def _target(nlp: Any, text: str, phrase: str, mentions: tuple[Mention, ...] = ()) -> str | None:
    doc = nlp(text)
    at = text.index(phrase)
    span = doc.char_span(at, at + len(phrase), alignment_mode="expand")
    assert span is not None
    found = find_target(span, 0, mentions)
    return text[found[0]:found[1]] if found else None


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("The corrupt regime collapsed last year.", "corrupt", "regime"),
        ("Critics say the Harbour League is a terrorist cult.", "a terrorist cult",
         "the Harbour League"),
        ("Marlow Tiel, a notorious liar, spoke on Monday.", "a notorious liar", "Marlow Tiel"),
        ("The report showed the cult-like character of the group.", "cult-like character",
         "the group"),
    ],
)
def test_syntactic_targets(nlp: Any, text: str, phrase: str, expected: str) -> None:
    assert _target(nlp, text, phrase) == expected


def test_target_widens_to_the_entity_mention(nlp: Any) -> None:
    text = "Critics say the Harbour League is a terrorist cult."
    at = text.index("Harbour League")
    mention = Mention("d", at, at + len("Harbour League"), "Harbour League", "ORG")
    assert _target(nlp, text, "a terrorist cult", (mention,)) == "Harbour League"


def test_no_target_without_syntax(nlp: Any) -> None:
    assert _target(nlp, "It is what it is.", "It is what it is") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            (
                "Dara Venn, a historian of the region, explains that the Harbour League"
                " wants to rule the coast."
            ),
            "the Harbour League",
        ),
        ("Professor Olin Marsh said that the council had betrayed the voters.", "the council"),
    ],
)
def test_a_whole_report_targets_the_reported_clause_subject(
    nlp: Any, text: str, expected: str
) -> None:
    assert _target(nlp, text, text.rstrip(".")) == expected
