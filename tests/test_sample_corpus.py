"""The bundled sample corpus against its hand-written gold (``data/sample/MANIFEST.json``).

For every article: the first and last words of the body are content, each listed
piece of debris is not, and title, author and date are found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrascope.demo import run_demo, sample_corpus
from narrascope.settings import Settings
from narrascope.store import SqliteStore


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], dict[str, Any], Path]:
    db = tmp_path_factory.mktemp("sample") / "sample.db"
    with SqliteStore(db) as store:
        report = run_demo(store, Settings())
        assert report.skipped == []
        rows = [dict(row) | {"regions": [dict(r) for r in store.regions(row["id"])]}
                for row in store.documents()]
    with sample_corpus() as folder:
        manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
        return rows, manifest, folder.resolve()


def _key(row: dict[str, Any], folder: Path) -> str:
    path, _, record = row["source"].partition("#")
    rel = Path(path).resolve().relative_to(folder).as_posix()
    if row["format"] == "warc":  # WARC gold is keyed by the record's target URI
        return f"{rel}#{row['url']}"
    return f"{rel}#{record}" if record else rel


def test_every_article_is_built_and_has_gold(built: tuple[list[Any], dict[str, Any], Path]) -> None:
    rows, manifest, folder = built
    assert len(rows) == len(manifest) >= 8
    assert {_key(r, folder) for r in rows} == set(manifest)
    assert {r["format"] for r in rows} >= {"txt", "html", "warc", "jsonl"}


def test_bodies_kept_and_debris_excluded(built: tuple[list[Any], dict[str, Any], Path]) -> None:
    rows, manifest, folder = built
    for row in rows:
        gold = manifest[_key(row, folder)]
        text = row["text"]
        content = [text[r["start"] : r["end"]] for r in row["regions"] if r["kind"] == "content"]
        for field in ("body_first", "body_last"):
            assert any(gold[field] in c for c in content), (row["source"], field)
        for junk in gold["boilerplate"]:
            assert not any(junk in c for c in content), (row["source"], junk)
        assert row["title"] == gold["title"]
        assert row["author"] == gold["author"]
        assert row["published"] == gold["published"]
