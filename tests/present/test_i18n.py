"""Language catalogue and number formatting (analysis.present.i18n)."""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.catalogue.indicators import indicators
from analysis.core.errors import ParameterError
from analysis.present import i18n
from analysis.present.i18n import (
    fmt_number,
    fmt_percent,
    fmt_value,
    indicator_name,
    progress_summary,
    province_label,
    sort_key,
    status_label,
    t,
    target_text,
)
from analysis.present.style import STATUS_ORDER

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "analysis"
VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)


# -- the catalogue -----------------------------------------------------------------------


def test_vi_and_en_have_the_same_keys_and_fields() -> None:
    vi, en = i18n.keys("vi"), i18n.keys("en")
    assert vi == en, f"only vi: {sorted(vi - en)}; only en: {sorted(en - vi)}"
    for key in vi:
        assert i18n.fields_of(key, "vi") == i18n.fields_of(key, "en"), key


def test_every_translation_is_nfc_and_not_empty() -> None:
    for lang in ("vi", "en"):
        for key in i18n.keys(lang):
            text = i18n.t_raw(key, lang)
            assert text.strip(), key
            assert unicodedata.normalize("NFC", text) == text, key


def test_english_catalogue_has_no_vietnamese_letters_outside_names() -> None:
    # the files of this module (maps.* and reports.* belong to their modules); the names of
    # languages are the exception
    for key in i18n.keys("en"):
        if key.startswith(("language.", "maps.", "reports.")):
            continue
        assert not VI_LETTERS.search(i18n.t_raw(key, "en")), key


def _literal_keys(text: str) -> set[str]:
    calls = r"(?:\bt|heading|paragraph|section|t_raw|has_key)\(\s*"
    found = set(re.findall(calls + r"\"([a-z_]+(?:\.[a-z0-9_]+)+)\"", text))
    found |= set(re.findall(calls + r"'([a-z_]+(?:\.[a-z0-9_]+)+)'", text))
    # section(heading_key, text_key, ...): the second key too
    found |= set(re.findall(r"section\(\s*\"[^\"]+\",\s*\"([a-z_.0-9]+)\"", text))
    return found


def _code_groups() -> dict[str, list[Path]]:
    """Each place that asks for locale keys: a package folder (all its modules) or a notebook."""
    groups = {name: sorted((SRC / "present" / name).rglob("*.py")) for name in ("charts", "report")}
    groups["i18n"] = [SRC / "present" / "i18n.py"]
    groups |= {p.name: [p] for p in sorted((ROOT / "notebooks").glob("*.py"))}
    return groups


@pytest.mark.parametrize("group", sorted(_code_groups()))
def test_every_literal_key_used_in_code_exists(group: str) -> None:
    paths = _code_groups()[group]
    used = set().union(*(_literal_keys(p.read_text(encoding="utf-8")) for p in paths))
    assert used, f"the scan found no key in {group}: the pattern is wrong"
    for lang in ("vi", "en"):
        missing = sorted(k for k in used if not i18n.has_key(k, lang))
        assert not missing, f"{group} uses keys missing in {lang}: {missing}"


def _units_in_use() -> set[str]:
    units = set(indicators()["unit"])
    targets = yaml.safe_load((ROOT / "data" / "reference" / "targets.yml").read_text("utf-8"))
    units |= {str(t_["unit"]) for t_ in targets if t_.get("unit")}
    return units | {"percentage_points"}


def _flags_of_progress() -> set[str]:
    code = "".join(p.read_text(encoding="utf-8") for p in sorted((SRC / "progress").rglob("*.py")))
    return set(re.findall(r"append\(\"([a-z_0-9]+)\"", code))


@pytest.mark.parametrize("prefix, codes", [
    ("status", STATUS_ORDER), ("status_phrase", STATUS_ORDER),
    ("sector", ("water", "housing", "education", "health", "social", "labour", "population")),
    ("provenance", ("official", "secondary", "synthetic", "unspecified")),
    ("provenance_short", ("official", "secondary", "synthetic", "unspecified")),
    ("confidence", ("legal_text", "legal_summary", "secondary_news", "unverified")),
    ("method", ("statcan_cagr_ratio", "linear_gap", "cumulative_pace", "reduction_pace",
                "none")),
    ("kind", ("level", "annual", "cumulative", "reduction_per_year")),
    ("target", ("level", "annual", "cumulative", "reduction_per_year")),
    ("applies_as", ("national", "national_benchmark", "regional_benchmark", "provincial")),
    ("unit", sorted(_units_in_use())), ("unit_value", sorted(_units_in_use())),
    ("flag", sorted(_flags_of_progress())),
])
def test_every_dynamic_key_exists(prefix: str, codes) -> None:
    for lang in ("vi", "en"):
        missing = [c for c in codes if not i18n.has_key(f"{prefix}.{c}", lang)]
        assert not missing, f"{lang}: {prefix}.{missing}"


