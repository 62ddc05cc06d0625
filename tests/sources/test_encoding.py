"""Encodings of text exports: every variant decodes to the same NFC text."""

from __future__ import annotations

import unicodedata

import pytest

from analysis.core.errors import DataError
from analysis.sources.readers.encoding import decode, sniff_encoding
from tests.fixtures.ingest.make_fixtures import cp1258, lossy_cp1252

TEXT = "Tỉnh,Năm\nBà Rịa - Vũng Tàu,2024\nĐắk Lắk,2023\nThừa Thiên Huế,2022\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),
    (unicodedata.normalize("NFD", TEXT).encode("utf-8"), "utf-8"),
    (cp1258(TEXT), "cp1258"),
    (TEXT.encode("utf-8") + b"\x00", "utf-8"),
])
def test_every_encoding_gives_the_same_nfc_text(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text == TEXT
    assert unicodedata.is_normalized("NFC", decoded.text)
    assert not decoded.lossy


def test_windows_1258_writes_tone_marks_as_combining_characters() -> None:
    raw = cp1258("Bạc Liêu")
    assert raw == b"Ba\xf2c Li\xeau"  # 'a' then the combining dot below
    decoded = decode(raw)
    assert decoded.encoding == "cp1258"
    assert decoded.text == "Bạc Liêu"


def test_lossy_windows_1252_is_recognised_and_flagged() -> None:
    raw = lossy_cp1252("Bắc Ninh,Đồng Nai,Hưng Yên\n")
    assert raw == b"B?c Ninh,\xd0?ng Nai,Hung Y\xean\n"
    decoded = decode(raw)
    assert decoded.encoding == "cp1252"
    assert decoded.lossy
    assert decoded.text == "B?c Ninh,Ð?ng Nai,Hung Yên\n"


def test_plain_latin_text_is_not_called_lossy() -> None:
    decoded = decode("Hà,Ô Môn, ?\n".encode("cp1252"))
    assert decoded.encoding == "cp1252" and decoded.text == "Hà,Ô Môn, ?\n"
    assert not decoded.lossy
    assert sniff_encoding(b"province,year\n") == "utf-8"


def test_nul_bytes_inside_text_are_refused() -> None:
    with pytest.raises(DataError, match="NUL bytes"):
        decode(b"abc\x00def,1\n", file="x.csv")
