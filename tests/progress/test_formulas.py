"""Golden numbers of guides/PROGRESS_METHODS.md §8 (examples A, B and C)."""

from __future__ import annotations

import pytest

from analysis.progress import (
    assess,
    cagr,
    evaluate,
    limit_coefficient,
    load_methods,
    score_from_ratio,
    status_from_ratio,
    trend_only,
)

from .conftest import one_target, series


def test_example_a_positive_indicator():
    # rural clean water: 80 % (2015) -> 88 % (2023), target 100 % by 2030, higher is better
    a = evaluate(kind="level", method="statcan_cagr_ratio", comparison=">=", direction=1,
                 base_year=2015, base_value=80, latest_year=2023, latest_value=88,
                 target_value=100, target_year=2030, n_points=2)
    assert a.cagr_observed == pytest.approx(0.011985, abs=5e-7)
    assert a.cagr_required == pytest.approx(0.014987, abs=5e-7)
    assert a.progress_ratio == pytest.approx(0.79967, abs=5e-6)
    assert a.status == "acceleration_needed"
    assert score_from_ratio(a.progress_ratio) == pytest.approx(1.4263, abs=5e-5)


def test_example_a_through_the_engine_gives_projection_and_csi():
    obs = series("rural_pop_clean_water_pct", {2015: 80, 2023: 88})
    row = assess(obs, one_target(value=100)).iloc[0]
    assert row["status"] == "acceleration_needed"
    assert row["progress_ratio"] == pytest.approx(0.79967, abs=5e-6)
    assert row["projected_value_at_target_year"] == pytest.approx(95.654, abs=5e-4)
    assert row["csi"] == pytest.approx(4.0)
    assert row["csi_expected"] == pytest.approx(10 * 8 / 15)  # the 2023 line: 5.33
    assert row["score"] == pytest.approx(1.4263, abs=5e-5)
    # 88 * 1.011985^n >= 100  <=>  n >= 10.73 -> 11 years after 2023
    assert row["projected_year_reached"] == 2034


def test_example_b_negative_indicator():
    # a stunting-like rate: 25 % -> 19 %, target 15 %, lower is better
    a = evaluate(kind="level", method="statcan_cagr_ratio", comparison="<=", direction=-1,
                 base_year=2015, base_value=25, latest_year=2023, latest_value=19,
                 target_value=15, target_year=2030, n_points=2)
    assert a.cagr_observed == pytest.approx(-0.033723, abs=5e-7)
    assert a.cagr_required == pytest.approx(-0.033482, abs=5e-7)
    assert a.progress_ratio == pytest.approx(1.00720, abs=5e-6)
    assert a.status == "on_track"
    assert score_from_ratio(a.progress_ratio) == pytest.approx(2.9087, abs=5e-5)


def test_example_b_through_the_engine():
    obs = series("under5_stunting_pct", {2015: 25, 2023: 19})
    target = one_target(indicator="under5_stunting_pct", comparison="<=", value=15)
    row = assess(obs, target).iloc[0]
    assert (row["status"], row["direction"]) == ("on_track", -1)
    assert row["projected_value_at_target_year"] == pytest.approx(14.944, abs=5e-4)
    assert row["csi"] == pytest.approx(6.0)


def test_example_c_trend_only_with_limit_scaling():
    t = trend_only(96, 97, 2015, 2023, 1, limit=100)
    assert t["progress_value"] == pytest.approx(0.0012962, abs=5e-8)
    assert t["coefficient"] == pytest.approx(0.165773, abs=5e-7)
    assert t["high"] == pytest.approx(0.0024866, abs=5e-8)
    assert t["med"] == pytest.approx(0.00082886, abs=5e-9)
    assert t["score"] == pytest.approx(0.7048, abs=5e-5)
    assert t["status"] == "moderate_progress"
    # without the limit the same growth is only "limited progress"
    assert trend_only(96, 97, 2015, 2023, 1)["status"] == "limited_progress"


def test_limit_coefficient_branches():
    assert limit_coefficient(250, 100) == 1.0                      # b >= 2L
    assert limit_coefficient(100, 100) == 0.0                      # at the limit
    assert limit_coefficient(150, 100) == pytest.approx(1 - 0.5 ** 4.44)


def test_score_transform_anchor_points():
    assert score_from_ratio(0.60) == pytest.approx(0.0, abs=1e-4)
    assert score_from_ratio(0.95) == pytest.approx(2.5, abs=1e-4)
    assert score_from_ratio(1.30) == pytest.approx(5.0, abs=1e-4)
    assert score_from_ratio(9.0) == 5          # bounded (the raw ratio stays in the row)
    assert score_from_ratio(0.0) == pytest.approx(-2.5)
    assert score_from_ratio(-3.0) == -5
    assert score_from_ratio(float("nan"), achieved=True) == 5


def test_thresholds_come_from_methods_yml():
    t = load_methods()["thresholds"]
    assert (t["high"], t["med"], t["low"]) == (0.95, 0.60, 0.0)
    assert status_from_ratio(0.95, t) == "on_track"
    assert status_from_ratio(0.9499, t) == "acceleration_needed"
    assert status_from_ratio(0.60, t) == "acceleration_needed"
    assert status_from_ratio(0.0, t) == "limited_progress"
    assert status_from_ratio(-0.0001, t) == "deterioration"


def test_cagr():
    assert cagr(121, 100, 2) == pytest.approx(0.1)
