"""Quotes, speakers and cited sources: every quote style, unbalanced marks, seeds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from narrascope.extract import nlp as nlp_stage
from narrascope.extract.attribution import attribute
from narrascope.extract.marks import pair_marks
from narrascope.model import CONTENT, Document, RawDocument, Region
from narrascope.pipeline import parse
from narrascope.settings import Settings


def _doc(text: str, nlp: Any, regions: tuple[Region, ...] | None = None) -> Document:
    doc = Document(source="t.txt", format="txt", text=text,
                   regions=regions or (Region(0, len(text), CONTENT),))
    parsed = nlp_stage.parse_batch([doc], nlp, Settings())[0]
    doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                  mentions=nlp_stage.mentions(doc, parsed))
    return attribute(doc, parsed)


def _texts(doc: Document) -> list[str]:
    return [" | ".join(doc.text[s:e] for s, e in q.parts) for q in doc.quotes]


@pytest.mark.parametrize(("text", "inside"), [
    ('He said "we will win this fight" today.', "we will win this fight"),
    ("He said “we will win this fight” today.", "we will win this fight"),
    ("He said ‘we will win this fight’ today.", "we will win this fight"),
    ("He said 'we will win this fight' today.", "we will win this fight"),
    ("He said «we will win this fight» today.", "we will win this fight"),
    ("He said „we will win this fight“ today.", "we will win this fight"),
])
def test_every_quote_style_pairs(text: str, inside: str) -> None:
    [q] = [q for q in pair_marks(text) if not q.nested]
    assert text[slice(*q.content)] == inside


def test_apostrophes_are_not_marks() -> None:
    text = "It's Sa'adati’s view, 'the group’s plan isn't working' in the '90s."
    pairs = [q for q in pair_marks(text) if not q.nested]
    assert [text[slice(*q.content)] for q in pairs] == ["the group’s plan isn't working"]


def test_unbalanced_marks_keep_what_pairs() -> None:
    text = 'one " stray mark, then "a real quote here" and an opener " at the end'
    got = [text[slice(*q.content)] for q in pair_marks(text) if not q.nested]
    assert "a real quote here" in got
    assert all(len(g) < 40 for g in got)


def test_glued_marks_split_into_quotes() -> None:
    text = "“The group targeted hotels.”Death to America,”went a song.”May it fall.”"
    got = [text[slice(*q.content)] for q in pair_marks(text)]
    assert got == ["The group targeted hotels.", "Death to America,", "May it fall."]


def test_split_quote_is_one_record(nlp: Any) -> None:
    doc = _doc("“If we are serious about this,” he said, “it will have to be with them.”", nlp)
    [q] = doc.quotes
    assert len(q.parts) == 2
    assert q.cue == "said"
    assert doc.text[q.parts[1][0]:q.parts[1][1]].startswith("it will have")


def test_multi_paragraph_quote(nlp: Any) -> None:
    p1 = "“The first paragraph of the statement goes on for a while"
    p2 = "“and the second paragraph ends it properly,” said Maria Jensen."
    text = f"{p1}\n{p2}"
    doc = _doc(text, nlp, (Region(0, len(p1), CONTENT), Region(len(p1) + 1, len(text), CONTENT)))
    assert len(doc.quotes) == 2
    assert doc.quotes[0].group is not None
    assert doc.quotes[0].group == doc.quotes[1].group
    assert all(q.speaker == "Maria Jensen" for q in doc.quotes)


def test_partial_quote_and_pronoun(nlp: Any) -> None:
    text = ("Senator Paul Hendricks spoke on Monday. He said the plan was “a dangerous "
            "gamble” for the country.")
    doc = _doc(text, nlp)
    [q] = [q for q in doc.quotes if q.kind == "partial"]
    assert q.speaker == "Paul Hendricks"
    assert q.source_type == "person"
    assert doc.text[q.speaker_start or 0:q.speaker_end or 0] == "He"


@pytest.mark.parametrize(("text", "speaker", "source_type"), [
    ("John Carter said that the budget would be cut next year.", "John Carter", "person"),
    ("Officials said that the border would remain closed for weeks.", None, "anonymous"),
    ("According to Maria Lopez, the company lost money in every quarter.", "Maria Lopez",
     "person"),
    ("The factory has reportedly closed its doors to all inspectors.", None, "anonymous"),
    ("A 2019 report by the audit office found that the funds were missing.", None,
     "document"),
])
def test_indirect_speech(nlp: Any, text: str, speaker: str | None, source_type: str) -> None:
    doc = _doc(text, nlp)
    assert doc.quotes, text
    q = doc.quotes[0]
    assert q.source_type == source_type
    if speaker:
        assert q.speaker == speaker


def test_footnote_and_url(nlp: Any) -> None:
    text = ("The agent met them in a safe house. (*) The rest is history, see "
            "https://example.org/a.html.\n(*) The Long Night, John Smith")
    doc = _doc(text, nlp)
    notes = [c for c in doc.citations if c.kind == "footnote"]
    assert len(notes) == 1
    assert notes[0].text == "The Long Night, John Smith"
    assert doc.text[notes[0].start:notes[0].end] == "(*)"
    assert notes[0].sentences
    assert any(c.kind == "url" and c.text == "https://example.org/a.html" for c in doc.citations)


_MARK_CHARS = st.sampled_from(list("\"'“”‘’«»„‹› \n.,aZ:"))


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_MARK_CHARS, st.text(max_size=6)), max_size=80))
def test_random_marks_never_raise(chunks: list[str]) -> None:
    text = "".join(chunks)
    for q in pair_marks(text):
        s, e = q.content
        assert 0 <= q.open < len(text)
        assert s <= e <= len(text)


def test_quotes_in_bounds_and_in_content(nlp: Any) -> None:
    import random

    rng = random.Random(4)
    for _ in range(15):
        words = [rng.choice(['"', "“", "”", "'", "said", "he", "The", "Smith", "report", ",",
                             ".", "\n", "«", "»", "word", "told", "CNN"]) for _ in range(60)]
        text = "Intro line.\n" + " ".join(words) + "\nFooter line"
        body = (12, len(text) - len("\nFooter line"))
        doc = _doc(text, nlp, (Region(0, 11, "header"), Region(*body, CONTENT),
                               Region(body[1] + 1, len(text), "footer")))
        for q in doc.quotes:
            for s, e in q.parts:
                assert 0 <= s < e <= len(text)
                assert doc.in_content(s, e)
        for c in doc.citations:
            assert doc.in_content(c.start, c.end)


def _seed(seeds: Path, nlp: Any, prefix: str) -> Document:
    path = next(seeds.glob(f"{prefix}_*.txt"))
    raw = RawDocument(source=str(path), format="txt", body=path.read_text(encoding="utf-8"))
    doc = parse(raw, Settings())
    parsed = nlp_stage.parse_batch([doc], nlp, Settings())[0]
    doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                  mentions=nlp_stage.mentions(doc, parsed))
    return attribute(doc, parsed)


def test_seeds_quotes_and_sources(seeds: Path, nlp: Any) -> None:
    doc = _seed(seeds, nlp, "003")
    by_text = dict(zip(_texts(doc), doc.quotes, strict=True))
    ritter = next(q for t, q in by_text.items() if t.startswith("American taxpayer dollars"))
    assert ritter.speaker is not None
    assert ritter.speaker.endswith("Ritter")
    singleton = next(q for t, q in by_text.items() if t.startswith("the West aims"))
    assert singleton.kind == "indirect"
    assert singleton.speaker == "Anne Singleton"
    cnn = next(q for t, q in by_text.items() if t.startswith("to facilitate a change"))
    assert cnn.source_type == "anonymous"
    report = next(q for t, q in by_text.items() if t.startswith("repressive, sect-like"))
    assert report.source_type == "document"
    for q in doc.quotes:
        assert all(doc.in_content(s, e) for s, e in q.parts)
    doc0 = _seed(seeds, nlp, "000")
    notes = [c for c in doc0.citations if c.kind == "footnote"]
    first = next(c for c in notes if doc0.text[c.start:c.end] == "(*)")
    assert "Kuzichkin" in first.text
    assert all(doc0.in_content(c.start, c.end) for c in doc0.citations)
