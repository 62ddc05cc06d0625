"""Assessing targets: every target against every place it applies to, one row each.

:func:`assess` (a researcher's frame) and :func:`build_progress` (the build's table) give
the progress table (:data:`PROGRESS_COLUMNS`); :func:`assess_series` makes one row: the
points compared, the verdict, the projection, the current-status index and the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalogue.geography import REGION_PREFIX, crosswalk, province_codes, provinces
from analysis.catalogue.methods import CUMULATIVE, LINEAR, NONE, REDUCTION, STATCAN, resolve_methods
from analysis.catalogue.targets import TARGET_COLUMNS, load_targets, validate_targets
from analysis.core.config import COUNTRY_CODE, GEO_VERSIONS, LAST_VN63_YEAR
from analysis.core.errors import DataError
from analysis.progress.formulas import (
    Assessment,
    Span,
    evaluate,
    meets,
    needs_linear,
    score_from_ratio,
)
from analysis.progress.series import (
    EMPTY_SERIES,
    ObsSeries,
    evidence_columns,
    evidence_series,
    national_evidence,
    national_series,
    series_index,
)
from analysis.schemas.progress import PROGRESS_COLUMNS
from analysis.transform.observations import prepare_observations

_INT_COLUMNS = ("target_year", "direction", "n_points")
_NULLABLE_INT_COLUMNS = ("base_year", "latest_year", "projected_year_reached")
_FLOAT_COLUMNS = ("base_value", "latest_value", "target_value", "cagr_observed",
                  "cagr_required", "progress_ratio", "projected_value_at_target_year",
                  "required_value_at_target_year", "change_observed_per_year",
                  "change_required_per_year", "csi", "csi_raw", "csi_expected", "score")
_BOOL_COLUMNS = ("is_estimated", "is_provisional")


def assess(observations: pd.DataFrame, targets: pd.DataFrame | str | Path | None = None, *,
           geo_version: str | None = None, methods: Mapping | str | Path | None = None,
           all_provinces: bool = False) -> pd.DataFrame:
    """Assess every target for every place it applies to.

    Works on the built observation table or on a researcher's own frame::

        import analysis as nq
        progress = nq.assess(my_frame, nq.load_targets(), geo_version="vn34")

    Args:
        observations: rows with ``province_code``, ``year``, ``indicator``, ``value`` (and
            ideally ``geo_version``, ``provenance``, ``source_id``, ``numerator``,
            ``denominator``, ``is_estimated``, ``is_provisional``).
        targets: the catalogue from :func:`analysis.load_targets`, a path to a targets YAML
            file, or None for ``data/reference/targets.yml``.
        geo_version: assess only this geography (also the geography of a frame without a
            ``geo_version`` column). Default: every geography in the frame.
        methods: method parameters (default ``data/reference/methods.yml``).
        all_provinces: one row for every province of the geography (True, as the build
            does) or only for provinces present in the frame (False).

    Returns:
        The progress table. Grain: one row per ``(geo_version, province_code, target_id)``;
        ``province_code "VN"`` is the nation. Columns: :data:`PROGRESS_COLUMNS` — the SPEC
        columns (values in the indicator's unit; ``cagr_*`` per year as fractions, e.g.
        0.012 = 1.2 %/year; years as nullable integers) followed by the extras of
        docs/ARCHITECTURE.md.
    """
    obs = prepare_observations(observations, geo_version)
    geos = [geo_version] if geo_version else sorted(obs["geo_version"].unique())
    return _assess(obs, _targets(targets), geos, resolve_methods(methods), all_provinces)


def build_progress(observations: pd.DataFrame,
                   targets: pd.DataFrame | str | Path | None = None, *,
                   methods: Mapping | str | Path | None = None) -> pd.DataFrame:
    """The progress table that ``nq42 build`` writes to ``progress.parquet``.

    ``vn34`` is assessed on all its years (including the series carried over from vn63 by
    harmonisation); ``vn63`` on years up to 2024. Every province of each geography gets a
    row for every target that applies to it (``insufficient_data`` when there is no data).

    Returns:
        Same columns and grain as :func:`assess`, both geographies.
    """
    obs = prepare_observations(observations)
    keep = (obs["geo_version"] == "vn34") | (obs["year"] <= LAST_VN63_YEAR)
    return _assess(obs[keep], _targets(targets), list(GEO_VERSIONS), resolve_methods(methods),
                   all_provinces=True)


def _targets(targets: pd.DataFrame | str | Path | None) -> pd.DataFrame:

    if targets is None or isinstance(targets, (str, Path)):
        return load_targets(targets)
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise DataError(f"targets table lacks column(s): {', '.join(missing)}",
                        hint="use analysis.load_targets() or analysis.catalogue.targets."
                             "targets_from_records(...)")
    return validate_targets(targets[TARGET_COLUMNS].reset_index(drop=True))


def _assess(obs: pd.DataFrame, targets: pd.DataFrame, geos: list[str], m: Mapping,
            all_provinces: bool) -> pd.DataFrame:

    index = series_index(obs)
    rows: list[dict] = []
    for geo in geos:
        obs_geo = obs[obs["geo_version"] == geo]
        codes = (province_codes(geo) if all_provinces else
                 sorted(set(obs_geo["province_code"]) & set(province_codes(geo))))
        regions = provinces(geo).set_index("code")["region"]
        computed = national_series(obs_geo) if len(obs_geo) else {}
        for target in targets.to_dict("records"):
            for code, applies_as, flags in _places(target, geo, codes, regions):
                series = index.get((geo, code, target["indicator"]), EMPTY_SERIES)
                if code == COUNTRY_CODE:
                    series = national_evidence(series,
                                               computed.get(target["indicator"], EMPTY_SERIES))
                rows.append(assess_series(series, target, m, geo_version=geo,
                                          province_code=code, applies_as=applies_as,
                                          extra_flags=flags))
    return _frame(rows)


def _places(target: Mapping, geo: str, codes: list[str], regions: pd.Series
            ) -> Iterable[tuple[str, str, list[str]]]:
    """(province_code, applies_as, flags) for each place a target applies to in ``geo``."""
    scope_type = target["scope_type"]
    if scope_type == "national":
        yield COUNTRY_CODE, "national", []
        if target["benchmarkable"]:
            for code in codes:
                yield code, "national_benchmark", []
        return
    if scope_type == "region":
        region = target["scope"].removeprefix(REGION_PREFIX)
        flags = [] if target["geo_version"] == geo else [f"region_as_defined_in_{geo}"]
        if target["benchmarkable"]:
            for code in codes:
                if regions.get(code) == region:
                    yield code, "regional_benchmark", flags
        return
    code = target["scope"]
    if target["geo_version"] == geo:
        if code in codes:
            yield code, "provincial", []
    elif code in codes and code in _unchanged_provinces():
        yield code, "provincial", ["scope_unchanged_province"]


@cache
def _unchanged_provinces() -> frozenset[str]:
    """Codes of provinces the 2025 merger left as they were (same territory, same code)."""

    cw = crosswalk()
    members = cw.groupby("vn34_code")["vn63_code"].apply(list)
    return frozenset(code for code, olds in members.items() if olds == [code])


def assess_series(series: ObsSeries, target: Mapping, methods: Mapping, *, geo_version: str,
                  province_code: str, applies_as: str = "", extra_flags: Iterable[str] = ()
                  ) -> dict:
    """One progress row: a target against one place's series (see :func:`assess`)."""
    kind = target["kind"]
    d = int(target["direction_sign"])
    big_t = int(target["target_year"])
    flags = list(extra_flags)
    series = evidence_series(series, flags)
    if kind == "cumulative":
        used, span, first_met = _cumulative_points(series, target, flags)
    else:
        used, span = level_points(series, target, methods, flags)
        first_met = _first_year_met(used, target)
    t0, y0, ti, yi = span.t0, span.y0, span.ti, span.yi
    method = _method_for(kind, used, y0, yi, target)
    if method == LINEAR:
        flags.append("linear_variant")
        flags.extend(_linear_reasons(y0, yi, target["target_value"]))
    n_points = len(used)
    a = evaluate(kind=kind, method=method, comparison=target["comparison"], direction=d,
                 base_year=t0, base_value=y0, latest_year=ti, latest_value=yi,
                 target_value=float(target["target_value"]), target_year=big_t,
                 n_points=n_points, methods=methods)
    flags.extend(a.flags)
    required = _required_at_target(span, target)
    row = _base_row(target, geo_version, province_code, applies_as, methods)
    row.update(
        base_year=t0, base_value=y0, latest_year=ti, latest_value=yi, n_points=n_points,
        method=method, cagr_observed=a.cagr_observed, cagr_required=a.cagr_required,
        progress_ratio=a.progress_ratio, status=a.status,
        change_observed_per_year=a.change_observed, change_required_per_year=a.change_required,
        required_value_at_target_year=required,
        score=score_from_ratio(a.progress_ratio, a.achieved, methods["score"]["bound"]),
        series=series.kind if len(series) else "",
    )
    row.update(_projection(a, span, target, first_met, methods, flags))
    row.update(_csi(a, span, required, target, methods))
    row.update(evidence_columns(used, flags))
    if a.achieved and _slipping(used, d, kind):
        flags.append("slipping")
    row["flags"] = ";".join(dict.fromkeys(flags))
    return row


