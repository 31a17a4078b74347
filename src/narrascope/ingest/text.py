"""Plain-text files, and small helpers the other readers share.

A ``.txt`` file becomes one :class:`RawDocument` whose ``body`` is the file
exactly as decoded: no newline translation, no whitespace clean-up, because
the parse stage stores it unchanged and every offset indexes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from narrascope.errors import InputError
from narrascope.ingest.decode import decode_bytes, read_bytes
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

__all__ = [
    "check_not_blank",
    "host_of",
    "load_text",
    "optional_text",
    "read_text",
]


def host_of(url: str | None) -> str | None:
    """The lower-case host name of an absolute ``http(s)`` URL, or None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    return host.lower()


def check_not_blank(text: str, what: str = "file") -> None:
    """Raise :class:`InputError` when ``text`` has no non-whitespace character."""
    if not text.strip():
        raise InputError(f"empty {what} (only whitespace)")


def optional_text(value: object, name: str) -> str | None:
    """``value`` stripped if it is a non-empty string, None if absent or empty.

    Raises :class:`InputError` for any other type, naming the field.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"field {name!r} must be a string, got {type(value).__name__}")
    value = value.strip()
    return value or None


def load_text(path: Path, settings: Settings, hint: str | None = None) -> tuple[str, str]:
    """Read and decode ``path``: ``(text, encoding)``, or :class:`InputError`.

    The size limit is ``settings.max_file_bytes``; empty and whitespace-only
    files, binary files and undecodable files are errors with a clear reason.
    """
    data = read_bytes(path, settings.max_file_bytes)
    text, encoding = decode_bytes(data, hint)
    check_not_blank(text)
    return text, encoding


def read_text(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    """One document per ``.txt`` file; a :class:`Skipped` with the reason otherwise."""
    try:
        text, encoding = load_text(path, settings)
    except InputError as exc:
        yield Skipped(str(path), str(exc))
        return
    yield RawDocument(
        source=str(path),
        format="txt",
        body=text,
        is_html=False,
        collection=str(path.parent),
        encoding=encoding,
    )
