"""The per-document phase in a process of its own (narrascope.isolated)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from narrascope.cli import main
from narrascope.demo import sample_corpus
from narrascope.errors import ModelError, NarrascopeError
from narrascope.pipeline import _child_location, build
from narrascope.settings import Settings
from narrascope.store import SqliteStore, open_store

APART = Settings().replace(parse_process_mb=0.0)  # always in a process of its own
#: columns that hold the time of the build, not what it found
_WHEN = {"added_at", "started_at", "finished_at", "seconds"}


def _is_phase(proc: psutil.Process) -> bool:
    try:
        return "narrascope.isolated" in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def _tables(db: Path, out: Path) -> dict[str, list[dict[str, str]]]:
    assert main(["export", "--db", str(db), "--all-tables", str(out)]) == 0
    tables = {}
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [{k: v for k, v in row.items() if k not in _WHEN} for row in csv.DictReader(f)]
        tables[path.stem] = rows
    return tables


class _Seen:
    def __init__(self) -> None:
        self.total = 0
        self.sources: list[str] = []
        self.stopped = False

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, source: str) -> None:
        self.sources.append(source)

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, nlp: Any) -> dict[str, Any]:
    """The sample built apart and in this process (with the caller's model)."""
    tmp = tmp_path_factory.mktemp("isolated")
    seen = _Seen()
    with sample_corpus() as folder:
        inputs = sorted(str(p) for p in folder.iterdir())
        with open_store(tmp / "apart.db") as store:
            apart = build(inputs, store, APART, progress=seen)
        with open_store(tmp / "here.db") as store:
            here = build(inputs, store, APART, nlp=nlp)
    return {"tmp": tmp, "apart": apart, "here": here, "seen": seen, "inputs": inputs}


def test_a_build_apart_stores_what_a_build_in_process_stores(both: dict[str, Any]) -> None:
    tmp = both["tmp"]
    apart, here = both["apart"], both["here"]
    assert (apart.added, apart.unchanged, len(apart.skipped), apart.entities) == (
        here.added, here.unchanged, len(here.skipped), here.entities)
    assert apart.added > 5
    got, want = _tables(tmp / "apart.db", tmp / "a"), _tables(tmp / "here.db", tmp / "h")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


def test_the_child_reports_its_progress_timings_and_peak(both: dict[str, Any]) -> None:
    seen, apart = both["seen"], both["apart"]
    assert seen.stopped
    assert seen.total > 5
    assert len(seen.sources) == len(set(seen.sources)) == seen.total  # each input file, once
    assert all(Path(s).is_file() for s in seen.sources)
    assert apart.timings["language-model stages"] > 0
    assert "claims" in apart.timings  # the corpus stages, here
    assert apart.peak_rss_mb["documents"] > 0


def test_a_second_build_apart_finds_every_document_unchanged(both: dict[str, Any]) -> None:
    with open_store(both["tmp"] / "apart.db") as store:
        again = build(both["inputs"], store, APART)
    assert (again.added, again.unchanged) == (0, both["apart"].added)


def test_an_error_in_the_child_is_raised_here(tmp_path: Path) -> None:
    with (sample_corpus() as folder, open_store(tmp_path / "c.db") as store,
          pytest.raises(ModelError, match="no_such_pipeline")):
        build([str(folder)], store, APART.replace(spacy_model="no_such_pipeline"))


def test_a_child_that_dies_ends_the_build_with_a_clear_error(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "corpus", 400)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with open_store(tmp_path / "c.db") as store:
                build([str(folder)], store, APART)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    killed = False
    while not killed and time.monotonic() < deadline and thread.is_alive():
        for proc in psutil.Process().children(recursive=True):
            if _is_phase(proc):
                proc.kill()
                killed = True
        time.sleep(0.05)
    thread.join(120)
    assert killed
    assert len(failure) == 1
    assert isinstance(failure[0], NarrascopeError)
    assert "ended without finishing" in str(failure[0])
    assert "running the build again continues" in str(failure[0])


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"d{i:03d}.txt").write_text(
            f"Report {i}.\n\nThe council of Arden met on May {i % 28 + 1} and voted again. " * 8)
    return folder


def test_the_child_dies_with_a_killed_build(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "corpus", 400)  # work for the child long after the kill
    config = tmp_path / "n.toml"
    config.write_text("parse_process_mb = 0\n", encoding="utf-8")
    build_proc = subprocess.Popen(
        [sys.executable, "-m", "narrascope", "build", str(folder), "--db",
         str(tmp_path / "c.db"), "-q", "--config", str(config)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(build_proc.pid)
    deadline = time.monotonic() + 60
    phase = None
    while phase is None and time.monotonic() < deadline and build_proc.poll() is None:
        phase = next((p for p in parent.children() if _is_phase(p)), None)
        time.sleep(0.02)
    assert phase is not None, "the build ran no document process"
    os.kill(build_proc.pid, signal.SIGKILL)
    build_proc.wait()
    _gone, alive = psutil.wait_procs([phase], timeout=5)
    for p in alive:
        p.kill()
    assert not alive, "the document process outlived the build"


def test_where_the_phase_runs(tmp_path: Path, nlp: Any) -> None:
    small = tmp_path / "a.txt"
    small.write_text("A short text.", encoding="utf-8")
    with SqliteStore(tmp_path / "c.db") as store, SqliteStore(":memory:") as memory:
        default = Settings()
        assert _child_location(store, default, [small], None) is None  # under 1 MB
        assert _child_location(store, APART, [small], None) == str(tmp_path / "c.db")
        assert _child_location(store, APART, [small], nlp) is None  # the caller's model
        assert _child_location(memory, APART, [small], None) is None
        assert _child_location(store, APART.replace(workers=2), [small], None) is None
        big = tmp_path / "big.txt"
        big.write_bytes(b"word " * 220_000)
        assert _child_location(store, default, [small, big], None) == str(tmp_path / "c.db")


def test_fresh_processes_every_few_documents_store_the_same(
    both: dict[str, Any], tmp_path: Path
) -> None:
    """A child that stops after 3 documents: the next ones go on, and the store is
    the same as one process's (model loads after the first counted apart)."""
    with sample_corpus(), open_store(tmp_path / "fresh.db") as store:
        report = build(both["inputs"], store, APART.replace(parse_process_documents=3))
    assert report.added == both["apart"].added
    assert report.timings["new parse process"] > 0  # at least one fresh process
    assert "load model" in report.timings
    got = _tables(tmp_path / "fresh.db", tmp_path / "f")
    want = _tables(both["tmp"] / "here.db", both["tmp"] / "h2")
    for name in want:
        if name == "sentence_embeddings":  # stored in the order they were computed
            assert sorted(got[name], key=_row) == sorted(want[name], key=_row)
        else:
            assert got[name] == want[name], name


def _row(row: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(row.items())
