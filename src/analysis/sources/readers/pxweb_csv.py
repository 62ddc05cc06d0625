"""NSO PX-Web CSV exports: plain, "with heading", comma/semicolon/tab, any encoding.

* plain: one header row; a header cell may join year and item ("2011 Dân số trung bình
  (Nghìn người)"); the first header cell names the place dimension ("Địa phương");
* "with heading": a title line, a blank line, a two-row header (years, then items) whose
  merged cells are exported as blank fillers, footnote marks on years ("2018 (*)") and
  footnote lines after the data;
* the lossy Windows-1252 export: see :mod:`analysis.sources.readers.encoding`.

Grain of the result: one raw cell per (place row, year/item column) with a value.
"""

from __future__ import annotations

from pathlib import Path

from analysis.sources.readers.base import RawTable
from analysis.sources.readers.grid import parse_grid
from analysis.sources.readers.textgrid import csv_grid


def read_pxweb_csv(path: Path, data: bytes, fmt: str = "pxweb-csv") -> RawTable:
    """Read a PX-Web (or yearbook) CSV into raw cells (see module docstring)."""
    grid, decoded, delimiter = csv_grid(path, data)
    parsed = parse_grid(grid, file=path, fmt=fmt, title_hint="")
    notes = []
    if decoded.lossy:
        notes.append("lossy Windows-1252 export: letters shown as '?' are lost; labels were "
                     "matched with '?' as a one-letter wildcard")
    if parsed["ignored_columns"]:
        notes.append("columns without a year header ignored: "
                     + ", ".join(parsed["ignored_columns"]))
    return RawTable(
        cells=parsed["cells"], fmt=fmt, file=path, encoding=decoded.encoding,
        lossy=decoded.lossy, title=parsed["title"], item_candidates=parsed["item_candidates"],
        field_columns={"province": parsed["label_column"]},
        nil_means_zero=parsed["nil_means_zero"],
        decimal_hint="vi" if delimiter == ";" else None,
        blank_cells=parsed["blank_cells"], footnote_lines=parsed["footnote_lines"],
        notes=notes,
    )
