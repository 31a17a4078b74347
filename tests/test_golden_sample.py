"""Golden output for the bundled sample corpus.

Run ``pytest tests/test_golden_sample.py --update-golden`` after a deliberate
change, and review the diff of ``tests/golden/sample_documents.json``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from narrascope.demo import run_demo, sample_corpus
from narrascope.settings import Settings
from narrascope.store import SqliteStore

GOLDEN = Path(__file__).resolve().parent / "golden"


def _summary(store: SqliteStore, root: str) -> list[dict[str, Any]]:
    out = []
    for row in store.documents():
        regions = store.regions(row["id"])
        mentions = store.query(
            "SELECT text, label FROM mentions WHERE doc = ? ORDER BY start", (row["id"],)
        )
        out.append({
            "source": row["source"].replace(root, "<sample>"),
            "format": row["format"],
            "title": row["title"],
            "author": row["author"],
            "published": row["published"],
            "site": row["site"],
            "chars": len(row["text"]),
            "content_regions": sum(1 for r in regions if r["kind"] == "content"),
            "boilerplate": dict(sorted(Counter(
                r["kind"] for r in regions if r["kind"] != "content").items())),
            "sentences": store.query(
                "SELECT count(*) FROM sentences WHERE doc = ?", (row["id"],))[0][0],
            "mentions": [f"{m['text']}/{m['label']}" for m in mentions],
        })
    return sorted(out, key=lambda d: d["source"])


def test_sample_corpus_matches_golden(
    memory_store: SqliteStore, settings: Settings, nlp: Any, update_golden: bool
) -> None:
    from narrascope.pipeline import build

    with sample_corpus() as folder:
        report = build([str(folder)], memory_store, settings, nlp=nlp)
        root = str(folder)
    assert report.added >= 10
    assert not report.skipped, report.skipped
    got = _summary(memory_store, root)
    path: Path = GOLDEN / "sample_documents.json"
    if update_golden or not path.exists():
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file was missing; wrote {path}: review and commit it")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_demo_builds_into_a_store(tmp_path: Path, settings: Settings) -> None:
    from narrascope.store import open_store

    with open_store(tmp_path / "demo.db") as store:
        report = run_demo(store, settings)
        assert report.documents >= 10
        assert store.count("entities") > 0
