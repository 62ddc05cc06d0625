"""Text rules, defined once: NFC normalisation and Vietnamese diacritic folding.

* :func:`nfc` — the Unicode NFC form every stored and displayed text is in (Vietnamese text
  arrives NFD-decomposed from macOS tools and Windows-1258 exports; it is compared and written
  in NFC everywhere). Non-strings pass through unchanged.
* :func:`strip_diacritics` — the letters without their marks: the combining marks of the
  NFD form are dropped and the letter đ/Đ (which has no decomposition) becomes d/D, as do its
  look-alikes (Ð, ð, ɖ, Ɖ) written by lossy Windows-1252 exports. Case is kept:
  ``"Đà Nẵng"`` → ``"Da Nang"``.
* :func:`fold` — :func:`strip_diacritics` and case folding: the key of a loose,
  diacritics-insensitive comparison (``"ĐÀ NẴNG"`` → ``"da nang"``). Spaces and punctuation
  are kept; callers that need a tighter key (``analysis.catalogue.geography.name_key``,
  ``analysis.sources.readers.labels.loose_key``) strip them after folding.
"""

from __future__ import annotations

import unicodedata
from typing import TypeVar

T = TypeVar("T")

_D_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d", "ɖ": "d", "Ɖ": "D"})


def nfc(value: T) -> T:
    """NFC form of a string; anything else is returned unchanged."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def strip_diacritics(text: str) -> str:
    """``text`` without diacritics, đ/Đ as d/D, case kept (see module docstring)."""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case ``text`` without diacritics (``đ`` → ``d``), spaces and punctuation kept."""
    return strip_diacritics(text).casefold()


def is_mark(char: str) -> bool:
    """True for a combining mark (a diacritic written as its own code point, as in NFD)."""
    return bool(unicodedata.combining(char))
