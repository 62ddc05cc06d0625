"""The project's entry template (CSV or XLSX): one row per figure taken from a report.

Columns (English or Vietnamese headers, any order, matched without case or diacritics):

================  =========================  ================================================
field             Vietnamese header          meaning
================  =========================  ================================================
``province``      Tỉnh/Thành phố             province name (any spelling) or 2-digit code; "VN"
``year``          Năm                        reference year ("2024", "Sơ bộ 2024")
``indicator``     Chỉ tiêu                   indicator id or a catalogue label
``value``         Giá trị                    the figure, in the indicator's unit
``numerator``     Tử số                      rate numerator (optional)
``denominator``   Mẫu số                     rate denominator (optional)
``unit``          Đơn vị                     optional; checked against the catalogue
``source``        Nguồn                      document, issuing body, date (required unless
                                             the row is synthetic)
``provenance``    Nguồn gốc                  official | secondary | synthetic (chính thức |
                                             thứ cấp | giả lập)
``note``          Ghi chú                    free text
``facility``      Cơ sở                      optional: facility-level rows (see below)
================  =========================  ================================================

**Facility-level tables.** When a ``facility`` column is filled, each row is one facility
(a school, a commune health station...) in one province and year, and the ingest adds the
rows up to one figure per province, year and indicator: counts are summed and rates are
pooled from their numerators and denominators. Rows without a facility are province figures.

The header row may be preceded by title lines. Row numbers are those a spreadsheet shows.
Large CSV files are read with pyarrow (about 5x faster than the default parser); the row
numbers stay exact (checked against the line count, with a slower exact path otherwise).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import DataError
from analysis.core.text import nfc
from analysis.sources.readers.base import TEMPLATE_COLUMNS, RawTable
from analysis.sources.readers.encoding import (
    UTF8,
    UTF8_BOM,
    decode,
    sniff_encoding,
    strip_nul,
    unify_newlines,
)
from analysis.sources.readers.labels import column_letter, loose_key, wildcard_match
from analysis.sources.readers.textgrid import sniff_delimiter
from analysis.sources.readers.xlsx import open_workbook, sheet_grid, visible_sheets

FIELDS = ("province", "year", "indicator", "value", *TEMPLATE_COLUMNS)
HEADERS_EN = {"province": "province", "year": "year", "indicator": "indicator",
              "value": "value", "numerator": "numerator", "denominator": "denominator",
              "unit": "unit", "source": "source", "provenance": "provenance", "note": "note",
              "facility": "facility"}
HEADERS_VI = {"province": "Tỉnh/Thành phố", "year": "Năm", "indicator": "Chỉ tiêu",
              "value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số",
              "unit": "Đơn vị", "source": "Nguồn", "provenance": "Nguồn gốc",
              "note": "Ghi chú", "facility": "Cơ sở"}
_SYNONYMS = {
    "province": ["province", "province_code", "province code", "tỉnh/thành phố", "tỉnh",
                 "tỉnh thành phố", "địa phương", "mã tỉnh", "tinh/thanh pho"],
    "year": ["year", "năm", "năm báo cáo"],
    "indicator": ["indicator", "indicator_id", "chỉ tiêu", "mã chỉ tiêu", "chỉ số"],
    "value": ["value", "giá trị", "số liệu"],
    "numerator": ["numerator", "tử số"],
    "denominator": ["denominator", "mẫu số"],
    "unit": ["unit", "đơn vị", "đơn vị tính"],
    "source": ["source", "nguồn", "nguồn số liệu", "source document"],
    "provenance": ["provenance", "nguồn gốc", "mức độ", "grade"],
    "note": ["note", "notes", "ghi chú"],
    "facility": ["facility", "facility_name", "cơ sở", "tên cơ sở", "đơn vị cơ sở"],
}
_KEYS = {loose_key(s): f for f, names in _SYNONYMS.items() for s in names}
REQUIRED = ("province", "year")


def header_field(text: object) -> str | None:
    """The template field a header cell names, or None (lossy ``?`` letters allowed)."""
    key = loose_key(text)
    if not key:
        return None
    if key in _KEYS:
        return _KEYS[key]
    if "?" in key:
        hits = {f for k, f in _KEYS.items() if wildcard_match(key, k)}
        if len(hits) == 1:
            return hits.pop()
    return None


def header_fields(row: list[object]) -> dict[int, str]:
    """Column index -> field for a candidate header row."""
    return {j: f for j, c in enumerate(row) if (f := header_field(c))}


def is_template_header(row: list[object]) -> bool:
    """A row naming the province and at least two other template columns.

    (The reader then says which required column is missing, if any.)
    """
    fields = set(header_fields(row).values())
    return "province" in fields and len(fields) >= 3


def _check_header(fields: dict[int, str], header: list[object], path: Path, row: int) -> None:
    seen: dict[str, int] = {}
    for j, f in fields.items():
        if f in seen:
            raise DataError(f"two columns are both {f!r}: {header[seen[f]]!r} and "
                            f"{header[j]!r}", file=path, row=row)
        seen[f] = j
    missing = [f for f in REQUIRED if f not in seen]
    if "value" not in seen and not {"numerator", "denominator"} <= set(seen):
        missing.append("value (or numerator and denominator)")
    if missing:
        raise DataError(
            f"the header row lacks column(s): {', '.join(missing)}", file=path, row=row,
            hint="start from data/raw/templates/ (headers in English or Vietnamese)")


def read_template(path: Path, data: bytes) -> RawTable:
    """Read an entry-template file into one raw record per non-blank row."""
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_xlsx(path, data)
    return _read_csv(path, data)


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def _read_csv(path: Path, data: bytes) -> RawTable:
    encoding = sniff_encoding(data)
    lossy = False
    if encoding in (UTF8, UTF8_BOM) and b"\xcc" not in data and b"\xcd" not in data:
        # fast path: NFC UTF-8 (no combining marks, whose UTF-8 lead bytes are CC/CD)
        body = unify_newlines(strip_nul(data))  # what decode() does to the text
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
    else:
        decoded = decode(data, file=path)
        encoding, lossy = decoded.encoding, decoded.lossy
        body = decoded.text.encode(UTF8)
    head_text = body[:65_536].decode(UTF8, errors="ignore")
    delimiter = sniff_delimiter(head_text)
    header_line, header_offset, header = _find_header(head_text, delimiter, path)
    fields = header_fields(header)
    _check_header(fields, header, path, header_line)

    used = tuple(sorted(j for j, f in fields.items() if f != "note"))  # notes are not read
    try:
        table = _read_body(body, header_offset, delimiter, path, used)
    except _NotUtf8:
        # valid UTF-8 at the start only: decode the whole file (Windows code pages)
        decoded = decode(data, file=path, encoding=None if encoding in (UTF8, UTF8_BOM)
                         else encoding)
        if decoded.encoding in (UTF8, UTF8_BOM):  # pragma: no cover - defensive
            raise DataError("the file is not valid UTF-8 text", file=path) from None
        encoding, lossy = decoded.encoding, decoded.lossy
        body = decoded.text.encode(UTF8)
        header_line, header_offset, header = _find_header(
            body[:65_536].decode(UTF8, errors="ignore"), delimiter, path)
        table = _read_body(body, header_offset, delimiter, path, used)
    rows = _row_numbers(body, header_offset, header_line, len(table), delimiter)
    cells = _records(table, fields, rows, path)
    notes = []
    if not len(table):
        notes.append("no data rows below the header: nothing to read")
    if lossy:
        notes.append("lossy Windows-1252 export: letters shown as '?' are lost")
    unknown = [str(h) for j, h in enumerate(header) if j not in fields and str(h).strip()]
    if unknown:
        notes.append("columns not in the template ignored: " + ", ".join(unknown))
    return RawTable(
        cells=cells, fmt="template", file=path, encoding=encoding, lossy=lossy,
        field_columns={f: str(header[j]) for j, f in fields.items()},
        decimal_hint="vi" if delimiter == ";" else None, notes=notes,
    )


def _find_header(text: str, delimiter: str, path: Path) -> tuple[int, int, list[str]]:
    """(1-based line, byte offset of the line after the header, header cells)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for k, row in enumerate(reader):
        if k >= 30:
            break
        if is_template_header(row):
            end_line = reader.line_num
            offset = _offset_after_lines(text, end_line)
            return line, offset, [nfc(c).strip() for c in row]
        line = reader.line_num + 1
    raise DataError("no template header row (province, year, indicator, value, ...) in the "
                    "first 30 lines", file=path,
                    hint="see data/raw/templates/ for the expected columns")


