"""The nation computed from provinces, next to the reported national figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue.geography import province_codes
from analysis.core.errors import DataError
from analysis.progress import assess, national_comparison
from tests.progress.conftest import OBS_COLUMNS, one_target, series

IND = "schools_national_standard_primary_pct"


def all_provinces(year: int, num: float, den: float, *, geo: str = "vn34") -> pd.DataFrame:
    """Every province reporting the same parts except province 01, which reports 3x as many."""
    rows = []
    for code in province_codes(geo):
        k = 3 if code == "01" else 1
        rows.append({"geo_version": geo, "province_code": code, "year": year, "indicator": IND,
                     "value": 100 * num / den, "numerator": k * num, "denominator": k * den,
                     "unit": "percent", "source_id": "prov.csv", "provenance": "official",
                     "is_provisional": False, "is_estimated": False})
    return pd.DataFrame(rows, columns=OBS_COLUMNS)


def test_pooled_rate_is_sum_of_numerators_over_sum_of_denominators():
    obs = pd.DataFrame([
        {"province_code": "01", "numerator": 30, "denominator": 100, "value": 30.0},
        {"province_code": "31", "numerator": 180, "denominator": 200, "value": 90.0},
    ]).assign(geo_version="vn34", year=2024, indicator=IND, unit="percent",
              provenance="official")
    row = national_comparison(obs).iloc[0]
    assert row["computed_value"] == pytest.approx(100 * (30 + 180) / (100 + 200))  # 70, not 60
    assert (row["computed_numerator"], row["computed_denominator"]) == (210, 300)
    assert row["computed_method"] == "pooled_ratio"
    assert row["n_provinces"] == 2 and row["n_expected"] == 34 and not row["complete"]
    assert "2 of 34" in row["note"]


def test_reported_national_is_shown_beside_never_replaced():
    obs = pd.concat([all_provinces(2024, 70, 100),
                     series(IND, {2024: 71.0}, provenance="secondary")])
    row = national_comparison(obs).iloc[0]
    assert row["complete"] and row["computed_value"] == pytest.approx(70.0)
    assert row["reported_value"] == 71.0
    assert row["difference"] == pytest.approx(-1.0)
    assert row["difference_pct"] == pytest.approx(-100 / 71)
    assert row["reported_provenance"] == "secondary" and row["provenance"] == "official"


def test_counts_are_summed():
    obs = pd.concat([series("social_housing_units_completed", {2025: v}, code=c, unit="units")
                     for c, v in (("01", 5158), ("31", 13147))])
    row = national_comparison(obs).iloc[0]
    assert row["computed_method"] == "sum" and row["computed_value"] == 5158 + 13147


def test_rates_without_parts_need_explicit_weights_and_are_flagged():
    obs = pd.concat([series(IND, {2024: v}, code=c) for c, v in (("01", 50.0), ("31", 90.0))])
    row = national_comparison(obs).iloc[0]
    assert np.isnan(row["computed_value"]) and row["computed_method"] == "parts_missing"
    weights = pd.DataFrame({"province_code": ["01", "31"], "year": [2024, 2024],
                            "weight": [1.0, 3.0]})
    row = national_comparison(obs, weights=weights).iloc[0]
    assert row["computed_value"] == pytest.approx(80.0)
    assert row["computed_method"] == "weighted_mean" and row["is_estimated"]


def test_non_additive_indicators_are_not_computed():
    obs = series("population_density_per_km2", {2024: 2500.0}, code="01",
                 unit="persons_per_km2")
    row = national_comparison(obs).iloc[0]
    assert np.isnan(row["computed_value"]) and row["computed_method"] == "not_aggregable"


def test_unknown_province_code_is_an_error():
    obs = series(IND, {2024: 50.0}, code="99")
    with pytest.raises(DataError, match="99"):
        national_comparison(obs)


def test_national_progress_uses_the_reported_series_when_present():
    obs = pd.concat([all_provinces(2015, 50, 100), all_provinces(2023, 60, 100),
                     series(IND, {2015: 52.0, 2023: 64.0})])
    target = one_target(indicator=IND, value=70)
    vn = assess(obs, target).set_index("province_code").loc["VN"]
    assert vn["series"] == "reported" and vn["latest_value"] == 64.0


def test_national_progress_is_computed_from_complete_provinces_otherwise():
    obs = pd.concat([all_provinces(2015, 50, 100), all_provinces(2023, 60, 100)])
    target = one_target(indicator=IND, value=70)
    out = assess(obs, target).set_index("province_code")
    vn = out.loc["VN"]
    assert vn["series"] == "computed_from_provinces"
    assert vn["latest_value"] == pytest.approx(60.0)
    assert "computed_national" in vn["flags"]
    # every province is compared with the national target (its benchmark)
    assert (out.drop(index="VN")["applies_as"] == "national_benchmark").all()
    assert len(out) == 35


def test_incomplete_years_are_not_used_for_the_computed_nation():
    obs = pd.concat([all_provinces(2015, 50, 100), all_provinces(2023, 60, 100).iloc[:-1]])
    vn = assess(obs, one_target(indicator=IND, value=70)).set_index("province_code").loc["VN"]
    assert vn["latest_year"] == 2015 and vn["status"] == "insufficient_data"
