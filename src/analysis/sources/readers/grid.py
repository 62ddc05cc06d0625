"""The wide-table layout shared by PX-Web CSV/XLSX exports and statistical yearbooks.

A wide table has, from the top: title lines (text in the first column only), one or more
header rows (one of them holds the years; the others hold item labels, often with blank
fillers where cells were merged), data rows (a place label in the first column, one value
per year/item column) and footnote lines. This module finds those parts and lists one raw
cell per (data row, data column); it interprets nothing else.

Rules (each decided on what real exports do):

* The **year row** is the first row with a year-like label in a column after the first and
  mostly year-like labels there. A label may join year and item ("2011 Dân số trung bình
  (Nghìn người)", the PX-Web plain CSV); the item part then joins the item labels.
* **Header rows** are the rows from the first row with text beyond the first column down to
  the row before the first data row; blank fillers take the label on their left (merged
  cells), and vertically merged XLSX cells are filled within the header.
* **Data rows** start at the first row after the header with a label in the first column;
  a row whose label is blank but holds values is still listed (the ingest quarantines it).
* **Footnotes**: the data end at the first row after the data whose first cell reads like a
  note ("(*)", "Ghi chú", "Nguồn", "Note", "Source", "*") or, after a blank line, at a long
  line of text with no values. Footnote lines are counted, never read as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import DataError
from analysis.sources.readers.labels import (
    MISSING_MARKERS,
    column_letter,
    fold,
    item_candidates,
    loose_key,
    nil_means_zero,
    parse_year,
    split_year_item,
)

_FOOTNOTE_START = re.compile(
    r"^\s*(\(\s*(\*+|\d{1,2}|[a-z])\s*\)|\*|ghi chu|chu thich|chu giai|nguon|note|notes|source|"
    r"sources|ky hieu|dau \(|\(\s*-\s*\)|\(\s*\.\.\s*\))", re.IGNORECASE)
_PLACE_HEADERS = {
    "diaphuong", "d?aphuong", "citiesprovincies", "citiesprovinces", "province", "provinces",
    "tinhthanhpho", "tinhthanhphoprovince", "tinhthanhphoprovinces", "tinh", "thanhpho",
    "diaphuongprovince", "tinhthanhphotructhuoctrunguong", "donvihanhchinh", "region",
    "vungtinhthanhpho", "vungdiaphuong",
}


# header labels that name a dimension, not an item ("Năm - Year" above the years)
_DIMENSION_WORDS = {"nam", "year", "namyear", "years", "chitieu", "items", "item", "chitieuitems",
                    "diaphuong", "n?m", "thoigian", "time", "kybaocao", "nam?"}


@dataclass
class Grid:
    """Cells of a sheet or CSV: ``rows[i]`` is the list of cell values of row ``numbers[i]``."""

    rows: list[list[object]]
    numbers: list[int]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (0-based)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _is_value(value: object) -> bool:
    """A number, a number written as text, or a missing marker: what a data cell holds."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return not (isinstance(value, float) and np.isnan(value))
    text = _text(value)
    if not text:
        return False
    if text in MISSING_MARKERS:
        return True
    return bool(re.fullmatch(r"[+-]?[\d.,\s\u00a0]*\d[\d.,\s\u00a0]*%?", text))


def _is_year_label(value: object) -> bool:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return parse_year(value)[0] is not None
    text = _text(value)
    if not text or len(text) > 120:
        return False
    year_part, _ = split_year_item(text)
    return bool(year_part) and parse_year(year_part)[0] is not None


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows), default=0)


def _cell(row: list[object], j: int) -> object:
    return row[j] if j < len(row) else None


def find_year_row(grid: Grid, limit: int = 40) -> int | None:
    """Index (in ``grid.rows``) of the header row holding the years, or None."""
    for i, row in enumerate(grid.rows[:limit]):
        rest = [c for c in row[1:] if _text(c)]
        if not rest:
            continue
        years = sum(_is_year_label(c) for c in rest)
        if years and years >= 0.5 * len(rest):
            return i
        if any(_is_value(c) and not _is_year_label(c) for c in rest) and i > 0:
            # reached numbers before any year header: not a wide table with years on top
            if sum(_is_value(c) for c in rest) >= 0.5 * len(rest):
                return None
    return None


