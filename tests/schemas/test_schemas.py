"""The observation schema: each rule fails the row it should, with the column blamed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from analysis import schemas
from tests.helpers import frame

GOOD = """
    geo_version,province_code,year,indicator,value,numerator,denominator,unit,source_id,provenance,is_provisional,is_estimated
    vn63,01,2024,health_stations_with_doctor_pct,98.0,49,50,percent,a.csv,official,False,False
    vn34,15,2025,social_housing_units_completed,1200,,,units,b.csv,secondary,True,False
    vn63,VN,2024,population_avg_thousand,101100.7,,,thousand_persons,c.json,official,True,False
"""


def good() -> pd.DataFrame:
    return schemas.conform(frame(GOOD))


def test_a_good_table_passes_and_has_the_exact_dtypes() -> None:
    df = good()
    schemas.validate(df)
    assert df.dtypes.astype(str).to_dict() == schemas.OBSERVATION_DTYPES
    assert schemas.failures(df).empty


@pytest.mark.parametrize("change, column, reason", [
    ({"province_code": "10", "geo_version": "vn34"}, "province_code", schemas.E_PROVINCE),
    ({"year": 1975}, "year", schemas.E_YEAR),
    ({"indicator": "cats"}, "indicator", schemas.E_INDICATOR),
    ({"unit": "units"}, "unit", schemas.E_UNIT),
    ({"provenance": "rumour"}, "provenance", schemas.E_GRADE),
    ({"value": 101.0, "numerator": np.nan, "denominator": np.nan}, "value", schemas.E_LIMIT),
    ({"value": -1.0, "numerator": np.nan, "denominator": np.nan}, "value", schemas.E_NEGATIVE),
    ({"numerator": 60.0, "value": 120.0}, "numerator", schemas.E_NUM_GT_DEN),
    ({"denominator": 0.0, "numerator": 0.0}, "denominator", schemas.E_DEN_ZERO),
    ({"value": 97.0}, "value", schemas.E_RATE),
    ({"value": np.nan}, "value", schemas.E_VALUE_MISSING),
    ({"numerator": -1.0}, "numerator", schemas.E_NEG_PART),
])
def test_each_rule_blames_the_right_column(change: dict, column: str, reason: str) -> None:
    df = good()
    row = df.index[df["indicator"] == "health_stations_with_doctor_pct"][0]
    for col, val in change.items():
        df.loc[row, col] = val
    bad = schemas.failures(df)
    assert list(bad.index) == [row]
    assert bad.at[row, "column"] == column
    assert bad.at[row, "reason"] == reason


def test_region_codes_never_pass() -> None:
    df = good()
    df.loc[0, "province_code"] = "REG-RRD"
    bad = schemas.failures(df)
    assert bad.at[0, "column"] == "province_code"
    assert bad.at[0, "reason"] in (schemas.E_CODE, schemas.E_PROVINCE)


def test_rounded_published_rates_are_within_tolerance() -> None:
    df = good()
    df.loc[0, "value"] = 98.4  # 100 * 49 / 50 = 98.0; a published 98 or 98.4 is fine
    assert schemas.failures(df).empty


def test_duplicate_keys_fail_every_copy_and_only_without_unique_false() -> None:
    df = pd.concat([good(), good().iloc[[0]]], ignore_index=True)
    bad = schemas.failures(df)
    assert set(bad["reason"]) == {schemas.E_DUPLICATE}
    assert len(bad) == 2
    assert schemas.failures(df, unique=False).empty
    with pytest.raises(pa.errors.SchemaErrors):
        schemas.validate(df)


def test_empty_table_is_valid() -> None:
    schemas.validate(schemas.empty_observations())
    assert schemas.failures(schemas.empty_observations()).empty


def test_progress_and_quarantine_tables_have_declared_schemas():
    from analysis.catalogue.targets import targets_from_records
    from analysis.ingest import QUARANTINE_COLUMNS
    from analysis.progress import assess
    from analysis.schemas import progress_schema, quarantine_schema

    obs = pd.DataFrame({"geo_version": "vn34", "province_code": "01", "year": [2015, 2024],
                        "indicator": "rural_pop_clean_water_pct", "value": [50.0, 60.0],
                        "unit": "percent", "provenance": "official"})
    targets = targets_from_records([{
        "target_id": "t", "indicator": "rural_pop_clean_water_pct", "scope": "national",
        "kind": "level", "value": 80, "comparison": ">=", "target_year": 2030,
        "unit": "percent", "source_document": "x", "source_detail": "", "confidence":
        "unverified", "source_url": ""}])
    progress = assess(obs, targets)
    progress = progress[progress["province_code"] == "01"].reset_index(drop=True)
    progress_schema().validate(progress)
    assert (progress["n_points"] > 0).all()
    for broken in (pd.concat([progress, progress.iloc[[0]]], ignore_index=True),  # grain
                   progress.assign(status="fine"),  # status vocabulary
                   progress.assign(evidence_grade="")):  # points used, grade not said
        with pytest.raises(pa.errors.SchemaError):
            progress_schema().validate(broken)
    empty = pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS})
    quarantine_schema().validate(empty)
    line = pd.DataFrame([dict.fromkeys(QUARANTINE_COLUMNS, "x") | {"reason": ""}])
    with pytest.raises(pa.errors.SchemaError):
        quarantine_schema().validate(line)
