"""The formulas of the progress measure: pure functions of numbers, one row at a time.

Growth rates, the target check, the ratio and its status and score, the trend-only variant,
and :func:`evaluate` (the single source of the rules) with :func:`recompute_row`, which
recomputes a progress row from its own columns (the golden examples test these).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.catalogue.methods import (
    ACCELERATE,
    ACHIEVED,
    DETERIORATION,
    INSUFFICIENT,
    LIMITED,
    NONE,
    ON_TRACK,
    REDUCTION,
    STATCAN,
    resolve_methods,
)
from analysis.core.errors import DataError


def cagr(value_end: float, value_start: float, years: float) -> float:
    """Compound annual growth rate ``(end/start)^(1/years) − 1`` (PROGRESS_METHODS §1.2)."""
    return (value_end / value_start) ** (1.0 / years) - 1.0


def needs_linear(base_value: float, target_value: float, latest_value: float) -> bool:
    """True when growth rates are undefined: a zero base or target, or a sign change."""
    if base_value == 0 or target_value == 0:
        return True
    return (base_value > 0) != (target_value > 0) or (latest_value != 0 and
                                                       (base_value > 0) != (latest_value > 0))


def meets(value: float, target: float, comparison: str, direction: int) -> bool:
    """Whether ``value`` satisfies the target (``=`` means "reached, in the good direction")."""
    if math.isnan(value):
        return False
    if comparison == ">=":
        return value >= target
    if comparison == ">":
        return value > target
    if comparison == "<=":
        return value <= target
    if comparison == "<":
        return value < target
    if comparison == "=":
        return value >= target if direction > 0 else value <= target
    return False  # reduce_by_per_year: judged on the pace, not on a value


def status_from_ratio(ratio: float, thresholds: Mapping) -> str:
    """Open SDG method-2 category of a ratio (no "achieved" check, no NaN)."""
    if ratio >= thresholds["high"]:
        return ON_TRACK
    if ratio >= thresholds["med"]:
        return ACCELERATE
    if ratio >= thresholds["low"]:
        return LIMITED
    return DETERIORATION


def score_from_ratio(ratio: float, achieved: bool = False, bound: float = 5.0) -> float:
    """Open SDG progress score on −bound…+bound (§1.7, method 2); +bound when achieved.

    ``R ≥ 0.60``: ``min(7.1429·R − 4.2857, 5)``;
    ``R < 0.60``: ``max(4.1667·R − 2.5, −5)``.
    NaN when the ratio is NaN (and the target is not achieved).
    """
    if achieved:
        return bound
    if ratio is None or math.isnan(ratio):
        return math.nan
    if ratio >= 0.6:
        return min(7.1429 * ratio - 4.2857, bound)
    return max(4.1667 * ratio - 2.5, -bound)


def limit_coefficient(base_value: float, limit: float, exponent: float = 4.44) -> float:
    """Open SDG natural-limit coefficient C (§1.6) for trend-only assessments."""
    b, lim = abs(base_value), abs(limit)
    if b >= 2 * lim:
        return 1.0
    if b <= lim:
        return 1.0 - (b / lim) ** exponent
    return 1.0 - ((2 * lim - b) / lim) ** exponent


def trend_only(base_value: float, latest_value: float, base_year: int, latest_year: int,
               direction: int, *, limit: float | None = None,
               methods: Mapping | None = None) -> dict:
    """Open SDG method 1 ("trend only", no target): growth against fixed bands.

    Used for indicators without a target; the result is labelled "trend only" and never
    shown as progress towards a target.

    Returns:
        ``{"progress_value": P, "coefficient": C, "high", "med", "low", "status", "score"}``
        where ``P = s·d·CAGR``, the thresholds are multiplied by C when a ``limit`` is given,
        and ``status`` is Open SDG's ``substantial_progress`` / ``moderate_progress`` /
        ``limited_progress`` / ``deterioration`` (or ``insufficient_data``).
    """
    m = resolve_methods(methods)
    band = dict(m["trend_only"]["thresholds"])
    coeff = 1.0
    if limit is not None:
        coeff = limit_coefficient(base_value, limit, m["trend_only"]["limit_exponent"])
        band = {k: v * coeff for k, v in band.items()}
    out = {"progress_value": math.nan, "coefficient": coeff, **band,
           "status": INSUFFICIENT, "score": math.nan}
    opposite = latest_value != 0 and (base_value > 0) != (latest_value > 0)
    if latest_year - base_year < 1 or base_value == 0 or opposite:
        return out
    s = -1 if base_value < 0 else 1
    p = s * direction * cagr(latest_value, base_value, latest_year - base_year)
    out["progress_value"] = p
    if p >= band["high"]:
        out["status"] = "substantial_progress"
    elif p >= band["med"]:
        out["status"] = "moderate_progress"
    elif p >= band["low"]:
        out["status"] = "limited_progress"
    else:
        out["status"] = "deterioration"
    out["score"] = _trend_score(p, coeff, band)
    return out


def _trend_score(p: float, coeff: float, band: Mapping) -> float:
    if p < band["low"]:
        return max(125 * p - 2.5, -5)
    if coeff == 0:
        return 5.0
    if p >= band["high"]:
        return min(500 * p / coeff - 5, 5)
    if p >= band["med"]:
        return 250 * p / coeff - 1.25
    return 500 * p / coeff - 2.5


@dataclass(frozen=True)
class Span:
    """The two points a verdict compares: the base (t0, y0) and the latest point (ti, yi)."""

    t0: float
    y0: float
    ti: float
    yi: float


@dataclass
class Assessment:
    """The numbers behind one verdict (one progress row without its labels)."""

    method: str
    progress_ratio: float = math.nan
    cagr_observed: float = math.nan
    cagr_required: float = math.nan
    change_observed: float = math.nan
    change_required: float = math.nan
    achieved: bool = False
    status: str = INSUFFICIENT
    flags: list[str] = field(default_factory=list)


def evaluate(*, kind: str, method: str, comparison: str, direction: int, base_year: float,
             base_value: float, latest_year: float, latest_value: float, target_value: float,
             target_year: int, n_points: int, methods: Mapping | None = None) -> Assessment:
    """Ratio and status from the numbers of one row (the single source of the rules).

    Args:
        kind: ``level``, ``annual``, ``cumulative`` or ``reduction_per_year``.
        method: the formula: ``statcan_cagr_ratio``, ``linear_gap``, ``cumulative_pace``,
            ``reduction_pace`` or ``none`` (no data).
        comparison: the target's comparison (``>=``, ``>``, ``<=``, ``<``, ``=``,
            ``reduce_by_per_year``).
        direction: +1 higher is better, −1 lower is better.
        base_year, base_value, latest_year, latest_value: the two points compared (for
            cumulative targets the base is the empty total, 0, at the end of the year before
            the period; the latest value is the running total).
        target_value: the binding target (for ``reduction_per_year`` the required yearly
            fall, in points).
        target_year: the year the target is due.
        n_points: distinct years with data between base and latest (both included).
        methods: parameters (default ``data/reference/methods.yml``).

    Returns:
        An :class:`Assessment` with the progress ratio, growth rates or yearly changes,
        ``achieved``, the status and flags explaining special cases.
    """
    m = resolve_methods(methods)
    a = Assessment(method=method)
    if method == NONE or latest_value is None or math.isnan(latest_value):
        a.flags.append("no_data")
        return a
    at_level = meets(latest_value, target_value, comparison, direction)
    a.achieved = at_level
    enough = n_points >= m["min_points"] and latest_year > base_year
    if enough:
        _fill_ratio(a, direction, Span(base_year, base_value, latest_year, latest_value),
                    target_value, target_year)
    if kind == "reduction_per_year":
        a.achieved = (enough and latest_year >= target_year
                      and not math.isnan(a.progress_ratio) and a.progress_ratio >= 1.0)
    if kind == "annual" and latest_year < target_year:
        a.achieved = False  # only the flow of the target year itself can meet the target
    if a.achieved:
        a.status = ACHIEVED
        if n_points < m["min_points"]:
            a.flags.append("single_point")
        return a
    if not enough:
        a.status = INSUFFICIENT
        a.flags.append("too_few_points")
        return a
    if at_level and kind == "annual":
        # the yearly flow already runs at the level due in the target year
        a.flags.append("already_at_target_level")
        a.status = ON_TRACK
        return a
    a.status = _status_without_achievement(a, direction, latest_year, target_year, m)
    return a


def _fill_ratio(a: Assessment, d: int, span: Span, y_target: float, big_t: int) -> None:
    t0, y0, ti, yi = span.t0, span.y0, span.ti, span.yi
    a.change_observed = (yi - y0) / (ti - t0)
    if a.method == REDUCTION:
        a.change_required = d * y_target  # e.g. −1.0 point a year when lower is better
    elif big_t > t0:
        a.change_required = (y_target - y0) / (big_t - t0)
    if a.method == STATCAN:
        s = -1 if y0 < 0 else 1
        a.cagr_observed = cagr(yi, y0, ti - t0)
        if big_t > t0:
            a.cagr_required = cagr(y_target, y0, big_t - t0)
            if a.cagr_required != 0:
                a.progress_ratio = s * d * a.cagr_observed / abs(a.cagr_required)
    elif not math.isnan(a.change_required) and a.change_required != 0:
        a.progress_ratio = d * a.change_observed / abs(a.change_required)


def _status_without_achievement(a: Assessment, d: int, ti: float, big_t: int,
                                m: Mapping) -> str:
    if math.isnan(a.progress_ratio):
        if math.isnan(a.change_required):  # no year between base and target year
            a.flags.append("base_not_before_target_year")
            if ti >= big_t:
                a.flags.append("target_missed")
            return INSUFFICIENT
        # the base was already at the target and the latest value is not: moved away
        a.flags.append("required_change_zero")
        return DETERIORATION if d * a.change_observed < 0 else LIMITED
    status = status_from_ratio(a.progress_ratio, m["thresholds"])
    if ti >= big_t:
        a.flags.append("target_missed")
        if m["cap_missed_targets"] and status == ON_TRACK:
            status = ACCELERATE
    return status


def recompute_row(row: Mapping, methods: Mapping | None = None) -> tuple[float, str]:
    """Recompute ``(progress_ratio, status)`` of a progress row from its own columns only.

    Uses ``kind``, ``method``, ``comparison``, ``direction``, ``base_year``, ``base_value``,
    ``latest_year``, ``latest_value``, ``target_value``, ``target_year`` and ``n_points``,
    with the thresholds of ``methods.yml``.

    Raises:
        DataError: when the row was computed with another ``method_version`` than the
            parameters given.
    """
    m = resolve_methods(methods)
    version = row.get("method_version")
    if version is not None and str(version) != str(m["method_version"]):
        raise DataError(f"row {row.get('target_id')}/{row.get('province_code')} was computed "
                        f"with method_version {version}, the parameters are "
                        f"{m['method_version']}")
    a = evaluate(
        kind=row["kind"], method=row["method"], comparison=row["comparison"],
        direction=int(row["direction"]), base_year=_num(row["base_year"]),
        base_value=_num(row["base_value"]), latest_year=_num(row["latest_year"]),
        latest_value=_num(row["latest_value"]), target_value=_num(row["target_value"]),
        target_year=int(row["target_year"]), n_points=int(row["n_points"]), methods=m)
    return a.progress_ratio, a.status


def _num(value: object) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)