def test_indicator_short_names_name_catalogue_indicators() -> None:
    shorts = [k.removeprefix("indicator_short.") for k in i18n.keys("vi")
              if k.startswith("indicator_short.")]
    assert set(shorts) <= set(indicators().index)
    assert i18n.indicator_short_name("rural_hh_clean_water_pct", "vi") == \
        "Nước sạch nông thôn (hộ)"
    # without a short label the full name is used
    assert i18n.indicator_short_name("hdi", "en") == indicator_name("hdi", "en")


def test_unknown_key_or_language_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="no translation"):
        t("status.nonexistent", "vi")
    with pytest.raises(ParameterError, match="unknown language 'fr'"):
        t("status.achieved", "fr")
    with pytest.raises(ParameterError, match="needs the field"):
        t("summary.latest", "vi", value="1")


def test_loader_merges_every_file_and_refuses_duplicates(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "a.yml").write_text("a:\n  x: một\n", encoding="utf-8")
    (tmp_path / "vi" / "b.yml").write_text("b.y: hai\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n._catalogue.cache_clear()
    try:
        assert i18n.t("a.x", "vi") == "một" and i18n.t("b.y", "vi") == "hai"
        (tmp_path / "vi" / "c.yml").write_text("a:\n  x: lần nữa\n", encoding="utf-8")
        i18n._catalogue.cache_clear()
        with pytest.raises(Exception, match="defined twice"):
            i18n.t("a.x", "vi")
    finally:
        monkeypatch.undo()
        i18n._catalogue.cache_clear()


# -- labels --------------------------------------------------------------------------------


def test_status_labels_in_both_languages() -> None:
    assert [status_label(s, "vi") for s in STATUS_ORDER] == [
        "Đã đạt", "Đúng tiến độ", "Cần tăng tốc", "Tiến bộ hạn chế", "Đi xuống",
        "Chưa đủ số liệu"]
    assert [status_label(s, "en") for s in STATUS_ORDER] == [
        "Achieved", "On track", "Acceleration needed", "Limited progress", "Deterioration",
        "Insufficient data"]
    with pytest.raises(ParameterError):
        status_label("off_track", "vi")


def test_names_of_indicators_and_provinces() -> None:
    assert indicator_name("rural_hh_clean_water_pct", "vi").startswith("Tỷ lệ hộ gia đình")
    assert indicator_name("rural_hh_clean_water_pct", "en").startswith("Rural households")
    assert province_label("01", "vn34", "vi") == "Hà Nội"
    assert province_label("VN", "vn34", "vi") == "Cả nước"
    assert province_label("VN", "vn34", "en") == "Viet Nam"
    with pytest.raises(ParameterError, match="unknown province code"):
        province_label("99", "vn34", "vi")
    with pytest.raises(ParameterError):
        indicator_name("no_such_indicator", "vi")
    with pytest.raises(ParameterError):
        province_label("01", "vn99", "vi")


def test_vietnamese_alphabetical_order() -> None:
    names = ["Hà Nội", "Đà Nẵng", "Điện Biên", "Bắc Ninh", "Bến Tre", "An Giang", "Cà Mau",
             "Hải Phòng", "Hà Tĩnh", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Hà Nam", "Dak"]
    assert sorted(names, key=lambda s: sort_key(s, "vi")) == [
        "An Giang", "Bắc Ninh", "Bến Tre", "Cà Mau", "Dak", "Đà Nẵng", "Điện Biên", "Hà Nam",
        "Hà Nội", "Hà Tĩnh", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên"]


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("x, lang, decimals, expected", [
    (1234.5, "vi", None, "1.234,5"), (1234.5, "en", None, "1,234.5"),
    (1234, "vi", None, "1.234"), (1234567.891, "vi", 2, "1.234.567,89"),
    (0.456, "vi", None, "0,46"), (-2.5, "en", 1, "−2.5"), (-0.04, "vi", 1, "0,0"),
    (57.34, "en", 1, "57.3"),
])
def test_fmt_number(x, lang, decimals, expected) -> None:
    assert fmt_number(x, lang, decimals) == expected


def test_fmt_percent_and_values() -> None:
    assert fmt_percent(57.34, "vi") == "57,3 %"
    assert fmt_percent(57.34, "en") == "57.3%"
    assert fmt_value(1234, "units", "vi") == "1.234 căn"
    assert fmt_value(1234, "units", "en") == "1,234 units"
    assert fmt_value(26.64, "m2_per_person", "vi") == "26,6 m²/người"
    assert fmt_value(1234.56, "thousand_persons", "en") == "1,234.6 thousand persons"
    assert fmt_value(0.9, "doctors_per_station", "vi") == "0,90 bác sĩ/trạm"
    with pytest.raises(ParameterError, match="unknown unit"):
        fmt_value(1, "furlongs", "vi")


@pytest.mark.parametrize("missing", [None, math.nan, float("inf"), pd.NA, pd.NaT])
def test_missing_values_are_explicit(missing) -> None:
    for lang in ("vi", "en"):
        for text in (fmt_number(missing, lang), fmt_percent(missing, lang),
                     fmt_value(missing, "units", lang)):
            assert text == "—"
            assert "nan" not in text.lower()
    assert fmt_value(None, "percent", "vi", missing="không có số liệu") == "không có số liệu"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from(["vi", "en"]),
       st.integers(min_value=0, max_value=3))
def test_formatted_numbers_read_back(x: float, lang: str, decimals: int) -> None:
    text = fmt_number(x, lang, decimals)
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    plain = text.replace(thousands, "").replace(decimal, ".").replace("−", "-")
    assert math.isclose(float(plain), round(x, decimals), abs_tol=10 ** -decimals)
    assert "nan" not in text


# -- sentences -----------------------------------------------------------------------------


def test_summary_sentence_golden(hanoi_row: dict) -> None:
    assert progress_summary(hanoi_row, "vi", "vn34") == \
        "Hà Nội: 78,8 % năm 2024 — mục tiêu 65 % năm 2030 — đã đạt"
    assert progress_summary(hanoi_row, "en", "vn34") == \
        "Hanoi: 78.8% in 2024 — target 65% by 2030 — achieved"


def test_summary_adds_the_projection_when_not_achieved(hanoi_row: dict) -> None:
    row = {**hanoi_row, "status": "acceleration_needed", "latest_value": 61.2,
           "projected_value_at_target_year": 63.44}
    assert progress_summary(row, "vi", "vn34") == (
        "Hà Nội: 61,2 % năm 2024 — mục tiêu 65 % năm 2030 — cần tăng tốc "
        "(theo tốc độ hiện nay: 63,4 % năm 2030)")
    # a coverage rate is never projected beyond 100 %
    row["projected_value_at_target_year"] = 104.2
    assert "100,0 %" in progress_summary(row, "vi", "vn34")
    missing = {**hanoi_row, "latest_value": math.nan, "status": "insufficient_data"}
    assert progress_summary(missing, "vi", "vn34").startswith("Hà Nội: không có số liệu —")


def test_target_texts_of_every_kind(hanoi_row: dict) -> None:
    assert target_text(hanoi_row, "vi") == "mục tiêu 65 % năm 2030"
    assert target_text({**hanoi_row, "comparison": "<="}, "en") == "target ≤ 65% by 2030"
    housing = {**hanoi_row, "indicator": "social_housing_units_completed", "target_value": 88666,
               "kind": "cumulative", "base_year": 2025}
    assert target_text(housing, "vi") == "mục tiêu lũy kế 88.666 căn giai đoạn 2026–2030"
    assert target_text({**housing, "kind": "annual"}, "en") == "target 88,666 units in 2030"
    poverty = {**hanoi_row, "kind": "reduction_per_year", "target_value": 1.0,
               "comparison": "reduce_by_per_year"}
    assert target_text(poverty, "vi") == "mục tiêu giảm 1 điểm phần trăm mỗi năm đến 2030"
