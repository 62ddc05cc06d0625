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

The folder holds :mod:`~analysis.progress.formulas` (the pure formulas),
:mod:`~analysis.progress.series` (the series and the evidence a verdict uses),
:mod:`~analysis.progress.assess` (the progress table), :mod:`~analysis.progress.rank` (the
sector rankings) and :mod:`~analysis.progress.trends` (trend-only verdicts); the method
settings are in :mod:`analysis.catalogue.methods`, the national figures computed from the
provinces in :mod:`analysis.transform.national`.
"""

from __future__ import annotations

from analysis.catalogue.methods import (
    ACCELERATE,
    ACHIEVED,
    CUMULATIVE,
    DETERIORATION,
    INSUFFICIENT,
    LIMITED,
    LINEAR,
    METHODS,
    METHODS_FILE,
    NONE,
    ON_TRACK,
    REDUCTION,
    STATCAN,
    STATUSES,
    load_methods,
)
from analysis.core.provenance import RANK as PROVENANCE_RANK
from analysis.progress.assess import assess, assess_series, build_progress
from analysis.progress.formulas import (
    Assessment,
    cagr,
    evaluate,
    limit_coefficient,
    meets,
    needs_linear,
    recompute_row,
    score_from_ratio,
    status_from_ratio,
    trend_only,
)
from analysis.progress.rank import RANK_COLUMNS, rank_provinces
from analysis.progress.series import ObsSeries, evidence_series, national_evidence
from analysis.progress.trends import TREND_COLUMNS, assess_trends
from analysis.schemas.progress import EXTRA_COLUMNS, PROGRESS_COLUMNS, SPEC_COLUMNS
from analysis.transform.national import NATIONAL_COLUMNS, national_comparison
from analysis.transform.observations import OBS_REQUIRED, prepare_observations

__all__ = [
    "ACCELERATE", "ACHIEVED", "CUMULATIVE", "DETERIORATION", "EXTRA_COLUMNS", "INSUFFICIENT",
    "LIMITED", "LINEAR", "METHODS", "METHODS_FILE", "NATIONAL_COLUMNS", "NONE", "OBS_REQUIRED",
    "ON_TRACK", "PROGRESS_COLUMNS", "PROVENANCE_RANK", "RANK_COLUMNS", "REDUCTION",
    "SPEC_COLUMNS", "STATCAN", "STATUSES", "TREND_COLUMNS", "Assessment", "ObsSeries", "assess",
    "assess_series", "assess_trends", "build_progress", "cagr", "evaluate", "evidence_series",
    "limit_coefficient", "load_methods", "meets", "national_comparison",
    "national_evidence", "needs_linear", "prepare_observations", "rank_provinces",
    "recompute_row", "score_from_ratio", "status_from_ratio", "trend_only",
]
