"""The method settings: the status order, the method names and ``data/reference/methods.yml``.

One definition of the verdicts (best to worst), of the formula names a progress row carries
in ``method``, and of the loader of the versioned method parameters (thresholds, minimum
points, projection horizon, score and ranking rules); ``METHOD_VERSION`` is read on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml

from analysis.core.config import DATA_REFERENCE_DIR
from analysis.core.errors import DataError

METHODS_FILE = DATA_REFERENCE_DIR / "methods.yml"

# best -> worst; insufficient_data last
STATUS_ORDER = (
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "insufficient_data",
)
STATUSES = STATUS_ORDER  # achieved, on_track, acceleration_needed, limited_progress, ...
ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATION, INSUFFICIENT = STATUS_ORDER

# method names (the formula behind a row)
STATCAN = "statcan_cagr_ratio"
LINEAR = "linear_gap"
CUMULATIVE = "cumulative_pace"
REDUCTION = "reduction_pace"
NONE = "none"
METHODS = (STATCAN, LINEAR, CUMULATIVE, REDUCTION, NONE)

__all__ = [
    "ACCELERATE", "ACHIEVED", "CUMULATIVE", "DETERIORATION", "INSUFFICIENT", "LIMITED",
    "LINEAR", "METHODS", "METHODS_FILE", "NONE", "ON_TRACK", "REDUCTION", "STATCAN",
    "STATUSES", "STATUS_ORDER", "load_methods", "resolve_methods",
]


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


def resolve_methods(methods: Mapping | str | Path | None) -> Mapping:
    """The parameters themselves: a mapping as given, else loaded from a path (None: default)."""
    if methods is None or isinstance(methods, (str, Path)):
        return load_methods(methods)
    return methods
