"""Edge cases of PROGRESS_METHODS.md §7 ("Proposed for us"), with hand-computed numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.progress import assess

from .conftest import one_target, series


def run(points: dict[int, float], *, indicator: str = "rural_pop_clean_water_pct",
        **target) -> pd.Series:
    obs = series(indicator, points)
    return assess(obs, one_target(indicator=indicator, **target)).iloc[0]


def flags(row: pd.Series) -> set[str]:
    return set(filter(None, row["flags"].split(";")))


def test_zero_base_uses_the_linear_variant_flagged_never_an_epsilon():
    row = run({2015: 0, 2023: 30}, value=65)
    # yearly change 30/8 = 3.75 against (65 - 0)/15 = 4.333 needed
    assert row["method"] == "linear_gap"
    assert {"linear_variant", "zero_base"} <= flags(row)
    assert math.isnan(row["cagr_observed"]) and math.isnan(row["cagr_required"])
    assert row["change_observed_per_year"] == pytest.approx(3.75)
    assert row["change_required_per_year"] == pytest.approx(65 / 15)
    assert row["progress_ratio"] == pytest.approx(3.75 / (65 / 15))  # 0.865385
    assert row["status"] == "acceleration_needed"
    assert row["projected_value_at_target_year"] == pytest.approx(30 + 3.75 * 7)  # 56.25
    assert row["projected_year_reached"] == 2033  # (65 - 30) / 3.75 = 9.33 -> 10 years


def test_zero_target_uses_the_linear_variant():
    row = run({2015: 10, 2023: 6}, indicator="under5_stunting_pct", comparison="<=", value=0)
    # lower is better: -0.5 a year observed, -10/15 a year needed
    assert row["method"] == "linear_gap" and "zero_target" in flags(row)
    assert row["progress_ratio"] == pytest.approx(0.5 / (10 / 15))  # 0.75
    assert row["status"] == "acceleration_needed"


def test_one_point_is_insufficient_data():
    row = run({2023: 88}, value=100)
    assert row["status"] == "insufficient_data"
    assert row["n_points"] == 1 and math.isnan(row["progress_ratio"])
    assert row["base_year"] == row["latest_year"] == 2023
    assert "too_few_points" in flags(row)


def test_one_point_that_meets_the_target_is_achieved_and_says_so():
    row = run({2024: 98}, value=95)
    assert row["status"] == "achieved" and row["n_points"] == 1
    assert "single_point" in flags(row)
    assert row["score"] == 5 and row["csi"] == 10


def test_no_data_at_all():
    obs = series("rural_pop_clean_water_pct", {2020: 50}, code="01")
    row = assess(obs, one_target()).set_index("province_code").loc["VN"]
    assert row["status"] == "insufficient_data" and row["n_points"] == 0
    assert row["method"] == "none" and "no_data" in flags(row)
    assert pd.isna(row["base_year"]) and pd.isna(row["latest_year"])


def test_base_year_is_the_first_year_from_2015_and_is_recorded():
    row = run({2012: 60, 2018: 80, 2020: 85, 2023: 88}, value=100)
    assert row["base_year"] == 2018 and row["base_value"] == 80
    assert "base_after_2015" in flags(row)
    assert row["n_points"] == 3  # 2018, 2020, 2023 (2012 is before the base)
    # (88/80)^(1/5)-1 = 0.019245 against (100/80)^(1/12)-1 = 0.018769
    assert row["progress_ratio"] == pytest.approx(1.02534, abs=5e-6)
    assert row["status"] == "on_track"


def test_base_year_2015_is_used_when_present():
    row = run({2010: 40, 2015: 80, 2023: 88}, value=100)
    assert row["base_year"] == 2015 and "base_after_2015" not in flags(row)


def test_only_data_before_2015_gives_the_latest_before_as_base():
    row = run({2010: 40, 2013: 45}, value=100)
    assert row["base_year"] == 2013 and "base_before_preferred" in flags(row)
    assert row["status"] == "insufficient_data"


def test_a_target_base_year_replaces_2015():
    row = run({2015: 50, 2020: 60, 2023: 70}, value=100, base_year=2020)
    assert row["base_year"] == 2020 and row["base_value"] == 60


def test_lower_is_better_mirrors():
    better = run({2015: 25, 2023: 19}, indicator="under5_stunting_pct", comparison="<",
                 value=15)
    worse = run({2015: 25, 2023: 27}, indicator="under5_stunting_pct", comparison="<",
                value=15)
    assert better["progress_ratio"] > 0 > worse["progress_ratio"]
    assert worse["status"] == "deterioration"


def test_already_achieved_overrides_the_trend_and_warns_when_slipping():
    row = run({2015: 90, 2020: 99, 2023: 97}, value=95)
    assert row["status"] == "achieved"
    assert "slipping" in flags(row)  # 99 -> 97: the last step goes the wrong way
    assert row["score"] == 5
    assert row["csi"] == 10 and row["csi_raw"] == pytest.approx(10 * 7 / 5)  # raw kept
    assert row["projected_year_reached"] == 2020  # first year with the target met


def test_strict_comparison_is_honoured():
    assert run({2015: 60, 2023: 65}, indicator="schools_national_standard_preschool_pct",
               comparison=">", value=65)["status"] != "achieved"
    assert run({2015: 60, 2023: 65.1}, indicator="schools_national_standard_preschool_pct",
               comparison=">", value=65)["status"] == "achieved"


def test_range_value_uses_the_binding_bound_and_keeps_the_text():
    row = run({2015: 80, 2023: 96}, value="95-100")
    assert row["target_value"] == 95 and row["target_value_text"] == "95-100"
    assert row["status"] == "achieved"


def test_negative_values_same_sign_use_the_sign_factor():
    # -10 -> -5 (2015 -> 2023), target -2 by 2030, higher is better: s = -1
    row = run({2015: -10, 2023: -5}, value=-2)
    assert row["method"] == "statcan_cagr_ratio"
    assert row["cagr_observed"] == pytest.approx(0.5 ** (1 / 8) - 1)
    assert row["progress_ratio"] == pytest.approx(0.815764, abs=5e-6)
    assert row["status"] == "acceleration_needed"


def test_values_changing_sign_use_the_linear_variant():
    row = run({2015: -10, 2023: 5}, value=20)
    assert row["method"] == "linear_gap" and "sign_change" in flags(row)
    assert row["progress_ratio"] == pytest.approx((15 / 8) / (30 / 15))  # 0.9375


def test_missed_target_year_is_never_on_track():
    # 80 (2015) -> 94.9 (2020), target 95 by 2020: R = 0.99377 but the year is over
    row = run({2015: 80, 2020: 94.9}, value=95, target_year=2020)
    assert row["progress_ratio"] == pytest.approx(0.993766, abs=5e-6)
    assert row["status"] == "acceleration_needed"
    assert "target_missed" in flags(row)


def test_base_already_at_target_then_falling_is_deterioration():
    row = run({2015: 95, 2023: 93}, value=95)
    assert math.isnan(row["progress_ratio"])
    assert row["status"] == "deterioration" and "required_change_zero" in flags(row)


def test_direction_comes_from_the_catalogue():
    row = run({2015: 10, 2023: 8}, indicator="unemployment_rate_pct", comparison="<", value=3)
    assert row["direction"] == -1


def test_provenance_is_the_lowest_grade_of_the_points_used():
    obs = pd.concat([series("rural_pop_clean_water_pct", {2015: 80}),
                     series("rural_pop_clean_water_pct", {2023: 88}, provenance="secondary",
                            is_estimated=True)])
    row = assess(obs, one_target()).iloc[0]
    assert row["provenance"] == row["evidence_grade"] == "secondary" and row["is_estimated"]
    assert "estimated" in flags(row)


def test_a_frame_without_provenance_is_never_called_official():
    obs = series("rural_pop_clean_water_pct", {2015: 80, 2023: 88}).drop(
        columns=["provenance", "geo_version"])
    row = assess(obs, one_target(), geo_version="vn34").iloc[0]
    assert row["provenance"] == "unspecified"


def test_numeric_province_codes_are_refused_with_a_hint():
    obs = series("rural_pop_clean_water_pct", {2015: 80, 2023: 88}).assign(province_code=1)
    with pytest.raises(DataError, match="2-digit") as err:
        assess(obs, one_target())
    assert "'01'" in err.value.hint


def test_two_values_for_the_same_year_are_refused():
    obs = series("rural_pop_clean_water_pct", {2015: 80, 2023: 88})
    with pytest.raises(DataError, match="two values"):
        assess(pd.concat([obs, obs.iloc[[0]]]), one_target())


def test_a_unit_that_differs_from_the_catalogue_is_refused():
    obs = series("rural_pop_clean_water_pct", {2015: 80, 2023: 88}, unit="ratio")
    with pytest.raises(DataError, match="measured in 'percent'"):
        assess(obs, one_target())


def test_missing_columns_are_named():
    with pytest.raises(DataError, match="value"):
        assess(pd.DataFrame({"province_code": ["01"], "year": [2020], "indicator": ["x"]}),
               one_target())
