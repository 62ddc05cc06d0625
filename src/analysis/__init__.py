"""NQ42 Tracker: provincial progress towards the 2030 targets of Resolution 42-NQ/TW.

Researchers use it from JupyterLab::

    import analysis as nq
    nq.provinces("vn34")
    obs = nq.load_observations(geo_version="vn34")
    progress = nq.assess(obs, nq.load_targets())

Heavy modules (plotly, geopandas, papermill) load only when a function needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from analysis.errors import DataError, NetworkError, ParameterError, UnmatchedNamesError

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY = {
    "provinces": "analysis.geography",
    "crosswalk": "analysis.geography",
    "resolve_provinces": "analysis.geography",
    "match_provinces": "analysis.geography",
    "province_name": "analysis.geography",
    "harmonise": "analysis.harmonise",
    "indicators": "analysis.indicators",
    "read": "analysis.ingest",
    "load_observations": "analysis.io",
    "load_progress": "analysis.io",
    "load_targets": "analysis.targets",
    "assess": "analysis.progress",
}
_MODULES = {"charts": "analysis.charts", "maps": "analysis.maps"}

__all__ = ["DataError", "NetworkError", "ParameterError", "UnmatchedNamesError", *_LAZY,
           *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = import_module(_MODULES[name])
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from analysis import charts, maps
    from analysis.geography import (crosswalk, match_provinces, province_name, provinces,
                                    resolve_provinces)
    from analysis.harmonise import harmonise
    from analysis.indicators import indicators
    from analysis.ingest import read
    from analysis.io import load_observations, load_progress
    from analysis.progress import assess
    from analysis.targets import load_targets
