"""Per-row bookkeeping of the records being interpreted: their status (``_Records``), a column
as distinct values (``_Column``) and the candidate observations' arrays (``_RowColumns``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from analysis.catalogue.indicators import indicator_ids
from analysis.core.provenance import GRADES
from analysis.ingest.state import OK, QUARANTINED
from analysis.sources.readers.labels import factor, stripped_text


class _Records:
    """Status bookkeeping of the records being interpreted (one entry per raw row)."""

    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells.reset_index(drop=True)
        n = len(self.cells)
        self.n = n
        self.status = np.zeros(n, dtype=np.int8)
        self.reason = np.full(n, None, dtype=object)
        self.q_field = np.full(n, None, dtype=object)

    def fail(self, mask: np.ndarray, field_name: str, reason: object) -> None:
        """Quarantine the rows of ``mask`` that are still OK (first problem wins)."""
        hit = mask & (self.status == OK)
        if not hit.any():
            return
        self.status[hit] = QUARANTINED
        self.q_field[hit] = field_name
        if isinstance(reason, np.ndarray):
            self.reason[hit] = reason[hit]
        else:
            self.reason[hit] = reason


@dataclass
class _Column:
    """A column as distinct values: ``codes`` index ``uniques`` (the last one is blank)."""

    codes: np.ndarray
    uniques: list

    @classmethod
    def of(cls, series: pd.Series, text: bool = True) -> _Column:
        if text:
            codes, texts = stripped_text(series)
            return cls(codes, texts)
        codes, uniques = factor(series)
        return cls(np.where(codes < 0, len(uniques), codes), [*uniques, ""])

    def rows(self, per_unique: list | np.ndarray, dtype: object = object) -> np.ndarray:
        """Per-row values from one value per distinct value."""
        if dtype is object:
            table = np.empty(len(per_unique), dtype=object)
            table[:] = list(per_unique)
        else:
            table = np.asarray(per_unique, dtype=dtype)
        return table[self.codes]

    def used(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Codes of the distinct values present (in the rows of ``mask``)."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.flatnonzero(np.bincount(codes, minlength=len(self.uniques)))


@dataclass
class _RowColumns:
    """Per-row arrays of the candidate observations (object arrays for text)."""

    geo: np.ndarray
    codes: np.ndarray
    years: np.ndarray
    ind: np.ndarray
    value: np.ndarray
    num: np.ndarray
    den: np.ndarray
    unit: np.ndarray
    source_id: str
    grades: np.ndarray
    provisional: np.ndarray
    key: np.ndarray  # one int64 per (geo_version, province_code, year, indicator)
    grade_rank: np.ndarray  # GRADE_RANK of ``grades``
    allowed_grades: tuple[str, ...] = GRADES  # schemas.INGEST_GRADES for an unregistered file

    def frame(self, idx: np.ndarray) -> pd.DataFrame:
        """The candidate observations of rows ``idx`` (schema columns, index = row)."""
        def text(a: np.ndarray) -> pd.arrays.ArrowStringArray:
            return pd.array(a[idx].astype(str), dtype="str")

        return pd.DataFrame({
            "geo_version": text(self.geo), "province_code": text(self.codes),
            "year": np.nan_to_num(self.years[idx], nan=0).astype("int64"),
            "indicator": text(self.ind), "value": self.value[idx],
            "numerator": self.num[idx], "denominator": self.den[idx],
            "unit": text(self.unit),
            "source_id": pd.array(np.full(len(idx), self.source_id), dtype="str"),
            "provenance": text(self.grades), "is_provisional": self.provisional[idx],
            "is_estimated": np.zeros(len(idx), dtype=bool),
        }, index=idx)


@cache
def _INDICATOR_POS() -> dict[str, int]:  # noqa: N802 - a cached constant
    return {i: k for k, i in enumerate(indicator_ids())}
