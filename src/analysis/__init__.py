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

from analysis.core.config import VERSION as __version__
from analysis.core.errors import DataError, NetworkError, ParameterError, UnmatchedNamesError

# public name -> (module, attribute), imported on first use. Public names never equal a
# submodule's name: importing ``analysis.x`` would overwrite a function ``analysis.x``.
_LAZY = {
    "provinces": ("analysis.catalogue.geography", "provinces"),
    "crosswalk": ("analysis.catalogue.geography", "crosswalk"),
    "resolve_provinces": ("analysis.catalogue.geography", "resolve_provinces"),
    "match_provinces": ("analysis.catalogue.geography", "match_provinces"),
    "province_name": ("analysis.catalogue.geography", "province_name"),
    "harmonise": ("analysis.transform.harmonisation", "harmonise"),
    "indicator_catalogue": ("analysis.catalogue.indicators", "indicators"),
    "read": ("analysis.ingest", "read"),
    "load_observations": ("analysis.pipeline.io", "load_observations"),
    "load_progress": ("analysis.pipeline.io", "load_progress"),
    "load_targets": ("analysis.catalogue.targets", "load_targets"),
    "assess": ("analysis.progress", "assess"),
    "national_comparison": ("analysis.progress", "national_comparison"),
    "rank_provinces": ("analysis.progress", "rank_provinces"),
    "assess_trends": ("analysis.progress", "assess_trends"),
    "choropleth": ("analysis.present.maps", "choropleth"),
    "load_boundaries": ("analysis.sources.boundaries", "load_boundaries"),
}
_MODULES = {"charts": "analysis.present.charts", "maps": "analysis.present.maps",
            "reporting": "analysis.present.report", "i18n": "analysis.present.i18n"}

__all__ = ["DataError", "NetworkError", "ParameterError", "UnmatchedNamesError", *_LAZY,
           *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = import_module(_MODULES[name])
    elif name in _LAZY:
        module_name, attribute = _LAZY[name]
        value = getattr(import_module(module_name), attribute)
    else:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from analysis.catalogue.geography import (
        crosswalk,
        match_provinces,
        province_name,
        provinces,
        resolve_provinces,
    )
    from analysis.catalogue.indicators import indicators as indicator_catalogue
    from analysis.catalogue.targets import load_targets
    from analysis.ingest import read
    from analysis.pipeline.io import load_observations, load_progress
    from analysis.present import charts, i18n, maps
    from analysis.present import report as reporting
    from analysis.present.maps import choropleth
    from analysis.progress import assess, assess_trends, national_comparison, rank_provinces
    from analysis.sources.boundaries import load_boundaries
    from analysis.transform.harmonisation import harmonise
