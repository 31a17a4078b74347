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
