"""Ranking provinces within each sector on their progress scores, with a missing-data rule."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.catalogue.indicators import SECTORS
from analysis.catalogue.methods import ACHIEVED, resolve_methods
from analysis.core.errors import DataError, ParameterError

RANK_COLUMNS = [
    "geo_version", "sector", "province_code", "rank", "ranked", "tie", "score_mean",
    "n_assessed", "n_targets", "n_achieved", "n_capped", "mean_progress_ratio", "reason",
]


def rank_provinces(progress: pd.DataFrame, sector: str | None = None, *,
                   methods: Mapping | str | Path | None = None) -> pd.DataFrame:
    """Rank provinces within each sector on their progress scores, with a missing-data rule.

    Only rows where a national target is the province's benchmark
    (``applies_as == "national_benchmark"``) count, so every province is scored against the
    same targets. The sector's counted targets are those at least one province of the
    geography can be assessed on (a score exists). A province is ranked only when it has a
    score for at least ``ranking.min_share`` of them (and at least ``ranking.min_targets``,
    methods.yml); otherwise it is listed with ``ranked = False`` and the reason.

    The score of a row is the Open SDG score (−5…+5, +5 when achieved, bounded at ±5); the
    sector score is their mean. Bounded scores are never silent: ``n_capped`` counts the
    rows at a bound and ``mean_progress_ratio`` gives the unbounded ratios' mean beside it.
    Ties (equal scores after rounding to ``ranking.tie_decimals``) share the best rank of the
    group (1, 2, 2, 4) and are marked ``tie``. Differences of two or three places are not
    meaningful.

    Args:
        progress: the progress table (:func:`assess`), one or both geographies.
        sector: one sector (e.g. ``"water"``) or None for every sector.
        methods: parameters (default ``data/reference/methods.yml``).

    Returns:
        Grain: one row per ``(geo_version, sector, province_code)``; ``rank`` nullable Int64
        (1 = best), sorted by geography, sector, rank, then province code.
    """

    m = resolve_methods(methods)
    if sector is not None and sector not in SECTORS:
        raise ParameterError(f"unknown sector {sector!r}; use one of: {', '.join(SECTORS)}")
    missing = sorted({"applies_as", "sector", "score", "geo_version", "province_code",
                      "target_id", "progress_ratio", "status"} - set(progress.columns))
    if missing:
        raise DataError(f"progress table lacks column(s): {', '.join(missing)}")
    df = progress[progress["applies_as"] == "national_benchmark"]
    if sector is not None:
        df = df[df["sector"] == sector]
    frames = [_rank_group(g, geo, sec, m) for (geo, sec), g in
              df.groupby(["geo_version", "sector"], sort=True)]
    if not frames:
        return pd.DataFrame(columns=RANK_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out.sort_values(["geo_version", "sector", "rank", "province_code"],
                           na_position="last").reset_index(drop=True)[RANK_COLUMNS]


def _rank_group(g: pd.DataFrame, geo: str, sector: str, m: Mapping) -> pd.DataFrame:
    rule, bound = m["ranking"], float(m["score"]["bound"])
    counted = sorted(g.loc[g["score"].notna(), "target_id"].unique())
    need = max(int(rule["min_targets"]), math.ceil(float(rule["min_share"]) * len(counted)))
    rows = []
    for code, p in g.groupby("province_code", sort=True):
        p = p[p["target_id"].isin(counted) & p["score"].notna()]
        n = len(p)
        ranked = bool(counted) and n >= need
        if not counted:
            reason = "no target of this sector can be assessed for any province"
        elif not ranked:
            reason = f"assessed on {n} of {len(counted)} targets (needs {need})"
        else:
            reason = ""
        rows.append({
            "geo_version": geo, "sector": sector, "province_code": code, "ranked": ranked,
            "score_mean": float(p["score"].mean()) if n else math.nan,
            "n_assessed": n, "n_targets": len(counted),
            "n_achieved": int((p["status"] == ACHIEVED).sum()),
            "n_capped": int((p["score"].abs() >= bound).sum()),
            "mean_progress_ratio": float(p["progress_ratio"].mean()) if n else math.nan,
            "reason": reason,
        })
    out = pd.DataFrame(rows)
    key = out["score_mean"].round(int(rule["tie_decimals"])).where(out["ranked"])
    out["rank"] = key.rank(method="min", ascending=False)
    out["tie"] = out["ranked"] & key.duplicated(keep=False) & key.notna()
    return out
