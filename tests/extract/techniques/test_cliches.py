"""Generic statements (thought-terminating clichés): must-mark and must-not-mark sentences."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.extract.techniques.cliches import generic_statements, is_generic_statement
from narrascope.extract.techniques.targets import context_target
from narrascope.model import Mention


def _generic(nlp: Any, text: str) -> bool:
    (sent,) = nlp(text).sents
    return is_generic_statement(sent)


@pytest.mark.parametrize(
    "text",
    [
        "No plan is perfect.",
        "No good deed goes unpunished.",
        "A zebra cannot change its stripes.",
        "Every politician lies!",
        "But no government operation ever goes perfectly.",
    ],
)
def test_generic_statements_are_marked(nlp: Any, text: str) -> None:
    assert _generic(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "A man walks into the room.",  # an event, not a general truth
        "The minister cannot attend the meeting.",  # a definite subject
        "Every country in Europe will suffer.",  # names a place
        "No plan was perfect.",  # past
        "An officer said the group cannot change.",  # a report
        "Seven plans cannot fail.",  # a number
        "Is no plan perfect?",  # a question
        "No plan that they made is perfect, and everyone in the room knew it at the time.",
        "Be careful.",  # an imperative
        "His plan cannot fail.",  # a possessive: someone's
    ],
)
def test_other_sentences_are_not(nlp: Any, text: str) -> None:
    assert not _generic(nlp, text)


def test_generic_statements_of_a_paragraph(nlp: Any) -> None:
    doc = nlp("The Harbour League met in March. No plan is perfect. Its members left.")
    assert [s.text for s in generic_statements(doc)] == ["No plan is perfect."]


def test_a_paragraphs_last_sentence_ends_before_the_line_break(nlp: Any) -> None:
    text = "The Harbour League met.\nNo plan is perfect.\nIts members left.\n"
    (found,) = generic_statements(nlp(text))
    assert found.text == "No plan is perfect."
    assert text[found.start_char:found.end_char] == "No plan is perfect."


def test_context_target_is_the_next_sentences_named_subject(nlp: Any) -> None:
    text = ("A zebra cannot change its stripes. After the war, the Harbour League moved to "
            "Corvel; the villagers trusted them.")
    doc = nlp(text)
    at = text.index("Harbour League")
    mention = Mention("d", at - 4, at + len("Harbour League"), "the Harbour League", "ORG")
    first = next(iter(doc.sents))
    assert context_target(first, 0, (mention,)) == (mention.start, mention.end)
    # across a paragraph break, nothing
    doc = nlp("A zebra cannot change its stripes.\nAfter the war, Marlow Tiel left.")
    assert context_target(next(iter(doc.sents)), 0, ()) is None


def test_context_target_falls_back_to_the_previous_sentence(nlp: Any) -> None:
    text = "Marlow Tiel promised reform. A zebra cannot change its stripes."
    doc = nlp(text)
    last = list(doc.sents)[-1]
    found = context_target(last, 0, ())
    assert found is not None
    assert text[found[0]:found[1]] == "Marlow Tiel"
