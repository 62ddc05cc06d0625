"""Building blocks for deterministic synthetic raw files in the real NSO / yearbook formats.

Used by ``scripts/make_default_data.py`` (the default dataset) and usable by tests and
benchmarks that need realistic raw files. Everything here is pure: functions take data and
return ``bytes``; the caller writes them (through :mod:`analysis.core.atomic`). Output is
byte-identical on every run: no clocks, no random state, fixed ZIP timestamps, fixed line
endings.

The formats reproduce the quirks of the real samples described in
``../shared/nso-samples/PROVENANCE.md``:

* :func:`pxweb_xlsx` — the PX-Web ``FileTypeExcelX`` download: row 1 title, row 2 blank,
  row 3 years (one per column), row 4 item labels, data from row 5;
* :func:`pxweb_csv` — the plain PX-Web CSV: header cells join year and item
  (``"2015 Tỷ lệ …"``), optionally in the lossy Windows-1252 "best-fit" encoding
  (:func:`best_fit_cp1252`), CRLF and a trailing NUL byte;
* :func:`pxweb_csv_with_heading` — the "CSV with heading" layout: title line, blank line,
  two-row header with blank fillers, footnote marks such as ``"2019 (*)"`` and footnote lines
  after the data;
* :func:`jsonstat` — a PX-Web JSON-stat (1.x ``dataset`` wrapper) with ``status`` for null
  cells and, optionally, a trailing NUL byte;
* :func:`yearbook_xlsx` / :func:`yearbook_csv` — statistical-yearbook wide tables: bilingual
  title and headers, merged year cells, decimal comma, ``"-"`` nil, ``".."`` not available,
  footnote rows after the data;
* :func:`template_csv` — the project's entry template (English or Vietnamese headers).

A :class:`Cube` holds what a table shows: row labels (country, region and province rows in
the order printed), column years and items, and a ``values[row, year, item]`` array in which
``NaN`` means "not available" (a nil is a real zero, printed as ``"-"`` by the yearbook
writers).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.core.text import nfc

SYNTHETIC_TAG = "[SYNTHETIC – illustrative only]"
#: Every timestamp written into a generated file (ZIP entries, workbook properties).
FIXED_DATETIME = dt.datetime(2026, 11, 28, 0, 0, 0)

TEMPLATE_COLUMNS_EN = ("province", "year", "indicator", "value", "numerator", "denominator",
                       "unit", "source", "provenance", "note")
TEMPLATE_COLUMNS_VI = ("Tỉnh/Thành phố", "Năm", "Chỉ tiêu", "Giá trị", "Tử số", "Mẫu số",
                       "Đơn vị", "Nguồn", "Nguồn gốc", "Ghi chú")

# --------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------

# Windows "best fit" for code page 1252 (WideCharToMultiByte without WC_NO_BEST_FIT_CHARS):
# letters outside cp1252 that have a best-fit entry lose their mark; every other letter
# becomes "?". Observed in the real V02.01 export: Đ -> Ð, ư -> u, ơ -> o, ĩ -> i, and
# "Vũng" -> "Vtng" (ũ -> t), which we reproduce as seen.
_BEST_FIT_1252 = {
    "Đ": "Ð", "đ": "d",
    "Ă": "A", "ă": "a",
    "Ĩ": "I", "ĩ": "i",
    "Ũ": "U", "ũ": "t",
    "Ư": "U", "ư": "u",
    "Ơ": "O", "ơ": "o",
}


def best_fit_cp1252(text: str) -> bytes:
    """Encode ``text`` as the lossy Windows-1252 "best-fit" export of the NSO PX-Web site.

    Characters of Windows-1252 are kept ("à", "ê", "ô", "Ð"), a few Vietnamese letters lose
    their mark ("ư" -> "u", "Đ" -> "Ð"), every other letter becomes ``?`` ("Bắc Ninh" ->
    ``b"B?c Ninh"``).

    Args:
        text: Unicode text (any normalisation; it is composed to NFC first).

    Returns:
        The encoded bytes.
    """
    out = bytearray()
    for ch in nfc(text):
        ch = _BEST_FIT_1252.get(ch, ch)
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def lossy_label(text: str) -> str:
    """What a label looks like after the lossy export (decoded back as Windows-1252)."""
    return best_fit_cp1252(text).decode("cp1252")


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------
# Deterministic XLSX
# --------------------------------------------------------------------------------------


def normalise_zip(data: bytes, when: dt.datetime = FIXED_DATETIME) -> bytes:
    """Rewrite a ZIP archive with fixed entry dates and attributes (same order, deflated).

    Args:
        data: a ZIP archive (e.g. an XLSX file).
        when: the timestamp stored on every entry.

    Returns:
        The archive bytes; identical input members always give identical output.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return buf.getvalue()