def _base_row(target: Mapping, geo: str, code: str, applies_as: str, m: Mapping) -> dict:
    return {
        "geo_version": geo, "province_code": code, "indicator": target["indicator"],
        "target_value": float(target["target_value"]),
        "target_year": int(target["target_year"]), "direction": int(target["direction_sign"]),
        "target_id": target["target_id"], "kind": target["kind"],
        "comparison": target["comparison"], "target_value_text": target["target_value_text"],
        "scope": target["scope"] if target["scope_type"] == "national"
        else f"{target['scope']} ({target['geo_version']})",
        "confidence": target["confidence"], "source_document": target["source_document"],
        "source_detail": target["source_detail"], "source_url": target["source_url"],
        "method_version": str(m["method_version"]), "applies_as": applies_as,
        "sector": target["sector"], "unit": target["unit"],
    }


def _preferred_base(target: Mapping, m: Mapping) -> int:
    base = target.get("base_year")
    return int(base) if base is not None and not pd.isna(base) else int(m["base_year"]["preferred"])


def level_points(series: ObsSeries, target: Mapping, m: Mapping, flags: list[str]
                 ) -> tuple[ObsSeries, Span]:
    """Window of points and (t0, y0, ti, yi) for level, annual and reduction targets."""
    if target["kind"] == "annual":
        later = series.years > int(target["target_year"])
        if later.any():
            flags.append("later_years_ignored")
        series = series.window(-math.inf, int(target["target_year"]))
    if not len(series):
        return series, Span(math.nan, math.nan, math.nan, math.nan)
    preferred = _preferred_base(target, m)
    after = series.years[series.years >= preferred]
    if len(after):
        t0 = int(after[0])
        if t0 > preferred:
            flags.append("base_after_2015" if target.get("base_year") is None or
                         pd.isna(target.get("base_year")) else "base_after_target_base_year")
    else:
        t0 = int(series.years[-1])
        flags.append("base_before_preferred")
    used = series.window(t0, math.inf)
    return used, Span(float(t0), float(used.values[0]), float(used.years[-1]),
                      float(used.values[-1]))


