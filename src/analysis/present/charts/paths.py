"""Where a target sits on a chart and the paths towards it: the path the target needs, the
projection at the observed pace, and a cumulative target's running total (no plotly)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.catalogue.indicators import indicator as entry
from analysis.present.charts.data import _grade_groups
from analysis.present.i18n import is_missing, row_value


def _required_path(row: Mapping) -> pd.DataFrame | None:
    """Years and values of the path the target needs, from the base year to the target year."""
    t0, y0 = row_value(row, "base_year"), row_value(row, "base_value")
    big_t = row_value(row, "target_year")
    kind = str(row_value(row, "kind", "level"))
    method = str(row_value(row, "method", ""))
    if None in (t0, y0, big_t) or method == "none" or int(big_t) <= int(t0):
        return None
    t0, big_t, y0 = int(t0), int(big_t), float(y0)
    end = _target_point(row)
    if end is None:
        return None
    d = int(row_value(row, "direction", 1))
    if kind in ("level", "annual") and d * (y0 - end[1]) >= 0:
        return None  # the base already meets the target: no path is needed
    years = np.arange(t0, big_t + 1)
    g = row_value(row, "cagr_required")
    if kind in ("level", "annual") and method == "statcan_cagr_ratio" and g is not None:
        values = y0 * (1 + float(g)) ** (years - t0)
    else:
        values = y0 + (end[1] - y0) * (years - t0) / (big_t - t0)
    return pd.DataFrame({"year": years, "value": values})


def _projected_path(row: Mapping) -> pd.DataFrame | None:
    """The path at the observed pace, from the latest point to the target year."""
    ti, yi = row_value(row, "latest_year"), row_value(row, "latest_value")
    big_t = row_value(row, "target_year")
    end = row_value(row, "projected_value_at_target_year")
    if None in (ti, yi, big_t, end) or int(big_t) <= int(ti):
        return None
    ti, big_t, yi, end = int(ti), int(big_t), float(yi), float(end)
    years = np.arange(ti, big_t + 1)
    g = row_value(row, "cagr_observed")
    if str(row_value(row, "method", "")) == "statcan_cagr_ratio" and g is not None and \
            str(row_value(row, "kind", "level")) in ("level", "annual"):
        values = yi * (1 + float(g)) ** (years - ti)
    else:
        values = yi + (end - yi) * (years - ti) / (big_t - ti)
    limit = _limit(str(row_value(row, "indicator")))
    if limit is not None:  # a coverage rate cannot pass its natural limit (100 %)
        values = np.minimum(values, limit) if limit > 0 else values
    return pd.DataFrame({"year": years, "value": values})


def _limit(indicator: str) -> float | None:

    limit = entry(indicator).get("limit")
    return None if limit is None or is_missing(limit) else float(limit)


def _target_point(row: Mapping) -> tuple[int, float] | None:
    """Where the target sits on the chart: (target year, value the target requires)."""
    big_t = row_value(row, "target_year")
    if big_t is None:
        return None
    if str(row_value(row, "kind", "level")) == "reduction_per_year":
        required = row_value(row, "required_value_at_target_year")
        if required is None:
            t0, y0 = row_value(row, "base_year"), row_value(row, "base_value")
            target = row_value(row, "target_value")
            if None in (t0, y0, target):
                return None
            d = int(row_value(row, "direction", -1))
            required = float(y0) + d * float(target) * (int(big_t) - int(t0))
        return int(big_t), float(required)
    target = row_value(row, "target_value")
    return None if target is None else (int(big_t), float(target))


def _running_total(points: pd.DataFrame, row: Mapping) -> pd.DataFrame:
    """A cumulative target's observed running total from the period's first year."""
    base = row_value(row, "base_year")
    big_t = row_value(row, "target_year")
    if base is None or big_t is None or points.empty:
        return points.iloc[0:0]
    start = int(base) + 1
    flows = points[(points["year"] >= start) & (points["year"] <= int(big_t))].copy()
    if flows.empty or int(flows["year"].iloc[0]) != start:
        return points.iloc[0:0]
    gaps = np.flatnonzero(np.diff(flows["year"].to_numpy()) != 1)
    if gaps.size:
        flows = flows.iloc[: gaps[0] + 1]
    flows["value"] = flows["value"].cumsum()
    return flows


def _running_total_by_grade(points: pd.DataFrame, row: Mapping) -> pd.DataFrame:
    """:func:`_running_total` of each evidence kind on its own (never a sum of real and
    synthetic flows)."""
    groups = _grade_groups(points)
    if len(groups) == 1:
        return _running_total(points, row)
    parts = [_running_total(part, row) for _, part in groups]
    return pd.concat(parts).sort_values("year", kind="stable")
