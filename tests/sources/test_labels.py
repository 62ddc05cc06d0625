"""Year labels, numbers, blanks and item labels: the small rules the readers share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.ingest import match_indicator, match_part
from analysis.sources.readers.labels import (
    item_candidates,
    nil_means_zero,
    parse_numbers,
    parse_year,
    split_year_item,
    strip_unit,
)


@pytest.mark.parametrize("label, year, provisional", [
    ("2024", 2024, False), (2024.0, 2024, False), ("2018 (*)", 2018, False),
    ("Prel. 2024", 2024, True), ("Sơ bộ 2021", 2021, True), ("Sơ bộ - Prel. 2024", 2024, True),
    ("S? b? 2021", 2021, True), ("Ước tính 2025", 2025, True), ("Năm 2023", 2023, False),
])
def test_year_labels(label, year, provisional) -> None:
    assert parse_year(label) == (year, provisional, None)


@pytest.mark.parametrize("label", ["20X4", "", "2021-2025", None, 12.5])
def test_labels_that_are_not_one_year(label) -> None:
    year, _, problem = parse_year(label)
    assert year is None and problem


def test_header_joining_year_and_item_is_split() -> None:
    assert split_year_item("2011 Dân s? trung bình (Nghìn ngu?i)") == (
        "2011", "Dân s? trung bình (Nghìn ngu?i)")
    assert split_year_item("2019 (*) Dân số") == ("2019 (*)", "Dân số")
    assert split_year_item("Prel. 2024") == ("Prel. 2024", "")


@pytest.mark.parametrize("texts, style, expected", [
    (["57,3", "1.234,5", "12"], "vi", [57.3, 1234.5, 12.0]),
    (["57.3", "1,234.5", "12"], "en", [57.3, 1234.5, 12.0]),
    (["1.234"], "vi", [1234.0]),
    (["1,234"], "en", [1234.0]),
    (["1 234,5"], "vi", [1234.5]),
    (["57,3 %"], "vi", [57.3]),
    (["0,5"], None, [0.5]),
    (["12,5"], None, [12.5]),
    (["12.5"], None, [12.5]),
])
def test_numbers_are_read_by_the_file_convention(texts, style, expected) -> None:
    values, problem = parse_numbers(pd.Series(texts, dtype="str"), style)
    np.testing.assert_allclose(values, expected)
    assert problem.isna().all()


def test_undecidable_numbers_are_refused_not_guessed() -> None:
    values, problem = parse_numbers(pd.Series(["1,234", "1.234", "abc"], dtype="str"), None)
    assert np.isnan(values).all()
    assert problem.iloc[0].startswith("ambiguous number '1,234'")
    assert problem.iloc[1].startswith("ambiguous number '1.234'")
    assert problem.iloc[2] == "'abc' is not a number"


def test_numbers_already_numeric_pass_through() -> None:
    values, problem = parse_numbers(pd.Series([1.5, 2, "3,5"], dtype="object"), "vi")
    np.testing.assert_allclose(values, [1.5, 2.0, 3.5])
    assert problem.isna().all()


def test_nil_legend_is_read_from_notes() -> None:
    assert nil_means_zero(["Ký hiệu: (-) Không có hiện tượng phát sinh"])
    assert nil_means_zero(['"-": nil'])
    assert not nil_means_zero(["(..) Không có số liệu", "Nguồn: NSO"])


def test_units_are_stripped_from_item_labels() -> None:
    assert strip_unit("Dân số trung bình (Nghìn người)") == "Dân số trung bình"
    assert strip_unit("Area (Km2(*)") == "Area"
    assert strip_unit("Total - Thous. pers.") == "Total"
    assert strip_unit("Growth rate -%") == "Growth rate"
    assert strip_unit("Bà Rịa - Vũng Tàu") == "Bà Rịa - Vũng Tàu"


def test_generic_category_combines_with_its_dimension_label() -> None:
    cands = item_candidates([("Average population", "Total")], "x")
    assert "Average population - Total" in cands
    assert match_indicator(cands) == ("population_avg_thousand", None)
    cands = item_candidates([("Items", "Total - Thous. pers."), ("Sex, residence", "Male")],
                            "Average population by sex and by residence by Items")
    assert match_indicator(cands) == ("population_male_thousand", None)


@pytest.mark.parametrize("label, expected", [
    ("Dân số trung bình (Nghìn người)", "population_avg_thousand"),
    ("DÂN SỐ  TRUNG BÌNH (nghìn người)", "population_avg_thousand"),
    ("Dân s? trung bình (Nghìn ngu?i)", "population_avg_thousand"),
    ("Average population (Thous. pers.)", "population_avg_thousand"),
    ("Tỷ lệ trạm y tế xã có bác sĩ", "health_stations_with_doctor_pct"),
    ("health_stations_with_doctor_pct", "health_stations_with_doctor_pct"),
])
def test_item_labels_map_to_catalogue_ids(label, expected) -> None:
    assert match_indicator((label,)) == (expected, None)


def test_unknown_item_label_says_how_to_fix_it() -> None:
    ind, reason = match_indicator(("Số con mèo",))
    assert ind is None and "not in the indicator catalogue" in reason and "--indicator" in reason


def test_rate_parts_are_recognised_from_the_catalogue() -> None:
    assert ("health_stations_with_doctor_pct", "denominator") in match_part(
        ("Tổng số trạm y tế xã",))
    assert match_part(("S? h? nông thôn s? d?ng nu?c s?ch d?t chu?n",)) == {
        ("rural_hh_clean_water_pct", "numerator")}
