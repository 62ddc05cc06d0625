"""Progress towards targets: how far each province is, how fast it moves, and by when it arrives.

The method is the Statistics Canada / Open SDG progress measure (``guides/PROGRESS_METHODS.md``
§1, explained for users in ``docs/METHODS.md``), with the edge cases the project adopted (§7):

* ``R = s·d·CAGR_obs / |CAGR_req|`` with ``CAGR_obs = (yi/y0)^(1/(ti−t0)) − 1`` and
  ``CAGR_req = (yT/y0)^(1/(T−t0)) − 1``; ``d`` is the indicator's direction (+1 higher is
  better, −1 lower is better: required, never defaulted); ``s`` is −1 when the base value is
  negative.
* Status: ``achieved`` when the latest value meets the target (checked first, needs one
  point); otherwise ``insufficient_data`` with fewer than two years, else ``on_track``
  (R ≥ 0.95), ``acceleration_needed`` (0.60 ≤ R < 0.95), ``limited_progress`` (0 ≤ R < 0.60),
  ``deterioration`` (R < 0). Thresholds live in ``data/reference/methods.yml``.
* A zero base or target, or values of opposite signs, use the linear (absolute-gap) variant
  ``R = d·Δobs/|Δreq|`` (yearly changes), flagged — never an epsilon.
* Kinds: ``level`` and ``annual`` (the flow of the target year; later years ignored) use the
  ratio above; ``cumulative`` compares the pace achieved since the period began with the
  pace needed (the linear variant on the running total, which starts from 0);
  ``reduction_per_year`` compares the observed average yearly fall with the required one.

Every row can be recomputed from its own columns with :func:`recompute_row`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core import provenance
from analysis.core.config import COUNTRY_CODE, DATA_REFERENCE_DIR, GEO_VERSIONS, LAST_VN63_YEAR
from analysis.core.errors import DataError, ParameterError
from analysis.catalogue.geography import REGION_PREFIX, TOTAL_CODE, crosswalk, province_codes, provinces
from analysis.transform.harmonisation import catalogue_weights
from analysis.catalogue.indicators import SECTORS, indicators
from analysis.present.style import STATUS_ORDER
from analysis.catalogue.targets import TARGET_COLUMNS, load_targets, validate_targets

METHODS_FILE = DATA_REFERENCE_DIR / "methods.yml"

STATUSES = STATUS_ORDER  # achieved, on_track, acceleration_needed, limited_progress, ...
ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATION, INSUFFICIENT = STATUS_ORDER

# method names (the formula behind a row)
STATCAN = "statcan_cagr_ratio"
LINEAR = "linear_gap"
CUMULATIVE = "cumulative_pace"
REDUCTION = "reduction_pace"
NONE = "none"
METHODS = (STATCAN, LINEAR, CUMULATIVE, REDUCTION, NONE)

# provenance grades and their ranks: analysis.core.provenance (one definition)
PROVENANCE_RANK = provenance.RANK

OBS_REQUIRED = ("province_code", "year", "indicator", "value")

#: SPEC columns of the progress table, after the key columns geo_version and province_code.
SPEC_COLUMNS = [
    "indicator", "base_year", "base_value", "latest_year", "latest_value", "target_value",
    "target_year", "direction", "cagr_observed", "cagr_required", "progress_ratio", "status",
    "projected_value_at_target_year", "projected_year_reached", "n_points", "method",
]
#: Extra columns (docs/ARCHITECTURE.md first, then the ones the charts and rankings use).
EXTRA_COLUMNS = [
    "target_id", "kind", "comparison", "target_value_text", "scope", "confidence",
    "source_document", "source_detail", "source_url", "method_version", "csi", "provenance",
    "is_estimated", "flags",
    # more context
    "applies_as", "series", "sector", "unit", "required_value_at_target_year",
    "change_observed_per_year", "change_required_per_year", "csi_raw", "csi_expected",
    "score", "is_provisional", "source_id", "evidence_grade",
]
PROGRESS_COLUMNS = ["geo_version", "province_code", *SPEC_COLUMNS, *EXTRA_COLUMNS]

_INT_COLUMNS = ("target_year", "direction", "n_points")
_NULLABLE_INT_COLUMNS = ("base_year", "latest_year", "projected_year_reached")
_FLOAT_COLUMNS = ("base_value", "latest_value", "target_value", "cagr_observed",
                  "cagr_required", "progress_ratio", "projected_value_at_target_year",
                  "required_value_at_target_year", "change_observed_per_year",
                  "change_required_per_year", "csi", "csi_raw", "csi_expected", "score")
_BOOL_COLUMNS = ("is_estimated", "is_provisional")


# ======================================================================================
# parameters
# ======================================================================================


def load_methods(path: str | Path | None = None) -> dict:
    """The versioned method parameters (``data/reference/methods.yml``).

    Returns:
        A dict with ``method_version``, ``base_year.preferred``, ``thresholds``
        (``high``/``med``/``low``), ``trend_only``, ``min_points``,
        ``projection_horizon_year``, ``cap_missed_targets``, ``csi``, ``score`` and
        ``ranking``.
    """
    path = Path(path) if path is not None else METHODS_FILE
    return _load_methods(str(path))


@cache
def _load_methods(path: str) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise DataError(f"cannot read the method parameters: {err}", file=path) from None
    needed = ("method_version", "base_year", "thresholds", "trend_only", "min_points",
              "projection_horizon_year", "cap_missed_targets", "csi", "score", "ranking")
    missing = [k for k in needed if k not in (data or {})]
    if missing:
        raise DataError(f"method parameters lack {', '.join(missing)}", file=path)
    t = data["thresholds"]
    if not t["high"] > t["med"] >= t["low"]:
        raise DataError("thresholds must satisfy high > med >= low", file=path,
                        column="thresholds")
    return data


def __getattr__(name: str) -> object:
    """``METHOD_VERSION``: the version in methods.yml, read on first use (no I/O at import)."""
    if name == "METHOD_VERSION":
        return str(load_methods()["method_version"])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _methods(methods: Mapping | str | Path | None) -> Mapping:
    if methods is None or isinstance(methods, (str, Path)):
        return load_methods(methods)
    return methods


# ======================================================================================
# the formulas (pure functions of numbers: the golden examples test these)
# ======================================================================================


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
    m = _methods(methods)
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
    m = _methods(methods)
    a = Assessment(method=method)
    if method == NONE or latest_value is None or math.isnan(latest_value):
        a.flags.append("no_data")
        return a
    at_level = meets(latest_value, target_value, comparison, direction)
    a.achieved = at_level
    enough = n_points >= m["min_points"] and latest_year > base_year
    if enough:
        _fill_ratio(a, direction, base_year, base_value, latest_year, latest_value,
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


def _fill_ratio(a: Assessment, d: int, t0: float, y0: float, ti: float, yi: float,
                y_target: float, big_t: int) -> None:
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
    m = _methods(methods)
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


# ======================================================================================
# observation series
# ======================================================================================


@dataclass
class ObsSeries:
    """One (geography, place, indicator) series: years ascending, with point attributes."""

    years: np.ndarray
    values: np.ndarray
    provenance: list[str]
    estimated: np.ndarray
    provisional: np.ndarray
    source_ids: list[str]
    kind: str = "reported"  # reported | computed_from_provinces

    def window(self, first: float, last: float) -> ObsSeries:
        keep = (self.years >= first) & (self.years <= last)
        idx = np.flatnonzero(keep)
        return ObsSeries(self.years[idx], self.values[idx], [self.provenance[i] for i in idx],
                      self.estimated[idx], self.provisional[idx],
                      [self.source_ids[i] for i in idx], self.kind)

    def take(self, idx: np.ndarray) -> ObsSeries:
        """The points at positions ``idx`` (ascending)."""
        return ObsSeries(self.years[idx], self.values[idx], [self.provenance[i] for i in idx],
                         self.estimated[idx], self.provisional[idx],
                         [self.source_ids[i] for i in idx], self.kind)

    def real_points(self) -> int:
        """How many points are real figures (official or secondary)."""
        return sum(provenance.is_real(g) for g in self.provenance)

    def __len__(self) -> int:
        return len(self.years)


_EMPTY = ObsSeries(np.array([], dtype="int64"), np.array([], dtype="float64"), [],
                np.array([], dtype=bool), np.array([], dtype=bool), [])


def prepare_observations(observations: pd.DataFrame, geo_version: str | None = None
                         ) -> pd.DataFrame:
    """Check and normalise an observation frame (the build's table or a researcher's own).

    Needs ``province_code``, ``year``, ``indicator`` and ``value``; ``geo_version`` may be
    absent when ``geo_version`` is given. Missing ``provenance`` becomes ``"unspecified"``
    (never assumed official); missing flags become False. Rows without a value are dropped
    (they are not data points).

    Raises:
        DataError: for missing columns, a year that is not a whole number, an unknown
            geo_version, a unit different from the indicator catalogue's, or two values for
            the same (geo_version, province_code, year, indicator).
    """
    missing = [c for c in OBS_REQUIRED if c not in observations.columns]
    if missing:
        raise DataError(f"observations lack column(s): {', '.join(missing)}",
                        hint="needed: province_code, year, indicator, value (+ geo_version)")
    obs = observations.copy()
    if "geo_version" not in obs.columns:
        if geo_version is None:
            raise DataError("observations lack column geo_version",
                            hint="add it, or pass geo_version='vn34' (or 'vn63')")
        obs["geo_version"] = geo_version
    bad_geo = sorted(set(obs["geo_version"].dropna().astype(str)) - set(GEO_VERSIONS))
    if bad_geo:
        raise DataError(f"unknown geo_version value(s): {', '.join(bad_geo)}",
                        column="geo_version")
    obs["province_code"] = obs["province_code"].astype("str")
    _check_codes(obs["province_code"])
    obs["indicator"] = obs["indicator"].astype("str")
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce").astype("float64")
    obs = obs[obs["value"].notna()]
    years = pd.to_numeric(obs["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        bad = obs.loc[years.isna() | (years % 1 != 0), "year"].iloc[0]
        raise DataError(f"year {bad!r} is not a whole number", column="year")
    obs["year"] = years.astype("int64")
    for col, default in (("provenance", "unspecified"), ("source_id", ""), ("unit", "")):
        if col not in obs.columns:
            obs[col] = default
        obs[col] = obs[col].fillna(default).astype("str")
    for col in ("is_estimated", "is_provisional"):
        obs[col] = obs[col].fillna(False).astype(bool) if col in obs.columns else False
    for col in ("numerator", "denominator"):
        obs[col] = (pd.to_numeric(obs[col], errors="coerce").astype("float64")
                    if col in obs.columns else np.nan)
    _check_duplicates(obs)
    _check_units(obs)
    return obs.reset_index(drop=True)


def _check_codes(codes: pd.Series) -> None:
    ok = (codes.str.fullmatch(r"\d{2}") | (codes == COUNTRY_CODE) | (codes == TOTAL_CODE)
          | codes.str.startswith(REGION_PREFIX))
    if not ok.all():
        bad = ", ".join(map(repr, sorted(codes[~ok].unique())[:5]))
        raise DataError(f"province_code must be a 2-digit code or VN, not {bad}",
                        column="province_code",
                        hint="write codes as text with the leading zero ('01'), e.g. "
                             "dtype={'province_code': str} when reading a CSV")


def _check_duplicates(obs: pd.DataFrame) -> None:
    keys = ["geo_version", "province_code", "year", "indicator"]
    dup = obs.duplicated(keys, keep=False)
    if dup.any():
        first = obs.loc[dup].iloc[0]
        raise DataError(f"two values for {first['indicator']} in {first['province_code']} "
                        f"{first['year']} ({first['geo_version']}); keep one per year",
                        hint="progress needs one value per province, year and indicator")


def _check_units(obs: pd.DataFrame) -> None:

    units = indicators()["unit"]
    pairs = obs.loc[obs["unit"] != "", ["indicator", "unit"]].drop_duplicates()
    pairs = pairs[pairs["indicator"].isin(units.index)]
    wrong = pairs[pairs["unit"] != pairs["indicator"].map(units)]
    if len(wrong):
        r = wrong.iloc[0]
        raise DataError(f"observations of {r['indicator']} are in {r['unit']!r} but the "
                        f"indicator is measured in {units[r['indicator']]!r}", column="unit")


def _series_index(obs: pd.DataFrame) -> dict[tuple[str, str, str], ObsSeries]:
    index: dict[tuple[str, str, str], ObsSeries] = {}
    obs = obs.sort_values(["geo_version", "province_code", "indicator", "year"])
    for key, g in obs.groupby(["geo_version", "province_code", "indicator"], sort=False):
        index[key] = ObsSeries(g["year"].to_numpy("int64"), g["value"].to_numpy("float64"),
                            g["provenance"].tolist(), g["is_estimated"].to_numpy(bool),
                            g["is_provisional"].to_numpy(bool), g["source_id"].tolist())
    return index


# ======================================================================================
# national figures
# ======================================================================================

NATIONAL_COLUMNS = [
    "geo_version", "year", "indicator", "unit", "aggregation", "computed_value",
    "computed_numerator", "computed_denominator", "computed_method", "n_provinces",
    "n_expected", "complete", "reported_value", "difference", "difference_pct",
    "provenance", "is_estimated", "source_id", "reported_provenance", "reported_source_id",
    "note",
]


def national_comparison(observations: pd.DataFrame, indicator_ids: Iterable[str] | None = None,
                        *, weights: pd.DataFrame | None = None,
                        geo_version: str | None = None) -> pd.DataFrame:
    """The nation computed from its provinces, next to the reported national figure.

    Rates with numerator and denominator in every reporting province are pooled
    (``scale·Σnumerator/Σdenominator``, never a mean of rates); counts and flows are summed;
    a rate without its parts (or a ``weighted_mean`` indicator) is combined only with explicit
    ``weights`` and is then flagged ``is_estimated``; non-additive indicators (densities,
    indices, life expectancy) are not computed. The reported figure (``province_code "VN"``)
    is never replaced: both are shown with their difference.

    Args:
        observations: observation rows (see :func:`prepare_observations`).
        indicator_ids: indicators to compute (default: every indicator present).
        weights: optional frame ``province_code``, ``year``, ``weight`` (and optionally
            ``geo_version`` and ``indicator``) for weighted means.
        geo_version: the geography, when the frame has no ``geo_version`` column.

    Returns:
        Grain: one row per ``(geo_version, year, indicator)`` with any provincial or national
        value. ``computed_value`` in the indicator's unit (NaN when it cannot be computed;
        ``note`` says why); ``n_provinces`` reporting out of ``n_expected`` (``complete``
        when all report: an incomplete sum understates the nation); ``reported_value`` (NaN
        when none); ``difference = computed − reported`` and ``difference_pct`` (percent of
        the reported value); ``provenance`` the lowest grade of the provinces used.
    """
    obs = prepare_observations(observations, geo_version)
    if indicator_ids is not None:
        obs = obs[obs["indicator"].isin(list(indicator_ids))]
    return _national_table(obs, weights)


def _national_table(obs: pd.DataFrame, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    if obs.empty:
        return pd.DataFrame(columns=NATIONAL_COLUMNS)
    frames = [_national_one_geo(obs[obs["geo_version"] == geo], geo, weights)
              for geo in sorted(obs["geo_version"].unique())]
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["geo_version", "indicator", "year"]).reset_index(drop=True)


def _national_one_geo(obs: pd.DataFrame, geo: str, weights: pd.DataFrame | None) -> pd.DataFrame:

    expected = set(province_codes(geo))
    prov = obs[obs["province_code"].str.fullmatch(r"\d{2}")]
    unknown = sorted(set(prov["province_code"]) - expected)
    if unknown:
        raise DataError(f"{geo} observations carry unknown province code(s): "
                        f"{', '.join(unknown)}", column="province_code")
    rules = indicators()
    prov = _attach_weights(prov, weights, geo)
    rows = []
    for (year, ind), g in prov.groupby(["year", "indicator"], sort=True):
        rows.append(_national_value(g, rules.loc[ind] if ind in rules.index else None,
                                    len(expected)) | {"year": year, "indicator": ind})
    computed = pd.DataFrame(rows)
    reported = obs[obs["province_code"] == COUNTRY_CODE][
        ["year", "indicator", "value", "provenance", "source_id", "unit"]].rename(columns={
            "value": "reported_value", "provenance": "reported_provenance",
            "source_id": "reported_source_id", "unit": "reported_unit"})
    if computed.empty:
        computed = pd.DataFrame(columns=["year", "indicator", *_COMPUTED_FIELDS])
    out = computed.merge(reported, on=["year", "indicator"], how="outer")
    out["geo_version"] = geo
    out["unit"] = out["indicator"].map(rules["unit"]).fillna(out.get("reported_unit"))
    out["aggregation"] = out["indicator"].map(rules["aggregation"])
    out["difference"] = out["computed_value"] - out["reported_value"]
    out["difference_pct"] = 100 * out["difference"] / out["reported_value"].where(
        out["reported_value"] != 0)
    no_prov = out["n_provinces"].isna()
    out.loc[no_prov, "note"] = "no provincial values"
    out.loc[no_prov, "computed_method"] = "none"
    out["n_provinces"] = out["n_provinces"].fillna(0).astype("int64")
    out["n_expected"] = len(expected)
    out["complete"] = out["n_provinces"] == len(expected)
    out["is_estimated"] = out["is_estimated"].astype("boolean").fillna(False).astype(bool)
    for col in ("provenance", "source_id", "reported_provenance", "reported_source_id",
                "note", "computed_method"):
        out[col] = out[col].fillna("").astype("str")
    return out.reindex(columns=NATIONAL_COLUMNS)


def _attach_weights(prov: pd.DataFrame, weights: pd.DataFrame | None, geo: str) -> pd.DataFrame:
    prov = prov.assign(weight=np.nan)
    if weights is None:
        return prov
    missing = {"province_code", "year", "weight"} - set(weights.columns)
    if missing:
        raise ParameterError(f"weights lack column(s): {', '.join(sorted(missing))}")
    w = weights.copy()
    if "geo_version" in w.columns:
        w = w[w["geo_version"] == geo]
    w["province_code"] = w["province_code"].astype("str")
    prov = prov.drop(columns="weight")
    if "w_grade" not in w.columns:
        w["w_grade"] = None  # weights of unstated grade do not lower the estimate's grade
    if "indicator" in w.columns:
        specific = w[w["indicator"].notna()][["province_code", "year", "indicator", "weight",
                                              "w_grade"]]
        general = w[w["indicator"].isna()][["province_code", "year", "weight", "w_grade"]]
        prov = prov.merge(specific, on=["province_code", "year", "indicator"], how="left")
        prov = prov.merge(general.rename(columns={"weight": "w_all", "w_grade": "g_all"}),
                          on=["province_code", "year"], how="left")
        prov["w_grade"] = prov["w_grade"].where(prov["weight"].notna(), prov.pop("g_all"))
        prov["weight"] = prov["weight"].fillna(prov.pop("w_all"))
        return prov
    return prov.merge(w[["province_code", "year", "weight"]], on=["province_code", "year"],
                      how="left")


_COMPUTED_FIELDS = ("n_provinces", "computed_value", "computed_numerator", "computed_denominator",
                    "computed_method", "provenance", "is_estimated", "source_id", "note")


def _national_value(g: pd.DataFrame, rule: pd.Series | None, n_expected: int) -> dict:
    n = len(g)
    out = {"n_provinces": n, "computed_value": np.nan, "computed_numerator": np.nan,
           "computed_denominator": np.nan, "provenance": lowest_grade(g["provenance"]),
           "is_estimated": bool(g["is_estimated"].any()),
           "source_id": _join(g["source_id"]), "note": ""}
    if n < n_expected:
        out["note"] = f"{n} of {n_expected} provinces report"
    aggregation = rule["aggregation"] if rule is not None else "none"
    scale = float(rule["scale"]) if rule is not None else 1.0
    has_parts = g["numerator"].notna().all() and g["denominator"].notna().all()
    if aggregation == "sum":
        out.update(computed_method="sum", computed_value=g["value"].sum())
        if has_parts:
            out.update(computed_numerator=g["numerator"].sum(),
                       computed_denominator=g["denominator"].sum())
    elif aggregation == "ratio" and has_parts and g["denominator"].sum() > 0:
        num, den = g["numerator"].sum(), g["denominator"].sum()
        out.update(computed_method="pooled_ratio", computed_value=scale * num / den,
                   computed_numerator=num, computed_denominator=den)
    elif aggregation in ("ratio", "weighted_mean") and g["weight"].notna().all() \
            and g["weight"].sum() > 0:
        value = float((g["value"] * g["weight"]).sum() / g["weight"].sum())
        out.update(computed_method="weighted_mean", is_estimated=True,
                   computed_value=min(max(value, g["value"].min()), g["value"].max()),
                   provenance=lowest_grade([*g["provenance"], *[
                       x for x in g.get("w_grade", []) if isinstance(x, str)]]))
    elif aggregation in ("ratio", "weighted_mean"):
        out.update(computed_method="parts_missing", note=_append(
            out["note"], "rates without numerator/denominator and no weights: not combined"))
    else:
        out.update(computed_method="not_aggregable",
                   note=_append(out["note"], "not additive: computed only from its parts"))
    return out


def _append(note: str, text: str) -> str:
    return f"{note}; {text}" if note else text


def lowest_grade(grades: Iterable[str]) -> str:
    """The lowest provenance grade (:func:`analysis.core.provenance.weakest`)."""
    return provenance.weakest(grades)


def _join(ids: Iterable[str]) -> str:
    return ";".join(sorted({p for s in ids if s for p in str(s).split(";") if p}))


def _national_series(obs: pd.DataFrame) -> dict[str, ObsSeries]:
    """Per indicator: the computed national series of one geography, complete years only."""
    table = _national_table(obs, catalogue_weights(obs))
    table = table[table["complete"] & table["computed_value"].notna()]
    out = {}
    for ind, g in table.groupby("indicator"):
        g = g.sort_values("year")
        out[ind] = ObsSeries(g["year"].to_numpy("int64"),
                             g["computed_value"].to_numpy("float64"),
                             g["provenance"].tolist(), g["is_estimated"].to_numpy(bool),
                             np.zeros(len(g), dtype=bool), g["source_id"].tolist(),
                             kind="computed_from_provinces")
    return out


# ======================================================================================
# assessing targets
# ======================================================================================


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
    return _assess(obs, _targets(targets), geos, _methods(methods), all_provinces)


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
    return _assess(obs[keep], _targets(targets), list(GEO_VERSIONS), _methods(methods),
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

    index = _series_index(obs)
    rows: list[dict] = []
    for geo in geos:
        obs_geo = obs[obs["geo_version"] == geo]
        codes = (province_codes(geo) if all_provinces else
                 sorted(set(obs_geo["province_code"]) & set(province_codes(geo))))
        regions = provinces(geo).set_index("code")["region"]
        computed = _national_series(obs_geo) if len(obs_geo) else {}
        for target in targets.to_dict("records"):
            for code, applies_as, flags in _places(target, geo, codes, regions):
                series = index.get((geo, code, target["indicator"]), _EMPTY)
                if code == COUNTRY_CODE:
                    series = national_evidence(series, computed.get(target["indicator"], _EMPTY))
                rows.append(assess_series(series, target, m, geo_version=geo,
                                          province_code=code, applies_as=applies_as,
                                          extra_flags=flags))
    return _frame(rows)


def national_evidence(reported: ObsSeries, computed: ObsSeries) -> ObsSeries:
    """The national series a verdict uses: the reported one or the one computed from provinces.

    The reported national series is used unless the series computed from the provinces
    (complete years only) has more real points; the two are never spliced. With no
    reported series, the computed one is used.
    """
    if not len(reported):
        return computed
    return computed if computed.real_points() > reported.real_points() else reported


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
        used, t0, y0, ti, yi, first_met = _cumulative_points(series, target, flags)
    else:
        used, t0, y0, ti, yi = _level_points(series, target, methods, flags)
        first_met = _first_year_met(used, target)
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
    required = _required_at_target(kind, d, y0, t0, target)
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
    row.update(_projection(a, method, kind, ti, yi, big_t, target, first_met, methods, flags))
    row.update(_csi(a, d, t0, y0, ti, yi, required, big_t, methods))
    row.update(_evidence(used, flags))
    if a.achieved and _slipping(used, d, kind):
        flags.append("slipping")
    row["flags"] = ";".join(dict.fromkeys(flags))
    return row


def evidence_series(series: ObsSeries, flags: list[str] | None = None) -> ObsSeries:
    """The points a verdict may use: real and synthetic points are never spliced.

    Where the series has any real point (``official`` or ``secondary``), only the real
    points are used (flag ``synthetic_points_excluded`` when synthetic ones were set aside);
    otherwise the series is used as it is. The verdict's ``evidence_grade`` is then the
    weakest grade of the points it uses.
    """
    real = np.flatnonzero([provenance.is_real(g) for g in series.provenance])
    if 0 < len(real) < len(series):
        if flags is not None:
            flags.append("synthetic_points_excluded")
        return series.take(real)
    return series


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


def _level_points(series: ObsSeries, target: Mapping, m: Mapping, flags: list[str]
                  ) -> tuple[ObsSeries, float, float, float, float]:
    """Window of points and (t0, y0, ti, yi) for level, annual and reduction targets."""
    if target["kind"] == "annual":
        later = series.years > int(target["target_year"])
        if later.any():
            flags.append("later_years_ignored")
        series = series.window(-math.inf, int(target["target_year"]))
    if not len(series):
        return series, math.nan, math.nan, math.nan, math.nan
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
    return used, float(t0), float(used.values[0]), float(used.years[-1]), float(used.values[-1])


def _cumulative_points(series: ObsSeries, target: Mapping, flags: list[str]
                       ) -> tuple[ObsSeries, float, float, float, float, float]:
    """Flows from period_start to the first gap; the base is 0 at the end of period_start−1."""
    start, big_t = int(target["period_start"]), int(target["target_year"])
    flows = series.window(start, big_t)
    base_year = float(start - 1)
    if series.years.size and (series.years > big_t).any():
        flags.append("later_years_ignored")
    if not len(flows) or flows.years[0] != start:
        if len(flows):
            flags.append("period_start_missing")
        return flows.window(0, -1), base_year, 0.0, math.nan, math.nan, math.nan
    contiguous = np.flatnonzero(np.diff(flows.years) != 1)
    if contiguous.size:
        flags.append("flows_gap")
        flows = flows.window(start, int(flows.years[contiguous[0]]))
    running = np.cumsum(flows.values)
    met = np.flatnonzero(running >= float(target["target_value"]))
    first_met = float(flows.years[met[0]]) if met.size else math.nan
    return flows, base_year, 0.0, float(flows.years[-1]), float(running[-1]), first_met


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


def _required_at_target(kind: str, d: int, y0: float, t0: float, target: Mapping) -> float:
    """The value the target requires at the target year (the end of the required path)."""
    if kind == "reduction_per_year":
        return y0 + d * float(target["target_value"]) * (int(target["target_year"]) - t0)
    return float(target["target_value"])


def _projection(a: Assessment, method: str, kind: str, ti: float, yi: float, big_t: int,
                target: Mapping, first_met: float, m: Mapping, flags: list[str]) -> dict:
    """Projected value at the target year and projected year reached, at the observed pace."""
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


def _csi(a: Assessment, d: int, t0: float, y0: float, ti: float, yi: float, required: float,
         big_t: int, m: Mapping) -> dict:
    """ESCAP-style current-status index (PROGRESS_METHODS §2.2), 0–10 scale."""
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


def _evidence(used: ObsSeries, flags: list[str]) -> dict:
    if not len(used):
        return {"provenance": "", "evidence_grade": "", "is_estimated": False,
                "is_provisional": False, "source_id": ""}
    provisional = bool(used.provisional.any())
    estimated = bool(used.estimated.any())
    if provisional:
        flags.append("provisional")
    if estimated:
        flags.append("estimated")
    if used.kind == "computed_from_provinces":
        flags.append("computed_national")
    grade = lowest_grade(used.provenance)
    return {"provenance": grade, "evidence_grade": grade, "is_estimated": estimated,
            "is_provisional": provisional, "source_id": _join(used.source_ids)}


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


# ======================================================================================
# ranking
# ======================================================================================

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

    m = _methods(methods)
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


# ======================================================================================
# trend only (indicators without a target)
# ======================================================================================

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

    m = _methods(methods)
    obs = prepare_observations(observations, geo_version)
    if geo_version is not None:
        obs = obs[obs["geo_version"] == geo_version]
    cat = indicators()
    obs = obs[obs["indicator"].isin(cat.index)]
    if indicator_ids is not None:
        obs = obs[obs["indicator"].isin(list(indicator_ids))]
    rows = []
    preferred = {"base_year": None, "kind": "level", "target_year": 2100}
    for (geo, code, ind), s in _series_index(obs).items():
        used, t0, y0, ti, yi = _level_points(s, preferred, m, [])
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
            **_evidence(used, []),
        })
    df = pd.DataFrame(rows).reindex(columns=TREND_COLUMNS)
    for col in ("base_year", "latest_year"):
        df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    return df.reset_index(drop=True)
