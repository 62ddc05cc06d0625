"""Recognise the format of a raw file from its content (the file name is only a hint).

* JSON whose first value is an object -> ``jsonstat``;
* a workbook or CSV with a template header row (province, year, indicator/value...) ->
  ``template``;
* a workbook laid out as the PX-Web ``FileTypeExcelX`` download (row 1 title, row 2 blank,
  row 3 years from column B, row 4 items) -> ``pxweb-xlsx``;
* a CSV whose header names the PX-Web place dimension ("Địa phương", "Cities,
  provincies"), or joins year and item in one cell, or follows the "with heading" layout
  (title, blank line, years with blank fillers) -> ``pxweb-csv``;
* any other wide table with a row of years -> ``yearbook``.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.core.errors import DataError
from analysis.sources.readers.encoding import decode
from analysis.sources.readers.grid import _text, find_year_row
from analysis.sources.readers.labels import loose_key, split_year_item
from analysis.sources.readers.template import is_template_header
from analysis.sources.readers.textgrid import text_grid
from analysis.sources.readers.xlsx import open_workbook, sheet_grid, visible_sheets

_PX_PLACE = {"diaphuong", "d?aphuong", "citiesprovincies", "citiesprovinces", "?iaphuong"}
_PX_TITLE = re.compile(r"\b(chia theo|by)\b.*\b(và|and)\b", re.IGNORECASE)


def is_xlsx(data: bytes) -> bool:
    """A zip (XLSX) or OLE (XLS) workbook."""
    return data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(path: Path, data: bytes) -> str:
    """One of :data:`analysis.sources.readers.FORMATS` for this file.

    Raises:
        DataError: for content that is none of the supported formats.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = data[:4096].decode("utf-16", errors="ignore").encode("utf-8").lstrip(
            b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"{"):
        return "jsonstat"
    if is_xlsx(data):
        return _detect_xlsx(path, data)
    if head.startswith((b"%PDF", b"\x89PNG", b"\x1f\x8b")):
        raise DataError("this is not a table export (PDF, image or archive); copy its figures "
                        "into the entry template (data/raw/templates/)", file=path)
    if head[:512].lower().startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise DataError("this is a web page or XML saved under a spreadsheet name, not a table "
                        "export this project reads", file=path,
                        hint="open it in a spreadsheet and save it as .xlsx or 'CSV UTF-8'")
    return _detect_csv(path, data)


def _detect_xlsx(path: Path, data: bytes) -> str:

    workbook = open_workbook(path, data)
    for name in visible_sheets(workbook):
        grid = sheet_grid(workbook, name, path=path, nrows=40)
        if any(is_template_header(r) for r in grid.rows[:30]):
            return "template"
        year_i = find_year_row(grid)
        if year_i is None:
            continue
        rows = grid.rows
        if (year_i == 2 and rows[0] and _text(rows[0][0])
                and not any(_text(c) for c in rows[1]) and not _text(rows[2][0])
                and len(rows) > 3 and not _text(rows[3][0])):
            return "pxweb-xlsx"
        return "yearbook"
    raise DataError("no sheet holds a template header or a row of years: not a supported "
                    "table", file=path, hint="see data/raw/templates/ for the entry template")


def _detect_csv(path: Path, data: bytes) -> str:

    text = decode(data[:65_536], file=path).text
    lines = text.splitlines()
    grid, _ = text_grid("\n".join(lines[:60]))
    if any(is_template_header(r) for r in grid.rows[:30]):
        return "template"
    year_i = find_year_row(grid)
    if year_i is None:
        raise DataError("neither a template header nor a row of years in the first lines: "
                        "not a supported table", file=path,
                        hint="see data/raw/templates/ for the entry template")
    header = grid.rows[year_i]
    if header and loose_key(header[0]) in _PX_PLACE:
        return "pxweb-csv"
    if any(split_year_item(_text(c))[1] for c in header[1:] if _text(c)):
        return "pxweb-csv"
    title = " ".join(_text(r[0]) for r in grid.rows[:year_i] if r)
    if _PX_TITLE.search(title) and year_i >= 2 and not any(_text(c) for c in grid.rows[year_i - 1]):
        return "pxweb-csv"
    return "yearbook"