def xlsx_bytes(workbook, when: dt.datetime = FIXED_DATETIME) -> bytes:
    """Serialise an openpyxl workbook reproducibly.

    ``openpyxl.save_workbook`` stamps the current time into ``docProps/core.xml`` and every
    ZIP entry; here the document properties are fixed to ``when`` and the archive is
    rewritten by :func:`normalise_zip`.
    """
    from openpyxl.writer.excel import ExcelWriter

    props = workbook.properties
    props.creator = "NQ42 Tracker (synthetic)"
    props.lastModifiedBy = None
    props.created = when
    props.modified = when
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # closes the archive; keeps our `modified`
    return normalise_zip(buf.getvalue(), when)


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------


def logit(p):
    """log(p / (1 - p)), element-wise."""
    p = np.asarray(p, dtype=float)
    return np.log(p / (1.0 - p))


def expit(x):
    """Inverse of :func:`logit`, element-wise."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def solve_increasing(func: Callable[[float], float], target: float, lo: float = -10.0,
                     hi: float = 10.0, tol: float = 1e-10) -> float:
    """Find ``x`` in ``[lo, hi]`` with ``func(x) == target`` for an increasing ``func``.

    Plain bisection (deterministic, no tolerance surprises).

    Raises:
        ValueError: when ``target`` is not bracketed by ``func(lo)`` and ``func(hi)``.
    """
    f_lo, f_hi = func(lo) - target, func(hi) - target
    if f_lo > 0 or f_hi < 0:
        raise ValueError(f"target {target} not bracketed: f({lo})={f_lo + target}, "
                         f"f({hi})={f_hi + target}")
    for _ in range(200):
        mid = (lo + hi) / 2
        if func(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return (lo + hi) / 2


def largest_remainder(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split the integer ``total`` into integers proportional to ``weights`` (Hamilton).

    Ties are broken by position, so the result is deterministic. Zero weights get zero.

    Raises:
        ValueError: a positive total with no positive weight (it could not be shared).
    """
    w = np.asarray(weights, dtype=float)
    if total == 0:
        return np.zeros(len(w), dtype=np.int64)
    if not (w > 0).any() or (w < 0).any():
        raise ValueError(f"cannot share {total} among weights {list(w)}")
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - base)))
    base[order[:short]] += 1
    return base


