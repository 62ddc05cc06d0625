"""Read worksheet cells with python-calamine (about 8x faster than openpyxl on these files).

Row numbers are those Excel shows (1-based, leading empty rows included), so a quarantined
row can be found in the workbook.
"""

from __future__ import annotations

import io
from pathlib import Path

from analysis.core.errors import DataError
from analysis.core.text import nfc
from analysis.sources.readers.grid import Grid


def open_workbook(path: Path, data: bytes | None = None):  # noqa: ANN201 - calamine type
    """Open a workbook; a file that is not a readable workbook is a DataError."""
    from python_calamine import CalamineWorkbook

    try:
        if data is not None:
            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises its own error types for damaged files
        raise DataError(f"not a readable Excel workbook ({type(err).__name__}: {err})",
                        file=path) from None


def visible_sheets(workbook) -> list[str]:  # noqa: ANN001
    """Names of the worksheets a user sees, in workbook order."""
    names = []
    for meta in workbook.sheets_metadata:
        if "Visible" in str(meta.visible) and "Hidden" not in str(meta.visible):
            names.append(meta.name)
    return names or list(workbook.sheet_names)


def sheet_grid(workbook, name: str, *, path: Path, nrows: int | None = None) -> Grid:  # noqa: ANN001
    """All cells of one sheet as a :class:`Grid` (strings NFC and stripped)."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
        merged = []
        for rng in sheet.merged_cell_ranges or []:
            (r0, c0), (r1, c1) = rng
            merged.append((r0, c0, r1, c1))
    except DataError:
        raise
    except Exception as err:
        raise DataError(f"sheet {name!r} cannot be read ({type(err).__name__}: {err})",
                        file=path) from None
    clean = [[_clean(c) for c in row] for row in rows]
    return Grid(rows=clean, numbers=list(range(1, len(clean) + 1)), merged=merged)


def _clean(value: object) -> object:
    if isinstance(value, str):
        return nfc(value).strip()
    return value
