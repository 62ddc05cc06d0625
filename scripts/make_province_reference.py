"""Derive the committed province reference tables from the researched crosswalk.

Input : ../shared/reference/provinces_2025.csv (researched facts: Resolution 202/2025/QH15,
        Decision 19/2025/QĐ-TTg). Output: src/analysis/catalogue/reference/provinces.csv and
        src/analysis/catalogue/reference/crosswalk_vn63_vn34.csv.

Run once when the reference changes:  .venv/bin/python scripts/make_province_reference.py
The outputs are committed; the package never reads ../shared at run time.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from analysis.core.text import nfc, strip_diacritics

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "reference" / "provinces_2025.csv"
OUT = ROOT / "src" / "analysis" / "catalogue" / "reference"

SOURCE = "Resolution 202/2025/QH15 (National Assembly, 12 Jun 2025); Decision 19/2025/QĐ-TTg (Prime Minister, 2025) codes"
SOURCE_VN63 = "GSO administrative unit codes (Decision 124/2004/QĐ-TTg and amendments); valid until 30 Jun 2025 per Resolution 202/2025/QH15"

REGIONS_VN63 = {
    "Đồng bằng sông Hồng": ("RRD", "Red River Delta"),
    "Trung du và miền núi phía Bắc": ("NMM", "Northern Midlands and Mountains"),
    "Bắc Trung Bộ và duyên hải miền Trung": ("NCC", "North Central and Central Coast"),
    "Tây Nguyên": ("CH", "Central Highlands"),
    "Đông Nam Bộ": ("SE", "South East"),
    "Đồng bằng sông Cửu Long": ("MRD", "Mekong River Delta"),
}
REGIONS_VN34 = {
    "Đồng bằng sông Hồng": ("RRD", "Red River Delta"),
    "Trung du và miền núi phía Bắc": ("NMM", "Northern Midlands and Mountains"),
    "Bắc Trung Bộ": ("NC", "North Central"),
    "Duyên hải Nam Trung Bộ và Tây Nguyên": ("SCCH", "South Central Coast and Central Highlands"),
    "Đông Nam Bộ": ("SE", "South East"),
    "Đồng bằng sông Cửu Long": ("MRD", "Mekong River Delta"),
}
# Centrally-run cities. Huế became one on 1 Jan 2025; the vn63 series (2015-2024) knew it as
# Thừa Thiên Huế province, which is the name we keep for vn63.
CITIES_VN63 = {"01", "31", "48", "79", "92"}
NAME_FIX_VN63 = {"46": "Thừa Thiên Huế"}
EN_OVERRIDES = {"01": "Hanoi", "79": "Ho Chi Minh City", "77": "Ba Ria - Vung Tau", "46": None}


def strip_prefix(name: str) -> tuple[str, str]:
    for prefix, kind in (("Thành phố ", "city"), ("Tỉnh ", "province")):
        if name.startswith(prefix):
            return name[len(prefix):], kind
    raise SystemExit(f"unexpected name without prefix: {name}")


def ascii_fold(name: str) -> str:
    name = name.replace("Đ", "D").replace("đ", "d")
    return strip_diacritics(name)


def main() -> int:
    rows = list(csv.DictReader(SRC.open(encoding="utf-8")))
    provinces: list[dict[str, str]] = []
    crosswalk: list[dict[str, str]] = []
    seen_new: set[str] = set()
    for r in rows:
        new_name, new_type = strip_prefix(nfc(r["new_name_vi"]))
        old_name, _ = strip_prefix(nfc(r["old_name_vi"]))
        old_code = r["old_code"]
        old_name = NAME_FIX_VN63.get(old_code, old_name).replace("Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu")
        rc, ren = REGIONS_VN63[r["region"]]
        en_old = EN_OVERRIDES.get(old_code) or ascii_fold(old_name)
        provinces.append({
            "geo_version": "vn63", "code": old_code, "name_vi": old_name, "name_en": en_old,
            "type": "city" if old_code in CITIES_VN63 else "province",
            "region_code": rc, "region_vi": r["region"], "region_en": ren,
            "valid_from": "2008-08-01", "valid_to": "2025-06-30", "source": SOURCE_VN63,
        })
        if r["new_code"] not in seen_new:
            seen_new.add(r["new_code"])
            nrc, nren = REGIONS_VN34[r["region_new_unit_proposed_2025"]]
            provinces.append({
                "geo_version": "vn34", "code": r["new_code"], "name_vi": new_name,
                "name_en": EN_OVERRIDES.get(r["new_code"]) or ascii_fold(new_name),
                "type": new_type, "region_code": nrc, "region_vi": r["region_new_unit_proposed_2025"],
                "region_en": nren, "valid_from": "2025-07-01", "valid_to": "", "source": SOURCE,
            })
        crosswalk.append({
            "vn63_code": old_code, "vn34_code": r["new_code"],
            "keeps_code_as_seat": "true" if r["old_code_retained_as_new_code"] == "yes" else "false",
            "n_merged": r["n_old_units_merged"], "effective": "2025-07-01", "source": SOURCE,
        })
    provinces.sort(key=lambda p: (p["geo_version"] != "vn63", p["code"]))
    crosswalk.sort(key=lambda c: c["vn63_code"])
    for name, data in (("provinces.csv", provinces), ("crosswalk_vn63_vn34.csv", crosswalk)):
        with (OUT / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(data)
    print(f"{len(provinces)} province rows, {len(crosswalk)} crosswalk rows -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
