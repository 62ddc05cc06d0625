"""vn63 -> vn34 harmonisation (SPEC "Geography")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as nq
from analysis.core.errors import ParameterError
from analysis.transform.harmonisation import OBS_COLUMNS, harmonise_with_report


def obs(rows, **defaults):
    base = {"geo_version": "vn63", "year": 2024, "numerator": np.nan, "denominator": np.nan,
            "source_id": "s.csv", "provenance": "official", "is_provisional": False,
            "is_estimated": False}
    df = pd.DataFrame([{**base, **defaults, **r} for r in rows])
    return df.reindex(columns=OBS_COLUMNS)


def test_counts_are_summed_and_unchanged_provinces_pass_through():
    # new Lào Cai (15) = old Lào Cai 10 + old Yên Bái 15; Cao Bằng (04) unchanged
    df = obs([
        {"province_code": "10", "indicator": "social_housing_units_completed", "value": 100, "unit": "units"},
        {"province_code": "15", "indicator": "social_housing_units_completed", "value": 50, "unit": "units"},
        {"province_code": "04", "indicator": "social_housing_units_completed", "value": 7, "unit": "units"},
    ])
    out = nq.harmonise(df).set_index("province_code")
    assert out.at["15", "value"] == 150 and out.at["04", "value"] == 7
    assert (out["geo_version"] == "vn34").all() and not out["is_estimated"].any()


def test_rates_are_recomputed_from_summed_parts():
    ind = "schools_national_standard_primary_pct"
    df = obs([
        {"province_code": "10", "indicator": ind, "value": 50.0, "numerator": 100, "denominator": 200, "unit": "percent"},
        {"province_code": "15", "indicator": ind, "value": 90.0, "numerator": 270, "denominator": 300, "unit": "percent"},
    ])
    out, report = harmonise_with_report(df)
    row = out.set_index("province_code").loc["15"]
    assert row["value"] == pytest.approx(100 * 370 / 500)  # 74.0, not the mean 70.0
    assert (row["numerator"], row["denominator"]) == (370, 500)
    assert not row["is_estimated"]
    assert report.set_index("vn34_code").at["15", "action"] == "pooled"


def test_rate_without_parts_needs_explicit_weights_and_is_flagged():
    ind = "schools_national_standard_primary_pct"
    df = obs([
        {"province_code": "10", "indicator": ind, "value": 50.0, "unit": "percent"},
        {"province_code": "15", "indicator": ind, "value": 90.0, "unit": "percent"},
    ])
    out, report = harmonise_with_report(df)
    assert out.empty
    assert "no weights" in report["reason"].iloc[0]
    weights = pd.DataFrame({"province_code": ["10", "15"], "year": [2024, 2024], "weight": [1.0, 3.0]})
    out = nq.harmonise(df, weights=weights)
    assert out["value"].iloc[0] == pytest.approx((50 + 3 * 90) / 4)
    assert out["is_estimated"].all()


def test_catalogue_weights_come_from_the_observations():
    ind = "rural_pop_clean_water_pct"  # weight: rural_population_thousand
    df = obs([
        {"province_code": "10", "indicator": ind, "value": 40.0, "unit": "percent"},
        {"province_code": "15", "indicator": ind, "value": 80.0, "unit": "percent"},
        {"province_code": "10", "indicator": "rural_population_thousand", "value": 300.0, "unit": "thousand_persons"},
        {"province_code": "15", "indicator": "rural_population_thousand", "value": 100.0, "unit": "thousand_persons"},
    ])
    out = nq.harmonise(df, weights="catalogue").set_index("indicator")
    assert out.at[ind, "value"] == pytest.approx((40 * 300 + 80 * 100) / 400)
    assert out.at[ind, "is_estimated"]
    assert out.at["rural_population_thousand", "value"] == 400


def test_missing_member_is_never_filled_in():
    df = obs([{"province_code": "10", "indicator": "social_housing_units_completed", "value": 100, "unit": "units"}])
    out, report = harmonise_with_report(df)
    assert out.empty
    assert report["reason"].iloc[0] == "member province(s) missing: 15"


def test_provenance_is_the_lowest_grade_and_flags_carry():
    df = obs([
        {"province_code": "10", "indicator": "social_housing_units_completed", "value": 1, "unit": "units", "provenance": "official", "source_id": "a"},
        {"province_code": "15", "indicator": "social_housing_units_completed", "value": 2, "unit": "units", "provenance": "synthetic", "source_id": "b", "is_provisional": True},
    ])
    row = nq.harmonise(df).iloc[0]
    assert (row["provenance"], row["source_id"], row["is_provisional"]) == ("synthetic", "a;b", True)


def test_national_and_native_vn34_rows_pass_through():
    df = obs([
        {"province_code": "VN", "indicator": "social_housing_units_completed", "value": 9, "unit": "units"},
        {"geo_version": "vn34", "year": 2025, "province_code": "15", "indicator": "social_housing_units_completed", "value": 5, "unit": "units"},
    ])
    out = nq.harmonise(df)
    assert sorted(zip(out["province_code"], out["year"], strict=True)) == [("15", 2025), ("VN", 2024)]


def test_reverse_direction_is_refused():
    with pytest.raises(ParameterError, match="never invented"):
        nq.harmonise(obs([]), to="vn63")


def test_density_is_not_summed():
    df = obs([
        {"province_code": "10", "indicator": "population_density_per_km2", "value": 100, "unit": "persons_per_km2"},
        {"province_code": "15", "indicator": "population_density_per_km2", "value": 50, "unit": "persons_per_km2"},
    ])
    out, report = harmonise_with_report(df)
    assert out.empty and "not additive" in report["reason"].iloc[0]


OLD_CODES = nq.crosswalk()["vn63_code"].tolist()


@st.composite
def complete_rate_tables(draw):
    dens = draw(st.lists(st.integers(1, 10_000), min_size=63, max_size=63))
    shares = draw(st.lists(st.floats(0, 1), min_size=63, max_size=63))
    nums = [round(d * s) for d, s in zip(dens, shares, strict=True)]
    rows = [{"province_code": c, "indicator": "communes_health_criteria_pct", "unit": "percent",
             "numerator": float(n), "denominator": float(d), "value": 100 * n / d}
            for c, n, d in zip(OLD_CODES, nums, dens, strict=True)]
    counts = draw(st.lists(st.integers(0, 10**6), min_size=63, max_size=63))
    rows += [{"province_code": c, "indicator": "social_housing_units_completed", "unit": "units",
              "value": float(v)} for c, v in zip(OLD_CODES, counts, strict=True)]
    return obs(rows)


@settings(max_examples=40, deadline=None)
@given(complete_rate_tables())
def test_totals_preserved_and_rates_equal_pooled_ratio(df):
    out = nq.harmonise(df)
    assert len(out) == 2 * 34
    counts_in = df.loc[df["indicator"] == "social_housing_units_completed", "value"].sum()
    counts_out = out.loc[out["indicator"] == "social_housing_units_completed", "value"].sum()
    assert counts_out == counts_in
    rates = out[out["indicator"] == "communes_health_criteria_pct"]
    assert rates["numerator"].sum() == df["numerator"].sum()
    assert rates["denominator"].sum() == df["denominator"].sum()
    cw = nq.crosswalk().set_index("vn63_code")["vn34_code"]
    src = df[df["indicator"] == "communes_health_criteria_pct"].assign(new=lambda d: d["province_code"].map(cw))
    pooled = src.groupby("new")[["numerator", "denominator"]].sum()
    expected = 100 * pooled["numerator"] / pooled["denominator"]
    got = rates.set_index("province_code")["value"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


def test_population_2024_carried_to_vn34_matches_known_answer(nso_samples):
    """E02.01 2024 average population on vn63, summed to vn34 = the published 34-unit table."""
    import json

    data = json.JSONDecoder().raw_decode(
        (nso_samples / "jsonstat" / "E02.01.json").read_bytes().decode("utf-8"))[0]["dataset"]
    dims = [list(data["dimension"][d]["category"]["label"].values()) for d in data["dimension"]["id"]]
    geo, years, items = dims
    values = np.array(data["value"], dtype=float).reshape(len(geo), len(years), len(items))
    pop = values[:, years.index("2024"), [i.startswith("Average population") for i in items].index(True)]
    matched = nq.match_provinces(geo, "vn63")
    keep = (matched["kind"] == "province").to_numpy()
    df = obs([{"province_code": c, "indicator": "population_avg_thousand", "value": v,
               "unit": "thousand_persons"} for c, v in zip(matched["code"][keep], pop[keep], strict=True)])
    expected = pd.read_csv(nso_samples / "expected" / "province-stats-2024.csv", dtype={"code": str})
    got = nq.harmonise(df).set_index("province_code")["value"]
    want = expected.set_index("code")["population_thousands"]
    assert set(got.index) == set(want.index)
    # the published table rounds each old province to 0.1 thousand before summing
    assert (got - want.reindex(got.index)).abs().max() < 0.15


def merged_pair(ind: str, values: tuple[float, float], weight_ind: str,
                weights: tuple[float, float], *, year: int = 2024, weight_year: int = 2024,
                weight_grades: tuple[str, str] = ("official", "official")) -> pd.DataFrame:
    """New Lào Cai (vn34 15) = old Lào Cai 10 + old Yên Bái 15: a rate and its weights."""
    rows = [{"province_code": code, "indicator": ind, "value": v, "unit": "percent",
             "year": year} for code, v in zip(("10", "15"), values, strict=True)]
    rows += [{"province_code": code, "indicator": weight_ind, "value": w,
              "unit": "thousand_persons", "year": weight_year, "provenance": g}
             for code, w, g in zip(("10", "15"), weights, weight_grades, strict=True)]
    return obs(rows)


def carried(df: pd.DataFrame, ind: str) -> pd.DataFrame:
    out, _ = harmonise_with_report(df, weights="catalogue")
    return out[(out["indicator"] == ind) & (out["province_code"] == "15")]


def test_weighted_estimate_takes_the_weakest_grade_of_values_and_weights():
    ind = "health_insurance_coverage_pct"
    df = merged_pair(ind, (90.0, 100.0), "population_avg_thousand", (100.0, 300.0),
                     weight_grades=("synthetic", "official"))
    row = carried(df, ind).iloc[0]
    assert row["value"] == pytest.approx(97.5) and row["is_estimated"]
    assert row["provenance"] == "synthetic"  # the weights were synthetic


def test_a_year_without_weights_uses_the_year_before_and_says_so():
    ind = "health_insurance_coverage_pct"
    df = merged_pair(ind, (90.0, 100.0), "population_avg_thousand", (100.0, 300.0),
                     year=2025, weight_year=2024)
    out, report = harmonise_with_report(df, weights="catalogue")
    row = out[(out["indicator"] == ind) & (out["province_code"] == "15")].iloc[0]
    assert row["year"] == 2025 and row["value"] == pytest.approx(97.5)
    why = report[(report["indicator"] == ind) & (report["vn34_code"] == "15")]["reason"].iloc[0]
    assert why == "weights of 2024 (none yet for 2025)"
    # never more than one year back, never from a later year
    late = df.assign(year=df["year"].where(df["indicator"] == ind, 2023))
    assert carried(late, ind).empty


def test_weighted_mean_of_equal_values_is_that_value_exactly():
    ind = "urban_pop_clean_water_pct"
    df = merged_pair(ind, (100.0, 100.0), "urban_population_thousand", (123.4, 56.7))
    assert carried(df, ind)["value"].iloc[0] == 100.0
