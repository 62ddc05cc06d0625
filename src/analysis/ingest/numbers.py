"""Numbers of a file: its decimal convention, blank and "not reported" cells, the parsing of
values and rate parts, and when two figures are the same up to rounding."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest.records import _Column, _Records
from analysis.ingest.state import MISSING
from analysis.sources.readers import RawTable
from analysis.sources.readers.labels import (
    BLANK,
    MISSING_MARKERS,
    NIL,
    number_style,
    parse_numbers,
)

_MARKERS = set(MISSING_MARKERS) - {""}


def _mark_missing(rec: _Records, values: _Column, nil_is_zero: bool,
                  counts: dict[str, int]) -> list:
    """Blank and "not reported" cells of a wide table are not rows: mark and count them.

    Returns the distinct values with "-" read as 0 where the table says nil is zero.
    """
    uniques = list(values.uniques)
    kinds_u = [_missing_kind(v) for v in uniques]
    kinds_u[-1] = BLANK
    if nil_is_zero:
        uniques = [0.0 if k == NIL else v for v, k in zip(uniques, kinds_u, strict=True)]
        kinds_u = [None if k == NIL else k for k in kinds_u]
    kind = values.rows(kinds_u)
    marked = pd.notna(kind)
    rec.status[marked] = MISSING
    for k, c in pd.Series(kind[marked]).value_counts().items():
        counts[str(k)] = counts.get(str(k), 0) + int(c)
    return uniques


def _missing_kind(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return BLANK
    if isinstance(value, str):
        return MISSING_MARKERS.get(value.strip())
    return None


def _numbers(rec: _Records, cells: pd.DataFrame, values: _Column, value_uniques: list,
             raw: RawTable, is_template: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, numerator and denominator of every row, parsed once per distinct cell."""
    columns = {"value": (values, value_uniques)}
    if is_template:
        for name in ("numerator", "denominator"):
            col = _Column.of(cells[name], text=False)
            columns[name] = (col, list(col.uniques))
    style = _file_number_style([u for _, us in columns.values() for u in us], raw.decimal_hint)
    out = {}
    for name, (col, uniques) in columns.items():
        filled = [not _blank(u) for u in uniques]
        parsed = np.full(len(uniques), np.nan)
        problem = np.full(len(uniques), None, dtype=object)
        idx = [k for k, f in enumerate(filled) if f]
        if idx:
            sub = pd.Series([uniques[k] for k in idx], dtype="object")
            if all(isinstance(v, str) for v in sub):
                sub = sub.astype("str")
            vals, prob = parse_numbers(sub, style)
            parsed[idx] = vals
            problem[idx] = prob.to_numpy(dtype=object)
            if is_template and name == "value":
                for k in idx:
                    if isinstance(uniques[k], str) and uniques[k].strip() in _MARKERS:
                        problem[k] = f"no value: {uniques[k].strip()!r} (not reported)"
        has_problem = col.rows(pd.notna(problem), bool)
        if has_problem.any():
            rec.fail(has_problem, name, col.rows(problem))
        out[name] = col.rows(parsed, float)
    nan = np.full(rec.n, np.nan)
    return out["value"], out.get("numerator", nan), out.get("denominator", nan)


def _blanks(values: list) -> np.ndarray:
    """``_blank`` of many values at once (vectorised for long lists of names)."""
    series = pd.Series(values, dtype="object")
    is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    text = series.where(is_text, "x").astype("str")
    empty_text = is_text & text.str.strip().eq("").to_numpy(dtype=bool)
    return empty_text | series.isna().to_numpy(dtype=bool)


def _blank(value: object) -> bool:
    return (value is None or (isinstance(value, float) and np.isnan(value))
            or (isinstance(value, str) and not value.strip()))


def _file_number_style(uniques: list, hint: str | None) -> str | None:
    texts = pd.Series([u for u in uniques if isinstance(u, str) and u.strip()], dtype="str")
    vi, en = number_style(texts) if len(texts) else (0, 0)
    if vi and not en:
        return "vi"
    if en and not vi:
        return "en"
    if not vi and not en:
        return hint
    return None


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text or "." not in text:
        return 0
    return min(len(text.split(".")[1].rstrip("0")), 6)


def _same(a: float, b: float) -> bool:
    """Equal figures, allowing for rounding: 88145.825 and 88145.83 are the same figure."""
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    d = min(_decimals(a), _decimals(b))
    return abs(a - b) <= 0.5 * 10.0 ** -d + 1e-9 * max(1.0, abs(a))


def values_equal(a: pd.DataFrame) -> bool:
    """Do all rows carry the same value, numerator and denominator (up to rounding)?"""
    rows = a.to_numpy(dtype=float)
    first = rows[0]
    return all(_same(x, y) for row in rows[1:] for x, y in zip(first, row, strict=True))
