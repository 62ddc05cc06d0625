"""The raw-data register ``data/raw/sources.yml`` (SPEC "Raw data register").

Every raw file has an entry keyed by its path relative to ``data/raw/`` (forward slashes)::

    demo/health_stations_with_doctor.xlsx:
      title: "Tỷ lệ trạm y tế xã có bác sĩ phân theo địa phương"
      producer: "..."
      provenance: synthetic         # official | secondary | synthetic
      date_accessed: 2026-11-28
      url: "..."                    # optional
      licence: "..."
      sha256: "..."
      indicator: health_stations_with_doctor_pct   # optional
      format: pxweb-xlsx                           # optional
      geo_version: vn63                            # optional
      kind: boundaries                             # optional; not read as observations

Exempt from the "every file has an entry" rule: ``sources.yml`` itself, anything under
``templates/`` (the blank entry templates and their example), README and other Markdown
files, and hidden files (``.gitkeep``, ``.DS_Store``). Other keys in an entry (notes,
citation, date_published...) are kept and ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import yaml

from analysis.catalogue.indicators import indicator_ids
from analysis.core.atomic import write_text
from analysis.core.config import PROVENANCE_GRADES, RAW_DIR
from analysis.core.errors import DataError
from analysis.core.text import nfc
from analysis.core.versioning import sha256_file
from analysis.sources.readers import FORMATS, normalise_format
from analysis.sources.readers.encoding import decode
from analysis.sources.readers.jsonstat import _load

log = logging.getLogger(__name__)

REGISTER_NAME = "sources.yml"
DOWNLOADS_PREFIX = "downloads/"
REQUIRED = ("title", "producer", "provenance", "date_accessed", "licence", "sha256")
KINDS = ("observations", "boundaries")
EXEMPT_DIRS = ("templates",)
_SHA = re.compile(r"^[0-9a-f]{64}$")


def raw_dir_of(raw_dir: str | Path | None) -> Path:
    """The raw folder to use (``data/raw`` by default)."""
    return Path(raw_dir) if raw_dir is not None else RAW_DIR


def is_exempt(rel_path: str) -> bool:
    """Files that need no register entry (see module docstring)."""
    parts = rel_path.split("/")
    name = parts[-1]
    return (rel_path == REGISTER_NAME or parts[0] in EXEMPT_DIRS or name.startswith(".")
            or any(p.startswith(".") for p in parts[:-1])
            or name.lower().endswith((".md", ".markdown")) or name.upper().startswith("README"))


def load_register(raw_dir: str | Path | None = None) -> dict[str, dict]:
    """Read and validate ``sources.yml``; entries keyed by relative path.

    Raises:
        DataError: the register is missing, not valid YAML, or an entry lacks a required
            field or has an unknown grade, format, indicator, kind or geography.
    """
    folder = raw_dir_of(raw_dir)
    path = folder / REGISTER_NAME
    if not path.exists():
        raise DataError("the raw-data register is missing", file=path,
                        hint="every raw file needs an entry in sources.yml (see SPEC)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(f"not valid YAML: {getattr(err, 'problem', err)}", file=path,
                        row=(mark.line + 1) if mark else None) from None
    if not isinstance(data, dict):
        raise DataError("sources.yml must map file paths to entries", file=path)
    problems = []
    for key, entry in data.items():
        problems.extend(f"{key}: {p}" for p in _entry_problems(str(key), entry))
    if problems:
        raise DataError("register entries are incomplete or invalid:\n  " + "\n  ".join(problems),
                        file=path)
    keys = [normalise_key(k) for k in data]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise DataError("register keys name the same file twice (after turning backslashes "
                        "into '/' and letters into NFC): " + ", ".join(twice), file=path)
    return {normalise_key(k): _normalise_entry(v) for k, v in data.items()}


def _normalise_entry(entry: dict) -> dict:
    out = dict(entry)
    if isinstance(out.get("date_accessed"), (dt.date, dt.datetime)):
        out["date_accessed"] = out["date_accessed"].isoformat()[:10]
    out.setdefault("kind", "observations")
    out["sha256"] = str(out["sha256"]).lower()
    return out


def _entry_problems(key: str, entry: object) -> list[str]:

    if not isinstance(entry, dict):
        return ["the entry must be a mapping of fields"]
    problems = [f"missing {f}" for f in REQUIRED if entry.get(f) in (None, "")]
    grade = entry.get("provenance")
    if grade not in (None, "") and grade not in PROVENANCE_GRADES:
        problems.append(f"provenance {grade!r} is not one of {', '.join(PROVENANCE_GRADES)}")
    sha = entry.get("sha256")
    if sha not in (None, "") and not _SHA.match(str(sha).lower()):
        problems.append("sha256 must be 64 hexadecimal characters")
    if entry.get("format") not in (None, ""):
        try:
            normalise_format(entry["format"])
        except DataError:
            problems.append(f"format {entry['format']!r} is not one of {', '.join(FORMATS)}")
    if entry.get("kind") not in (None, "") and entry["kind"] not in KINDS:
        problems.append(f"kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
    if entry.get("geo_version") not in (None, "", "vn63", "vn34"):
        problems.append(f"geo_version {entry['geo_version']!r} is not vn63 or vn34")
    if entry.get("indicator") not in (None, ""):

        if entry["indicator"] not in indicator_ids():
            problems.append(f"indicator {entry['indicator']!r} is not in the catalogue")
    outside = key_problem(key)
    if outside:
        problems.append(outside)
    return problems


_DRIVE = re.compile(r"^[A-Za-z]:")


def normalise_key(key: object) -> str:
    """A register key as compared everywhere: NFC letters, ``/`` for every separator.

    ``\\`` becomes ``/`` (a key typed on Windows), empty and ``.`` parts are dropped.
    ``..`` parts and a leading ``/`` are kept, for :func:`key_problem` to refuse.
    """
    text = nfc(str(key)).replace("\\", "/")
    lead = "/" if text.startswith("/") else ""
    return lead + "/".join(p for p in text.split("/") if p not in ("", "."))


def key_problem(key: object) -> str | None:
    """Why a register key is not a plain path inside ``data/raw/``, or None.

    Refused (on every separator spelling): absolute paths, drive letters (``C:\\x``), UNC
    paths, any ``..`` part (even ``a/../b``), and the empty key.
    """
    raw = nfc(str(key)).replace("\\", "/")
    norm = normalise_key(key)
    if (not norm or raw.startswith("/") or _DRIVE.match(raw)
            or ".." in norm.split("/")):
        return "the key must be a path inside data/raw/ (no '..', no absolute path or drive)"
    return None


def key_path(folder: str | Path, key: object) -> Path:
    """The file a register key names under ``folder`` — the one way a key becomes a path.

    The key is normalised (:func:`normalise_key`); a file whose name on disk is in another
    Unicode form (NFD, written by macOS tools) is found by comparing names in NFC. A key
    that does not name an existing file gives the path it would have.

    Raises:
        DataError: naming the key, when it is not a plain path inside the folder
            (:func:`key_problem`) or when the file it names resolves outside the folder
            (a symbolic link pointing out of ``data/raw``).
    """
    folder = Path(folder)
    problem = key_problem(key)
    if problem:
        raise DataError(f"register key {str(key)!r}: {problem}", file=folder / REGISTER_NAME)
    path = folder
    for part in normalise_key(key).split("/"):
        nxt = path / part
        if not nxt.exists() and path.is_dir():
            nxt = next((c for c in path.iterdir() if nfc(c.name) == part), nxt)
        path = nxt
    if path.exists() or path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            raise DataError(f"register key {str(key)!r} resolves outside the raw folder "
                            f"(to {target}): a symbolic link? Copy the file into data/raw "
                            "instead", file=folder / REGISTER_NAME)
    return path


def raw_files(raw_dir: str | Path | None = None) -> list[str]:
    """Relative paths (forward slashes, NFC) of every file under the raw folder, sorted."""
    folder = raw_dir_of(raw_dir)
    return sorted(nfc(p.relative_to(folder).as_posix()) for p in folder.rglob("*")
                  if p.is_file())


def check_register(raw_dir: str | Path | None = None, *, verify_hashes: bool = True
                   ) -> dict[str, dict]:
    """Check that register and folder agree, and (by default) every file's SHA-256.

    Returns:
        The validated entries. Entries under ``downloads/`` whose file has not been fetched
        on this machine are left out (with a warning), not treated as errors.

    Raises:
        DataError: listing every file without an entry, every entry without its file and
            every checksum mismatch (all problems at once, before anything is read).
    """
    folder = raw_dir_of(raw_dir)
    entries = load_register(folder)
    files = [f for f in raw_files(folder) if not is_exempt(f)]
    unregistered = [f for f in files if f not in entries]
    paths = entry_paths(folder, entries)
    missing = [k for k in entries if not paths[k].is_file()]
    # `nq42 fetch` downloads are git-ignored but registered in the tracked sources.yml: on a
    # clone that has not fetched them they are simply absent, not an error.
    not_fetched = [k for k in missing if k.startswith(DOWNLOADS_PREFIX)]
    if not_fetched:
        log.warning("not downloaded on this machine (run `nq42 fetch`), skipped: %s",
                    ", ".join(not_fetched))
        entries = {k: v for k, v in entries.items() if k not in not_fetched}
        missing = [k for k in missing if k not in not_fetched]
    mismatched = _mismatched(entries, paths, missing) if verify_hashes else []
    problems = []
    if unregistered:
        problems.append("files without a register entry: " + ", ".join(unregistered))
    if missing:
        problems.append("register entries without their file: " + ", ".join(missing))
    if mismatched:
        problems.append("files changed since they were registered (SHA-256 mismatch): "
                        + ", ".join(mismatched))
    if problems:
        raise DataError("; ".join(problems), file=folder / REGISTER_NAME,
                        hint="raw files are immutable: register a new file with its SHA-256 "
                        "instead of editing one (analysis.sources.register.register_source)")
    return entries


def entry_paths(folder: Path, entries: dict[str, dict]) -> dict[str, Path]:
    """The file of every register key (:func:`key_path`), before any file is read.

    Raises:
        DataError: naming every key that is not a path inside the folder or whose file
            resolves outside it (all of them at once).
    """
    paths, outside = {}, []
    for key in entries:
        try:
            paths[key] = key_path(folder, key)
        except DataError as err:
            outside.append(err.problem)
    if outside:
        raise DataError("; ".join(outside), file=folder / REGISTER_NAME,
                        hint="every registered file must be inside data/raw (no links out)")
    return paths


def _mismatched(entries: dict[str, dict], paths: dict[str, Path], missing: list[str]
                ) -> list[str]:
    out = []
    for key, entry in entries.items():
        if key in missing:
            continue
        actual = sha256_file(paths[key])
        if actual != entry["sha256"]:
            out.append(f"{key} (sha256 {actual[:12]}…, register says {entry['sha256'][:12]}…)")
    return out


def find_entry(path: str | Path) -> tuple[str | None, dict | None]:
    """The register key and entry of a file, looking for ``sources.yml`` in its parents.

    Returns ``(None, None)`` when no enclosing folder has a register or it lists no entry
    for the file. The file's hash is checked: a changed file gets no entry (and so no
    grade from the register).
    """
    path = Path(path).resolve()
    for folder in path.parents:
        reg = folder / REGISTER_NAME
        if reg.is_file():
            key = normalise_key(path.relative_to(folder).as_posix())
            entries = load_register(folder)
            entry = entries.get(key)
            if entry is None or sha256_file(path) != entry["sha256"]:
                return None, None
            return key, entry
    return None, None


def register_source(rel_path: str, entry: dict, raw_dir: str | Path | None = None) -> dict:
    """Add or replace one entry of ``sources.yml`` atomically, keeping the other text.

    The SHA-256 is computed from the file when the entry does not give it. Comments and
    other entries are left as they are; the entry's own block is rewritten.

    Returns:
        The entry as written.

    Raises:
        DataError: the file does not exist, or the entry is invalid.
    """

    folder = raw_dir_of(raw_dir)
    rel_path = normalise_key(rel_path)
    target = key_path(folder, rel_path)
    if not target.is_file():
        raise DataError("cannot register a file that does not exist", file=target)
    entry = dict(entry)
    entry.setdefault("sha256", sha256_file(target))
    if isinstance(entry.get("date_accessed"), (dt.date, dt.datetime)):
        entry["date_accessed"] = entry["date_accessed"].isoformat()[:10]
    problems = _entry_problems(rel_path, entry)
    if problems:
        raise DataError(f"invalid register entry for {rel_path}: " + "; ".join(problems),
                        file=folder / REGISTER_NAME)
    path = folder / REGISTER_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = yaml.safe_dump({rel_path: entry}, allow_unicode=True, sort_keys=False, width=100)
    new_text = _replace_block(text, rel_path, block)
    parsed = yaml.safe_load(new_text) or {}
    if parsed.get(rel_path) != yaml.safe_load(block)[rel_path]:  # pragma: no cover
        raise DataError("could not update sources.yml safely (unusual layout); edit it by hand",
                        file=path)
    write_text(path, new_text)
    return entry


def _replace_block(text: str, key: str, block: str) -> str:
    """Replace the top-level block of ``key`` in YAML text (or append it)."""
    lines = text.splitlines(keepends=True)
    start = None
    for i, line in enumerate(lines):
        if line[:1] in (" ", "\t", "#", "\n", "\r", "") or not line.strip():
            continue
        top = line.split(":", 1)[0].strip().strip("'\"")
        if top == key:
            start = i
            break
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + block
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and line[:1] not in (" ", "\t", "#"):
            break
        end += 1
    # keep comment/blank lines that precede the next entry with it
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return "".join(lines[:start]) + block + "".join(lines[end:])


# ---------------------------------------------------------------------------------------
# What a file says about itself: synthetic markers
# ---------------------------------------------------------------------------------------

#: Phrases by which a file says its figures are synthetic (matched on NFC, case-folded text):
#: the generator's tag ``[SYNTHETIC – illustrative only]`` (``tools.synthetic.SYNTHETIC_TAG``),
#: the word "synthetic", "illustrative only", "not real data", and the Vietnamese "số liệu
#: tổng hợp (minh hoạ)" / "giả định minh họa" / "giả lập" style phrases. "tổng hợp" alone
#: ("compiled") is *not* a marker: real NSO titles use it.
SYNTHETIC_MARKERS = (
    r"\[\s*synthetic",
    r"\bsynthetic\b",
    r"\billustrative only\b",
    r"\bnot real (?:data|figures)\b",
    r"(?:số liệu|dữ liệu|giả định|tổng hợp)[\s(]*minh h(?:oạ|ọa)",
    r"\bgiả lập\b",
    r"(?:số liệu|dữ liệu) mô phỏng",
)
_SYNTHETIC_RE = re.compile("|".join(f"(?:{p})" for p in SYNTHETIC_MARKERS))
_TEMPLATE_HEAD_BYTES = 65_536
_CSV_PUNCTUATION = ';,\t"\' '
# not "creator": tools.synthetic.xlsx_bytes stamps "NQ42 Tracker (synthetic)" on every
# workbook the project writes, the entry templates and the test fixtures included
_XLSX_PROPERTIES = ("title", "subject", "description", "keywords", "category")


def synthetic_phrase(text: object) -> str | None:
    """The phrase by which ``text`` says it is synthetic (see :data:`SYNTHETIC_MARKERS`)."""
    if not isinstance(text, str) or not text:
        return None

    found = _SYNTHETIC_RE.search(nfc(text).casefold())
    return found.group(0) if found else None


def synthetic_marker(path: str | Path, raw: object) -> str | None:
    """Where a file's own content says it is synthetic, or ``None``.

    Looked at: the table title (a title line of a CSV, the title cell of a workbook, the
    label of a JSON-stat dataset); a JSON-stat ``note``, ``source`` or ``extension``; the
    lines of a text table outside its data rows (footnotes); the text cells and document
    properties (title, subject, description, keywords, category — not the creator) of a
    workbook; the lines above an entry template's header. A template's
    ``source`` column is checked row by row by the ingest. Never raises: a file whose
    markers cannot be looked at is treated as carrying none.

    Args:
        path: the file.
        raw: its :class:`analysis.sources.readers.RawTable` (the title and the data rows found).

    Returns:
        e.g. ``"its title line: '[SYNTHETIC – illustrative only] Tỷ lệ …'"``.
    """
    try:
        return _synthetic_marker(Path(path), raw)
    except Exception as err:  # noqa: BLE001 - looking for a marker must never stop a read
        log.debug("%s: synthetic markers not checked (%s)", path, err)
        return None


def excerpt(text: str, width: int = 90) -> str:
    """``text`` on one line, quoted, cut to ``width`` characters (for messages)."""
    text = " ".join(str(text).split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _synthetic_marker(path: Path, raw: object) -> str | None:
    fmt = getattr(raw, "fmt", "")
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    with path.open("rb") as fh:
        head = fh.read(4)
    is_xlsx = is_xlsx or head.startswith(b"PK")
    noun = ("its JSON-stat label" if fmt == "jsonstat" else
            "its title cell" if is_xlsx else "its title line")
    for line in str(getattr(raw, "title", "") or "").splitlines():
        if synthetic_phrase(line):
            return f"{noun}: {excerpt(line)}"
    if fmt == "jsonstat":
        return _jsonstat_marker(path)
    if is_xlsx:
        return _xlsx_marker(path, raw, template=fmt == "template")
    return _text_marker(path, raw, template=fmt == "template")


def _jsonstat_marker(path: Path) -> str | None:

    ds = _load(path, path.read_bytes())
    for key in ("label", "note", "source"):
        for text in _strings(ds.get(key)):
            if synthetic_phrase(text):
                return f"its JSON-stat {key}: {excerpt(text)}"
    ext = ds.get("extension")
    if isinstance(ext, dict):
        for key, value in ext.items():
            if synthetic_phrase(str(key)) and value not in (False, None, "", 0, "false"):
                return f"its JSON-stat extension: {key}={value!r}"
        for text in _strings(ext):
            if synthetic_phrase(text):
                return f"its JSON-stat extension: {excerpt(text)}"
    return None


def _strings(obj: object, depth: int = 0) -> list[str]:
    """Every string inside a JSON value (a few levels deep)."""
    if isinstance(obj, str):
        return [obj]
    if depth > 4:
        return []
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v, depth + 1)]
    if isinstance(obj, list):
        return [s for v in obj[:1000] for s in _strings(v, depth + 1)]
    return []


def _xlsx_marker(path: Path, raw: object, *, template: bool) -> str | None:
    """Text cells of a workbook, then its document properties.

    A wide table: every text cell of every sheet (titles, footnotes, a notes sheet). An
    entry template: only the rows above the header of the sheet read — its other sheets
    are the column guide, which speaks of synthetic rows without being synthetic.
    """
    import zipfile
    from xml.etree import ElementTree

    import openpyxl

    only_sheet, above = None, None
    if template:
        read = [m.group(2) for n in getattr(raw, "notes", []) or []
                if (m := re.match(r"read sheet (['\"])(.+)\1$", str(n)))]
        only_sheet = read[0] if read else ""
        first = _first_data_row(raw)
        above = first - 1 if first is not None else 30
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            if only_sheet is not None and ws.title != only_sheet or above == 0:
                continue
            rows = ws.iter_rows(max_row=above) if above is not None else ws.iter_rows()
            for row in rows:
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, str) and synthetic_phrase(value):
                        where = getattr(cell, "coordinate", "")
                        return f"sheet {ws.title!r} cell {where}: {excerpt(value)}"
    finally:
        wb.close()
    with zipfile.ZipFile(path) as z:
        if "docProps/core.xml" not in z.namelist():
            return None
        root = ElementTree.fromstring(z.read("docProps/core.xml"))
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1]
        if name in _XLSX_PROPERTIES and synthetic_phrase(el.text or ""):
            return f"its document properties: {name} {excerpt(el.text or '')}"
    return None


def _data_rows(raw: object) -> set[int]:
    """The distinct row numbers of the data cells (``cell N`` labels are left out)."""
    import pandas as pd

    cells = getattr(raw, "cells", None)
    if cells is None or "row" not in cells or not len(cells):
        return set()
    rows = cells["row"]
    if pd.api.types.is_integer_dtype(rows.dtype):
        return {int(n) for n in pd.unique(rows)}
    numbers = pd.to_numeric(pd.Series(pd.unique(rows.astype(str))), errors="coerce")
    return {int(n) for n in numbers.dropna()}


def _first_data_row(raw: object) -> int | None:
    import pandas as pd

    cells = getattr(raw, "cells", None)
    if cells is None or "row" not in cells or not len(cells):
        return None
    if pd.api.types.is_integer_dtype(cells["row"].dtype):
        return int(cells["row"].min())
    rows = _data_rows(raw)
    return min(rows) if rows else None


def _text_marker(path: Path, raw: object, *, template: bool) -> str | None:

    encoding = getattr(raw, "encoding", None)
    if template:  # the lines above the header only (a template may have a million rows)
        with path.open("rb") as fh:
            data = fh.read(_TEMPLATE_HEAD_BYTES)
        text = data.decode(encoding or "utf-8", errors="replace")
        first = _first_data_row(raw)
        lines = text.splitlines()[: max((first or 31) - 1, 0)]
        numbered = list(enumerate(lines, 1))
    else:  # titles and footnotes: every line that holds no data cell
        rows = _data_rows(raw)
        text = decode(path.read_bytes(), file=path, encoding=encoding).text
        numbered = [(k, line) for k, line in enumerate(text.splitlines(), 1) if k not in rows]
    for number, line in numbered:
        if synthetic_phrase(line):
            return f"its line {number}: {excerpt(line.strip().strip(_CSV_PUNCTUATION))}"
    return None
