"""The trigger lemmatizer: the pipeline's rule lemmas, with caches that stay bounded."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.extract import events as events_stage

TEXT = ("The ministers announced new sanctions after the soldiers were killed, "
        "and the envoys denied that talks had collapsed while prices were rising.")


def test_bounded_cache_same_lemmas(nlp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = list(nlp(TEXT))
    want = [events_stage.lemmatizer(nlp)(t) for t in tokens]
    assert {"announce", "kill", "deny", "collapse", "rise"} <= set(want)
    component = nlp.get_pipe("lemmatizer")
    monkeypatch.setattr(events_stage, "_MAX_CACHED", 3)
    events_stage._RULE_CACHES.pop(component, None)
    for t in tokens:  # spaCy's own cache, for the subclasses whose rule is spaCy's
        component.rule_lemmatize(t)
    assert component.cache
    lemma = events_stage.lemmatizer(nlp)
    got = [lemma(t) for t in tokens * 2]
    assert got == want * 2
    assert len(events_stage._RULE_CACHES[component]) <= 3
    assert len(component.cache) <= 3  # spaCy's own cache is emptied with it


def test_clear_lemma_caches_empties_both_and_keeps_the_lemmas(nlp: Any) -> None:
    tokens = list(nlp(TEXT))
    want = [events_stage.lemmatizer(nlp)(t) for t in tokens]
    component = nlp.get_pipe("lemmatizer")
    assert events_stage._RULE_CACHES[component]
    events_stage.clear_lemma_caches(nlp)
    assert component not in events_stage._RULE_CACHES
    assert not component.cache
    assert [events_stage.lemmatizer(nlp)(t) for t in tokens] == want


def test_rule_forms_are_spacys(nlp: Any) -> None:
    """The set-indexed rule gives spaCy's own lemmas, on every token of the sample."""
    from narrascope.demo import sample_corpus

    component = nlp.get_pipe("lemmatizer")
    forms = events_stage._rule_forms(component)
    assert forms is not None
    with sample_corpus() as folder:
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
                 if p.suffix in {".txt", ".html", ".jsonl"}]
    tokens = [t for doc in nlp.pipe([TEXT, *texts]) for t in doc]
    assert len(tokens) > 2000
    assert {t.pos_ for t in tokens} >= {"NOUN", "VERB", "ADJ", "PROPN", "SPACE", "PUNCT"}
    component.cache.clear()
    differ = [(t.text, t.pos_) for t in tokens if forms(t) != component.rule_lemmatize(t)]
    assert not differ
