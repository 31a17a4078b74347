"""read() and the per-format readers, with every kind of bad input."""

from __future__ import annotations

import codecs
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import narrascope.ingest as ingest
from narrascope.ingest import read
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

ARTICLE = (
    "<!DOCTYPE html><html><head><title>Budget passes</title></head><body>"
    "<article><h1>Budget passes</h1><p>The council approved the budget on Monday.</p>"
    "</article></body></html>"
)


@pytest.fixture
def cfg() -> Settings:
    return Settings()


def _read(path: Path, settings: Settings) -> list[RawDocument | Skipped]:
    return list(read(path, settings))


def _one_doc(path: Path, settings: Settings) -> RawDocument:
    (item,) = _read(path, settings)
    assert isinstance(item, RawDocument), item
    return item


def _one_skip(path: Path, settings: Settings) -> Skipped:
    (item,) = _read(path, settings)
    assert isinstance(item, Skipped), item
    return item


# --- plain text -------------------------------------------------------------


def test_txt_is_kept_exactly(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"First line.\r\nSecond\tline.  \r\n\r\nThird.\n")
    doc = _one_doc(path, cfg)
    assert doc.body == "First line.\r\nSecond\tline.  \r\n\r\nThird.\n"
    assert (doc.source, doc.format, doc.is_html) == (str(path), "txt", False)
    assert doc.collection == str(tmp_path)
    assert doc.encoding == "utf-8"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\t \n", "only whitespace"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 8, "binary"),
        (codecs.BOM_UTF8 + b"\xc3\x28 bad", "undecodable"),
    ],
)
def test_bad_txt_is_skipped(tmp_path: Path, cfg: Settings, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    skip = _one_skip(path, cfg)
    assert skip.source == str(path)
    assert reason in skip.reason


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Café crème\r\n".encode(), "utf-8"),
        (codecs.BOM_UTF16_LE + "Café crème\r\n".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "Café crème\r\n".encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_txt_with_bom(tmp_path: Path, cfg: Settings, data: bytes, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(data)
    doc = _one_doc(path, cfg)
    assert doc.body == "Café crème\r\n"
    assert doc.encoding == encoding


def test_legacy_encoding_txt(tmp_path: Path, cfg: Settings) -> None:
    text = "Les élèves ont reçu leurs résultats à la rentrée, comme prévu.\n" * 3
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("cp1252"))
    doc = _one_doc(path, cfg)
    assert doc.body == text
    assert doc.encoding == "cp1252"


def test_large_single_line_file(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "huge line.txt"
    size = 50 * 1024 * 1024
    with path.open("wb") as handle:
        chunk = b"word " * 200_000
        for _ in range(size // len(chunk)):
            handle.write(chunk)
    actual = path.stat().st_size
    doc = _one_doc(path, cfg)
    assert len(doc.body) == actual
    assert "\n" not in doc.body
    del doc
    skip = _one_skip(path, cfg.replace(max_file_bytes=1_000_000))
    assert "file too large" in skip.reason
    assert "max_file_bytes" in skip.reason


def test_odd_path_names(tmp_path: Path, cfg: Settings) -> None:
    folder = tmp_path / "dossier à lire"
    folder.mkdir()
    path = folder / "rapport final — 記事 (1).txt"
    path.write_text("Some text.", encoding="utf-8")
    doc = _one_doc(path, cfg)
    assert doc.source == str(path)
    assert doc.collection == str(folder)


# --- dispatch and robustness ------------------------------------------------


def test_read_refuses_unknown_suffix_and_missing_files(tmp_path: Path, cfg: Settings) -> None:
    assert "unsupported file type" in _one_skip(tmp_path / "a.pdf", cfg).reason
    assert "cannot read file" in _one_skip(tmp_path / "missing.txt", cfg).reason
    assert "cannot read file" in _one_skip(tmp_path / "missing.warc.gz", cfg).reason


def test_read_never_raises(tmp_path: Path, cfg: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
        yield RawDocument(source="first", format="txt", body="ok")
        raise RuntimeError("boom")

    monkeypatch.setitem(ingest._READERS, ".txt", broken)
    items = _read(tmp_path / "x.txt", cfg)
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], Skipped)
    assert "RuntimeError: boom" in items[1].reason


# --- HTML -------------------------------------------------------------------


def test_html_file(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "page.htm"
    path.write_text(ARTICLE, encoding="utf-8")
    doc = _one_doc(path, cfg)
    assert doc.is_html
    assert doc.format == "html"
    assert doc.body == ARTICLE
    assert doc.collection == str(tmp_path)
    assert doc.url is None


def test_html_meta_charset_and_canonical(tmp_path: Path, cfg: Settings) -> None:
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        '<link href="https://News.Example.org/a/1" rel="canonical">'
        "</head><body><p>“Quoted” – naïve café ®</p></body></html>"
    )
    path = tmp_path / "legacy.html"
    path.write_bytes(markup.encode("cp1252"))
    doc = _one_doc(path, cfg)
    assert doc.body == markup
    assert doc.encoding == "cp1252"
    assert doc.url == "https://News.Example.org/a/1"
    assert doc.site == doc.collection == "news.example.org"


def test_og_url_gives_site(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "og.html"
    path.write_text(
        "<html><head><meta property='og:url' content='http://blog.example.com/x'></head>"
        "<body><p>Text.</p></body></html>",
        encoding="utf-8",
    )
    assert _one_doc(path, cfg).site == "blog.example.com"


def test_truncated_and_binary_html(tmp_path: Path, cfg: Settings) -> None:
    truncated = tmp_path / "cut.html"
    truncated.write_text(ARTICLE[: len(ARTICLE) // 2], encoding="utf-8")
    assert _one_doc(truncated, cfg).body == ARTICLE[: len(ARTICLE) // 2]
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(512))
    assert "binary" in _one_skip(binary, cfg).reason
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert "empty" in _one_skip(empty, cfg).reason


# --- WARC -------------------------------------------------------------------


def _write_warc(path: Path, *, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def http(status: str, content_type: str, extra: list[tuple[str, str]] | None = None) -> object:
        headers = [("Content-Type", content_type), *(extra or [])]
        return StatusAndHeaders(status, headers, protocol="HTTP/1.1")

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders(
            "GET /news/1 HTTP/1.1", [("Host", "news.example.com")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.com/news/1",
                "request",
                payload=io.BytesIO(b""),
                http_headers=request,
            )
        )
        records = [
            ("https://news.example.com/news/1", "200 OK", "text/html; charset=utf-8",
             ARTICLE.encode(), None),
            ("https://news.example.com/logo.png", "200 OK", "image/png",
             b"\x89PNG\r\n\x1a\n" + bytes(200), None),
            ("https://news.example.com/missing", "404 Not Found", "text/html",
             b"<p>nope</p>", None),
            ("https://news.example.com/robots.txt", "200 OK", "text/plain", b"Plain words.", None),
            ("https://news.example.com/zipped", "200 OK", "text/html",
             gzip.compress(ARTICLE.encode()), [("Content-Encoding", "gzip")]),
            ("https://news.example.com/latin", "200 OK", "text/html; charset=iso-8859-1",
             "<p>Crème brûlée</p>".encode("latin-1"), None),
            ("https://news.example.com/empty", "200 OK", "text/html", b"", None),
        ]  # fmt: skip
        for uri, status, ctype, body, extra in records:
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=http(status, ctype, extra),
                )
            )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.com/news/1",
                "metadata",
                payload=io.BytesIO(b"outlinks: none\r\n"),
                warc_content_type="application/warc-fields",
            )
        )


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_keeps_only_html_and_text_responses(tmp_path: Path, cfg: Settings, name: str) -> None:
    path = tmp_path / name
    _write_warc(path, gz=name.endswith(".gz"))
    items = _read(path, cfg)
    docs = [i for i in items if isinstance(i, RawDocument)]
    skips = [i for i in items if isinstance(i, Skipped)]
    assert [d.url for d in docs] == [
        "https://news.example.com/news/1",
        "https://news.example.com/robots.txt",
        "https://news.example.com/zipped",
        "https://news.example.com/latin",
    ]
    first = docs[0]
    assert first.format == "warc"
    assert first.is_html
    assert first.body == ARTICLE
    assert first.source == f"{path}#3"  # warcinfo and request come first
    assert first.site == first.collection == "news.example.com"
    assert first.published is None
    assert not docs[1].is_html
    assert docs[1].body == "Plain words."
    assert docs[2].body == ARTICLE  # Content-Encoding: gzip is undone
    assert docs[3].body == "<p>Crème brûlée</p>"
    # only the empty HTML response is worth a word; images, requests, 404s are ignored
    assert [(s.source, "empty" in s.reason) for s in skips] == [(f"{path}#9", True)]


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_warc_keeps_what_it_read(tmp_path: Path, cfg: Settings, gz: bool) -> None:
    whole = tmp_path / ("whole.warc.gz" if gz else "whole.warc")
    _write_warc(whole, gz=gz)
    data = whole.read_bytes()
    complete = [(i.url, i.body) for i in _read(whole, cfg) if isinstance(i, RawDocument)]
    for cut in range(1, len(data), max(1, len(data) // 97)):
        path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
        path.write_bytes(data[:cut])
        items = _read(path, cfg)  # must not raise
        docs = [i for i in items if isinstance(i, RawDocument)]
        assert len(docs) <= len(complete)
        for doc in docs:  # nothing half-read slips through as a document
            assert (doc.url, doc.body) in complete
        skips = [i for i in items if isinstance(i, Skipped)]
        assert len(skips) <= 2


def test_truncated_warc_gz_reports_the_broken_record(tmp_path: Path, cfg: Settings) -> None:
    whole = tmp_path / "whole.warc.gz"
    _write_warc(whole, gz=True)
    data = whole.read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 40])  # inside the final metadata record
    items = _read(path, cfg)
    assert sum(isinstance(i, RawDocument) for i in items) == 4
    last = items[-1]
    assert isinstance(last, Skipped)
    assert last.source == f"{path}#10"
    assert "truncated" in last.reason


def test_not_a_warc(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "fake.warc"
    path.write_text("this is not an archive\n" * 10, encoding="utf-8")
    skip = _one_skip(path, cfg)
    assert skip.source == str(path)
    assert "not a readable WARC" in skip.reason
    gz = tmp_path / "fake.warc.gz"
    gz.write_bytes(gzip.compress(b"still not an archive\n" * 10))
    assert "not a readable WARC" in _one_skip(gz, cfg).reason
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert "empty" in _one_skip(empty, cfg).reason


def test_warc_over_size_limit(tmp_path: Path, cfg: Settings) -> None:
    path = tmp_path / "big.warc"
    _write_warc(path, gz=False)
    assert "file too large" in _one_skip(path, cfg.replace(max_file_bytes=100)).reason


# --- JSONL ------------------------------------------------------------------


def test_jsonl_good_and_bad_lines(tmp_path: Path, cfg: Settings) -> None:
    lines = [
        json.dumps({"text": "Plain article.", "url": "https://a.example/1", "title": " T "}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"title": "no body"}),
        json.dumps({"text": "x", "title": 5}),
        json.dumps({"html": ARTICLE, "site": "Example Times", "published": "2024-02-03"}),
        "   ",
        json.dumps({"text": "   "}),
        '{"text": "lone \\ud800 surrogate"}',
        json.dumps({"text": "Line sep \u2028 inside", "author": None}, ensure_ascii=False),
        json.dumps({"text": 42}),
    ]
    path = tmp_path / "articles.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + "\n".join(lines).encode())
    items = _read(path, cfg)
    result = {int(i.source.rsplit("#", 1)[1]): i for i in items}
    assert sorted(result) == [1, 3, 4, 5, 6, 7, 9, 10, 11, 12]
    first = result[1]
    assert isinstance(first, RawDocument)
    assert (first.body, first.title, first.site, first.collection) == (
        "Plain article.",
        "T",
        "a.example",
        "a.example",
    )
    assert first.format == "jsonl"
    assert not first.is_html
    html = result[7]
    assert isinstance(html, RawDocument)
    assert html.is_html
    assert html.body == ARTICLE
    assert html.site == "Example Times"
    assert html.published == "2024-02-03"
    assert html.collection == "Example Times"
    sep = result[11]
    assert isinstance(sep, RawDocument)
    assert sep.body == "Line sep \u2028 inside"
    assert sep.collection == str(path)
    reasons = {n: i.reason for n, i in result.items() if isinstance(i, Skipped)}
    assert "invalid JSON" in reasons[3]
    assert "not an object" in reasons[4]
    assert "array" in reasons[4]
    assert "neither" in reasons[5]
    assert "'title' must be a string" in reasons[6]
    assert "whitespace" in reasons[9]
    assert "surrogate" in reasons[10]
    assert "'text' must be a string" in reasons[12]


def test_jsonl_empty_and_binary(tmp_path: Path, cfg: Settings) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n   \n", encoding="utf-8")
    assert "blank lines" in _one_skip(blank, cfg).reason
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "binary" in _one_skip(binary, cfg).reason


def test_warc_record_with_wrong_length_is_skipped(tmp_path: Path, cfg: Settings) -> None:
    whole = tmp_path / "whole.warc"
    _write_warc(whole, gz=False)
    data = whole.read_bytes()
    start = data.index(b"Content-Length: ", data.index(b"WARC-Type: response"))
    end = data.index(b"\r\n", start)
    length = int(data[start + 16 : end])
    path = tmp_path / "bad length.warc"
    path.write_bytes(data[: start + 16] + str(length - 30).encode() + data[end:])
    items = _read(path, cfg)
    first = items[0]
    assert isinstance(first, Skipped)
    assert first.source == f"{path}#3"
    assert "Content-Length" in first.reason
    urls = [i.url for i in items if isinstance(i, RawDocument)]
    assert "https://news.example.com/news/1" not in urls  # no half-read document
    assert "https://news.example.com/latin" in urls  # reading resumed after it
