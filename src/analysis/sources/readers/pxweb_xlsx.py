"""NSO PX-Web ``FileTypeExcelX`` downloads.

Layout: row 1 the title, row 2 blank, row 3 the years (from column B), row 4 the item
labels, data from row 5 with the place label in column A; diacritics are intact. The same
wide-table rules as the CSV apply (:mod:`analysis.sources.readers.grid`), so a re-arranged
download (items above years, several item rows) reads too.
"""

from __future__ import annotations

from pathlib import Path

from analysis.sources.readers.base import RawTable
from analysis.sources.readers.grid import find_year_row, parse_grid
from analysis.sources.readers.xlsx import open_workbook, sheet_grid, visible_sheets


def read_pxweb_xlsx(path: Path, data: bytes, fmt: str = "pxweb-xlsx") -> RawTable:
    """Read the first sheet holding a wide table (years in a header row) into raw cells."""
    workbook = open_workbook(path, data)
    sheets = visible_sheets(workbook)
    chosen = None
    for name in sheets:
        grid = sheet_grid(workbook, name, path=path)
        if find_year_row(grid) is not None:
            chosen = (name, grid)
            break
    if chosen is None:
        name, grid = sheets[0], sheet_grid(workbook, sheets[0], path=path)
    else:
        name, grid = chosen
    parsed = parse_grid(grid, file=path, fmt=fmt)
    notes = []
    if len(sheets) > 1:
        notes.append(f"read sheet {name!r} of {len(sheets)}")
    if parsed["ignored_columns"]:
        notes.append("columns without a year header ignored: "
                     + ", ".join(parsed["ignored_columns"]))
    cells = parsed["cells"]
    cells["column"] = cells["column"] + cells["row"].astype("str")  # cell refs such as "C5"
    return RawTable(
        cells=cells, fmt=fmt, file=path, encoding=None, lossy=False, title=parsed["title"],
        item_candidates=parsed["item_candidates"], field_columns={"province": "A"},
        nil_means_zero=parsed["nil_means_zero"], blank_cells=parsed["blank_cells"],
        footnote_lines=parsed["footnote_lines"], notes=notes,
    )
