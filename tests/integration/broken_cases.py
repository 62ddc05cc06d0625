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
    Case("cr_line_endings.csv", "encoding", "lines ending in CR only (old Mac, some Excel)",
         kept=2),
    Case("mixed_line_endings.csv", "encoding", "CRLF, CR and LF line endings in one file",
         kept=2),
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


@dataclass(frozen=True)
class Beyond:
    """A defect class that is not one input file: concurrent runs, kills, output paths, the register.

    ``seen`` is what the user sees; ``test`` names the test asserting it
    (``path::function``, checked to exist by tests/integration/test_broken_corpus.py).
    """

    group: str
    defect: str
    seen: str
    test: str


BEYOND = [
    # --- the raw-data register ------------------------------------------------------------
    Beyond("register", "a key with backslashes or `..` escaping `data/raw` "
           "(`..\\..\\outside\\trav.csv`)",
           "exit 1 before anything is read: the message names the key and says it leaves data/raw",
           "tests/sources/test_hardening.py::test_escaping_keys_are_refused_naming_the_key_before_"
           "anything_is_read"),
    Beyond("register", "a registered symbolic link pointing outside `data/raw`",
           "exit 1: the key is refused as pointing outside data/raw; links inside are read",
           "tests/sources/test_hardening.py::test_a_registered_symlink_pointing_outside_is_refused"),
    Beyond("register", "two spellings of one key (`a/b.csv` and `a\\b.csv`)",
           "exit 1: both keys named as the same file",
           "tests/sources/test_hardening.py::test_two_spellings_of_one_key_are_refused"),
    Beyond("register", "a file name in NFD, its key in NFC",
           "read as the registered file (names compared in NFC), not reported as both missing "
           "and unregistered",
           "tests/sources/test_hardening.py::test_build_reads_an_nfd_named_file_registered_in_nfc"),
    # --- the build and its outputs --------------------------------------------------------
    Beyond("outputs", "two `nq42 build` runs into one folder at once",
           "the second exits 1 saying which process holds the folder's lock; the first finishes",
           "tests/pipeline/test_output_safety.py::test_a_second_build_into_a_locked_folder_says_"
           "who_holds_it"),
    Beyond("outputs", "`nq42 build --out DIR` where DIR holds the user's own `.staging-*` and "
           "`.*.tmp` files",
           "they survive: only staging folders carrying this program's marker are removed",
           "tests/pipeline/test_output_safety.py::test_files_the_build_did_not_create_survive_it"),
    Beyond("outputs", "a build killed while publishing its tables",
           "the previous tables are left whole; the next build removes its own leftovers",
           "tests/integration/test_atomic_build.py::test_a_build_killed_while_publishing_changes_"
           "nothing"),
    Beyond("outputs", "formulas (`=1+2`, `@SUM(A1)`, `+cmd|…`, `=HYPERLINK(…)`) in cells that "
           "reach quarantine.csv",
           "written with a leading apostrophe so a spreadsheet shows text; the raw value is "
           "recoverable",
           "tests/pipeline/test_output_safety.py::test_quarantine_csv_has_no_formulas_and_keeps_"
           "the_raw_values"),
    Beyond("outputs", "`nq42 ingest FILE --out/--quarantine` inside `data/raw/` or "
           "`data/processed/`",
           "exit 1: the path is refused, nothing is written",
           "tests/cli/test_ingest_output_safety.py::test_outputs_in_the_data_folders_are_refused"),
]
