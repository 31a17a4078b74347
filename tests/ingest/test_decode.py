"""decode_bytes: BOMs, strict UTF-8, declared charsets, guesses, binary refusal."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrascope.errors import InputError
from narrascope.ingest.decode import decode_bytes, normalise_encoding, read_bytes

SENTENCE = "The café’s new menu — naïve, but tasty — was reviewed on Friday.\r\nSecond line.\n"


def test_plain_utf8_keeps_crlf_and_whitespace() -> None:
    data = "a\r\nb\rc\n\n  d\t\u00a0e  ".encode()
    text, encoding = decode_bytes(data)
    assert text == "a\r\nb\rc\n\n  d\t\u00a0e  "
    assert encoding == "utf-8"


def test_empty_bytes_decode_to_empty_text() -> None:
    assert decode_bytes(b"") == ("", "utf-8")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    ],
)
def test_bom_is_honoured_and_dropped(bom: bytes, codec: str, name: str) -> None:
    text, encoding = decode_bytes(bom + SENTENCE.encode(codec))
    assert text == SENTENCE
    assert not text.startswith("\ufeff")
    assert encoding == name


def test_bomless_utf16_is_recognised() -> None:
    text, encoding = decode_bytes(SENTENCE.encode("utf-16-le"))
    assert text == SENTENCE
    assert encoding == "utf-16-le"


def test_invalid_data_after_bom_is_an_error() -> None:
    with pytest.raises(InputError, match="undecodable"):
        decode_bytes(codecs.BOM_UTF8 + b"ok \xff\xfe broken")


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_legacy_single_byte_text_is_decoded(codec: str) -> None:
    original = (
        "Le café était fermé. Les élèves ont déjà reçu leurs résultats, "
        "et la rentrée aura lieu à la mi-septembre comme prévu.\n"
    ) * 5
    text, encoding = decode_bytes(original.encode(codec))
    assert text == original
    assert encoding


def test_declared_charset_is_used_when_not_utf8() -> None:
    original = "Smart quotes: “hello” — and the € sign."
    text, encoding = decode_bytes(original.encode("cp1252"), hint="Windows-1252")
    assert text == original
    assert encoding == "cp1252"


def test_bogus_hint_is_ignored() -> None:
    text, _ = decode_bytes(b"plain ascii", hint="no-such-charset")
    assert text == "plain ascii"


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


def test_control_characters_mean_binary() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + b"some text")


def test_random_bytes_are_refused_or_decoded_without_raising_other_errors() -> None:
    data = bytes((i * 7919 + 13) % 256 for i in range(5000))
    with pytest.raises(InputError):
        decode_bytes(data)


def test_normalise_encoding() -> None:
    assert normalise_encoding("ISO-8859-1") == "iso8859-1"
    assert normalise_encoding("UTF8") == "utf-8"
    assert normalise_encoding("bogus") is None
    assert normalise_encoding(None) is None


def test_read_bytes_limits(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"0123456789")
    assert read_bytes(path, 10) == b"0123456789"
    with pytest.raises(InputError, match="too large"):
        read_bytes(path, 9)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_bytes(empty, 10)
    with pytest.raises(InputError, match="cannot read"):
        read_bytes(tmp_path / "missing.txt", 10)
    with pytest.raises(InputError, match="directory"):
        read_bytes(tmp_path, 10**9)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_utf8_round_trip(text: str) -> None:
    decoded, encoding = decode_bytes(text.encode("utf-8"))
    assert decoded == text.removeprefix("\ufeff")
    assert encoding == "utf-8"
