"""A build killed with SIGKILL midway, then re-run, stores every document exactly once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N_DOCS = 40
WORDS = [
    "river", "council", "harbour", "ministry", "report", "protest", "budget", "court",
    "election", "road", "school", "hospital", "bridge", "union", "railway", "treaty",
]


def _corpus(folder: Path) -> None:
    rng = random.Random(7)
    folder.mkdir()
    for i in range(N_DOCS):
        paras = []
        for _ in range(6):
            words = " ".join(rng.choice(WORDS) for _ in range(60))
            paras.append(f"The Board of Kestrel County met on March {i % 28 + 1}. {words}.")
        (folder / f"doc{i:03d}.txt").write_text(f"Report {i}\n\n" + "\n\n".join(paras))


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _build(corpus: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "narrascope", "build", str(corpus), "--db", str(db), "-q",
         "--batch-size", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_kill_9_then_rerun_loses_and_doubles_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    db = tmp_path / "c.db"
    kills = 0
    for target in (2, 12):
        proc = _build(corpus, db)
        deadline = time.monotonic() + 120
        while _count(db) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
    assert kills >= 1, "builds finished before they could be interrupted"
    assert 0 < _count(db) < N_DOCS
    final = _build(corpus, db)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT source) FROM documents").fetchone() == (
        N_DOCS, N_DOCS)
    assert con.execute("SELECT count(*) FROM documents_fts").fetchone()[0] == N_DOCS
    # Every stored document has its regions and sentences: nothing half-written.
    assert con.execute(
        "SELECT count(*) FROM documents d WHERE NOT EXISTS"
        " (SELECT 1 FROM sentences s WHERE s.doc = d.id)"
        " OR NOT EXISTS (SELECT 1 FROM regions r WHERE r.doc = d.id)"
    ).fetchone()[0] == 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    check = subprocess.run(
        [sys.executable, "-m", "narrascope", "check", "--db", str(db)],
        capture_output=True, text=True, check=False,
    )
    assert check.returncode == 0, check.stdout
