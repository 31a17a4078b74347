"""JSON Lines files (``.jsonl``): one article object per line.

Each non-blank line is a JSON object with ``text`` (plain text) or ``html``
(markup, ``is_html=True``), and optionally ``url``, ``title``, ``published``,
``author`` and ``site`` (strings or null). When both ``text`` and ``html`` are
present, ``text`` wins: it is what the producer chose as the article text.
A bad line (invalid JSON, not an object, no text, a field of the wrong type)
yields ``Skipped("path#LINE", reason)`` and reading goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narrascope.errors import InputError
from narrascope.ingest.decode import decode_bytes, read_bytes
from narrascope.ingest.text import host_of, optional_text
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

__all__ = ["METADATA_FIELDS", "read_jsonl", "record_document"]

#: Optional string fields copied from each object onto the document.
METADATA_FIELDS = ("url", "title", "published", "author", "site")


def _body(obj: dict[str, Any]) -> tuple[str, bool]:
    """``(body, is_html)`` from the object's ``text`` or ``html`` field."""
    for key, is_html in (("text", False), ("html", True)):
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"field {key!r} must be a string, got {type(value).__name__}")
        if value.strip():
            return value, is_html
    if "text" in obj or "html" in obj:
        raise InputError("empty record: 'text'/'html' holds only whitespace")
    raise InputError("record has neither a 'text' nor an 'html' field")


def _check_unicode(value: str, name: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"field {name!r} holds an unpaired surrogate (invalid Unicode)") from None


def record_document(
    obj: object, source: str, collection: str, encoding: str | None = "utf-8"
) -> RawDocument:
    """The :class:`RawDocument` for one decoded JSON value; :class:`InputError` if unusable."""
    if not isinstance(obj, dict):
        raise InputError(f"line is a JSON {_json_type(obj)}, not an object")
    body, is_html = _body(obj)
    _check_unicode(body, "html" if is_html else "text")
    meta: dict[str, str | None] = {}
    for name in METADATA_FIELDS:
        value = optional_text(obj.get(name), name)
        if value is not None:
            _check_unicode(value, name)
        meta[name] = value
    site = meta["site"] or host_of(meta["url"])
    return RawDocument(
        source=source,
        format="jsonl",
        body=body,
        is_html=is_html,
        url=meta["url"],
        title=meta["title"],
        author=meta["author"],
        published=meta["published"],
        site=site,
        collection=site or collection,
        encoding=encoding,
    )


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def read_jsonl(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    """One document per good line of a JSON Lines file, one Skipped per bad line.

    The whole file must fit in ``settings.max_file_bytes``. Lines are split on
    ``\\n`` only (JSON strings may hold U+2028), and numbered from 1.
    """
    try:
        data = read_bytes(path, settings.max_file_bytes)
        text, encoding = decode_bytes(data)
    except InputError as exc:
        yield Skipped(str(path), str(exc))
        return
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        found = True
        source = f"{path}#{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(source, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Skipped(source, "invalid JSON: nested too deeply")
            continue
        try:
            yield record_document(obj, source, str(path), encoding)
        except InputError as exc:
            yield Skipped(source, str(exc))
    if not found:
        yield Skipped(str(path), "empty file (only blank lines)")
