"""The coverage table: golden numbers on a tiny frame, gaps shown as zeros, its schema."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from analysis import schemas
from analysis.pipeline.coverage import coverage_summary, coverage_table, year_text

WATER = "rural_pop_clean_water_pct"
HOUSING = "social_housing_units_completed"
GAP = "solid_housing_pct"  # has a target below, no observation


def obs_rows(geo: str, code: str, indicator: str, grade: str, years: range | list[int]
             ) -> list[dict]:
    return [{"geo_version": geo, "province_code": code, "year": y, "indicator": indicator,
             "value": 50.0, "provenance": grade, "source_id": f"{grade}.csv"} for y in years]


@pytest.fixture
def observations() -> pd.DataFrame:
    rows = [
        # water, vn34: three provinces, mixed grades, and the nation
        *obs_rows("vn34", "01", WATER, "official", range(2016, 2025)),      # 9 points
        *obs_rows("vn34", "04", WATER, "secondary", [2023, 2024]),          # 2
        *obs_rows("vn34", "08", WATER, "synthetic", [2015, 2016, 2018]),    # 3
        *obs_rows("vn34", "01", WATER, "synthetic", [2025]),                # 1
        *obs_rows("vn34", "VN", WATER, "official", [2020, 2024]),           # 2 (nation)
        # housing, vn63 only: synthetic provinces, a secondary national figure
        *obs_rows("vn63", "01", HOUSING, "synthetic", [2021, 2022]),
        *obs_rows("vn63", "02", HOUSING, "synthetic", [2022]),
        *obs_rows("vn63", "VN", HOUSING, "secondary", [2024]),
    ]
    return pd.DataFrame(rows)


def verdict(geo: str, code: str, target: str, indicator: str, status: str, grade: str) -> dict:
    return {"geo_version": geo, "province_code": code, "target_id": target,
            "indicator": indicator, "sector": "", "status": status, "evidence_grade": grade}


@pytest.fixture
def progress() -> pd.DataFrame:
    rows = [
        verdict("vn34", "01", "w80", WATER, "on_track", "official"),
        verdict("vn34", "01", "w100", WATER, "achieved", "synthetic"),
        verdict("vn34", "04", "w80", WATER, "limited_progress", "secondary"),
        verdict("vn34", "08", "w80", WATER, "deterioration", "synthetic"),
        verdict("vn34", "VN", "w80", WATER, "on_track", "official"),
        verdict("vn34", "11", "w80", WATER, "insufficient_data", ""),
        verdict("vn63", "01", "h1m", HOUSING, "acceleration_needed", "synthetic"),
        verdict("vn63", "VN", "h1m", HOUSING, "insufficient_data", ""),
        verdict("vn34", "01", "solid", GAP, "insufficient_data", ""),
        verdict("vn63", "01", "solid", GAP, "insufficient_data", ""),
    ]
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, geo: str, indicator: str) -> pd.Series:
    got = table[(table["geo_version"] == geo) & (table["indicator"] == indicator)]
    assert len(got) == 1
    return got.iloc[0]


def test_golden_numbers(observations: pd.DataFrame, progress: pd.DataFrame) -> None:
    table = coverage_table(observations, progress)
    assert list(table.columns) == schemas.COVERAGE_COLUMNS
    w = row(table, "vn34", WATER)
    from analysis.catalogue.indicators import indicators

    assert w["sector"] == "water"
    assert (w["name_vi"], w["name_en"]) == tuple(indicators().loc[WATER, ["name_vi", "name_en"]])
    assert (w["provinces_official"], w["years_official"], w["points_official"],
            w["national_official"]) == (1, "2016–2024", 11, True)
    assert (w["provinces_secondary"], w["years_secondary"], w["points_secondary"],
            w["national_secondary"]) == (1, "2023–2024", 2, False)
    assert (w["provinces_synthetic"], w["years_synthetic"], w["points_synthetic"],
            w["national_synthetic"]) == (2, "2015–2016, 2018, 2025", 4, False)
    assert (w["targets"], w["verdicts"], w["verdicts_real"], w["verdicts_real_provinces"],
            w["verdicts_synthetic"]) == (2, 5, 3, 2, 2)
    h = row(table, "vn63", HOUSING)
    assert (h["provinces_synthetic"], h["points_synthetic"], h["national_synthetic"]) == (
        2, 3, False)
    assert (h["provinces_secondary"], h["national_secondary"], h["years_secondary"]) == (
        0, True, "2024")
    assert (h["targets"], h["verdicts"], h["verdicts_real"], h["verdicts_synthetic"]) == (
        1, 1, 0, 1)


def test_every_indicator_in_both_geographies_and_gaps_are_zeros(
        observations: pd.DataFrame, progress: pd.DataFrame) -> None:
    table = coverage_table(observations, progress)
    assert len(table) == 6  # 3 indicators x 2 geographies
    for geo in ("vn34", "vn63"):
        gap = row(table, geo, GAP)
        counts = [c for c in schemas.COVERAGE_COLUMNS if schemas.COVERAGE_DTYPES[c] == "int64"]
        assert gap["targets"] == 1
        assert all(gap[c] == 0 for c in counts if c != "targets")
        assert not gap[["national_official", "national_secondary", "national_synthetic"]].any()
        assert gap["years_official"] == gap["years_synthetic"] == ""
    # housing has no vn34 data and no vn34 target: a row of zeros all the same
    assert row(table, "vn34", HOUSING)["points_synthetic"] == 0


def test_targets_catalogue_adds_targets_without_progress_rows(
        observations: pd.DataFrame, progress: pd.DataFrame) -> None:
    targets = pd.DataFrame({"target_id": ["lat", "w80"],
                            "indicator": ["rural_hygienic_latrine_pct", WATER],
                            "geo_version": [np.nan, "vn34"]})
    table = coverage_table(observations, progress, targets=targets)
    for geo in ("vn34", "vn63"):
        assert row(table, geo, "rural_hygienic_latrine_pct")["targets"] == 1
    assert row(table, "vn34", WATER)["targets"] == 2  # w80 is counted once


def test_order_is_sector_indicator_geo(observations: pd.DataFrame,
                                       progress: pd.DataFrame) -> None:
    table = coverage_table(observations, progress)
    keys = list(zip(table["sector"], table["indicator"], table["geo_version"], strict=True))
    assert keys == sorted(keys)
    shuffled = coverage_table(observations.sample(frac=1, random_state=1),
                              progress.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(table, shuffled)


def test_falls_back_to_the_progress_provenance_column(observations: pd.DataFrame,
                                                      progress: pd.DataFrame) -> None:
    old = progress.rename(columns={"evidence_grade": "provenance"})
    pd.testing.assert_frame_equal(coverage_table(observations, old),
                                  coverage_table(observations, progress))
    neither = progress.drop(columns="evidence_grade")
    w = row(coverage_table(observations, neither), "vn34", WATER)
    assert (w["verdicts"], w["verdicts_real"], w["verdicts_synthetic"]) == (5, 0, 0)


def test_one_geography(observations: pd.DataFrame, progress: pd.DataFrame) -> None:
    table = coverage_table(observations, progress, geo_versions=["vn34"])
    assert set(table["geo_version"]) == {"vn34"} and len(table) == 2  # housing: no vn34 row


def test_summary_headlines(observations: pd.DataFrame, progress: pd.DataFrame) -> None:
    s = coverage_summary(coverage_table(observations, progress))
    assert s["observations"] == {"official": 11, "secondary": 3, "synthetic": 7, "total": 21}
    assert s["observation_share"]["official"] == pytest.approx(11 / 21)
    vn34 = s["by_geo"]["vn34"]
    assert vn34["observations"]["total"] == 17
    assert vn34["indicators_with_targets_without_data"] == [GAP]
    assert vn34["verdicts"] == 5 and vn34["verdicts_real"] == 3
    assert vn34["verdicts_real_share"] == pytest.approx(0.6)
    assert vn34["indicators_real_covered"] == 0 and vn34["covered_provinces"] == 30
    assert vn34["indicators_national_real"] == 1
    assert s["indicators_real_covered_vn34"] == 0
    assert s["by_geo"]["vn63"]["indicators_with_real_data"] == 1  # housing, national


def test_summary_counts_indicators_covered_for_30_provinces() -> None:
    from analysis.catalogue.geography import province_codes

    codes = province_codes("vn34")
    obs = pd.DataFrame([r for c in codes for r in obs_rows("vn34", c, WATER, "official",
                                                           [2020, 2024])])
    pr = pd.DataFrame([verdict("vn34", c, "w80", WATER, "on_track",
                               "official" if k < 31 else "synthetic")
                       for k, c in enumerate(codes)])
    s = coverage_summary(coverage_table(obs, pr, geo_versions=["vn34"]))
    assert s["indicators_real_covered_vn34"] == 1
    assert s["by_geo"]["vn34"]["verdicts_synthetic"] == 3


@pytest.mark.parametrize(("column", "value"), [
    ("points_official", -1),
    ("years_secondary", "2016-2024 and more"),
    ("verdicts_real", 99),                       # more real verdicts than verdicts
    ("provinces_synthetic", 40),                 # more than the 34 provinces
    ("geo_version", "vn99"),
])
def test_schema_refuses_a_malformed_table(observations: pd.DataFrame, progress: pd.DataFrame,
                                          column: str, value: object) -> None:
    table = coverage_table(observations, progress)
    bad = table.copy()
    bad.loc[bad["geo_version"] == "vn34", column] = value
    with pytest.raises(pa.errors.SchemaErrors):
        schemas.coverage_schema().validate(bad, lazy=True)


def test_schema_refuses_duplicates_and_missing_columns(observations: pd.DataFrame,
                                                       progress: pd.DataFrame) -> None:
    table = coverage_table(observations, progress)
    with pytest.raises(pa.errors.SchemaErrors):
        schemas.coverage_schema().validate(pd.concat([table, table.iloc[:1]],
                                                      ignore_index=True), lazy=True)
    with pytest.raises(pa.errors.SchemaErrors):
        schemas.coverage_schema().validate(table.drop(columns="targets"), lazy=True)


def test_year_text() -> None:
    assert year_text([2024, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]) == "2016–2024"
    assert year_text([2015, 2017, 2018, 2018]) == "2015, 2017–2018"
    assert year_text([]) == ""


def test_cheap_on_build_sized_frames() -> None:
    """20,000 observations and 5,000 progress rows: well under a second."""
    from analysis.catalogue.geography import province_codes
    from analysis.catalogue.indicators import indicator_ids

    rng = np.random.default_rng(0)
    ids = indicator_ids()[:25]
    codes = [*province_codes("vn34"), "VN"]
    n = 20_000
    obs = pd.DataFrame({
        "geo_version": rng.choice(["vn63", "vn34"], n), "province_code": rng.choice(codes, n),
        "year": rng.integers(2015, 2026, n), "indicator": rng.choice(ids, n),
        "value": rng.random(n), "provenance": rng.choice(["official", "secondary",
                                                          "synthetic"], n)})
    m = 5_000
    pr = pd.DataFrame({
        "geo_version": rng.choice(["vn63", "vn34"], m), "province_code": rng.choice(codes, m),
        "target_id": rng.choice([f"t{k}" for k in range(40)], m),
        "indicator": rng.choice(ids, m),
        "status": rng.choice(["on_track", "insufficient_data", "achieved"], m),
        "evidence_grade": rng.choice(["official", "secondary", "synthetic", ""], m)})
    coverage_table(obs, pr)  # warm caches (catalogue, schema)
    started = time.perf_counter()
    table = coverage_table(obs, pr)
    assert time.perf_counter() - started < 1.0
    assert int(table[[f"points_{g}" for g in ("official", "secondary",
                                              "synthetic")]].to_numpy().sum()) == n


def test_empty_tables_give_an_empty_valid_table() -> None:
    obs = pd.DataFrame({c: pd.Series(dtype="str") for c in
                        ("geo_version", "province_code", "indicator", "provenance")}
                       ).assign(year=pd.Series(dtype="int64"))
    pr = pd.DataFrame({c: pd.Series(dtype="str") for c in
                       ("geo_version", "province_code", "target_id", "indicator", "status")})
    table = coverage_table(obs, pr)
    assert table.empty and list(table.columns) == schemas.COVERAGE_COLUMNS
    assert coverage_summary(table)["observations"]["total"] == 0