def format_number(value: float, decimals: int, *, decimal: str = ".",
                  thousands: str = "") -> str:
    """Format a number with a fixed number of decimals and the given separators.

    ``format_number(1234.5, 1, decimal=",", thousands=".")`` gives ``"1.234,5"``.
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


# --------------------------------------------------------------------------------------
# The table shown by a file
# --------------------------------------------------------------------------------------


@dataclass
class Cube:
    """What one wide table shows.

    Attributes:
        title: the table title (first line / cell), already carrying :data:`SYNTHETIC_TAG`.
        row_labels: labels printed in the first column, in order (country, regions,
            provinces).
        years: column year labels as printed ("2015", "Sơ bộ 2024", "Sơ bộ - Prel. 2024").
        items: item labels as printed (one or more per year).
        values: float array ``[len(row_labels), len(years), len(items)]``; NaN = not
            available.
        decimals: decimals printed for each item.
        nil_as_dash: print an exact zero as ``"-"`` (yearbooks) instead of ``0``.
    """

    title: str
    row_labels: list[str]
    years: list[str]
    items: list[str]
    values: np.ndarray
    decimals: list[int]
    nil_as_dash: bool = False
    geo_label: str = "Địa phương"
    footnotes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        shape = (len(self.row_labels), len(self.years), len(self.items))
        if self.values.shape != shape:
            raise ValueError(f"values has shape {self.values.shape}, expected {shape}")
        if len(self.decimals) != len(self.items):
            raise ValueError("one decimals entry per item is needed")

    def cell_text(self, r: int, y: int, i: int, *, decimal: str = ".", thousands: str = "",
                  missing: str = "..") -> str:
        """The printed text of one cell."""
        v = self.values[r, y, i]
        if math.isnan(v):
            return missing
        if self.nil_as_dash and v == 0:
            return "-"
        return format_number(float(v), self.decimals[i], decimal=decimal, thousands=thousands)

    def cell_number(self, r: int, y: int, i: int) -> float | int | None:
        """The cell as a Python number (int when printed without decimals), None if NaN."""
        v = self.values[r, y, i]
        if math.isnan(v):
            return None
        return int(round(v)) if self.decimals[i] == 0 else round(float(v), self.decimals[i])


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------


def pxweb_xlsx(cube: Cube, sheet_name: str) -> bytes:
    """A PX-Web ``FileTypeExcelX`` download.

    Layout (as the real V02.01 sample): A1 title, row 2 blank, row 3 the year of each data
    column (text), row 4 the item of each data column, data from row 5 with the geography
    label in column A. Numbers are numeric cells; not-available cells hold ``".."``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    ws.cell(row=1, column=1, value=cube.title).font = Font(bold=True, size=14)
    col = 2
    for year in cube.years:
        for item in cube.items:
            ws.cell(row=3, column=col, value=year).font = Font(bold=True)
            ws.cell(row=4, column=col, value=item).font = Font(bold=True)
            col += 1
    for r, label in enumerate(cube.row_labels):
        ws.cell(row=5 + r, column=1, value=label)
        col = 2
        for y in range(len(cube.years)):
            for i in range(len(cube.items)):
                number = cube.cell_number(r, y, i)
                ws.cell(row=5 + r, column=col, value=".." if number is None else number)
                col += 1
    ws.column_dimensions["A"].width = 36
    return xlsx_bytes(wb)


class _Bare(str):
    """A string written without quotes (numbers already formatted)."""


def _cells(cube: Cube, r: int, *, decimal: str = ".") -> list[object]:
    cells: list[object] = [cube.row_labels[r]]
    for y in range(len(cube.years)):
        for i in range(len(cube.items)):
            text = cube.cell_text(r, y, i, decimal=decimal)
            cells.append(text if text == ".." else _Bare(text))
    return cells


def _render(lines: list[list[object]], sep: str) -> list[str]:
    rendered = []
    for cells in lines:
        parts = []
        for cell in cells:
            if isinstance(cell, _Bare):
                parts.append(str(cell))
            else:
                parts.append('"' + str(cell).replace('"', '""') + '"')
        rendered.append(sep.join(parts))
    return rendered


def pxweb_csv(cube: Cube, *, sep: str = ",", encoding: str = "utf-8", bom: bool = False,
              newline: str = "\r\n", trailing_nul: bool = False) -> bytes:
    """A plain PX-Web CSV export (no title line).

    Header: the geography label, then one cell per (year, item) joining them with a space
    (``"2015 Tỷ lệ …"``). Text cells are quoted, numbers bare, not-available cells ``".."``.

    Args:
        cube: the table.
        sep: ``","`` (default), ``";"`` or ``"\\t"``.
        encoding: ``"utf-8"``, ``"utf-16"`` or ``"cp1252-bestfit"`` (the lossy export).
        bom: prefix a byte-order mark (UTF-8 only; UTF-16 always has one).
        newline: line ending (the site writes CRLF).
        trailing_nul: append the NUL byte the real lossy export ends with.
    """
    header: list[object] = [cube.geo_label]
    for year in cube.years:
        for item in cube.items:
            header.append(f"{year} {item}")
    lines = [header] + [_cells(cube, r) for r in range(len(cube.row_labels))]
    text = newline.join(_render(lines, sep)) + newline
    if encoding == "cp1252-bestfit":
        data = best_fit_cp1252(text)
    elif encoding == "utf-16":
        data = text.encode("utf-16")  # BOM + little-endian on every platform we run
    else:
        data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
    return data + (b"\x00" if trailing_nul else b"")