def parse_grid(grid: Grid, *, file: Path, fmt: str, title_hint: str = "") -> dict:
    """Split a grid into title, header, data and footnotes; list the data cells.

    Returns a dict with ``cells`` (DataFrame: row, column, province, year, item, value),
    ``title``, ``item_candidates``, ``nil_means_zero``, ``blank_cells``, ``footnote_lines``,
    ``ignored_columns`` and ``label_column``.

    Raises:
        DataError: no row of years was found (not a wide table).
    """
    year_i = find_year_row(grid)
    if year_i is None:
        raise DataError(
            f"no header row of years found in the first {min(40, len(grid.rows))} rows: not "
            "a PX-Web or yearbook wide table",
            file=file, hint="use --format to choose the layout, or the entry template "
            "(data/raw/templates/) for figures typed by hand")
    width = _width(grid)
    title_lines, header_idx, data_start = _header_block(grid.rows, year_i)
    filled = _fill_header(grid.rows, header_idx, width, grid)
    title = "\n".join(title_lines) or title_hint
    columns, cands, ignored = _column_labels(grid.rows, filled, header_idx, data_start, width,
                                             title)
    cells, blank, footnotes = _data_cells(grid, columns, data_start)
    return {
        "cells": cells,
        "title": title,
        "item_candidates": cands,
        "nil_means_zero": nil_means_zero(title_lines + footnotes),
        "blank_cells": blank,
        "footnote_lines": len(footnotes),
        "ignored_columns": ignored,
        "label_column": "A",
        "header_rows": [grid.numbers[i] for i in header_idx],
    }


def _header_block(rows: list[list[object]], year_i: int) -> tuple[list[str], list[int], int]:
    """Title lines, header row indexes and the index of the first row after the header."""
    header_start = year_i
    for i in range(year_i - 1, -1, -1):
        row = rows[i]
        if any(_text(c) for c in row[1:]) and not any(_is_value(c) for c in row[1:]):
            header_start = i
        else:
            break
    title_lines = [_text(r[0]) for r in rows[:header_start] if r and _text(r[0])]
    for r in rows[:header_start]:  # titles merged across: text in a later cell only
        if r and not _text(r[0]):
            title_lines.extend(_text(c) for c in r[1:] if _text(c))
    data_start = year_i + 1
    while data_start < len(rows):
        row = rows[data_start]
        rest = [c for c in row[1:] if _text(c)]
        first = _text(_cell(row, 0))
        header_like = all(_is_year_label(c) or not _is_value(c) for c in rest)
        blank_row = not first and not rest
        if blank_row or (rest and header_like
                         and (not first or loose_key(first) in _PLACE_HEADERS)):
            data_start += 1
            continue
        break
    header_idx = [i for i in range(header_start, data_start) if any(_text(c) for c in rows[i])]
    return title_lines, header_idx, data_start


def _column_label(filled: dict[int, list[str]], header_idx: list[int], j: int
                  ) -> tuple[str, list[str]]:
    """Year label and item labels of column ``j`` (the lowest year label wins)."""
    year_label, item_parts = "", []
    for i in header_idx:
        label = filled[i][j]
        if not label:
            continue
        if _is_year_label(label):
            year_part, item_part = split_year_item(label)
            year_label = year_part or label
            if item_part:
                item_parts.append(item_part)
        elif loose_key(label) not in _DIMENSION_WORDS:
            item_parts.append(label)
    return year_label, list(dict.fromkeys(item_parts))


