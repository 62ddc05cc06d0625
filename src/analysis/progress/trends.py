"""Trend-only verdicts (Open SDG method 1) for indicators, whether or not they have a target."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from analysis.catalogue.indicators import indicators
from analysis.catalogue.methods import resolve_methods
from analysis.progress.assess import level_points
from analysis.progress.formulas import cagr, trend_only
from analysis.progress.series import evidence_columns, series_index
from analysis.transform.observations import prepare_observations

TREND_COLUMNS = [
    "geo_version", "province_code", "indicator", "base_year", "base_value", "latest_year",
    "latest_value", "n_points", "direction", "cagr_observed", "limit", "coefficient",
    "threshold_high", "threshold_med", "trend_status", "trend_score", "method",
    "method_version", "provenance", "is_estimated", "source_id",
]


def assess_trends(observations: pd.DataFrame, indicator_ids: Iterable[str] | None = None, *,
                  geo_version: str | None = None,
                  methods: Mapping | str | Path | None = None) -> pd.DataFrame:
    """Open SDG "trend only" verdicts (method 1) for indicators, whether or not they have a
    target: the observed growth since the base year against fixed bands (1.5 % / 0.5 % / 0
    a year), scaled down near a natural limit (e.g. 100 % coverage) when the catalogue gives
    one. This is never a verdict on a target: label it "trend only".

    Returns:
        Grain: one row per ``(geo_version, province_code, indicator)`` in the catalogue;
        ``trend_status`` is ``substantial_progress``, ``moderate_progress``,
        ``limited_progress``, ``deterioration`` or ``insufficient_data``; ``method`` is
        ``open_sdg_trend_only``.
    """

    m = resolve_methods(methods)
    obs = prepare_observations(observations, geo_version)
    if geo_version is not None:
        obs = obs[obs["geo_version"] == geo_version]
    cat = indicators()
    obs = obs[obs["indicator"].isin(cat.index)]
    if indicator_ids is not None:
        obs = obs[obs["indicator"].isin(list(indicator_ids))]
    rows = []
    preferred = {"base_year": None, "kind": "level", "target_year": 2100}
    for (geo, code, ind), s in series_index(obs).items():
        used, span = level_points(s, preferred, m, [])
        t0, y0, ti, yi = span.t0, span.y0, span.ti, span.yi
        info = cat.loc[ind]
        limit = info.get("limit")
        limit = float(limit) if limit is not None and not pd.isna(limit) else None
        d = 1 if info["direction"] == "higher" else -1
        t = trend_only(y0, yi, int(t0), int(ti), d, limit=limit, methods=m)
        rows.append({
            "geo_version": geo, "province_code": code, "indicator": ind, "base_year": t0,
            "base_value": y0, "latest_year": ti, "latest_value": yi, "n_points": len(used),
            "direction": d, "cagr_observed": (cagr(yi, y0, ti - t0) if ti > t0 and y0 != 0
                                              and (yi / y0) > 0 else math.nan),
            "limit": limit, "coefficient": t["coefficient"], "threshold_high": t["high"],
            "threshold_med": t["med"], "trend_status": t["status"], "trend_score": t["score"],
            "method": "open_sdg_trend_only", "method_version": str(m["method_version"]),
            **evidence_columns(used, []),
        })
    df = pd.DataFrame(rows).reindex(columns=TREND_COLUMNS)
    for col in ("base_year", "latest_year"):
        df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    return df.reset_index(drop=True)
