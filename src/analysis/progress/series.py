"""Observation series of one place and indicator, and the points a verdict may use.

:class:`ObsSeries` holds one (geography, place, indicator) series; :func:`series_index`
builds them from a prepared frame; :func:`evidence_series`, :func:`national_evidence` and
:func:`national_series` choose the evidence; :func:`evidence_columns` describes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core import provenance
from analysis.transform.harmonisation import join_source_ids
from analysis.transform.national import computed_national


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
        """The points of the years ``first`` to ``last`` (both included)."""
        keep = (self.years >= first) & (self.years <= last)
        return self.take(np.flatnonzero(keep))

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


EMPTY_SERIES = ObsSeries(np.array([], dtype="int64"), np.array([], dtype="float64"), [],
                         np.array([], dtype=bool), np.array([], dtype=bool), [])


def series_index(obs: pd.DataFrame) -> dict[tuple[str, str, str], ObsSeries]:
    """Every (geo_version, province_code, indicator) series of a prepared frame."""
    index: dict[tuple[str, str, str], ObsSeries] = {}
    obs = obs.sort_values(["geo_version", "province_code", "indicator", "year"])
    for key, g in obs.groupby(["geo_version", "province_code", "indicator"], sort=False):
        index[key] = ObsSeries(g["year"].to_numpy("int64"), g["value"].to_numpy("float64"),
                               g["provenance"].tolist(), g["is_estimated"].to_numpy(bool),
                               g["is_provisional"].to_numpy(bool), g["source_id"].tolist())
    return index


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


def national_evidence(reported: ObsSeries, computed: ObsSeries) -> ObsSeries:
    """The national series a verdict uses: the reported one or the one computed from provinces.

    The reported national series is used unless the series computed from the provinces
    (complete years only) has more real points; the two are never spliced. With no
    reported series, the computed one is used.
    """
    if not len(reported):
        return computed
    return computed if computed.real_points() > reported.real_points() else reported


def national_series(obs: pd.DataFrame) -> dict[str, ObsSeries]:
    """Per indicator: the computed national series of one geography, complete years only."""
    out = {}
    for ind, g in computed_national(obs).groupby("indicator"):
        g = g.sort_values("year")
        out[ind] = ObsSeries(g["year"].to_numpy("int64"),
                             g["computed_value"].to_numpy("float64"),
                             g["provenance"].tolist(), g["is_estimated"].to_numpy(bool),
                             np.zeros(len(g), dtype=bool), g["source_id"].tolist(),
                             kind="computed_from_provinces")
    return out


def evidence_columns(used: ObsSeries, flags: list[str]) -> dict:
    """The evidence columns of a row: grades, estimate/provisional marks and sources used."""
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
    grade = provenance.weakest(used.provenance)
    return {"provenance": grade, "evidence_grade": grade, "is_estimated": estimated,
            "is_provisional": provisional, "source_id": join_source_ids(used.source_ids)}
