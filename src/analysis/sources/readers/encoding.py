"""Turn the bytes of a text export into NFC text, whatever the encoding the NSO or Excel used.

Encodings met in practice (``nso-samples/PROVENANCE.md``):

* UTF-8, with or without a byte-order mark; macOS tools may write NFD-decomposed text;
* UTF-16 (Excel's "Unicode text"), with a BOM, or without one (recognised by its zero bytes);
* Windows-1258, which writes Vietnamese tone marks as *separate combining characters*
  ("Ba\u0300" for "Bà"): decoded, then composed to NFC;
* the lossy Windows-1252 "best-fit" export of PX-Web: letters of Latin Extended Additional
  become ``?`` ("B?c Ninh"), ``ư``/``ơ``/``ă``/``ĩ`` lose their marks and ``Đ`` becomes ``Ð``. The
  letters are gone for good; names are matched later with ``?`` as a one-letter wildcard, and
  the read result says the file was lossy.

Some exports end with a NUL byte after the data; trailing NULs are removed before decoding.

Line endings are unified once, here: CRLF (Windows), a lone CR (old Mac OS, some Excel
"CSV (Macintosh)" exports) and mixes of them all become LF (:func:`unify_newlines`), so every
text reader sees the same lines whatever convention the file used. A line break inside a
quoted cell becomes LF too (the cell's text is otherwise unchanged).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TypeVar

from analysis.core.errors import DataError
from analysis.core.text import is_mark
from analysis.core.text import nfc as to_nfc

SAMPLE_BYTES = 65_536

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16 = "utf-16"
CP1258 = "cp1258"
CP1252_LOSSY = "cp1252"

# Vietnamese vowels a combining tone mark may follow in Windows-1258 text.
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
T = TypeVar("T", str, bytes)
_LOSSY_WORD = re.compile(r"[^\W\d_]\?|\?[^\W\d_]")


@dataclass(frozen=True)
class Decoded:
    """Decoded text and what was learnt on the way.

    Attributes:
        text: NFC text, trailing NULs removed, LF line endings.
        encoding: the encoding used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1258``,
            ``cp1252``).
        lossy: True for the lossy Windows-1252 export (letters replaced by ``?``).
    """

    text: str
    encoding: str
    lossy: bool


def unify_newlines(text: T) -> T:
    """``text`` (str, or UTF-8 bytes) with CRLF and lone CR line endings turned into LF.

    Safe on UTF-8 bytes: the CR byte never occurs inside a multi-byte character. Not for
    UTF-16 bytes (decode them first).
    """
    cr, lf = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    if cr not in text:
        return text
    return text.replace(cr + lf, lf).replace(cr, lf)


def strip_nul(data: bytes) -> bytes:
    """Remove the NUL bytes some exports write after the data (not for UTF-16 bytes)."""
    return data.rstrip(b"\x00")


def _looks_utf16(data: bytes) -> str | None:
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return UTF16
    sample = data[:4096]
    if len(sample) >= 8:
        even_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
        odd_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
        if even_zero > 0.3 and odd_zero < 0.05:
            return "utf-16-le"
        if odd_zero > 0.3 and even_zero < 0.05:
            return "utf-16-be"
    return None


def sniff_encoding(data: bytes) -> str:
    """Guess the encoding from the first bytes (BOM, zero-byte pattern, valid UTF-8)."""
    if data.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    utf16 = _looks_utf16(data)
    if utf16:
        return utf16
    sample = data[:SAMPLE_BYTES]
    try:
        sample.decode(UTF8)
        return UTF8
    except UnicodeDecodeError as err:
        # a multi-byte character cut by the sample's end is still UTF-8
        if err.start >= len(sample) - 3 and len(data) > len(sample):
            return UTF8
    return _cp125x(data)


def _cp125x(data: bytes) -> str:
    """Windows-1258 (combining tone marks after vowels) or the lossy Windows-1252 export."""
    try:
        text = data.decode(CP1258)
    except UnicodeDecodeError:
        return CP1252_LOSSY
    marks = 0
    misplaced = 0
    previous = ""
    for ch in text:
        if is_mark(ch):
            marks += 1
            if previous not in _VOWELS:
                misplaced += 1
        else:
            previous = ch
    if marks and misplaced == 0:
        return CP1258
    return CP1252_LOSSY


def decode(data: bytes, *, file: object = None, encoding: str | None = None) -> Decoded:
    """Decode a text export to NFC (see module docstring for the encodings handled).

    Raises:
        DataError: when the bytes are not text in any of the encodings above.
    """
    enc = encoding or sniff_encoding(data)
    if not enc.startswith("utf-16"):
        data = strip_nul(data)
    try:
        text = _decode_as(data, enc)
    except UnicodeDecodeError as err:
        if encoding is not None or enc not in (UTF8, UTF8_BOM):
            raise DataError(f"the file is not readable text (byte {err.start} is not valid "
                            f"{enc})", file=file) from None
        if enc == UTF8_BOM:  # it says UTF-8 and is not: guessing would invent letters
            at = err.start + 3  # utf-8-sig counts after the 3-byte mark
            raise DataError(
                f"the file starts with a UTF-8 byte-order mark but byte {at} is not "
                "UTF-8 (two encodings mixed in one file)", file=file,
                row=unify_newlines(data[:at]).count(b"\n") + 1,
                hint="open it in a spreadsheet and save it again as 'CSV UTF-8'") from None
        # valid UTF-8 at the start only: a Windows code page after all
        enc = _cp125x(data)
        text = _decode_as(data, enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip("\x00")
    if "\x00" in text:
        raise DataError("the file contains NUL bytes inside the data: is it a binary file?",
                        file=file)
    text = unify_newlines(to_nfc(text))
    lossy = enc == CP1252_LOSSY and bool(_LOSSY_WORD.search(text))
    return Decoded(text=text, encoding=enc, lossy=lossy)


def _decode_as(data: bytes, enc: str) -> str:
    if enc == CP1252_LOSSY:
        # five bytes are undefined in Windows-1252; the export never writes them
        return data.decode(enc, errors="replace")
    return data.decode(enc)