def _offset_after_lines(text: str, n_lines: int) -> int:
    """Byte offset (UTF-8) just after the first ``n_lines`` physical lines of ``text``."""
    pos = 0
    for _ in range(n_lines):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text.encode(UTF8))
        pos = nxt + 1
    return len(text[:pos].encode(UTF8))


class _NotUtf8(Exception):
    """The bytes after the sniffed sample are not UTF-8."""


def _read_body(body: bytes, offset: int, delimiter: str, path: Path,
               used_columns: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The rows below the header, every column as text.

    pyarrow's CSV reader builds dictionary-encoded (categorical) text columns: a
    facility-level file of a million rows has a few thousand distinct cells, and the ingest
    works once per distinct cell.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    chunk = pa.py_buffer(body)[offset:]
    head = body[offset:offset + 65_536]
    if not head.strip() and not body[offset:].strip():
        return pd.DataFrame()
    first = next((ln for ln in head.splitlines() if ln.strip()), b"")
    width = len(next(csv.reader([first.decode(UTF8, errors="replace")], delimiter=delimiter)))
    names = [f"c{j}" for j in range(width)]
    text = pa.dictionary(pa.int32(), pa.string())
    # every column is dictionary-encoded text: numbers stay text ("1.234" may mean 1234 in a
    # Vietnamese file: the ingest decides), and naming the type up front skips pyarrow's
    # type inference (a million-row file parses in about half the time)
    keep = [names[j] for j in used_columns if j < width] if used_columns is not None else []
    exact = {name: text for name in (keep or names)}
    convert = pacsv.ConvertOptions(
        column_types=exact, auto_dict_encode=True, auto_dict_max_cardinality=2**31 - 1,
        strings_can_be_null=False, quoted_strings_can_be_null=False, timestamp_parsers=[],
        include_columns=keep)

    def parse(newlines_in_values: bool) -> pd.DataFrame:
        return pacsv.read_csv(
            pa.BufferReader(chunk), read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                             newlines_in_values=newlines_in_values),
            convert_options=convert).to_pandas()

    try:
        try:
            frame = parse(False)  # parallel parsing
        except pa.ArrowInvalid as err:
            if "UTF8" in str(err) or "UTF-8" in str(err):
                raise
            frame = parse(True)  # a quoted cell with a line break split a block
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as err:
        if "UTF8" in str(err) or "UTF-8" in str(err):
            raise _NotUtf8 from None
        # ragged rows (more cells than the header): refuse filled cells that belong to no
        # column (a shifted row would be read wrong); empty trailing cells are harmless
        _check_no_extra_cells(body, offset, delimiter, width, path)
        try:
            frame = pd.read_csv(io.BytesIO(body[offset:]), sep=delimiter, header=None, dtype="str",
                                keep_default_na=False, skip_blank_lines=True,
                                engine="python", names=names, on_bad_lines="error",
                                usecols=keep or None)
        except Exception as err:
            raise DataError(f"the rows below the header cannot be parsed as CSV ({err})",
                            file=path) from None
        frame = frame.astype("category")
    frame.columns = [int(str(c)[1:]) for c in frame.columns]
    for j in frame.columns:  # empty columns come back as all-null objects
        if frame[j].dtype == object and frame[j].isna().all():
            frame[j] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [""])
    return frame


