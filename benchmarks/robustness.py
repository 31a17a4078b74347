"""Robustness figures: fuzzed inputs tried, kills survived, payloads blocked.

    python benchmarks/robustness.py --fuzz 300 --kills 6

1. Fuzz: every file of the bundled sample corpus is mutated ``--fuzz`` times
   (bit flips, truncation, inserted hostile bytes, duplicated and dropped
   slices) and read and parsed; any exception escaping a reader or the parse
   stage counts as a crash (there must be none).
2. Kills: a build of a generated corpus is killed with SIGKILL at random
   moments ``--kills`` times, then run to the end; the store must then hold
   every document exactly once and pass ``narrascope check``.
3. Payloads: documents whose text carries script, event-handler, SVG and
   ``javascript:`` payloads are built and rendered by every HTML output that
   exists (web UI pages, report); a payload is blocked when no live markup of
   it reaches the page.

Exit status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from narrascope.demo import sample_corpus
from narrascope.errors import NarrascopeError
from narrascope.ingest import read
from narrascope.model import RawDocument
from narrascope.pipeline import parse
from narrascope.settings import Settings

HOSTILE = [
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>', b"&a;" * 50,
    b"<div>" * 400, b"</html>", b"\r\n", b"\xc3", b"WARC/1.0\r\n", b'{"text": ', b"\n{",
    b"<script>alert(1)</script>", b"\xe2\x80\x9d", b"Content-Length: 99999999\r\n",
]
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg onload=\"window.__xss=1\"><circle r=1></svg>",
    "<a href=\"javascript:window.__xss=1\">click</a>",
    "\"><iframe src=javascript:alert(1)>",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not out:
            break
        at = rng.randrange(len(out))
        op = rng.choice(["flip", "cut", "insert", "dup", "drop"])
        if op == "flip":
            out[at] ^= 1 << rng.randrange(8)
        elif op == "cut":
            del out[at:]
        elif op == "insert":
            out[at:at] = rng.choice(HOSTILE)
        elif op == "dup":
            out[at:at] = out[at : at + rng.randint(1, 500)]
        else:
            del out[at : at + rng.randint(1, 200)]
    return bytes(out)


def fuzz(n: int, seed: int) -> tuple[int, int, int, int, int]:
    """(inputs tried, documents, skipped, refused by parse, crashes)."""
    rng = random.Random(seed)
    settings = Settings(max_file_bytes=5_000_000)
    tried = docs = skipped = refused = crashes = 0
    with sample_corpus() as folder, tempfile.TemporaryDirectory() as tmp:
        seeds = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"
                 and p.name != "MANIFEST.json"]  # fmt: skip
        for path in seeds:
            data = path.read_bytes()
            gz = path.name.endswith(".gz")
            raw_data = gzip.decompress(data) if gz else data
            for i in range(n):
                mutated = mutate(raw_data, rng)
                target = Path(tmp) / f"f{i}{''.join(path.suffixes)}"
                target.write_bytes(gzip.compress(mutated) if gz else mutated)
                tried += 1
                try:
                    for item in read(target, settings):
                        if not isinstance(item, RawDocument):
                            skipped += 1
                            continue
                        try:
                            parse(item, settings)
                            docs += 1
                        except NarrascopeError:
                            refused += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    crashes += 1
                    print(f"CRASH on a mutation of {path.name}: {type(exc).__name__}: {exc}")
    return tried, docs, skipped, refused, crashes


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


def kills(k: int, seed: int) -> tuple[int, bool]:
    """(kills landed, store complete and sound after the final run)."""
    rng = random.Random(seed)
    n_docs = 8 * k + 10
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        words = ["river", "council", "harbour", "ministry", "report", "budget", "court"]
        for i in range(n_docs):
            paras = [f"The board met on day {i}. " + " ".join(rng.choices(words, k=80)) + "."
                     for _ in range(6)]  # fmt: skip
            (corpus / f"d{i:03d}.txt").write_text(f"Item {i}\n\n" + "\n\n".join(paras))
        db = Path(tmp) / "k.db"
        cmd = [sys.executable, "-m", "narrascope", "build", str(corpus), "--db", str(db), "-q",
               "--batch-size", "2"]  # fmt: skip
        landed = 0
        for _ in range(k):
            stored = _count(db)
            if stored >= n_docs - 2:
                break
            target = rng.randint(stored + 1, min(n_docs - 1, stored + 8))
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and _count(db) < target:
                time.sleep(rng.uniform(0.01, 0.1))
            if proc.poll() is None:
                proc.kill()
                landed += 1
            proc.wait()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        check = subprocess.run([sys.executable, "-m", "narrascope", "check", "--db", str(db)],
                               capture_output=True, check=False)  # fmt: skip
        con = sqlite3.connect(db)
        count, distinct = con.execute("SELECT count(*), count(DISTINCT source) FROM documents"
                                      ).fetchone()  # fmt: skip
        con.close()
        return landed, check.returncode == 0 and count == distinct == n_docs


def render_outputs(texts: list[str]) -> list[tuple[str, str]]:
    """(output name, HTML) for every web page and the report of a store holding ``texts``.

    Each payload goes in as a document's text, title, site and URL of its own
    JSON-lines record, so it reaches every place the UI shows those fields.
    """
    import json

    from narrascope.pipeline import build
    from narrascope.store import open_store
    from narrascope.web import make_app
    from narrascope.web.report import render_report

    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "hostile.jsonl"
        lines = [json.dumps({"text": f"Marta Quell said on 3 March 2021 that {p} was a lie. "
                                     f"{p} The council of Brandholm met again in 2022.",
                             "title": p, "site": p, "url": f"https://example.org/{i}?q={p}",
                             "published": "2022-01-05"}) for i, p in enumerate(texts)]
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        db = Path(tmp) / "p.db"
        with open_store(db) as store:
            build([str(src)], store, Settings())
            out.append(("report", render_report(store)))
            docs = [r["id"] for r in store.query("SELECT id FROM documents")]
            ents = [r["id"] for r in store.query("SELECT id FROM entities")]
        app = make_app(str(db))
        pages = ["/", "/timeline", "/claims", "/reuse", "/tables", "/search?q=Quell",
                 *(f"/doc/{d}" for d in docs), *(f"/entity/{e}" for e in ents)]
        for page in pages:
            path, _, query = page.partition("?")
            got: dict[str, str] = {}

            def start(status: str, headers: list[tuple[str, str]], got: dict[str, str] = got
                      ) -> None:
                got["status"] = status

            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                       "HTTP_HOST": "127.0.0.1:8001", "SERVER_NAME": "127.0.0.1",
                       "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
            body = b"".join(app(environ, start)).decode("utf-8")
            name = path.rsplit("/", 1)[0] + "/…" if path.count("/") > 1 else path
            out.append(("web " + name, body))
    return out


def payloads() -> tuple[int, int, list[str]]:
    """(payload renderings checked, blocked, outputs checked) over every HTML output."""
    checked = blocked = 0
    outputs: set[str] = set()
    for name, html in render_outputs(PAYLOADS):
        outputs.add(name)
        for payload in PAYLOADS:
            checked += 1
            blocked += payload not in html
    return checked, blocked, sorted(outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=200, help="mutations per sample file")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs during a build")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ok = True
    tried, docs, skipped, refused, crashes = fuzz(args.fuzz, args.seed)
    print(f"fuzz: {tried} mutated inputs tried -> {docs} documents, {skipped} skipped with a "
          f"reason, {refused} refused by the parse stage, {crashes} crashes")
    ok &= crashes == 0
    landed, sound = kills(args.kills, args.seed)
    print(f"kills: {landed} SIGKILLs landed during builds; final store complete and passes "
          f"check: {sound}")
    ok &= sound
    checked, blocked, outputs = payloads()
    print(f"payloads: {blocked} of {checked} payload renderings blocked "
          f"(outputs: {', '.join(outputs)})")
    ok &= blocked == checked
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
