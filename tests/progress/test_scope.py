"""Where a target applies: nation, benchmark provinces, regions, one province."""

from __future__ import annotations

import pandas as pd

from analysis.progress import assess, assess_trends

from .conftest import one_target, series

IND = "schools_national_standard_primary_pct"


def obs_for(codes: list[str], geo: str) -> pd.DataFrame:
    return pd.concat([series(IND, {2015: 50, 2023: 60}, code=c, geo=geo) for c in codes])


def test_regional_target_is_a_benchmark_for_the_regions_provinces_only():
    target = one_target(indicator=IND, value=95, scope="REG-RRD", geo_version="vn63")
    # 01 Hà Nội and 27 Bắc Ninh are in the Red River Delta (vn63); 02 Hà Giang is not
    out = assess(obs_for(["01", "27", "02"], "vn63"), target)
    assert sorted(out["province_code"]) == ["01", "27"]
    assert (out["applies_as"] == "regional_benchmark").all() and (out["flags"] == "").all()


def test_regional_target_on_vn34_uses_the_vn34_region_and_says_so():
    target = one_target(indicator=IND, value=95, scope="REG-RRD", geo_version="vn63")
    out = assess(obs_for(["01", "24", "15"], "vn34"), target)
    assert sorted(out["province_code"]) == ["01", "24"]
    assert out["flags"].str.contains("region_as_defined_in_vn34").all()


def test_a_vn63_province_target_follows_an_unmerged_province_onto_vn34():
    # Hà Nội (01) was not merged in 2025: its June-2024 plan still applies to the same city
    target = one_target(indicator=IND, value=95, scope="01", geo_version="vn63")
    out = assess(obs_for(["01", "31"], "vn34"), target)
    assert list(out["province_code"]) == ["01"]
    assert "scope_unchanged_province" in out["flags"].iloc[0]


def test_a_vn63_province_target_does_not_follow_a_merged_province():
    # old Hải Dương (30) joined Hải Phòng (31): its target is not Hải Phòng's
    target = one_target(indicator=IND, value=95, scope="30", geo_version="vn63")
    assert assess(obs_for(["31"], "vn34"), target).empty
    assert list(assess(obs_for(["30"], "vn63"), target)["province_code"]) == ["30"]


def test_trend_only_table_uses_the_catalogue_limit():
    out = assess_trends(series("rural_pop_clean_water_pct", {2015: 96, 2023: 97}))
    row = out.iloc[0]
    assert row["limit"] == 100 and row["trend_status"] == "moderate_progress"
    assert abs(row["trend_score"] - 0.7048) < 5e-5
    assert row["method"] == "open_sdg_trend_only"
