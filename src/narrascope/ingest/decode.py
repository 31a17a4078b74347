"""Bytes to text: BOMs, strict UTF-8, a declared charset, then a best guess.

The text returned here is what the store keeps for a plain-text input and what
every offset indexes, so nothing is normalised: ``\\r\\n`` stays ``\\r\\n`` and
whitespace is left alone. Only a leading byte-order mark is dropped.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from narrascope.errors import InputError

__all__ = ["BINARY_CONTROL_SHARE", "decode_bytes", "normalise_encoding", "read_bytes"]

#: Text whose share of control characters (other than tab, newlines, form feed)
#: exceeds this is treated as binary.
BINARY_CONTROL_SHARE = 0.05

# Longest-first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_WESTERN_PUNCTUATION = frozenset("€‚„…†‡‰‹›‘’“”•–—™«»°±·¡¿£¥§©®¶×÷¢\xa0")
_WESTERN_MAX_ACCENTED = 0.3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 65_536


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of ``path``; :class:`InputError` if missing, unreadable, empty or over ``limit``.

    The size is checked before reading, and the read itself is capped, so a file
    that grows while it is read cannot exhaust memory.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    if info.st_size > limit:
        raise InputError(
            f"file too large: {info.st_size:,} bytes exceeds max_file_bytes ({limit:,})"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise InputError("is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"file too large: more than max_file_bytes ({limit:,}) bytes")
    if not data:
        raise InputError("empty file (0 bytes)")
    return data


def normalise_encoding(name: str | None) -> str | None:
    """The Python codec name for ``name`` (e.g. ``"ISO-8859-1"`` -> ``"iso8859-1"``), or None."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    Order: a byte-order mark (UTF-8/16/32; the BOM is not part of the text),
    strict UTF-8, the charset ``hint`` (e.g. from an HTTP header or a meta tag)
    when it decodes strictly, then charset_normalizer's best guess. Newlines and
    whitespace are kept exactly. Raises :class:`InputError` for binary content
    (NUL bytes outside UTF-16/32, a high share of control characters, or no
    plausible encoding).
    """
    if not data:
        return "", "utf-8"
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"undecodable: invalid {encoding} after its byte-order mark "
                    f"(at byte {exc.start + len(bom)})"
                ) from None
            _check_not_binary(text)
            return text, encoding
    if b"\x00" in data:
        guessed = _bomless_utf16(data)
        if guessed is None:
            raise InputError("binary content (contains NUL bytes)")
        return guessed
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_not_binary(text)
        return text, "utf-8"
    declared = normalise_encoding(hint)
    if declared is not None and not declared.startswith(("utf-16", "utf-32")):
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            _check_not_binary(text)
            return text, declared
    return _guess(data)


def _western(data: bytes) -> str | None:
    """``data`` as Windows-1252 when it reads as Western European text, else None.

    Windows-1252 is the web's default for undeclared 8-bit text, and
    charset_normalizer often mistakes short French or German text for a Baltic
    or Central European code page. Accepted only when every non-ASCII character
    is a letter or common typographic punctuation, and non-ASCII letters are a
    minority of the letters (text in another script decoded as Windows-1252
    is mostly accented letters, or shows stray symbols such as ``¹`` or ``³``).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = foreign = 0
    for char in "".join(_samples(text)):
        if char.isalpha():
            letters += 1
            if ord(char) > 127:
                foreign += 1
        elif ord(char) > 127 and char not in _WESTERN_PUNCTUATION:
            return None
    if letters == 0 or foreign > _WESTERN_MAX_ACCENTED * letters:
        return None
    return text


def _guess(data: bytes) -> tuple[str, str]:
    western = _western(data)
    if western is not None:
        _check_not_binary(western)
        return western, "cp1252"

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError("binary or undecodable content (no plausible text encoding)")
    encoding = normalise_encoding(best.encoding) or best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = str(best)
    _check_not_binary(text)
    return text, encoding


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: mostly-ASCII text has NULs on every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[: _SAMPLE * 2]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls >= 0.3 * half and even_nuls == 0:
        encoding = "utf-16-le"
    elif even_nuls >= 0.3 * half and odd_nuls == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    try:
        _check_not_binary(text)
    except InputError:
        return None
    return text, encoding


def _samples(text: str) -> list[str]:
    """The whole of a short text; its start, middle and end for a long one."""
    if len(text) <= 3 * _SAMPLE:
        return [text]
    middle = len(text) // 2
    return [text[:_SAMPLE], text[middle : middle + _SAMPLE], text[-_SAMPLE:]]


def _check_not_binary(text: str) -> None:
    """Raise :class:`InputError` when samples of ``text`` look like binary data."""
    if "\x00" in text:
        raise InputError("binary content (contains NUL characters)")
    samples = _samples(text)
    total = sum(len(s) for s in samples)
    controls = sum(len(_CONTROL.findall(s)) for s in samples)
    if total and controls / total > BINARY_CONTROL_SHARE:
        raise InputError(f"binary content ({controls / total:.0%} control characters)")