def _cumulative_points(series: ObsSeries, target: Mapping, flags: list[str]
                       ) -> tuple[ObsSeries, Span, float]:
    """Flows from period_start to the first gap; the base is 0 at the end of period_start−1.

    Returns the flows used, the span (base, running total) and the first year the running
    total met the target (NaN: not met).
    """
    start, big_t = int(target["period_start"]), int(target["target_year"])
    flows = series.window(start, big_t)
    base_year = float(start - 1)
    if series.years.size and (series.years > big_t).any():
        flags.append("later_years_ignored")
    if not len(flows) or flows.years[0] != start:
        if len(flows):
            flags.append("period_start_missing")
        return flows.window(0, -1), Span(base_year, 0.0, math.nan, math.nan), math.nan
    contiguous = np.flatnonzero(np.diff(flows.years) != 1)
    if contiguous.size:
        flags.append("flows_gap")
        flows = flows.window(start, int(flows.years[contiguous[0]]))
    running = np.cumsum(flows.values)
    met = np.flatnonzero(running >= float(target["target_value"]))
    first_met = float(flows.years[met[0]]) if met.size else math.nan
    return flows, Span(base_year, 0.0, float(flows.years[-1]), float(running[-1])), first_met


def _first_year_met(used: ObsSeries, target: Mapping) -> float:
    if target["kind"] == "reduction_per_year" or not len(used):
        return math.nan
    ok = [meets(v, float(target["target_value"]), target["comparison"],
                int(target["direction_sign"])) for v in used.values]
    return float(used.years[ok.index(True)]) if any(ok) else math.nan


def _method_for(kind: str, used: ObsSeries, y0: float, yi: float, target: Mapping) -> str:
    if kind == "cumulative":
        return CUMULATIVE if len(used) else NONE
    if not len(used):
        return NONE
    if kind == "reduction_per_year":
        return REDUCTION
    return LINEAR if needs_linear(y0, float(target["target_value"]), yi) else STATCAN


def _linear_reasons(y0: float, yi: float, target_value: float) -> list[str]:
    reasons = []
    if y0 == 0:
        reasons.append("zero_base")
    if target_value == 0:
        reasons.append("zero_target")
    if y0 != 0 and ((target_value != 0 and (y0 > 0) != (target_value > 0))
                    or (yi != 0 and (y0 > 0) != (yi > 0))):
        reasons.append("sign_change")
    return reasons


