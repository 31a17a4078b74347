"""Sentence attribution status, glued and block quotes, speaker rules, summaries, scores."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from narrascope.extract import nlp as nlp_stage
from narrascope.extract.attribution import attribute
from narrascope.extract.hedges import sentence_statuses
from narrascope.extract.marks import pair_marks
from narrascope.model import CONTENT, Document, RawDocument, Region
from narrascope.pipeline import parse
from narrascope.settings import Settings
from narrascope.store import SqliteStore


def _doc(text: str, nlp: Any) -> Document:
    doc = Document(source="t.txt", format="txt", text=text,
                   regions=(Region(0, len(text), CONTENT),))
    parsed = nlp_stage.parse_batch([doc], nlp, Settings())[0]
    doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                  mentions=nlp_stage.mentions(doc, parsed))
    return attribute(doc, parsed)


def test_sentence_statuses(nlp: Any) -> None:
    text = ("The mayor, John Carter, said that the budget would be cut next year. "
            "The factory has reportedly closed its doors to all inspectors. "
            "The river runs through the old town and past the harbour. "
            "“We will rebuild the bridge before winter,” Carter told reporters. "
            "It is believed that the council will meet again in May.")
    doc = _doc(text, nlp)
    got = {doc.text[s.start:s.end].split()[1]: s.status for s in sentence_statuses(doc)}
    assert got == {"mayor,": "attributed", "factory": "hedged", "river": "unattributed",
                   "will": "quoted", "is": "hedged"}


def test_glued_marks_pair_inside_an_outer_quote() -> None:
    text = "“That the U.S. is cozy with”former”terror groups is plain.”Perry concludes."
    got = {text[slice(*q.content)] for q in pair_marks(text)}
    assert "former" in got
    assert "That the U.S. is cozy with”former”terror groups is plain." in got


def test_unclosed_quote_after_colon_runs_to_footnote(nlp: Any) -> None:
    text = ('Maria Stone describes the meeting in her memoir as follows: "We met at the '
            'harbour at dawn and then, she said: "nobody will know." We left at noon. '
            "(*) The rest is history.\n(*) Harbour Days, Maria Stone")
    doc = _doc(text, nlp)
    block = next(q for q in doc.quotes if doc.text[q.start:].startswith("We met"))
    assert block.kind == "direct"
    assert block.speaker == "Maria Stone"
    assert doc.text[block.start:block.end].endswith("We left at noon.")
    assert any(doc.text[q.start:].startswith("nobody will know") for q in doc.quotes)


def test_role_apposition_makes_a_person_and_pronoun_follows(nlp: Any) -> None:
    text = ("Raymond Tanter said the plan could work. “We are serious about this,” he said. "
            "Olek Varnabrask, a spokesman for the Council for Change, similarly said that "
            "the vote was close. “If the council really wants to help, the only way is to "
            "wait,” he said.")
    doc = _doc(text, nlp)
    last = doc.quotes[-1]
    assert last.speaker == "Olek Varnabrask"
    assert last.source_type == "person"


def _seed(seeds: Path, nlp: Any, prefix: str) -> Document:
    path = next(seeds.glob(f"{prefix}_*.txt"))
    raw = RawDocument(source=str(path), format="txt", body=path.read_text(encoding="utf-8"))
    doc = parse(raw, Settings())
    parsed = nlp_stage.parse_batch([doc], nlp, Settings())[0]
    doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                  mentions=nlp_stage.mentions(doc, parsed))
    return attribute(doc, parsed)


def _find(doc: Document, start: str) -> Any:
    return next(q for q in doc.quotes if doc.text[q.start:q.end].startswith(start))


def test_seeds_direct_quotes_all_have_speakers(seeds: Path, nlp: Any) -> None:
    docs = {p: _seed(seeds, nlp, p) for p in ("000", "001", "002", "003", "004")}
    for doc in docs.values():
        for q in doc.quotes:
            if q.kind == "direct":
                assert q.speaker or q.source_type in {"anonymous", "document"}, (
                    doc.text[q.start:q.start + 60])
    kuz = _find(docs["000"], "Establishing contact")
    assert kuz.kind == "direct"
    assert kuz.speaker is not None
    assert kuz.speaker.endswith("Kuzichkin")
    assert _find(docs["000"], "I go the city").speaker.endswith("Vizinko")
    put = _find(docs["001"], "While in war fronts")
    assert put.speaker is not None
    assert put.speaker.endswith("Rajavi")
    marand = _find(docs["003"], "some in the Congress")
    assert marand.source_type == "person"
    assert _find(docs["003"], "If the US really wants").speaker == marand.speaker
    assert _find(docs["003"], "repressive, sect-like").source_type == "document"
    assert _find(docs["003"], "Yes, one of the things").source_type == "anonymous"
    assert _find(docs["004"], "At whiplash speed").speaker.endswith("Beast")
    cozy = _find(docs["004"], "That the U.S. is still cozy")
    assert docs["004"].text[cozy.start:cozy.end].rstrip(".").endswith("overwhelming")
    assert _find(docs["004"], "The leading dissident").speaker.endswith("Downes")
    notes = [c for c in docs["000"].citations if c.kind == "footnote"]
    assert len(notes) >= 4


def test_sample_gold_score_and_summary(
    memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    from narrascope.corpus.sources import export_sources, quotes_of, summarise
    from narrascope.demo import sample_corpus
    from narrascope.eval.quotes import _predicted, load_gold, score
    from narrascope.pipeline import build

    with sample_corpus() as folder:
        build([str(folder)], memory_store, settings, nlp=nlp)
    result = score(load_gold(), _predicted(memory_store))
    assert result.gold >= 70
    assert result.f1 >= 0.85
    assert result.speaker_accuracy >= 0.75
    corpus, docs = summarise(memory_store)
    assert len(docs) == 11
    assert corpus.sentences == sum(d.sentences for d in docs) > 100
    assert 0.2 < corpus.attributed_share < 0.6
    assert 0 < corpus.anonymous_share < 0.6
    assert corpus.speakers[0][0] == "Dagny Lindqvist"
    pelt = quotes_of(memory_store, "Pelt")
    assert pelt
    assert all(q["speaker"] == "Joran Pelt" for q in pelt)
    sources = list(export_sources(memory_store))
    assert any("Institute for Democratic Resilience" in s["text"] for s in sources)
    assert all(s["start"] < s["end"] for s in sources)
    json.dumps(sources)
