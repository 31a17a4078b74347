"""WARC archives (``.warc``, ``.warc.gz``).

Only ``response`` (and ``resource``) records carrying an HTML or plain-text
payload with HTTP status 200 become documents. Everything else a crawl holds
(requests, metadata, warcinfo, DNS records, images, scripts, redirects) is
ignored without comment: it is not an error. A record that cannot be read
yields a :class:`Skipped` named ``path#N`` (``N`` counts records from 1); a
truncated or corrupt archive stops the reader there, keeping what it already
yielded. The ``WARC-Date`` is the capture date, not the publication date, so
``published`` is left empty.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from narrascope.errors import InputError
from narrascope.ingest.decode import decode_bytes
from narrascope.ingest.html import declared_charset
from narrascope.ingest.text import check_not_blank, host_of
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

__all__ = ["DOCUMENT_TYPES", "read_warc"]

#: Payload media types that become documents; the value says whether it is markup.
DOCUMENT_TYPES: dict[str, bool] = {
    "text/html": True,
    "application/xhtml+xml": True,
    "text/plain": False,
}

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


class _Truncated(Exception):
    """The compressed stream ends inside a record (not an EOFError: warcio swallows those)."""


class _GunzipReader:
    """A multi-member gunzip stream that reports truncation instead of hiding it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")

    def read(self, size: int = -1) -> bytes:
        try:
            return self._gzip.read(size)
        except EOFError as exc:
            raise _Truncated(f"truncated gzip data ({exc})") from None
        except (OSError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise _Truncated(f"corrupt gzip data ({exc})") from None

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._gzip.readline(size)
        except EOFError as exc:
            raise _Truncated(f"truncated gzip data ({exc})") from None
        except (OSError, zlib.error) as exc:
            raise _Truncated(f"corrupt gzip data ({exc})") from None

    def tell(self) -> int:
        return self._gzip.tell()


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get_header(name)
    return str(value) if value is not None else None


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``"text/html; charset=UTF-8"``."""
    if not content_type:
        return "", None
    main, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return main.strip().lower(), charset


def _drain(stream: Any) -> None:
    while stream.read(_CHUNK):
        pass


def _record_document(
    record: Any, path: Path, number: int, settings: Settings
) -> RawDocument | Skipped | None:
    """The document in one record, a Skipped for a bad one, None for one to ignore."""
    source = f"{path}#{number}"
    if record.rec_type == "response":
        if record.http_headers is None:
            return None  # dns:, whois: ... responses
        status = record.http_headers.get_statuscode()
        if str(status).strip() != "200":
            return None
        content_type = _header(record.http_headers, "Content-Type")
    elif record.rec_type == "resource":
        content_type = _header(record.rec_headers, "Content-Type")
    else:
        return None
    media, charset = _media_type(content_type)
    if media not in DOCUMENT_TYPES:
        return None
    is_html = DOCUMENT_TYPES[media]
    url = (_header(record.rec_headers, "WARC-Target-URI") or "").strip().strip("<>") or None
    limit = settings.max_file_bytes
    try:
        payload = record.content_stream().read(limit + 1)
    except _Truncated:
        raise
    except Exception as exc:  # noqa: BLE001 - warcio raises many kinds for bad payloads
        return Skipped(source, f"cannot decode the record's payload ({type(exc).__name__}: {exc})")
    if len(payload) > limit:
        return Skipped(source, f"record payload larger than max_file_bytes ({limit:,})")
    if not payload:
        return Skipped(source, f"empty {media} payload" + (f" for {url}" if url else ""))
    hint = charset or (declared_charset(payload) if is_html else None)
    try:
        body, encoding = decode_bytes(payload, hint)
        check_not_blank(body, "payload")
    except InputError as exc:
        return Skipped(source, str(exc))
    site = host_of(url)
    return RawDocument(
        source=source,
        format="warc",
        body=body,
        is_html=is_html,
        url=url,
        site=site,
        collection=site or str(path),
        encoding=encoding,
    )


def read_warc(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    """The HTML and plain-text responses of a WARC file, gzipped or not.

    A file over ``settings.max_file_bytes`` is skipped whole; a record whose
    payload is over it is skipped alone. Never raises for a bad archive.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Skipped(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    if size > settings.max_file_bytes:
        yield Skipped(
            str(path),
            f"file too large: {size:,} bytes exceeds max_file_bytes ({settings.max_file_bytes:,})",
        )
        return
    if size == 0:
        yield Skipped(str(path), "empty file (0 bytes)")
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Skipped(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        yield from _records(handle, path, settings)


def _records(handle: IO[bytes], path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

    stream: IO[bytes] | _GunzipReader = handle
    if handle.read(2) == _GZIP_MAGIC:
        stream = _GunzipReader(handle)
    handle.seek(0)
    records = iter(ArchiveIterator(stream))
    number = 0
    while True:
        number += 1
        source = f"{path}#{number}"
        try:
            record = next(records)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001 - warcio's errors have no common base
            if number == 1:
                yield Skipped(str(path), f"not a readable WARC file ({_describe(exc)})")
            else:
                yield Skipped(source, f"truncated or corrupt record, reading stopped ({_describe(exc)})")
            return
        try:
            result = _record_document(record, path, number, settings)
            _drain(record.raw_stream)
        except Exception as exc:  # noqa: BLE001
            yield Skipped(source, f"truncated or corrupt record, reading stopped ({_describe(exc)})")
            return
        if getattr(record.raw_stream, "limit", 0) > 0:
            yield Skipped(source, "truncated record: the archive ends inside it, reading stopped")
            return
        if result is not None:
            yield result


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _Truncated):
        return str(exc)
    text = str(exc).strip()
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