def pxweb_csv_with_heading(cube: Cube, *, marks: dict[str, str] | None = None,
                           newline: str = "\n") -> bytes:
    """A PX-Web "CSV with heading" export (UTF-8).

    Line 1 the quoted title, line 2 blank, line 3 the years (each followed by blank ``" "``
    fillers for its other items, a footnote mark appended as in ``"2019 (*)"``), line 4 the
    items, then the data, a blank line, the quoted footnote lines and a closing ``""`` line.

    Args:
        cube: the table (its ``footnotes`` are written after the data).
        marks: year label -> footnote mark, e.g. ``{"2019": "(*)"}``.
        newline: line ending.
    """
    marks = marks or {}
    years_row: list[object] = [" "]
    items_row: list[object] = [" "]
    for year in cube.years:
        for k, item in enumerate(cube.items):
            label = f"{year} {marks[year]}" if (k == 0 and year in marks) else year
            years_row.append(label if k == 0 else " ")
            items_row.append(item)
    body = [_cells(cube, r) for r in range(len(cube.row_labels))]
    lines = _render([[cube.title]], ",") + [""] + _render([years_row, items_row] + body, ",")
    lines += [""] + _render([[f] for f in cube.footnotes], ",") + ['""', ""]
    return (newline.join(lines) + newline).encode("utf-8")