def _check_no_extra_cells(body: bytes, offset: int, delimiter: str, width: int, path: Path
                          ) -> None:
    first_line = body.count(b"\n", 0, offset) + 1
    text = body[offset:].decode(UTF8, errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = first_line
    for record in reader:
        extra = [c for c in record[width:] if c.strip()]
        if extra:
            shown = ", ".join(repr(c) for c in extra[:3])
            raise DataError(f"this row has {len(record)} cells but the header has {width}: "
                            f"{shown} belong to no column (a shifted row?)", file=path,
                            row=line, column=f"{column_letter(width)}{line}",
                            hint="remove the extra cells or add their column to the header")
        line = first_line + reader.line_num



def _row_numbers(body: bytes, offset: int, header_line: int, n: int, delimiter: str
                 ) -> np.ndarray:
    """Spreadsheet row of each parsed record.

    The CSV readers skip blank lines and allow line breaks inside quoted cells, so the
    simple numbering (header line + 1 + i) is used only when the line count proves it exact.
    """
    lines = body.count(b"\n", offset) + (0 if body.endswith(b"\n") or len(body) <= offset
                                          else 1)
    if lines == n:
        return np.arange(header_line + 1, header_line + 1 + n, dtype=np.int64)
    text = body[offset:].decode(UTF8)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbers, line = [], header_line + 1
    for row in reader:
        if any(c.strip() for c in row) or (row and len(row) > 1):
            numbers.append(line)
        line = header_line + 1 + reader.line_num
    if len(numbers) != n:  # pragma: no cover - defensive
        numbers = list(range(header_line + 1, header_line + 1 + n))
    return np.asarray(numbers, dtype=np.int64)


def _records(table: pd.DataFrame, fields: dict[int, str], rows: np.ndarray, path: Path
             ) -> pd.DataFrame:
    """The template fields of every non-blank row (text columns stay categorical)."""
    n = len(table)
    out: dict[str, object] = {"row": rows}
    blank = np.ones(n, dtype=bool)
    for f in FIELDS:
        j = next((j for j, g in fields.items() if g == f), None)
        if j is not None and j in table.columns:
            col = table[j].reset_index(drop=True)
            if isinstance(col.dtype, pd.CategoricalDtype):
                cats = np.asarray(col.cat.categories, dtype=object)
                empty = np.array([not str(c).strip() for c in cats] + [True], dtype=bool)
                codes = col.cat.codes.to_numpy()
                blank &= empty[np.where(codes < 0, len(cats), codes)]
            else:  # a column pyarrow typed as numbers: blank only where missing
                blank &= col.isna().to_numpy()
            out[f] = col
        else:
            out[f] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[""])
    cells = pd.DataFrame(out).rename(columns={"indicator": "item"})
    cells["column"] = "value"
    return cells[~blank].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------


