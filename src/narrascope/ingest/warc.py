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
_MAX_STEP = 1 << 20  # most bytes one decompression step may produce
_STOPPED = "truncated or corrupt record, reading stopped ({})"


class _TruncatedError(Exception):
    """The compressed stream ends inside a record (not an EOFError: warcio swallows those)."""


class _GunzipReader:
    """A multi-member gunzip stream that reports truncation instead of hiding it.

    Data decompressed before a truncation or corruption point is returned
    first; the error is raised only once it is all consumed, so every record
    before the damage is still read. Output is produced in bounded steps, so a
    decompression bomb cannot fill memory in one call.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._decompressor = zlib.decompressobj(31)
        self._pending = b""
        self._buffer = bytearray()
        self._in_member = False
        self._error: str | None = None
        self._position = 0

    def _more(self) -> bool:
        """Add some decompressed bytes to the buffer; False at the end of the data."""
        while self._error is None:
            if not self._pending:
                self._pending = self._raw.read(_CHUNK)
                if not self._pending:
                    if self._in_member:
                        self._error = "truncated gzip data: the file ends inside a compressed block"
                    return False
            if not self._in_member:
                self._pending = self._pending.lstrip(b"\x00")  # padding between members
                if not self._pending:
                    continue
                self._decompressor = zlib.decompressobj(31)
                self._in_member = True
            try:
                out = self._decompressor.decompress(self._pending, _MAX_STEP)
            except zlib.error as exc:
                self._error = f"corrupt gzip data ({exc})"
                return False
            if self._decompressor.eof:
                self._pending = self._decompressor.unused_data
                self._in_member = False
            else:
                self._pending = self._decompressor.unconsumed_tail
            if out:
                self._buffer += out
                return True
        return False

    def _take(self, size: int) -> bytes:
        if not self._buffer and self._error is not None:
            raise _TruncatedError(self._error)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        self._position += len(out)
        return out

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._more():
                pass
            return self._take(len(self._buffer))
        while len(self._buffer) < size and self._more():
            pass
        return self._take(size)

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        searched = 0
        while True:
            newline = self._buffer.find(b"\n", searched)
            if newline >= 0:
                end = newline + 1
                break
            if 0 <= limit <= len(self._buffer):
                end = limit
                break
            searched = len(self._buffer)
            if not self._more():
                end = len(self._buffer)
                break
        return self._take(end if limit < 0 else min(end, limit))

    def tell(self) -> int:
        return self._position


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
    except _TruncatedError:
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
    from warcio.archiveiterator import ArchiveIterator

    class _QuietIterator(ArchiveIterator):  # type: ignore[misc]
        INC_RECORD = ""  # warcio writes this warning straight to stderr; we count errors

    stream: IO[bytes] | _GunzipReader = handle
    if handle.read(2) == _GZIP_MAGIC:
        stream = _GunzipReader(handle)
    handle.seek(0)
    try:
        head = _GunzipReader(handle).read(5) if stream is not handle else handle.read(5)
    except _TruncatedError as exc:
        yield Skipped(str(path), f"not a readable WARC file ({exc})")
        return
    if head != b"WARC/":
        yield Skipped(str(path), "not a readable WARC file (it does not start with 'WARC/')")
        return
    handle.seek(0)
    iterator = _QuietIterator(stream)
    records = iter(iterator)
    # A record is yielded only once the next one has been found: warcio notices a
    # wrong Content-Length only when it looks for the following record boundary.
    pending: RawDocument | Skipped | None = None
    number = 0
    while True:
        number += 1
        source = f"{path}#{number}"
        errors = iterator.err_count
        final: Skipped | None = None
        record = None
        try:
            record = next(records)
        except StopIteration:
            pass
        except Exception as exc:  # noqa: BLE001 - warcio's errors have no common base
            if number == 1:
                final = Skipped(str(path), f"not a readable WARC file ({_describe(exc)})")
            else:
                final = Skipped(source, _STOPPED.format(_describe(exc)))
        if iterator.err_count > errors and number > 1:
            pending = Skipped(
                f"{path}#{number - 1}",
                "malformed record: its Content-Length does not end at a record boundary",
            )
        if pending is not None:
            yield pending
            pending = None
        if record is None:
            if final is not None:
                yield final
            return
        try:
            pending = _record_document(record, path, number, settings)
            _drain(record.raw_stream)
        except Exception as exc:  # noqa: BLE001
            yield Skipped(source, _STOPPED.format(_describe(exc)))
            return
        if getattr(record.raw_stream, "limit", 0) > 0:
            yield Skipped(source, "truncated record: the archive ends inside it, reading stopped")
            return


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _TruncatedError):
        return str(exc)
    text = str(exc).strip()
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
