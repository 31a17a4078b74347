"""Regenerate ``src/narrascope/data/sample/observer.warc.gz`` from ``tools/warc_src/``.

The archive imitates a small crawl of the fictional *Valdra Observer*: a
``warcinfo`` record, two ``response`` records holding article pages
(``text/html; charset=utf-8``), a ``request``/``response`` pair for the site
logo (``image/png``) and a ``response`` for a JSON feed. The image and the JSON
are there to check that readers ignore non-document payloads.

The HTML sources live outside the package data folder so that the sample
corpus does not read them twice. Record dates and ids are fixed, so running
the script again gives the same records (``python tools/make_sample_warc.py``).
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).resolve().parent / "warc_src"
OUTPUT = ROOT / "src" / "narrascope" / "data" / "sample" / "observer.warc.gz"

SITE = "https://valdra-observer.example"
#: (source file in tools/warc_src, target URI, capture date) for each article page.
ARTICLES: tuple[tuple[str, str, str], ...] = (
    (
        "okafor-signals-inquiry.html",
        f"{SITE}/politics/2023/05/16/okafor-signals-inquiry-vrf",
        "2023-05-16T09:12:04Z",
    ),
    (
        "the-front-sells-fear.html",
        f"{SITE}/opinion/2023/05/20/the-front-sells-fear",
        "2023-05-20T10:40:51Z",
    ),
)
LOGO_URI = f"{SITE}/static/logo.png"
FEED_URI = f"{SITE}/api/most-read.json"
_NAMESPACE = uuid.UUID("6f1c0a52-1d0e-4c47-9a3e-5a1d2b7c9e01")


def record_id(name: str) -> str:
    """A stable ``WARC-Record-ID`` derived from ``name``."""
    return f"<urn:uuid:{uuid.uuid5(_NAMESPACE, name)}>"


def tiny_png() -> bytes:
    """A valid 1x1 green PNG, built in code so the archive needs no binary source file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x2e\x8b\x57", 9)  # filter byte + one RGB pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def http_response(
    writer: WARCWriter, uri: str, date: str, content_type: str, body: bytes
) -> object:
    """A ``response`` record with an HTTP/1.1 200 payload."""
    headers = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Server", "observer-web"),
        ],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id(f"response {uri}"),
            "WARC-Date": date,
        },
    )


def http_request(writer: WARCWriter, uri: str, date: str) -> object:
    """A ``request`` record: the GET the crawler sent for ``uri``."""
    path = uri.removeprefix(SITE)
    headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [
            ("Host", SITE.removeprefix("https://")),
            ("User-Agent", "sample-crawler/1.0"),
            ("Accept", "*/*"),
        ],
        is_http_request=True,
    )
    return writer.create_warc_record(
        uri,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id(f"request {uri}"),
            "WARC-Date": date,
        },
    )


def warcinfo(writer: WARCWriter) -> object:
    """The ``warcinfo`` record describing this (fictional) crawl."""
    fields = (
        b"software: narrascope tools/make_sample_warc.py (warcio)\r\n"
        b"format: WARC File Format 1.0\r\n"
        b"description: fictional sample crawl of the Valdra Observer for narrascope\r\n"
        b"isPartOf: narrascope-sample\r\n"
    )
    return writer.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": record_id("warcinfo"),
            "WARC-Date": "2023-05-16T09:12:00Z",
            "WARC-Filename": OUTPUT.name,
        },
    )


def build(output: Path = OUTPUT) -> int:
    """Write the archive to ``output``; return the number of records written."""
    feed = json.dumps(
        {
            "generated": "2023-05-20T10:40:00Z",
            "most_read": [
                {"rank": 1, "url": ARTICLES[1][1], "views": 18412},
                {"rank": 2, "url": ARTICLES[0][1], "views": 11907},
            ],
        },
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    (first_src, first_uri, first_date), (second_src, second_uri, second_date) = ARTICLES
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    records = [
        warcinfo(writer),
        http_response(
            writer,
            first_uri,
            first_date,
            "text/html; charset=utf-8",
            (SOURCES / first_src).read_bytes(),
        ),
        http_request(writer, LOGO_URI, "2023-05-16T09:12:05Z"),
        http_response(writer, LOGO_URI, "2023-05-16T09:12:05Z", "image/png", tiny_png()),
        http_response(
            writer,
            second_uri,
            second_date,
            "text/html; charset=utf-8",
            (SOURCES / second_src).read_bytes(),
        ),
        http_response(
            writer, FEED_URI, "2023-05-20T10:40:52Z", "application/json; charset=utf-8", feed
        ),
    ]
    for record in records:
        writer.write_record(record)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(buffer.getvalue())
    return len(records)


def main() -> None:
    """Regenerate the sample WARC and say where it went."""
    count = build()
    print(f"wrote {count} records to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