def _required_at_target(span: Span, target: Mapping) -> float:
    """The value the target requires at the target year (the end of the required path)."""
    if target["kind"] == "reduction_per_year":
        d = int(target["direction_sign"])
        return span.y0 + d * float(target["target_value"]) * (int(target["target_year"]) - span.t0)
    return float(target["target_value"])


def _projection(a: Assessment, span: Span, target: Mapping, first_met: float, m: Mapping,
                flags: list[str]) -> dict:
    """Projected value at the target year and projected year reached, at the observed pace."""
    method, kind, big_t = a.method, target["kind"], int(target["target_year"])
    ti, yi = span.ti, span.yi
    out = {"projected_value_at_target_year": math.nan, "projected_year_reached": None}
    if math.isnan(a.change_observed):
        reached = big_t if kind == "annual" else first_met
        if a.achieved and not math.isnan(reached):
            out["projected_year_reached"] = int(reached)
        return out
    horizon = int(m["projection_horizon_year"])
    if big_t > ti:
        if method == STATCAN:
            out["projected_value_at_target_year"] = yi * (1 + a.cagr_observed) ** (big_t - ti)
        else:
            out["projected_value_at_target_year"] = yi + a.change_observed * (big_t - ti)
    elif big_t == ti:
        out["projected_value_at_target_year"] = yi  # observed in the target year itself
    else:
        flags.append("target_year_passed")
    if kind == "reduction_per_year":
        return out
    if a.achieved:
        reached = big_t if kind == "annual" else first_met
        out["projected_year_reached"] = None if math.isnan(reached) else int(reached)
        return out
    steps = _steps_to_target(method, a, yi, float(target["target_value"]),
                             int(target["direction_sign"]))
    if steps is not None:
        year = int(ti + max(1, math.ceil(steps - 1e-9)))
        if year <= horizon:
            out["projected_year_reached"] = year
        else:
            flags.append("beyond_horizon")
    return out


def _steps_to_target(method: str, a: Assessment, yi: float, y_target: float, d: int
                     ) -> float | None:
    """Years from the latest point until the observed pace reaches the target (None: never)."""
    gap = y_target - yi
    if method == STATCAN:
        g = a.cagr_observed
        if g <= -1 or g == 0 or y_target / yi <= 0:
            return None
        steps = math.log(y_target / yi) / math.log1p(g)
        return steps if steps > 0 else None
    if a.change_observed == 0 or d * a.change_observed < 0 or d * gap < 0:
        return None
    return gap / a.change_observed


def _csi(a: Assessment, span: Span, required: float, target: Mapping, m: Mapping) -> dict:
    """ESCAP-style current-status index (PROGRESS_METHODS §2.2), 0–10 scale."""
    d, big_t = int(target["direction_sign"]), int(target["target_year"])
    t0, y0, ti, yi = span.t0, span.y0, span.ti, span.yi
    scale = float(m["csi"]["scale"])
    out = {"csi": math.nan, "csi_raw": math.nan, "csi_expected": math.nan}
    if math.isnan(yi) or math.isnan(y0):
        return out
    if big_t > t0:
        out["csi_expected"] = scale * min(ti - t0, big_t - t0) / (big_t - t0)
    needed = required - y0
    if needed != 0 and not math.isnan(needed) and ti > t0:
        out["csi_raw"] = scale * d * (yi - y0) / abs(needed)
    out["csi"] = scale if a.achieved else out["csi_raw"]
    return out


def _slipping(used: ObsSeries, d: int, kind: str) -> bool:
    """Achieved, but the last step of the series moved against the desired direction."""
    if kind in ("cumulative", "annual") or len(used) < 2:
        return False
    return d * (used.values[-1] - used.values[-2]) < 0


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).reindex(columns=PROGRESS_COLUMNS)
    for col in _INT_COLUMNS:
        df[col] = df[col].astype("int64")
    for col in _NULLABLE_INT_COLUMNS:
        df[col] = pd.array([None if v is None or pd.isna(v) else int(v) for v in df[col]],
                           dtype="Int64")
    for col in _FLOAT_COLUMNS:
        df[col] = df[col].astype("float64")
    for col in _BOOL_COLUMNS:
        df[col] = df[col].fillna(False).astype(bool)
    for col in set(PROGRESS_COLUMNS) - set(_INT_COLUMNS) - set(_NULLABLE_INT_COLUMNS) \
            - set(_FLOAT_COLUMNS) - set(_BOOL_COLUMNS):
        df[col] = df[col].fillna("").astype("str")
    df = df.sort_values(["geo_version", "province_code", "target_id"], kind="stable")
    return df.reset_index(drop=True)
