"""CSV cells that a spreadsheet will not run as formulas ("CSV injection", OWASP).

One rule for every CSV written for people to open: the report downloads
(:func:`analysis.present.report.csv_bytes`), ``quarantine.csv``, ``alternatives.csv``,
``coverage.csv`` and ``nq42 ingest --out/--quarantine``.

The rule: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
— or with apostrophes followed by one of those — gets one more leading apostrophe ``'``.
Numbers are never changed. The raw value is recoverable: :func:`restore_csv_cell` removes
exactly one apostrophe from a cell matching ``'+`` followed by one of those characters (and
nothing else), so ``restore_csv_cell(neutralise_csv_cell(v)) == v`` for every text ``v``.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["CSV_FORMULA_START", "neutralise_csv_cell", "neutralise_frame", "restore_csv_cell",
           "restore_frame"]

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NEEDS_PREFIX = re.compile(r"'*[=+\-@\t\r]")
_PREFIXED = re.compile(r"'+[=+\-@\t\r]")


def neutralise_csv_cell(value: object) -> object:
    """A cell value that a spreadsheet will not run as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (possibly after
    apostrophes) gets a leading apostrophe; numbers and other values are returned unchanged
    (a negative number is a number, not a formula).
    """
    if isinstance(value, str) and _NEEDS_PREFIX.match(value):
        return "'" + value
    return value


def restore_csv_cell(value: object) -> object:
    """The raw value of a cell written by :func:`neutralise_csv_cell` (its inverse)."""
    if isinstance(value, str) and _PREFIXED.match(value):
        return value[1:]
    return value


def neutralise_frame(data: pd.DataFrame, *, headers: bool = True) -> pd.DataFrame:
    """A copy of ``data`` with every text cell (and header) neutralised; numbers, booleans
    and missing values unchanged."""
    df = data.copy()
    if headers:
        df.columns = [neutralise_csv_cell(str(c)) for c in df.columns]
    return _map_text(df, neutralise_csv_cell)


def restore_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table read back from one of our CSV files with the raw values restored
    (read it with ``dtype=str`` so that text stays text)."""
    df = data.copy()
    df.columns = [restore_csv_cell(c) for c in df.columns]
    return _map_text(df, restore_csv_cell)


def _map_text(df: pd.DataFrame, rule) -> pd.DataFrame:  # noqa: ANN001 - a cell function
    for i in range(df.shape[1]):  # by position: duplicate headers stay separate columns
        col = df.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            df.isetitem(i, col.map(rule, na_action="ignore"))
    return df
