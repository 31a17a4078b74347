"""End-to-end builds through the library API on small synthetic corpora."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from narrascope import pipeline
from narrascope.extract import names
from narrascope.extract import nlp as nlp_stage
from narrascope.pipeline import build, normalize_date
from narrascope.settings import Settings
from narrascope.store import SqliteStore

ARTICLE = (
    "Home » World » Dam Talks Stall\n\n"
    "Dam Talks Stall\n\n"
    "By Petra Lind\n\n"
    "The Northern Water Authority said on Monday that talks with Riverton had stalled. "
    "Officials in Riverton blamed the authority for the delay.\n\n"
    "Engineers warned that the reservoir could overflow by March.\n\n"
    "Share this: Facebook Twitter Email\n"
)


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def test_build_stores_exact_text_and_offsets(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    crlf = ARTICLE.replace("\n", "\r\n").replace("Dam Talks", "Canal Talks")
    _write(tmp_path, "a.txt", ARTICLE)
    _write(tmp_path, "b.txt", crlf)
    report = build([str(tmp_path)], memory_store, settings, nlp=nlp)
    assert report.added == 2
    assert not report.skipped
    for row in memory_store.documents():
        original = Path(row["source"]).read_bytes().decode("utf-8")
        assert row["text"] == original
        regions = memory_store.regions(row["id"])
        assert regions
        assert all(0 <= r["start"] <= r["end"] <= len(original) for r in regions)
        content = " ".join(original[r["start"]:r["end"]] for r in regions if r["kind"] == "content")
        assert "talks with Riverton had stalled" in content
        assert "Share this" not in content
        assert "Home »" not in content
    for m in memory_store.mentions():
        text = memory_store.query("SELECT text FROM documents WHERE id = ?", (m["doc"],))[0][0]
        assert text[m["start"]:m["end"]] == m["text"]
    sentences = memory_store.query("SELECT doc, start, end FROM sentences")
    assert sentences
    assert memory_store.count("entities") > 0


def test_new_words_do_not_stay_in_the_vocabulary(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    # each batch is parsed in spaCy's memory zone: the strings of its new words
    # are freed after it, and the findings (plain strings) are intact
    words = " ".join(f"zqv{n}x" for n in range(300))
    _write(tmp_path, "a.txt", ARTICLE.replace("Engineers warned", f"Engineers {words} warned"))
    before = len(nlp.vocab.strings)
    build([str(tmp_path)], memory_store, settings, nlp=nlp)
    assert "zqv7x" not in nlp.vocab.strings
    assert len(nlp.vocab.strings) < before + 300
    assert "Riverton" in {m["text"] for m in memory_store.mentions()}


def test_build_reports_peak_memory_after_each_step(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    pytest.importorskip("resource")  # Unix only
    _write(tmp_path, "a.txt", ARTICLE)
    # without vectors beside the parse (they add a step after it: tests/corpus)
    report = build([str(tmp_path)], memory_store,
                   settings.replace(vectors_while_parsing=False), nlp=nlp)  # fmt: skip
    steps = ["documents", "entities", "timeline", "reuse", "claims", "network"]
    assert list(report.peak_rss_mb) == steps
    peaks = list(report.peak_rss_mb.values())
    assert peaks[0] > 10  # a process holding spaCy's model: tens of MB at least
    assert peaks == sorted(peaks)  # a high-water mark


def test_a_build_lets_the_model_it_loaded_go_before_the_corpus_stages(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[weakref.ref[Any]] = []
    load = nlp_stage.load_nlp

    def load_and_watch(s: Settings) -> Any:
        model = load(s)
        loaded.append(weakref.ref(model))
        return model

    alive: list[bool] = []
    stages = pipeline.run_corpus_stages

    def watch_stages(*args: Any, **kwargs: Any) -> int:
        gc.collect()
        alive.append(loaded[0]() is not None)
        return stages(*args, **kwargs)

    monkeypatch.setattr(nlp_stage, "load_nlp", load_and_watch)
    monkeypatch.setattr(pipeline, "run_corpus_stages", watch_stages)
    _write(tmp_path, "a.txt", ARTICLE)
    report = build([str(tmp_path)], memory_store, settings)
    assert report.added == 1
    assert memory_store.count("mentions") > 0  # the model was used
    assert alive == [False]  # and let go once the parse was done
    assert "load model" in report.timings


def test_the_spelling_and_lemma_caches_are_emptied_after_each_batch_of_the_parse(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from narrascope.extract import events as events_stage

    component = nlp.get_pipe("lemmatizer")

    def cached() -> int:
        return names.read_name.cache_info().currsize + len(
            events_stage._RULE_CACHES.get(component, {}))

    sizes: list[tuple[int, int]] = []  # cached entries when a batch starts, and when it ends
    real = pipeline.annotate_batch

    def watched(*args: Any, **kwargs: Any) -> Any:
        before = cached()
        out = real(*args, **kwargs)
        sizes.append((before, cached()))
        return out

    monkeypatch.setattr(pipeline, "annotate_batch", watched)
    for k in range(3):
        _write(tmp_path, f"{k}.txt", ARTICLE + f"Reported by desk {k}.\n")
    report = build([str(tmp_path)], memory_store, settings.replace(batch_size=1), nlp=nlp)
    assert report.added == 3
    assert len(sizes) == 3
    assert all(after > 0 for _, after in sizes)  # the parse reads names
    assert [before for before, _ in sizes] == [0, 0, 0]


def test_rebuild_skips_stored_documents(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    _write(tmp_path, "a.txt", ARTICLE)
    first = build([str(tmp_path)], memory_store, settings, nlp=nlp)
    second = build([str(tmp_path)], memory_store, settings, nlp=nlp)
    assert (first.added, second.added, second.unchanged) == (1, 0, 1)
    assert memory_store.count("documents") == 1


def test_identical_texts_are_stored_once(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    _write(tmp_path, "a.txt", ARTICLE)
    _write(tmp_path, "copy.txt", ARTICLE)
    report = build([str(tmp_path)], memory_store, settings, nlp=nlp)
    assert (report.added, report.unchanged) == (1, 1)


def test_bad_inputs_are_skipped_with_reasons_and_nothing_else_is_lost(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    _write(tmp_path, "good.txt", ARTICLE)
    _write(tmp_path, "empty.txt", "")
    _write(tmp_path, "binary.txt", bytes(range(256)) * 40)
    _write(tmp_path, "latin1.txt", "Caf\xe9 owners in Riverton protested.".encode("latin-1"))
    _write(tmp_path, "broken.html", "<html><body><div><p>Unclosed")
    report = build(
        [str(tmp_path), str(tmp_path / "missing.txt")], memory_store, settings, nlp=nlp
    )
    skipped = {Path(s.source).name: s.reason for s in report.skipped}
    assert "empty.txt" in skipped
    assert "binary.txt" in skipped
    assert "missing.txt" in skipped
    assert all(reason for reason in skipped.values())
    sources = {Path(r["source"]).name for r in memory_store.documents()}
    assert {"good.txt", "latin1.txt"} <= sources
    stored = memory_store.skips(report.build_id)
    assert len(stored) == len(report.skipped)


def test_too_long_document_is_skipped_not_fatal(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any
) -> None:
    _write(tmp_path, "good.txt", ARTICLE)
    _write(tmp_path, "long.txt", "word " * 5000)
    small = settings.replace(max_doc_chars=10_000)
    report = build([str(tmp_path)], memory_store, small, nlp=nlp)
    assert report.added == 1
    (skip,) = report.skipped
    assert "max_doc_chars" in skip.reason


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sun, 21 Jun 2009", "2009-06-21"),
        ("2020-01-05T10:30:00+00:00", "2020-01-05T10:30:00+00:00"),
        ("March 3, 1998", "1998-03-03"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(raw: str | None, iso: str | None) -> None:
    assert normalize_date(raw) == iso


def test_corpus_stages_pause_the_cycle_collector_and_restore_it(
    memory_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from narrascope import pipeline

    seen: list[bool] = []

    def claims_stage(store: SqliteStore, **_: object) -> int:
        seen.append(gc.isenabled())
        raise RuntimeError("stage failed")

    monkeypatch.setattr(pipeline, "find_claims", claims_stage)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="stage failed"):
        pipeline.run_corpus_stages(memory_store)
    assert seen == [False]  # paused inside the stage
    assert gc.isenabled()  # and on again after it, even though it failed


def test_each_corpus_stage_first_gives_freed_heap_back(
    memory_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platform

    from narrascope import pipeline

    # glibc has malloc_trim; elsewhere the call is skipped, not an error
    assert pipeline._release_heap() is (platform.libc_ver()[0] == "glibc")
    calls: list[bool] = []

    def release() -> bool:
        calls.append(True)
        return True

    monkeypatch.setattr(pipeline, "_release_heap", release)
    peaks: dict[str, float] = {}
    pipeline.run_corpus_stages(memory_store, peaks=peaks)
    assert len(calls) == len(peaks) == 5  # entities, timeline, reuse, claims, network


def test_build_empties_the_parse_lemma_caches_before_the_corpus_stages(
    tmp_path: Path, memory_store: SqliteStore, settings: Settings, nlp: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from narrascope import pipeline
    from narrascope.extract import events as events_stage

    _write(tmp_path, "a.txt", "The ministers announced new sanctions after the attack.\n")
    component = nlp.get_pipe("lemmatizer")
    seen: list[tuple[bool, int]] = []
    stages = pipeline.run_corpus_stages

    def corpus_stages(*args: Any, **kwargs: Any) -> int:
        seen.append((component in events_stage._RULE_CACHES, len(component.cache)))
        return stages(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_corpus_stages", corpus_stages)
    build([str(tmp_path)], memory_store, settings, nlp=nlp)
    assert seen == [(False, 0)]
    assert memory_store.count("documents") == 1


def test_each_corpus_stage_starts_and_ends_with_the_spelling_caches_empty(
    memory_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrascope import pipeline
    from narrascope.corpus.network import normalize
    from narrascope.extract import names

    def sizes() -> list[int]:
        return [f.cache_info().currsize
                for f in (names._fold, names.read_name, names.name_key, normalize)]  # fmt: skip

    seen: list[list[int]] = []

    def claims_stage(store: SqliteStore, **_: object) -> int:
        seen.append(sizes())  # what the stages before left
        names.read_name("Dr. Ada Lovelace's")  # fills _fold, read_name and name_key
        normalize("The Analytical Engine")
        return 0

    names.read_name("Charles Babbage")  # as the parse would have left them
    monkeypatch.setattr(pipeline, "find_claims", claims_stage)
    pipeline.run_corpus_stages(memory_store)
    assert seen == [[0, 0, 0, 0]]
    assert sizes() == [0, 0, 0, 0]


def test_the_mmap_threshold_is_fixed_for_large_corpora_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr(pipeline.ctypes, "CDLL", lambda _name: Libc())
    monkeypatch.setattr(pipeline.sys, "platform", "linux")
    assert pipeline._map_large_blocks(50) is False  # a small corpus: the allocator is left alone
    assert calls == []
    assert pipeline._map_large_blocks(20_000) is True
    assert calls == [(-3, 1 << 20)]  # M_MMAP_THRESHOLD, 1 MB
    monkeypatch.setattr(pipeline.sys, "platform", "darwin")
    assert pipeline._map_large_blocks(20_000) is False  # not glibc