def _read_xlsx(path: Path, data: bytes) -> RawTable:

    workbook = open_workbook(path, data)
    for name in visible_sheets(workbook):
        grid = sheet_grid(workbook, name, path=path)
        for k, row in enumerate(grid.rows[:30]):
            if is_template_header(row):
                return _xlsx_records(grid, k, name, path)
    raise DataError("no sheet has a template header row (province, year, indicator, value, "
                    "...) in its first 30 rows", file=path,
                    hint="see data/raw/templates/ for the expected columns")


def _xlsx_records(grid, k: int, sheet: str, path: Path) -> RawTable:  # noqa: ANN001
    header = ["" if c is None else str(c) for c in grid.rows[k]]
    fields = header_fields(header)
    _check_header(fields, header, path, grid.numbers[k])
    body = grid.rows[k + 1:]
    numbers = grid.numbers[k + 1:]
    cols: dict[str, list[object]] = {f: [] for f in FIELDS}
    rows: list[int] = []
    for number, row in zip(numbers, body, strict=True):
        values = {f: _xlsx_value(row[j] if j < len(row) else "", f)
                  for j, f in fields.items()}
        if not any(v != "" for v in values.values()):
            continue
        rows.append(number)
        for f in FIELDS:
            cols[f].append(values.get(f, ""))
    cells = pd.DataFrame({"row": np.asarray(rows, dtype=np.int64),
                          "column": pd.array(["value"] * len(rows), dtype="str")})
    for f in FIELDS:
        if f in ("value", "numerator", "denominator"):
            cells[f] = pd.Series(cols[f], dtype="object")
        else:
            cells[f] = pd.array([str(v) for v in cols[f]], dtype="str")
    cells = cells.rename(columns={"indicator": "item"})
    letters = {f: _letter(j) for j, f in fields.items()}
    notes = [f"read sheet {sheet!r}"]
    return RawTable(cells=cells, fmt="template", file=path,
                    field_columns={f: f"{letters[f]} ({header[j]})" for j, f in fields.items()},
                    notes=notes)


def _xlsx_value(value: object, field: str) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and field in ("year", "province"):
        number = int(value)
        return f"{number:02d}" if field == "province" and 0 < number < 100 else str(number)
    if isinstance(value, int) and field in ("year", "province"):
        return f"{value:02d}" if field == "province" and 0 < value < 100 else str(value)
    if field in ("value", "numerator", "denominator"):
        return value
    return str(value)


def _letter(j: int) -> str:
    return column_letter(j)

