"""Relations from hand-written sentences, parsed with the real spaCy model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from narrascope.extract import attribution
from narrascope.extract import events as events_stage
from narrascope.extract import nlp as nlp_stage
from narrascope.extract.relations import relations
from narrascope.model import Document, Region, Relation
from narrascope.settings import Settings


def _relations(text: str, nlp: Any, settings: Settings) -> list[Relation]:
    doc = Document(source="t.txt", format="txt", text=text,
                   regions=(Region(0, len(text), "content"),))
    parsed = nlp_stage.parse_batch([doc], nlp, settings)[0]
    doc = replace(doc, sentences=nlp_stage.sentences(doc, parsed),
                  mentions=nlp_stage.mentions(doc, parsed))
    doc = attribution.attribute(doc, parsed)
    found = list(relations(doc, parsed, events_stage.lemmatizer(nlp)))
    for r in found:  # every finding indexes the text
        assert 0 <= r.start < r.end <= len(text)
        assert text[r.subject_start:r.subject_end] == r.subject
        assert text[r.object_start:r.object_end] == r.object
    return found


def _ref(text: str, r: Relation, end: str) -> str:
    return text[getattr(r, f"{end}_ref_start"):getattr(r, f"{end}_ref_end")]


def _find(text: str, found: list[Relation], subj: str, relation: str, obj: str) -> Relation:
    for r in found:
        if subj in _ref(text, r, "subject") and relation == r.relation and (
                obj in _ref(text, r, "object")):
            return r
    seen = [(_ref(text, r, "subject"), r.relation, _ref(text, r, "object")) for r in found]
    pytest.fail(f"no {subj} -{relation}-> {obj} in {seen}")


def test_active_and_prepositional(nlp: Any, settings: Settings) -> None:
    text = ("Acme Corporation funded the Liberation Front. "
            "Victor Hale collaborated with Maria Lopez.")
    found = _relations(text, nlp, settings)
    r = _find(text, found, "Acme", "funds", "Liberation Front")
    assert r.pattern == "active"
    assert not r.negated
    assert r.cameo == "07"
    r = _find(text, found, "Victor Hale", "cooperates-with", "Maria Lopez")
    assert r.predicate == "collaborate with"
    assert r.pattern == "prepositional"


def test_passive_is_turned_around(nlp: Any, settings: Settings) -> None:
    text = "The Liberation Front was backed by Acme Corporation."
    r = _find(text, _relations(text, nlp, settings), "Acme", "supports", "Liberation Front")
    assert r.pattern == "passive"


def test_appositive_role(nlp: Any, settings: Settings) -> None:
    text = "John Smith, a proxy of the Kremlin, visited Paris."
    found = _relations(text, nlp, settings)
    r = _find(text, found, "John Smith", "serves", "Kremlin")
    assert r.pattern == "appositive"
    assert r.predicate == "proxy"
    _find(text, found, "John Smith", "contacts", "Paris")


def test_nominal_and_light_verb(nlp: Any, settings: Settings) -> None:
    text = ("The Liberation Front established contact with the KGB in 1979. "
            "The CIA provides material support to the actions of the Liberation Front.")
    found = _relations(text, nlp, settings)
    _find(text, found, "Liberation Front", "contacts", "KGB")
    _find(text, found, "CIA", "supports", "Liberation Front")


def test_negation_and_modality(nlp: Any, settings: Settings) -> None:
    text = ("Acme Corporation did not fund the Liberation Front. "
            "Hamid Karzai may have helped the Taliban.")
    found = _relations(text, nlp, settings)
    assert _find(text, found, "Acme", "funds", "Liberation Front").negated
    r = _find(text, found, "Karzai", "supports", "Taliban")
    assert r.modality == "may"
    assert not r.negated


def test_no_presence_is_negated(nlp: Any, settings: Settings) -> None:
    text = "The Liberation Front has no presence in Iran."
    assert _find(text, _relations(text, nlp, settings), "Liberation Front", "located-in",
                 "Iran").negated


def test_pronoun_subject_resolved(nlp: Any, settings: Settings) -> None:
    text = "The Liberation Front is a small group. They helped Saddam Hussein in the war."
    r = _find(text, _relations(text, nlp, settings), "Liberation Front", "supports", "Saddam")
    assert r.subject == "They"


def test_attribution_quoted_versus_outlet(nlp: Any, settings: Settings) -> None:
    text = ("Acme Corporation funded the Liberation Front. "
            'Scott Ritter said: "The CIA backs the Taliban."')
    found = _relations(text, nlp, settings)
    r = _find(text, found, "CIA", "supports", "Taliban")
    assert r.attribution == "quoted"
    assert "Ritter" in r.asserted_by
    r = _find(text, found, "Acme", "funds", "Liberation Front")
    assert r.attribution == "outlet"
    assert r.asserted_by == "outlet"


def test_unknown_predicate_kept_verbatim(nlp: Any, settings: Settings) -> None:
    text = "Victor Hale praised Maria Lopez."
    r = _find(text, _relations(text, nlp, settings), "Victor Hale", "praise", "Maria Lopez")
    assert r.relation == r.predicate == "praise"
    assert r.cameo is None


def test_no_object_and_not_just(nlp: Any, settings: Settings) -> None:
    text = ("Victor Hale offered no help to Maria Lopez. "
            "Victor Hale did not just meet Maria Lopez, he funded her.")
    found = _relations(text, nlp, settings)
    assert _find(text, found, "Victor Hale", "supports", "Maria Lopez").negated
    assert not _find(text, found, "Victor Hale", "contacts", "Maria Lopez").negated


def test_question_is_marked(nlp: Any, settings: Settings) -> None:
    text = "Will Acme Corporation fund the Liberation Front?"
    r = _find(text, _relations(text, nlp, settings), "Acme", "funds", "Liberation Front")
    assert r.modality is not None
    assert "question" in r.modality


def test_she_skips_a_man(nlp: Any, settings: Settings) -> None:
    text = ("Mrs Maria Lopez spoke. She thanked everyone. Mr Victor Hale arrived. "
            "She met Acme Corporation.")
    r = _find(text, _relations(text, nlp, settings), "Lopez", "contacts", "Acme")
    assert r.subject == "She"
