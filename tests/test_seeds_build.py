"""The foundation's acceptance check on the real scraped corpus (skipped if absent):

``narrascope build ../shared/corpus/seeds --db seeds.db`` then ``narrascope export
--what documents`` gives 5 records whose content spans cover the article bodies,
exclude the boilerplate, and index the original files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrascope.cli import main

# Body sentences that must be inside content, per file prefix (first and last of each body).
BODY = {
    "000": ["The case of MKO's activities was put on the table",
            "RED FRIENDS AGAINST IMPERIALISM",
            "A struggle Iranian people paid the price of which.",
            "(*) KGB in Iran, Reality and Myths, Vladimir Kuzichkin."],
    "001": ["sophisticated MKO units were trained by Iraq's Estekhbarat",
            "were later tried by MKO leaders."],
    "002": ["Around 7:20 a.m. on Saturday, August 28, 1976",
            "will the MEK then launch more terrorist activities against the United States?"],
    "003": ["The MEK or MKO is a Marxist organisation",
            "Iranian security officials reported Saturday",
            "probably with the aid of the US."],
    "004": ["For those who have been involved with the Mujahedin Khalq Organization",
            "has no presence in Iran, not to mention a highly dubious past."],
}
# Boilerplate that must not be inside content.
NOT_BODY = [
    "New Articles", "Most viewed", "You may also like", "Leave a Comment", "Home »",
    "This website uses cookies", "Why Trump’s Hawks Back the MEK Terrorist Cult",
    "NATO’s Terrorist Bases in Europe", "Basque militant group ETA", "Source Source",
    "Rudy Went to Albania to Hang Out", "By Mazda Parsi",
]


def _export(seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    db = tmp_path / "seeds.db"
    assert main(["build", str(seeds), "--db", str(db), "-q"]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--what", "documents", "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_seeds_documents(seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = _export(seeds, tmp_path, capsys)
    assert len(records) == 5
    for rec in records:
        original = Path(rec["source"]).read_bytes().decode("utf-8")
        assert rec["text"] == original
        content = [original[s:e] for s, e in rec["content_spans"]]
        boiler = [original[s:e] for s, e in rec["boilerplate_spans"]]
        for s, e in rec["content_spans"] + rec["boilerplate_spans"]:
            assert 0 <= s < e <= len(original)
        prefix = Path(rec["source"]).name[:3]
        for sentence in BODY[prefix]:
            assert any(sentence in c for c in content), (prefix, sentence)
        for junk in NOT_BODY:
            assert not any(junk in c for c in content), (prefix, junk)
        if "New Articles" in original:
            assert any("New Articles" in b for b in boiler)
    by_prefix = {Path(r["source"]).name[:3]: r for r in records}
    assert by_prefix["004"]["author"] == "Mazda Parsi"
    assert by_prefix["004"]["title"] == "MEK Overt and Covert Server of US Interests"
    assert by_prefix["003"]["title"] == "The MEK and the Iranian Protests"
    assert by_prefix["002"]["title"] == "Nothing Hurts Like the Truth"
