"""Ranking provinces within a sector: missing-data rule, bounded scores, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.progress import rank_provinces


def prow(code: str, target: str, score: float, ratio: float, status: str = "on_track",
         sector: str = "water", applies_as: str = "national_benchmark") -> dict:
    return {"geo_version": "vn34", "province_code": code, "target_id": target, "score": score,
            "progress_ratio": ratio, "status": status, "sector": sector,
            "applies_as": applies_as}


def table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_missing_data_rule_ties_and_capping():
    df = table([
        prow("01", "t1", 5.0, 2.0, "achieved"), prow("01", "t2", 1.0, 0.74),
        prow("24", "t1", 2.0, 0.88), prow("24", "t2", 4.0, 1.16),
        prow("31", "t1", 3.0, 1.02), prow("31", "t2", 3.0, 1.02),
        prow("04", "t1", 4.0, 1.16), prow("04", "t2", np.nan, np.nan, "insufficient_data"),
        # a province-specific target never enters the ranking
        prow("24", "own", -5.0, -1.0, "deterioration", applies_as="provincial"),
    ])
    out = rank_provinces(df).set_index("province_code")
    assert out.loc[["01", "24", "31"], "rank"].tolist() == [1, 1, 1]
    assert out.loc[["01", "24", "31"], "tie"].all()
    assert out.loc["01", "score_mean"] == pytest.approx(3.0)
    # 04 has a score for 1 of 2 counted targets; min_share 0.8 needs 2
    assert not out.loc["04", "ranked"] and pd.isna(out.loc["04", "rank"])
    assert out.loc["04", "reason"] == "assessed on 1 of 2 targets (needs 2)"
    # the bounded score is never silent: count at the bound and the raw ratios beside it
    assert out.loc["01", "n_capped"] == 1 and out.loc["01", "n_achieved"] == 1
    assert out.loc["01", "mean_progress_ratio"] == pytest.approx((2.0 + 0.74) / 2)


def test_ranks_skip_after_a_tie():
    df = table([prow("01", "t1", 3.0, 1.0), prow("24", "t1", 3.0, 1.0),
                prow("31", "t1", 1.0, 0.7)])
    out = rank_provinces(df).set_index("province_code")
    assert out["rank"].tolist() == [1, 1, 3] and not out.loc["31", "tie"]


def test_a_target_nobody_can_be_assessed_on_is_not_counted():
    df = table([prow("01", "t1", 3.0, 1.0), prow("24", "t1", 1.0, 0.7),
                prow("01", "t2", np.nan, np.nan, "insufficient_data"),
                prow("24", "t2", np.nan, np.nan, "insufficient_data")])
    out = rank_provinces(df)
    assert (out["n_targets"] == 1).all() and out["ranked"].all()


def test_sector_with_nothing_assessable_ranks_nobody():
    df = table([prow("01", "t1", np.nan, np.nan, "insufficient_data", sector="health")])
    out = rank_provinces(df, sector="health")
    assert not out["ranked"].any()
    assert "no target" in out["reason"].iloc[0]


def test_unknown_sector_is_a_parameter_error():
    with pytest.raises(ParameterError):
        rank_provinces(table([prow("01", "t1", 1.0, 0.7)]), sector="weather")
