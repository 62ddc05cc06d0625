"""The bad-input corpus (tests/fixtures/broken/) and the exact outcome of each file.

One list serves the tests (tests/integration/test_broken_corpus.py) and the defect table in
docs/DEFECTS.md (scripts/make_defects_table.py), so the documentation cannot drift from what
the code does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"


@dataclass(frozen=True)
class Case:
    """What ``nq42 ingest FILE`` does with one defective file.

    ``error``: the problem text of the one-line error (exit 1); ``where``: the location the
    message gives after the file name (``"row 3, cell K3"``), empty when the whole file is
    concerned. Otherwise the file is read (exit 0): ``kept`` rows, ``quarantined`` maps the
    spreadsheet row to a fragment of its reason, ``dropped`` counts aggregate rows (regions,
    country) left out on purpose, ``note`` is a fragment of a printed note.
    """

    file: str
    group: str
    defect: str
    error: str = ""
    where: str = ""
    kept: int = 0
    quarantined: dict[int, str] = field(default_factory=dict)
    dropped: int = 0
    note: str = ""

    @property
    def path(self) -> Path:
        return BROKEN / self.file

    @property
    def reads(self) -> bool:
        return not self.error


NOT_A_TABLE = "neither a template header nor a row of years in the first lines"
BAD_WORKBOOK = "not a readable Excel workbook"
NUL = "the file contains NUL bytes inside the data"

CASES = [
    # --- the file as a whole ---------------------------------------------------------------
    Case("empty_file.csv", "file", "empty file (0 bytes)", error="the file is empty"),
    Case("blank_lines_only.csv", "file", "only blank lines", error="the file is empty"),
    Case("bom_only.csv", "file", "only a UTF-8 byte-order mark", error=NOT_A_TABLE),
    Case("headers_only.csv", "file", "template header, no data rows",
         note="no data rows below the header"),
    Case("random_bytes.csv", "file", "random bytes named .csv", error=NUL),
    Case("nul_bytes_inside.csv", "file", "NUL bytes in the middle of the data", error=NUL),
    Case("huge_single_line.csv", "file", "a 6 MB single line with no line break",
         error=NOT_A_TABLE),
    Case("pdf_renamed.csv", "file", "a PDF renamed .csv",
         error="this is not a table export (PDF, image or archive)"),
    Case("html_saved_as.xls", "file", "an HTML page saved as .xls",
         error="this is a web page or XML saved under a spreadsheet name"),
    Case("old_excel_97.xls", "file", "a damaged Excel 97 (OLE) file", error=BAD_WORKBOOK),
    Case("truncated.xlsx", "file", "an XLSX cut in half", error=BAD_WORKBOOK),
    Case("zip_not_xlsx.xlsx", "file", "a zip archive that is not a workbook", error=BAD_WORKBOOK),
    Case("empty_workbook.xlsx", "file", "a workbook whose only sheet is empty",
         error="no sheet holds a template header or a row of years"),
    Case("json_broken_syntax.json", "file", "JSON cut off mid-way",
         error="not valid JSON at line 1, column 54"),
    Case("json_not_jsonstat.json", "file", "JSON that is not JSON-stat",
         error="no JSON-stat dataset found"),
    Case("jsonstat_value_size_mismatch.json", "file", "JSON-stat with fewer values than cells",
         error="JSON-stat has 1 values for 2 cells"),
    # --- encodings ---------------------------------------------------------------------------
    Case("wrong_encoding_declared.csv", "encoding",
         "UTF-8 byte-order mark, Windows-1258 bytes after it",
         error="the file starts with a UTF-8 byte-order mark but byte 84 is not UTF-8",
         where="row 2"),
    Case("utf16_without_bom.csv", "encoding", "UTF-16 with no byte-order mark", kept=2),
    # --- the header and the shape --------------------------------------------------------------
    Case("missing_value_columns.csv", "shape", "template header without value columns",
         error="the header row lacks column(s): value (or numerator and denominator)",
         where="row 1"),
    Case("inconsistent_column_counts.csv", "shape", "a row with more filled cells than the header",
         error="this row has 13 cells but the header has 10", where="row 3, cell K3"),
    Case("merged_cells_in_data.xlsx", "shape", "province cells merged down the data area",
         kept=1, quarantined={3: "province missing", 4: "province missing"}),
    Case("formula_cell.xlsx", "shape", "a formula cell with no saved result", kept=1,
         quarantined={3: "no value"}),
    # --- cells ---------------------------------------------------------------------------------
    Case("mixed_decimal_conventions.csv", "cells", 'decimal comma ("99,5") and point in one column',
         kept=2),
    Case("year_column_text.csv", "cells", "a year written in words", kept=1,
         quarantined={2: "is not a year"}),
    Case("year_out_of_range.csv", "cells", "year 2099", kept=1,
         quarantined={2: "year outside the plausible range 1990–2035"}),
    Case("value_is_words.csv", "cells", 'a value written as "khoảng 50"', kept=1,
         quarantined={2: "'khoảng 50' is not a number"}),
    Case("duplicate_keys_different_values.csv", "cells",
         "the same province, year and indicator twice with different values", kept=1,
         quarantined={2: "conflicting values", 3: "conflicting values"}),
    Case("province_does_not_exist.csv", "cells", "a province that does not exist", kept=1,
         quarantined={2: "province 'Tỉnh Atlantis' not recognised"}),
    Case("script_in_province_name.csv", "cells", "HTML/script in a province cell", kept=1,
         quarantined={2: "not recognised"}),
    Case("region_row_as_province.csv", "cells", "a region row among the provinces", kept=1,
         dropped=1),
    Case("unknown_indicator.csv", "cells", "an indicator not in the catalogue", kept=1,
         quarantined={2: "is not in the indicator catalogue"}),
    Case("percent_over_100.csv", "cells", "a percentage over 100", kept=1,
         quarantined={2: "value above the indicator's limit"}),
    Case("numerator_over_denominator.csv", "cells", "numerator larger than denominator", kept=1,
         quarantined={2: "numerator larger than denominator"}),
    Case("negative_count.csv", "cells", "a negative count of housing units", kept=1,
         quarantined={2: "negative value"}),
]
