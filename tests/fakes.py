"""A small, fully synthetic ``data/processed`` folder for chart, notebook and report tests.

It follows the contracts of docs/ARCHITECTURE.md (observations, progress, build.json) so
that the notebooks and the report runner can be tested without running the real build.
Every value is synthetic and marked so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalogue.geography import crosswalk, provinces

INDICATORS = {
    # id: (unit, sector, 2015 level, yearly gain, target, target_year, comparison)
    "rural_pop_clean_water_pct": ("percent", "water", 40.0, 2.0, 65.0, 2030, ">="),
    "rural_hh_clean_water_pct": ("percent", "water", 55.0, 2.0, 80.0, 2030, ">="),
    "schools_national_standard_primary_pct": ("percent", "education", 50.0, 1.5, 70.0, 2030, ">="),
    "communes_health_criteria_pct": ("percent", "health", 60.0, 2.5, 90.0, 2030, ">="),
    "social_housing_units_completed": ("units", "housing", 300.0, 60.0, None, 2030, ">="),
}
STATUSES = ("achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration",
            "insufficient_data")
SOURCE_ID = "synthetic/fake.csv"

PROGRESS_COLUMNS = [
    "geo_version", "province_code", "target_id", "indicator", "base_year", "base_value",
    "latest_year", "latest_value", "target_value", "target_year", "direction", "cagr_observed",
    "cagr_required", "progress_ratio", "status", "projected_value_at_target_year",
    "projected_year_reached", "n_points", "method", "kind", "comparison", "target_value_text",
    "scope", "confidence", "source_document", "source_detail", "source_url", "method_version",
    "csi", "provenance", "evidence_grade", "is_estimated", "flags", "applies_as", "series", "sector", "unit",
    "required_value_at_target_year", "change_observed_per_year", "change_required_per_year",
    "csi_raw", "csi_expected", "score", "is_provisional", "source_id",
]


def fake_observations(seed: int = 42) -> pd.DataFrame:
    """Synthetic observations: vn63 2015-2024, vn34 2015-2025 (carried + native 2025), VN."""
    rng = np.random.default_rng(seed)
    rows = []
    vn63 = provinces("vn63")
    for ind, (unit, _sector, level, gain, *_rest) in INDICATORS.items():
        for i, code in enumerate(vn63["code"]):
            start = level * (0.7 + 0.6 * ((i * 37) % 63) / 63)
            for year in range(2015, 2025):
                value = start + gain * (year - 2015) * (0.5 + rng.random())
                if unit == "percent":
                    value = float(min(value, 99.5))
                    den = float(200 + (i * 13) % 300)
                    num = round(value * den / 100)
                    value = 100 * num / den
                else:
                    num = den = np.nan
                rows.append(("vn63", code, year, ind, value, num, den, unit))
    df = pd.DataFrame(rows, columns=["geo_version", "province_code", "year", "indicator",
                                     "value", "numerator", "denominator", "unit"])
    # carry to vn34 with the crosswalk (sums of parts)
    cw = crosswalk().set_index("vn63_code")["vn34_code"]
    old = df.assign(province_code=df["province_code"].map(cw))
    parts = old.groupby(["province_code", "year", "indicator", "unit"], as_index=False)[
        ["value", "numerator", "denominator"]].sum(min_count=1)
    pct = parts["unit"] == "percent"
    parts.loc[pct, "value"] = 100 * parts.loc[pct, "numerator"] / parts.loc[pct, "denominator"]
    parts["geo_version"] = "vn34"
    native = parts[parts["year"] == 2024].assign(year=2025)
    native["value"] = native["value"] * 1.03
    native.loc[native["unit"] == "percent", "value"] = native["value"].clip(upper=99.5)
    native[["numerator", "denominator"]] = np.nan
    nation = parts.groupby(["year", "indicator", "unit"], as_index=False)[
        ["value", "numerator", "denominator"]].sum(min_count=1)
    npct = nation["unit"] == "percent"
    nation.loc[npct, "value"] = 100 * nation.loc[npct, "numerator"] / nation.loc[npct, "denominator"]
    nation = nation.assign(geo_version="vn34", province_code="VN")
    out = pd.concat([df, parts, native, nation], ignore_index=True)
    out["source_id"] = SOURCE_ID
    out["provenance"] = "synthetic"
    out["is_provisional"] = out["year"] == 2025
    out["is_estimated"] = False
    out["year"] = out["year"].astype("int64")
    cols = ["geo_version", "province_code", "year", "indicator", "value", "numerator",
            "denominator", "unit", "source_id", "provenance", "is_provisional", "is_estimated"]
    return out[cols].sort_values(cols[:4]).reset_index(drop=True)


def fake_progress(observations: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """Plausible progress rows (NOT computed by the real engine: for display tests only)."""
    rng = np.random.default_rng(seed)
    rows = []
    for (geo, code, ind), g in observations.groupby(["geo_version", "province_code", "indicator"]):
        unit, sector, _level, _gain, target, target_year, comparison = INDICATORS[ind]
        if target is None:
            continue
        g = g.sort_values("year")
        base, latest = g.iloc[0], g.iloc[-1]
        t0, ti = int(base["year"]), int(latest["year"])
        y0, yi = float(base["value"]), float(latest["value"])
        obs_cagr = (yi / y0) ** (1 / max(ti - t0, 1)) - 1
        req_cagr = (target / y0) ** (1 / (target_year - t0)) - 1
        ratio = obs_cagr / abs(req_cagr) if req_cagr else np.nan
        if yi >= target:
            status = "achieved"
        elif ratio >= 0.95:
            status = "on_track"
        elif ratio >= 0.6:
            status = "acceleration_needed"
        elif ratio >= 0:
            status = "limited_progress"
        else:
            status = "deterioration"
        if rng.random() < 0.03:
            status = "insufficient_data"
        projected = yi * (1 + obs_cagr) ** (target_year - ti)
        reached = None
        if obs_cagr > 0 and yi < target:
            reached = int(np.ceil(ti + np.log(target / yi) / np.log(1 + obs_cagr)))
        rows.append({
            "geo_version": geo, "province_code": code, "target_id": f"{ind}_2030",
            "indicator": ind, "base_year": t0, "base_value": y0, "latest_year": ti,
            "latest_value": yi, "target_value": target, "target_year": target_year,
            "direction": 1, "cagr_observed": obs_cagr, "cagr_required": req_cagr,
            "progress_ratio": ratio, "status": status,
            "projected_value_at_target_year": projected,
            "projected_year_reached": reached, "n_points": len(g),
            "method": "statcan_cagr_ratio", "kind": "level", "comparison": comparison,
            "target_value_text": f"{target:g}", "scope": "national",
            "confidence": "legal_summary", "source_document": "Fake Decision 0/2030 (test only)",
            "source_detail": "fixture", "source_url": "", "method_version": "test",
            "csi": 10 * (yi - y0) / abs(target - y0), "provenance": "synthetic",
            "evidence_grade": "synthetic", "is_estimated": False, "flags": "",
            "applies_as": "national" if code == "VN" else "national_benchmark",
            "series": "reported", "sector": sector, "unit": unit,
            "required_value_at_target_year": target,
            "change_observed_per_year": (yi - y0) / max(ti - t0, 1),
            "change_required_per_year": (target - y0) / (target_year - t0),
            "csi_raw": 100 * (yi - y0) / abs(target - y0),
            "csi_expected": 100 * (ti - t0) / (target_year - t0),
            "score": float(np.clip(5 * ratio, -5, 5)) if np.isfinite(ratio) else np.nan,
            "is_provisional": bool(latest["is_provisional"]), "source_id": latest["source_id"],
        })
    df = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    df["projected_year_reached"] = df["projected_year_reached"].astype("Int64")
    return df


def make_fake_processed(folder: str | Path) -> Path:
    """Write observations.parquet, progress.parquet, quarantine.csv, build.json to folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    obs = fake_observations()
    obs.to_parquet(folder / "observations.parquet", index=False)
    fake_progress(obs).to_parquet(folder / "progress.parquet", index=False)
    pd.DataFrame(columns=["source_id", "file", "row", "column", "value", "reason"]).to_csv(
        folder / "quarantine.csv", index=False)
    build = {
        "build_id": "fake-0001", "built_at": "2026-11-28T00:00:00+00:00",
        "git_commit": None, "inputs_sha256": "0" * 64, "method_version": "test",
        "sources": {SOURCE_ID: {
            "title": "[SYNTHETIC – illustrative only] test fixture", "producer":
            "NQ42 Tracker (synthetic)", "provenance": "synthetic", "date_accessed": "2026-11-28",
            "url": None, "licence": "CC0", "sha256": "0" * 64, "rows_read": len(obs),
            "rows_kept": len(obs), "rows_quarantined": 0, "rows_dropped": 0}},
        "year_ranges": {"vn63": [2015, 2024], "vn34": [2015, 2025]},
    }
    (folder / "build.json").write_text(json.dumps(build, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    return folder
