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

from analysis.config import PROVENANCE_GRADES, RAW_DIR
from analysis.errors import DataError
from analysis.versioning import sha256_file

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
    return {str(k).replace("\\", "/"): _normalise_entry(v) for k, v in data.items()}


def _normalise_entry(entry: dict) -> dict:
    out = dict(entry)
    if isinstance(out.get("date_accessed"), (dt.date, dt.datetime)):
        out["date_accessed"] = out["date_accessed"].isoformat()[:10]
    out.setdefault("kind", "observations")
    out["sha256"] = str(out["sha256"]).lower()
    return out


def _entry_problems(key: str, entry: object) -> list[str]:
    from analysis.readers import FORMATS, normalise_format

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
        from analysis.indicators import indicator_ids

        if entry["indicator"] not in indicator_ids():
            problems.append(f"indicator {entry['indicator']!r} is not in the catalogue")
    if key.startswith("/") or ".." in key.split("/"):
        problems.append("the key must be a path inside data/raw/")
    return problems


def raw_files(raw_dir: str | Path | None = None) -> list[str]:
    """Relative paths (forward slashes) of every file under the raw folder, sorted."""
    folder = raw_dir_of(raw_dir)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


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
    missing = [k for k in entries if not (folder / k).is_file()]
    # `nq42 fetch` downloads are git-ignored but registered in the tracked sources.yml: on a
    # clone that has not fetched them they are simply absent, not an error.
    not_fetched = [k for k in missing if k.startswith(DOWNLOADS_PREFIX)]
    if not_fetched:
        log.warning("not downloaded on this machine (run `nq42 fetch`), skipped: %s",
                    ", ".join(not_fetched))
        entries = {k: v for k, v in entries.items() if k not in not_fetched}
        missing = [k for k in missing if k not in not_fetched]
    mismatched = []
    if verify_hashes:
        for key, entry in entries.items():
            if key in missing:
                continue
            actual = sha256_file(folder / key)
            if actual != entry["sha256"]:
                mismatched.append(f"{key} (sha256 {actual[:12]}…, register says "
                                  f"{entry['sha256'][:12]}…)")
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
                        "instead of editing one (analysis.register.register_source)")
    return entries


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
            key = path.relative_to(folder).as_posix()
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
    from analysis.atomic import write_text

    folder = raw_dir_of(raw_dir)
    rel_path = rel_path.replace("\\", "/").strip("/")
    target = folder / rel_path
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
