"""One definition of NFC and of diacritic folding (analysis.core.text), pinned by golden keys.

The goldens are what the matching keys gave before the copies were merged (the one change:
``slugify`` now folds the look-alike Ð like Đ, as every other key already did).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from analysis.catalogue.geography import name_key
from analysis.core.text import fold, nfc, strip_diacritics
from analysis.reports.params import slugify
from analysis.sources.readers.labels import loose_key, strict_key

ROOT = Path(__file__).resolve().parents[2]
NFD_KHANH_HOA = unicodedata.normalize("NFD", "Khánh Hòa")

GOLDEN = [  # text, fold, loose_key, strict_key, name_key, slugify
    ("Đà Nẵng", "da nang", "danang", "đà nẵng", "danang", "da-nang"),
    ("ĐIỆN BIÊN", "dien bien", "dienbien", "điện biên", "dienbien", "dien-bien"),
    ("Thừa Thiên - Huế", "thua thien - hue", "thuathienhue", "thừa thiên-huế", "thuathienhue",
     "thua-thien-hue"),
    ("TP. Hồ Chí Minh", "tp. ho chi minh", "tphochiminh", "tp. hồ chí minh", "hochiminh",
     "tp-ho-chi-minh"),
    ("B?c Ninh", "b?c ninh", "b?cninh", "b?c ninh", "b?cninh", "b-c-ninh"),
    ("Ðà N?ng", "da n?ng", "dan?ng", "ðà n?ng", "dan?ng", "da-n-ng"),
    (NFD_KHANH_HOA, "khanh hoa", "khanhhoa", "khánh hòa", "khanhhoa", "khanh-hoa"),
    ("Thanh  Hoá", "thanh  hoa", "thanhhoa", "thanh hoá", "thanhhoa", "thanh-hoa"),
    ("Bà Rịa–Vũng Tàu", "ba ria–vung tau", "bariavungtau", "bà rịa-vũng tàu", "bariavungtau",
     "ba-ria-vung-tau"),
    ("Hà Nội\t", "ha noi\t", "hanoi", "hà nội", "hanoi", "ha-noi"),
]


@pytest.mark.parametrize(("text", "folded", "loose", "strict", "name", "slug"), GOLDEN)
def test_every_key_folds_the_same_way(text, folded, loose, strict, name, slug):
    assert fold(text) == folded
    assert loose_key(text) == loose
    assert strict_key(text) == strict
    assert name_key(text) == name
    assert slugify(text) == slug


def test_strip_diacritics_keeps_case_and_nfc_keeps_non_strings():
    assert strip_diacritics("Đà Nẵng") == "Da Nang"
    assert nfc(NFD_KHANH_HOA) == "Khánh Hòa" and nfc(None) is None and nfc(3) == 3


def test_each_rule_is_defined_in_one_place():
    """A grep for the rules' definitions finds analysis/text.py only."""
    rules = {
        "NFC normalisation": re.compile(r"normalize\(\s*[\"']NFC[\"']"),
        "diacritic folding": re.compile(r"unicodedata\.combining\("),
    }
    files = [*(ROOT / "src" / "analysis").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]
    for what, pattern in rules.items():
        where = sorted(str(f.relative_to(ROOT)) for f in files
                       if pattern.search(f.read_text(encoding="utf-8")))
        assert where == ["src/analysis/core/text.py"], (what, where)