def jsonstat(cube: Cube, *, dim_geo: str, dim_year: str, dim_item: str,
             updated: str = "2026-11-28T00:00:00Z", status_symbol: str | None = "..",
             trailing_nul: bool = False) -> bytes:
    """A PX-Web JSON-stat 1.x response (``{"dataset": {...}}``).

    Dimension order is geography, year, item (values in row-major order). Not-available
    cells have ``null`` values and an entry in ``status`` (``status_symbol``; ``None``
    writes ``null`` as the real V02.34 sample does).
    """
    dims = {}
    for name, labels in ((dim_geo, cube.row_labels), (dim_year, cube.years),
                         (dim_item, cube.items)):
        dims[name] = {
            "label": name,
            "category": {
                "index": {str(k): k for k in range(len(labels))},
                "label": {str(k): lab for k, lab in enumerate(labels)},
            },
        }
    dims["id"] = [dim_geo, dim_year, dim_item]
    dims["size"] = [len(cube.row_labels), len(cube.years), len(cube.items)]
    dims["role"] = {}
    values: list[object] = []
    status: dict[str, object] = {}
    for r in range(len(cube.row_labels)):
        for y in range(len(cube.years)):
            for i in range(len(cube.items)):
                number = cube.cell_number(r, y, i)
                if number is None:
                    status[str(len(values))] = status_symbol
                values.append(number)
    dataset: dict[str, object] = {}
    if status:
        dataset["status"] = status
    dataset.update({"dimension": dims, "label": cube.title, "source": None,
                    "updated": updated, "value": values})
    text = json.dumps({"dataset": dataset}, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + (b"\x00" if trailing_nul else b"")


def yearbook_xlsx(cube: Cube, *, sheet_name: str, title_en: str, unit_line: str) -> bytes:
    """A statistical-yearbook sheet (as converted from the printed yearbook).

    Rows: A1 the Vietnamese title, A2 the English title, A3 the unit line, then the header:
    the year row (each year merged across its items) and,
    when there are several items, an item row with bilingual labels. Data follow with the
    geography label in column A; numbers with decimals are text with a decimal comma
    (``"68,57"``), whole numbers numeric cells, ``"-"`` nil, ``".."`` not available. The
    footnotes come in rows after the data.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    ws["A1"] = cube.title
    ws["A1"].font = Font(bold=True)
    ws["A2"] = title_en
    ws["A2"].font = Font(italic=True)
    n_items = len(cube.items)
    ws["A3"] = unit_line
    ws["A3"].font = Font(italic=True)
    header_row = 4
    col = 2
    for year in cube.years:
        ws.cell(row=header_row, column=col, value=year).alignment = Alignment(
            horizontal="center", wrap_text=True)
        if n_items > 1:
            ws.merge_cells(start_row=header_row, start_column=col, end_row=header_row,
                           end_column=col + n_items - 1)
            for k, item in enumerate(cube.items):
                ws.cell(row=header_row + 1, column=col + k, value=item).alignment = Alignment(
                    wrap_text=True)
        col += n_items
    first_data = header_row + (2 if n_items > 1 else 1)
    if n_items > 1:
        ws.merge_cells(start_row=header_row, start_column=1, end_row=header_row + 1,
                       end_column=1)
    for r, label in enumerate(cube.row_labels):
        row = first_data + r
        ws.cell(row=row, column=1, value=label)
        col = 2
        for y in range(len(cube.years)):
            for i in range(n_items):
                number = cube.cell_number(r, y, i)
                if number is None or (cube.nil_as_dash and number == 0) or cube.decimals[i]:
                    value: object = cube.cell_text(r, y, i, decimal=",", thousands=".")
                else:
                    value = number
                ws.cell(row=row, column=col, value=value).alignment = Alignment(
                    horizontal="right")
                col += 1
    row = first_data + len(cube.row_labels)
    for note in cube.footnotes:
        ws.cell(row=row, column=1, value=note).font = Font(italic=True)
        row += 1
    ws.column_dimensions["A"].width = 40
    return xlsx_bytes(wb)


def yearbook_csv(cube: Cube, *, title_en: str, unit_line: str, sep: str = ";",
                 bom: bool = True, newline: str = "\r\n") -> bytes:
    """A statistical-yearbook table saved as CSV by Excel on Vietnamese-locale Windows.

    That locale's list separator is ``";"`` (the comma is the decimal mark). Lines:
    Vietnamese title, English title, unit line, the year header (first cell empty), the data
    (Vietnamese number format: ``"1.234"``, ``"68,57"``, ``"-"`` nil, ``".."`` not
    available), then footnote lines. Cells are quoted only when needed, as Excel does.
    """
    n_cols = 1 + len(cube.years) * len(cube.items)
    rows: list[list[str]] = [
        [cube.title] + [""] * (n_cols - 1),
        [title_en] + [""] * (n_cols - 1),
        [unit_line] + [""] * (n_cols - 1),
        [""] + [y for y in cube.years for _ in cube.items],
    ]
    if len(cube.items) > 1:
        rows.append([""] + [it for _ in cube.years for it in cube.items])
    for r, label in enumerate(cube.row_labels):
        rows.append([label] + [cube.cell_text(r, y, i, decimal=",", thousands=".")
                               for y in range(len(cube.years))
                               for i in range(len(cube.items))])
    for note in cube.footnotes:
        rows.append([note] + [""] * (n_cols - 1))
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=newline,
               quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")


def template_csv(rows: Sequence[dict[str, object]], *, headers: str = "en",
                 newline: str = "\n") -> bytes:
    """The project's entry template as UTF-8 CSV (one row per figure).

    Args:
        rows: dicts keyed by the English column names (``province``, ``year``, ``indicator``,
            ``value``, ``numerator``, ``denominator``, ``unit``, ``source``, ``provenance``,
            ``note``); missing keys or ``None`` give empty cells; floats must already be
            formatted as text when a fixed number of decimals is wanted.
        headers: ``"en"`` or ``"vi"`` (the Vietnamese header names of SPEC).
        newline: line ending.
    """
    names = TEMPLATE_COLUMNS_VI if headers == "vi" else TEMPLATE_COLUMNS_EN
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in TEMPLATE_COLUMNS_EN])
    return nfc(buf.getvalue()).encode("utf-8")
