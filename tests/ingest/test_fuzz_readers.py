"""Fuzz targets for every reader: mutated and random files never raise.

Each target starts from a valid file of the bundled sample corpus and applies
random mutations (bit flips, truncation, inserted bytes, duplicated slices,
spliced markup) or writes random bytes, then reads it. Whatever the input, a
reader yields only :class:`RawDocument` or :class:`Skipped` records, never
raises, and documents carry text that the parse stage either turns into valid
regions or refuses with a clean error. CI runs a few dozen examples per reader;
``NARRASCOPE_FUZZ_EXAMPLES=5000 pytest tests/ingest/test_fuzz_readers.py``
runs longer.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrascope.demo import sample_corpus
from narrascope.errors import NarrascopeError
from narrascope.ingest import read
from narrascope.model import RawDocument, Skipped
from narrascope.pipeline import parse
from narrascope.settings import Settings

EXAMPLES = int(os.environ.get("NARRASCOPE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CFG = Settings(max_file_bytes=2_000_000)

SNIPPETS = [
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"&a;",
    b"<div>" * 50, b"</html>", b"\r\n", b"\xc3", b"WARC/1.0\r\n", b'{"text": ', b"\n{",
    b"<script>alert(1)</script>", b"\xe2\x80\x9d", b"Content-Length: 99999999\r\n",
]


def _seed(suffix: str) -> bytes:
    with sample_corpus() as folder:
        path = next(p for p in sorted(folder.rglob(f"*{suffix}")) if p.is_file())
        return path.read_bytes()


@st.composite
def _mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not out:
            break
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "drop"]))
        at = draw(st.integers(0, len(out) - 1))
        if op == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del out[at:]
        elif op == "insert":
            out[at:at] = draw(st.sampled_from(SNIPPETS))
        elif op == "dup":
            out[at:at] = out[at : at + draw(st.integers(1, 500))]
        else:
            del out[at : at + draw(st.integers(1, 200))]
    return bytes(out)


def _parse_or_refuse(raw: RawDocument) -> None:
    """The parse stage after the reader: a document with valid regions, or a clean refusal."""
    try:
        doc = parse(raw, CFG)
    except NarrascopeError:
        return
    end = 0
    for region in doc.regions:
        assert end <= region.start < region.end <= len(doc.text)
        end = region.end


def _read_all(data: bytes, name: str) -> list[RawDocument | Skipped]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        items = list(read(path, CFG))
    for item in items:
        assert isinstance(item, RawDocument | Skipped)
        if isinstance(item, RawDocument):
            assert isinstance(item.body, str)
            _parse_or_refuse(item)
        else:
            assert item.reason
    return items


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
def test_mutated_text_formats_never_raise(suffix: str) -> None:
    seed = _seed(suffix)

    @FUZZ
    @given(_mutated(seed))
    def run(data: bytes) -> None:
        _read_all(data, f"fuzz{suffix}")

    run()


def test_mutated_warc_never_raises() -> None:
    raw = gzip.decompress(_seed(".warc.gz"))

    @FUZZ
    @given(_mutated(raw), st.booleans())
    def run(data: bytes, compress: bool) -> None:
        if compress:
            _read_all(gzip.compress(data), "fuzz.warc.gz")
        else:
            _read_all(data, "fuzz.warc")

    run()


@pytest.mark.parametrize("name", ["r.txt", "r.html", "r.jsonl", "r.warc", "r.warc.gz"])
def test_random_bytes_never_raise(name: str) -> None:
    @FUZZ
    @given(st.binary(max_size=3000))
    def run(data: bytes) -> None:
        _read_all(data, name)

    run()
