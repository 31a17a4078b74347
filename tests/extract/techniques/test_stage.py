"""The technique stage in the build: bundled weights, content regions only, targets, export."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from narrascope.export import records
from narrascope.extract.techniques import (
    technique_counts,
    technique_taxonomy,
    techniques,
)
from narrascope.extract.techniques.model import load_model
from narrascope.model import CONTENT, Document, Region
from narrascope.pipeline import annotate, build
from narrascope.settings import Settings
from narrascope.store import SqliteStore

LOADED = (
    "The corrupt and criminal regime of Governor Harlan Voss is a terrorist cult. "
    "Voss, a disgraceful liar and a traitor, brainwashes innocent children every day. "
    "This evil, monstrous gang of thugs must be stopped before they destroy our nation!"
)
BOILERPLATE = "Subscribe now: evil, monstrous, disgraceful terrorist cult of thugs and traitors!"


def _doc() -> Document:
    text = f"{BOILERPLATE}\n\n{LOADED}\n\n{BOILERPLATE}"
    first = len(BOILERPLATE) + 2
    return Document(
        source="t.txt", format="txt", text=text,
        regions=(Region(0, len(BOILERPLATE), "footer"),
                 Region(first, first + len(LOADED), CONTENT),
                 Region(first + len(LOADED) + 2, len(text), "footer")),
    )


def test_taxonomy_has_the_14_ptc_labels_mapped_to_2023() -> None:
    tax = technique_taxonomy()
    assert len(tax) == 14
    assert tax["Thought-terminating_Cliches"].semeval2023 == ("Conversation_Killer",)
    assert tax["Black-and-White_Fallacy"].semeval2023 == ("False_Dilemma-No_Choice",)
    assert set(load_model().labels) == set(tax)


def test_stage_marks_loaded_language_in_content_only(nlp: Any, settings: Settings) -> None:
    (doc,) = annotate([_doc()], nlp, settings)
    assert doc.techniques
    content = doc.content_spans[0]
    for t in doc.techniques:
        assert 0 <= t.start < t.end <= len(doc.text)
        assert content[0] <= t.start
        assert t.end <= content[1]
        assert doc.text[t.start:t.end] == t.text
        assert t.technique in technique_taxonomy()
        assert 0.0 < t.score <= 1.0
        if t.target_start is not None:
            assert t.target_end is not None
            assert doc.in_content(t.target_start, t.target_end)
            assert doc.text[t.target_start:t.target_end] == t.target
            assert t.target_end <= t.start or t.end <= t.target_start
    kinds = Counter(t.technique for t in doc.techniques)
    assert kinds["Loaded_Language"] + kinds["Name_Calling,Labeling"] >= 2
    assert any(t.target for t in doc.techniques)


def test_setting_turns_the_stage_off(nlp: Any, settings: Settings) -> None:
    (doc,) = annotate([_doc()], nlp, settings.replace(techniques=False))
    assert doc.techniques == ()
    assert doc.sentences


def test_no_content_no_spans(nlp: Any) -> None:
    doc = Document(source="b.txt", format="txt", text=BOILERPLATE,
                   regions=(Region(0, len(BOILERPLATE), "footer"),))
    assert techniques(doc, [], load_model()) == ()


def test_seeds_mark_labels_authority_and_cliches_with_targets(
    seeds: Path, settings: Settings
) -> None:
    with SqliteStore(":memory:") as store:
        build([str(seeds)], store, settings)
        rows = store.query("SELECT * FROM techniques")
        assert rows
        for r in rows:
            regions = store.query(
                "SELECT start, end FROM regions WHERE doc = ? AND kind = 'content'"
                " AND start <= ? AND ? <= end", (r["doc"], r["start"], r["end"]))
            assert regions, f"technique span outside content: {r['text']!r}"
        labelling = [r for r in rows
                     if r["technique"] in {"Loaded_Language", "Name_Calling,Labeling"}]
        assert len({r["doc"] for r in labelling}) >= 3
        targeted = [r for r in labelling if r["target"]]
        assert len(targeted) >= 5
        pejorative = [r for r in labelling if any(
            w in r["text"].lower() for w in ("terror", "cult", "liar", "authoritarian"))]
        assert pejorative, "no loaded label such as 'terrorist' or 'cult' was marked"
        kinds = Counter(r["technique"] for r in rows)
        for label in ("Loaded_Language", "Name_Calling,Labeling", "Appeal_to_Authority",
                      "Thought-terminating_Cliches"):
            assert kinds[label] >= 1, f"no {label} span in the seeds: {dict(kinds)}"
        authority = [r for r in rows if r["technique"] == "Appeal_to_Authority"]
        assert any(r["target"] for r in authority), "no appeal to authority has a target"
        cliches = [r for r in rows if r["technique"] == "Thought-terminating_Cliches"]
        assert all(r["target"] for r in cliches), "a cliché without a target"
        # the generic statements marked are whole short sentences, never a headline list
        assert all(len(r["text"].split()) <= 12 and r["text"].rstrip()[-1] in ".!"
                   for r in cliches)
        exported = list(records(store, "techniques"))
        assert len(exported) == len(rows)
        assert set(exported[0]) >= {"doc", "start", "end", "text", "technique", "score",
                                    "target_entity"}
        per_doc = technique_counts(store, "doc")
        assert sum(c.count for c in per_doc) == len(rows)
        assert all(c.per_1000_words > 0 for c in per_doc)
        per_entity = technique_counts(store, "entity")
        assert sum(c.count for c in per_entity) == sum(1 for r in rows if r["target"])


def test_technique_counts_rejects_unknown_grouping(memory_store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="doc"):
        technique_counts(memory_store, "site")
