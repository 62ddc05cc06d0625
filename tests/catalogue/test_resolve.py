"""Province-name resolution over every spelling real sources use."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pandas as pd
import pytest

import analysis as nq
from analysis.core.errors import UnmatchedNamesError

SPELLINGS_VN63 = {
    "Hà Nội": "01", "HÀ NỘI": "01", "Ha Noi": "01", "Hanoi": "01", "Thành phố Hà Nội": "01",
    "TP. Hà Nội": "01", "Hà Nội\t": "01", "Hà Tây": "01",
    "Hoà Bình": "17", "Hòa Bình": "17", "Tỉnh Hoà Bình": "17",
    "Thanh Hoá": "38", "Thanh Hóa": "38", "Thanh  Hoa": "38",
    "Đăk Lăk": "66", "Đắk Lắk": "66", "Dak Lak": "66", "Daklak": "66",
    "TP. Hồ Chí Minh": "79", "Ho Chi Minh City": "79", "Ho Chi Minh city": "79",
    "Thành phố Hồ Chí Minh": "79", "TP.HCM": "79",
    "Bà Rịa–Vũng Tàu": "77", "Bà Rịa - Vũng Tàu": "77", "Ba Ria - Vung Tau": "77",
    "Thừa Thiên - Huế": "46", "Thua Thien-Hue": "46", "Huế": "46",
    "B?c Ninh": "27", "Ð?ng Nai": "75", "H?i Duong": "30", "Qu?ng Ninh": "22",
    "Bà R?a - Vtng Tàu": "77",
    "Thai  Nguyen": "19", "Kien  Giang": "91",
}


@pytest.mark.parametrize(("name", "code"), sorted(SPELLINGS_VN63.items()))
def test_spellings_resolve(name, code):
    assert nq.resolve_provinces([name], "vn63").iloc[0] == code


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKD"])
def test_unicode_normal_forms(form):
    names = [unicodedata.normalize(form, n) for n in ("Hà Nội", "Đồng Tháp", "Thừa Thiên Huế")]
    assert nq.resolve_provinces(names, "vn63").tolist() == ["01", "87", "46"]


def test_vn34_names_and_old_names_in_vn34_are_explained():
    assert nq.resolve_provinces(["Lào Cai", "Huế", "Thành phố Huế"], "vn34").tolist() == [
        "15", "46", "46"]
    with pytest.raises(UnmatchedNamesError) as err:
        nq.resolve_provinces(["Yên Bái", "Lào Cai"], "vn34")
    assert "Yên Bái" in str(err.value) and "vn63" in str(err.value)


@pytest.mark.parametrize(("name", "code", "kind"), [
    ("CẢ NƯỚC", "VN", "country"), (" WHOLE COUNTRY", "VN", "country"), ("C? NU?C", "VN", "country"),
    ("Đồng bằng sông Hồng", "REG-RRD", "region"), ("Red River Delta", "REG-RRD", "region"),
    ("Ð?ng b?ng sông C?u Long", "REG-MRD", "region"),
    ("Northern midlands and mountain areas", "REG-NMM", "region"),
    ("Northern Central area and Central coastal area", "REG-NCC", "region"),
    ("Tây Nguyên", "REG-CH", "region"), ("South East", "REG-SE", "region"),
    ("TOÀN TỈNH", "TOTAL", "province_total"), ("Toàn tỉnh - Whole province", "TOTAL", "province_total"),
    ("Hà Tây", "01", "historical"),
])
def test_aggregate_rows_are_recognised(name, code, kind):
    m = nq.match_provinces([name], "vn63")
    assert (m["code"].iloc[0], m["kind"].iloc[0]) == (code, kind)


def test_one_error_lists_every_unmatched_name():
    with pytest.raises(UnmatchedNamesError) as err:
        nq.resolve_provinces(["Hà Nội", "Atlantis", "Hà Nội", "Mordor"], "vn63")
    assert err.value.names == ["Atlantis", "Mordor"]
    assert "2 province name(s)" in str(err.value)


def test_lossy_spelling_that_fits_two_provinces_is_refused():
    # "Qu?ng N??" fits Quảng Nam only if the wildcards are too loose: "H? Nam" fits Hà Nam only,
    # but "??? Nam" would fit several names of the same length.
    with pytest.raises(UnmatchedNamesError, match="ambiguous"):
        nq.resolve_provinces(["B?c ????"], "vn63")  # Bắc Ninh / Bắc Kạn / Bắc Giang…


def test_vectorised_over_distinct_values_keeps_index():
    s = pd.Series(["Hà Nội", "Ha Noi", "Cà Mau"] * 1000, index=range(5, 3005))
    out = nq.resolve_provinces(s, "vn63")
    assert out.index.equals(s.index)
    assert out.value_counts().to_dict() == {"01": 2000, "96": 1000}


def _jsonstat_geo_labels(path):
    data = json.JSONDecoder().raw_decode(path.read_bytes().decode("utf-8"))[0]["dataset"]
    for dim in data["dimension"].values():
        if isinstance(dim, dict) and len(dim.get("category", {}).get("label", {})) > 60:
            return list(dim["category"]["label"].values())
    return []


def test_every_name_in_the_real_nso_samples_resolves(nso_samples):
    names: list[str] = []
    for path in sorted((nso_samples / "jsonstat").glob("*.json")):
        names += _jsonstat_geo_labels(path)
    text = (nso_samples / "exports" / "V02.01_datasciencedances.csv").read_bytes()
    lossy = list(csv.reader(io.StringIO(text.rstrip(b"\x00").decode("cp1252"))))
    names += [row[0] for row in lossy[1:] if row and row[0].strip()]
    heading = (nso_samples / "exports" / "V02.01_Cy30mk3v_csv_with_heading_as_indexed.csv")
    for line in heading.read_text(encoding="utf-8").splitlines():
        first = line.split(",")[0].strip('"')
        if line.startswith('"') and not first.startswith(("(*)", " ", "Diện")) and "," in line:
            names.append(first)
    matched = nq.match_provinces(names, "vn63")  # raises if any name is unmatched
    kinds = matched.drop_duplicates("name").groupby("kind").size().to_dict()
    assert kinds["country"] >= 3 and kinds["region"] >= 17 and kinds["historical"] == 2
    provinces = set(matched.loc[matched["kind"] == "province", "code"])
    assert provinces == set(nq.provinces("vn63")["code"])
