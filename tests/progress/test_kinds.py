"""Target kinds: annual flows, cumulative totals and yearly reductions (hand-computed)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.progress import assess

from .conftest import one_target, series

UNITS = "social_housing_units_completed"


def flows(points: dict[int, float], **kw) -> pd.DataFrame:
    return series(UNITS, points, unit="units", **kw)


def sh_target(**fields) -> pd.DataFrame:
    return one_target(indicator=UNITS, unit="units", **fields)


def flags(row: pd.Series) -> set[str]:
    return set(filter(None, row["flags"].split(";")))


# ---- annual: the flow of the target year against that year's target ----

def test_annual_target_met_in_its_year_later_years_ignored():
    obs = flows({2023: 60_000, 2024: 80_000, 2025: 102_633, 2026: 50_000})
    row = assess(obs, sh_target(kind="annual", value=100_275, target_year=2025)).iloc[0]
    assert row["status"] == "achieved"
    assert (row["latest_year"], row["latest_value"]) == (2025, 102_633)
    assert row["n_points"] == 3 and "later_years_ignored" in flags(row)
    assert row["projected_year_reached"] == 2025


def test_annual_target_in_a_future_year_is_judged_on_the_pace_of_the_flows():
    obs = flows({2024: 80_000, 2025: 102_633})
    row = assess(obs, sh_target(kind="annual", value=148_343, target_year=2027)).iloc[0]
    # CAGR_obs = 102633/80000 - 1 = 0.2829125 ; CAGR_req = (148343/80000)^(1/3) - 1 = 0.228549
    assert row["cagr_observed"] == pytest.approx(0.2829125)
    assert row["cagr_required"] == pytest.approx(0.2285486, abs=5e-7)
    assert row["progress_ratio"] == pytest.approx(1.237866, abs=5e-6)
    assert row["status"] == "on_track"
    assert row["projected_value_at_target_year"] == pytest.approx(168_920.009, abs=1e-2)
    assert row["projected_year_reached"] == 2027  # 1.48 years after 2025 -> 2027


def test_annual_target_missed():
    obs = flows({2024: 80_000, 2025: 90_000})
    row = assess(obs, sh_target(kind="annual", value=100_275, target_year=2025)).iloc[0]
    assert row["status"] != "achieved" and "target_missed" in flags(row)
    assert row["status"] != "on_track"


def test_national_flow_target_is_not_a_benchmark_for_provinces():
    # a national count (100,275 units) cannot be compared with one province's flow
    obs = flows({2024: 800, 2025: 900}, code="24")
    out = assess(obs, sh_target(kind="annual", value=100_275, target_year=2025))
    assert list(out["province_code"]) == ["VN"]


def test_province_annual_target_applies_to_its_province_only():
    obs = pd.concat([flows({2025: 19_123}, code="24"), flows({2025: 5_000}, code="31")])
    target = sh_target(kind="annual", value=15_929, target_year=2025, scope="24",
                       geo_version="vn34")
    out = assess(obs, target)
    assert list(out["province_code"]) == ["24"]
    row = out.iloc[0]
    assert row["status"] == "achieved" and row["applies_as"] == "provincial"
    assert row["scope"] == "24 (vn34)"


# ---- cumulative: running total of the yearly flows over the period ----

def test_cumulative_pace_against_the_pace_needed():
    obs = flows({2021: 50_000, 2022: 60_000, 2023: 70_000, 2024: 80_000})
    row = assess(obs, sh_target(kind="cumulative", value=1_000_000, period_start=2021,
                                target_year=2030)).iloc[0]
    # total 260,000 after 4 years: 65,000 a year achieved, 100,000 a year needed
    assert row["method"] == "cumulative_pace"
    assert (row["base_year"], row["base_value"]) == (2020, 0)
    assert (row["latest_year"], row["latest_value"]) == (2024, 260_000)
    assert row["change_observed_per_year"] == pytest.approx(65_000)
    assert row["change_required_per_year"] == pytest.approx(100_000)
    assert row["progress_ratio"] == pytest.approx(0.65)
    assert row["status"] == "acceleration_needed"
    assert row["projected_value_at_target_year"] == pytest.approx(260_000 + 6 * 65_000)
    assert row["projected_year_reached"] == 2036  # 740,000 / 65,000 = 11.4 -> 12 years
    assert row["csi"] == pytest.approx(2.6) and row["csi_expected"] == pytest.approx(4.0)
    assert row["n_points"] == 4


def test_cumulative_reached_early_is_achieved_with_the_year_it_was_reached():
    obs = flows({2025: 6_000, 2026: 6_000, 2027: 6_000})
    row = assess(obs, sh_target(kind="cumulative", value=15_281, period_start=2025,
                                target_year=2030)).iloc[0]
    assert row["status"] == "achieved" and row["latest_value"] == 18_000
    assert row["projected_year_reached"] == 2027


def test_cumulative_stops_at_the_first_gap():
    obs = flows({2021: 10, 2022: 10, 2024: 10})
    row = assess(obs, sh_target(kind="cumulative", value=100, period_start=2021)).iloc[0]
    assert row["latest_year"] == 2022 and row["latest_value"] == 20
    assert "flows_gap" in flags(row)


def test_cumulative_without_the_first_year_of_the_period_is_insufficient():
    obs = flows({2022: 10, 2023: 10})
    row = assess(obs, sh_target(kind="cumulative", value=100, period_start=2021)).iloc[0]
    assert row["status"] == "insufficient_data"
    assert "period_start_missing" in flags(row)


# ---- reduction per year: observed average fall against the required fall ----

def poverty(points: dict[int, float]) -> pd.DataFrame:
    return series("multidim_poverty_rate_pct", points)


def poverty_target(**fields) -> pd.DataFrame:
    base = {"indicator": "multidim_poverty_rate_pct", "kind": "reduction_per_year",
            "comparison": "reduce_by_per_year", "value": "1-1.5",
            "unit": "percentage_points_per_year"}
    return one_target(**{**base, **fields})


def test_reduction_per_year_uses_the_lower_bound_of_the_range():
    row = assess(poverty({2021: 4.4, 2025: 1.3}), poverty_target(base_year=2021)).iloc[0]
    # (4.4 - 1.3) / 4 = 0.775 points a year against at least 1 point a year
    assert row["target_value"] == 1 and row["target_value_text"] == "1-1.5"
    assert row["method"] == "reduction_pace"
    assert row["change_observed_per_year"] == pytest.approx(-0.775)
    assert row["change_required_per_year"] == pytest.approx(-1.0)
    assert row["progress_ratio"] == pytest.approx(0.775)
    assert row["status"] == "acceleration_needed"
    assert row["required_value_at_target_year"] == pytest.approx(4.4 - 9 * 1.0)
    assert pd.isna(row["projected_year_reached"])


def test_reduction_kept_up_to_the_target_year_is_achieved():
    row = assess(poverty({2025: 6.0, 2030: 0.5}),
                 poverty_target(base_year=2025)).iloc[0]
    assert row["progress_ratio"] == pytest.approx(1.1)
    assert row["status"] == "achieved"


def test_reduction_on_pace_before_the_target_year_is_on_track_not_achieved():
    row = assess(poverty({2025: 6.0, 2027: 4.0}), poverty_target(base_year=2025)).iloc[0]
    assert row["progress_ratio"] == pytest.approx(1.0)
    assert row["status"] == "on_track"


def test_rising_poverty_is_deterioration():
    row = assess(poverty({2025: 6.0, 2027: 7.0}), poverty_target(base_year=2025)).iloc[0]
    assert row["progress_ratio"] < 0 and row["status"] == "deterioration"
    assert not math.isnan(row["score"])


def test_an_earlier_flow_cannot_achieve_a_later_years_target():
    obs = flows({2025: 400_000, 2026: 300_000})
    row = assess(obs, sh_target(kind="annual", value=148_343, target_year=2027)).iloc[0]
    # falling, but 2026 already runs above the 2027 level: on track, not achieved
    assert row["status"] == "on_track"
    assert "already_at_target_level" in flags(row)
    assert row["progress_ratio"] < 0  # the raw ratio is still shown
