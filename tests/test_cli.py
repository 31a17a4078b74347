"""The CLI contract: build, export, search, settings; exit codes and clean errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from narrascope.cli import main

ARTICLE = (
    "Home » Region » Ferry Strike Ends\n\n"
    "Ferry Strike Ends\n\n"
    "The Harbour Workers Union ended its strike on Friday after talks with Bayline Ferries. "
    "Union leader Mara Quist said the deal was fair.\n"
)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "c.db"
    assert main(["build", str(tmp_path / "in"), "--db", str(db), "-q"]) == 0
    return db


def test_export_documents_jsonl(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["export", "--db", str(built), "--what", "documents", "--format", "jsonl"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for key in ("id", "doc", "source", "title", "author", "published", "site", "text",
                "content_spans", "boilerplate_spans"):
        assert key in record
    assert record["text"] == ARTICLE
    assert record["title"] == "Ferry Strike Ends"
    body = [record["text"][s:e] for s, e in record["content_spans"]]
    assert any("Harbour Workers Union" in b for b in body)


def test_export_mentions_csv(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["export", "--db", str(built), "--what", "mentions", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows
    for row in rows:
        assert ARTICLE[int(row["start"]):int(row["end"])] == row["text"]
        assert row["doc"]


def test_export_entities(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["export", "--db", str(built), "--what", "entities"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records
    assert all({"id", "name", "type", "aliases", "mention_count", "doc_count"} <= set(r)
               for r in records)


def test_search(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["search", "--db", str(built), "strike"]) == 0
    out = capsys.readouterr().out
    assert "Ferry Strike Ends" in out
    assert main(["search", "--db", str(built), "zeppelin"]) == 1


def test_nothing_ingested_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_text("")
    assert main(["build", str(tmp_path / "empty.txt"), "--db", str(tmp_path / "x.db")]) == 1
    assert "empty.txt" in capsys.readouterr().out


def test_library_errors_are_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--db", str(tmp_path / "absent.db"), "--what", "documents"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("narrascope: error: no store at")
    assert "Traceback" not in err


def test_bad_config_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("nonsense = 1\n")
    assert main(["settings", "--config", str(cfg)]) == 2
    assert "unknown setting" in capsys.readouterr().err


def test_settings_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    from narrascope.settings import settings_help

    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for name, _, _ in settings_help():
        assert name in out


def test_piped_settings_output_is_a_loadable_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from narrascope.settings import Settings, load_settings

    assert main(["settings"]) == 0
    config = tmp_path / "narrascope.toml"
    config.write_text(capsys.readouterr().out.replace("batch_size = 16", "batch_size = 3"))
    loaded = load_settings(config)
    assert loaded.batch_size == 3
    assert loaded.spacy_model == Settings().spacy_model


def test_claims_recompute_clusters_every_sentence_again(
    built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrascope.corpus.claims as claims_module

    seen: list[dict[str, object]] = []
    real = claims_module.find_claims

    def spy(*args: object, **kwargs: object) -> int:
        seen.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(claims_module, "find_claims", spy)
    assert main(["claims", "--db", str(built)]) == 1  # one document: no claim recurs
    assert seen == []  # only read
    assert main(["claims", "--db", str(built), "--recompute"]) == 1
    assert seen == [{}]  # from scratch, not incremental
    assert "no claim recurs" in capsys.readouterr().out
