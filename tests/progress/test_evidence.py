"""The evidence rule: real and synthetic points are never spliced into one verdict.

Golden numbers worked by hand (docs/METHODS.md, "Evidence behind a verdict"):

* mixed series — synthetic 2015 = 40, official 2018 = 50 and 2024 = 62, synthetic 2025 = 90,
  target >= 80 by 2030: the verdict uses 2018 and 2024 only. CAGR observed
  (62/50)^(1/6) − 1 = 0.036502; required (80/50)^(1/12) − 1 = 0.039944; ratio 0.913835
  → ``acceleration_needed``, evidence ``official``;
* real points with a single point left → ``insufficient_data`` even though the synthetic
  points would have given a verdict;
* a synthetic-only series is still assessed, and says ``synthetic``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.progress import ObsSeries, assess, evidence_series, national_evidence

from .conftest import one_target, series

IND = "rural_pop_clean_water_pct"


def flags(row: pd.Series) -> set[str]:
    return set(filter(None, row["flags"].split(";")))


def mixed() -> pd.DataFrame:
    return pd.concat([
        series(IND, {2015: 40.0}, code="01", provenance="synthetic"),
        series(IND, {2018: 50.0, 2024: 62.0}, code="01", provenance="official"),
        series(IND, {2025: 90.0}, code="01", provenance="synthetic"),
    ], ignore_index=True)


def test_mixed_series_uses_the_real_points_only():
    row = assess(mixed(), one_target(value=80), geo_version="vn34").set_index(
        "province_code").loc["01"]
    assert (row["base_year"], row["latest_year"]) == (2018, 2024)
    assert (row["base_value"], row["latest_value"]) == (50.0, 62.0)
    assert row["n_points"] == 2
    assert row["cagr_observed"] == pytest.approx((62 / 50) ** (1 / 6) - 1)
    assert row["cagr_required"] == pytest.approx((80 / 50) ** (1 / 12) - 1)
    assert row["progress_ratio"] == pytest.approx(0.913835, abs=1e-6)
    assert row["status"] == "acceleration_needed"
    assert row["evidence_grade"] == "official"
    assert "synthetic_points_excluded" in flags(row)


def test_one_real_point_is_insufficient_even_with_synthetic_points_around_it():
    obs = pd.concat([series(IND, {2015: 40.0, 2020: 60.0}, code="01", provenance="synthetic"),
                     series(IND, {2024: 70.0}, code="01", provenance="secondary")])
    row = assess(obs, one_target(value=80), geo_version="vn34").set_index(
        "province_code").loc["01"]
    assert row["status"] == "insufficient_data"
    assert row["n_points"] == 1 and row["latest_value"] == 70.0
    assert row["evidence_grade"] == "secondary"
    assert math.isnan(row["progress_ratio"])


def test_a_synthetic_only_series_is_assessed_and_says_so():
    obs = series(IND, {2015: 50.0, 2024: 62.0}, code="01", provenance="synthetic")
    row = assess(obs, one_target(value=80), geo_version="vn34").set_index(
        "province_code").loc["01"]
    assert row["status"] != "insufficient_data"
    assert row["evidence_grade"] == "synthetic"
    assert "synthetic_points_excluded" not in flags(row)


def test_no_points_have_no_grade():
    obs = series(IND, {2015: 50.0, 2024: 62.0}, code="01")
    rows = assess(obs, one_target(value=80), geo_version="vn34", all_provinces=True)
    empty = rows.set_index("province_code").loc["04"]
    assert empty["status"] == "insufficient_data" and empty["evidence_grade"] == ""


def _s(years, grades):
    n = len(years)
    return ObsSeries(np.array(years), np.arange(n, dtype=float) + 1, list(grades),
                     np.zeros(n, bool), np.zeros(n, bool), ["x"] * n)


def test_evidence_series_keeps_order_and_flags():
    flags_: list[str] = []
    used = evidence_series(_s([2015, 2016, 2017], ["synthetic", "official", "secondary"]),
                           flags_)
    assert used.years.tolist() == [2016, 2017] and flags_ == ["synthetic_points_excluded"]


def test_national_verdict_uses_the_series_with_more_real_points_never_both():
    reported = _s([2025], ["secondary"])
    computed = _s([2016, 2020, 2024], ["official"] * 3)
    assert national_evidence(reported, computed) is computed
    assert national_evidence(_s([2020, 2025], ["secondary"] * 2), _s([2024], ["official"])
                             ).years.tolist() == [2020, 2025]
    assert national_evidence(_s([], []), computed) is computed