def _column_labels(rows: list[list[object]], filled: dict[int, list[str]],
                   header_idx: list[int], data_start: int, width: int, title: str
                   ) -> tuple[dict[int, tuple[str, str]], dict[str, tuple[str, ...]], list[str]]:
    """(year, item) of each data column, item candidates, and columns without a year."""
    columns: dict[int, tuple[str, str]] = {}
    cands: dict[str, tuple[str, ...]] = {}
    ignored: list[str] = []
    for j in range(1, width):
        year_label, item_parts = _column_label(filled, header_idx, j)
        if not year_label:
            if any(_text(_cell(r, j)) for r in rows[data_start:]):
                ignored.append(column_letter(j))
            continue
        item = " - ".join(item_parts)
        columns[j] = (year_label, item)
        if item not in cands:
            cands[item] = item_candidates([("", p) for p in item_parts], title)
    return columns, cands, ignored


def _data_cells(grid: Grid, columns: dict[int, tuple[str, str]], data_start: int
                ) -> tuple[pd.DataFrame, int, list[str]]:
    """One raw cell per (data row, data column) with something in it; blanks; footnotes."""
    rows = grid.rows
    out: dict[str, list] = {k: [] for k in ("row", "column", "province", "year", "item",
                                             "value")}
    footnotes: list[str] = []
    blank = 0
    seen_data = after_blank = False
    for i in range(data_start, len(rows)):
        row = rows[i]
        first = _text(_cell(row, 0))
        values = {j: _cell(row, j) for j in columns}
        has_values = any(_text(v) for v in values.values())
        if not first and not has_values:
            after_blank = seen_data
            continue
        if seen_data and _looks_like_footnote(first, has_values, after_blank):
            footnotes.extend(_text(c) for r in rows[i:] for c in r if _text(c))
            break
        seen_data = True
        for j, value in values.items():
            if not _text(value):
                blank += 1
                continue
            year_label, item = columns[j]
            for key, v in (("row", grid.numbers[i]), ("column", column_letter(j)),
                           ("province", first), ("year", year_label), ("item", item),
                           ("value", value.strip() if isinstance(value, str) else value)):
                out[key].append(v)
    cells = pd.DataFrame({
        "row": np.asarray(out["row"], dtype=np.int64),
        "column": pd.array(out["column"], dtype="str"),
        "province": pd.array(out["province"], dtype="str"),
        "year": pd.array(out["year"], dtype="str"),
        "item": pd.array(out["item"], dtype="str"),
        "value": pd.Series(out["value"], dtype="object"),
    })
    return cells, blank, footnotes


def _fill_header(rows: list[list[object]], header_idx: list[int], width: int, grid: Grid
                 ) -> dict[int, list[str]]:
    """Header labels of every column, with merged cells and blank fillers resolved.

    1. A merged XLSX range gives its label to every cell it covers.
    2. A blank cell takes the label on its left only when the header rows above it put
       both columns under the same label (a group spanning them), so "Sơ bộ - Prel. 2024"
       merged over two rows does not lend its neighbour's year to the row below.
    """
    labels = {i: [_text(_cell(rows[i], j)) for j in range(width)] for i in header_idx}
    pos = {grid.numbers[i] - 1: i for i in header_idx}
    for r0, c0, r1, c1 in grid.merged:
        top = pos.get(r0)
        if top is None:
            continue
        value = labels[top][c0] if c0 < width else ""
        for r in range(r0, r1 + 1):
            i = pos.get(r)
            if i is None:
                continue
            for j in range(c0, min(c1, width - 1) + 1):
                if not labels[i][j]:
                    labels[i][j] = value
    filled: dict[int, list[str]] = {}
    above: list[list[str]] = []
    for i in header_idx:
        row = labels[i]
        out = list(row)
        for j in range(2, width):
            if not out[j] and out[j - 1] and all(a[j] == a[j - 1] for a in above):
                out[j] = out[j - 1]
        filled[i] = out
        above.append(out)
    return filled


def _looks_like_footnote(first: str, has_values: bool, after_blank: bool) -> bool:

    if not first:
        return False
    if _FOOTNOTE_START.match(fold(first)):
        return True
    return after_blank and not has_values and len(first) > 60
