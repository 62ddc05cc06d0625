"""Issue 14 hardening: line endings, register keys that escape ``data/raw``, NFD file names.

One defect per fixture, built in ``tmp_path``; each test states the exact outcome.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.errors import DataError
from analysis.ingest import read_with_report
from analysis.pipeline import build
from analysis.sources.readers.encoding import decode, unify_newlines
from analysis.sources.register import (
    check_register,
    find_entry,
    key_path,
    load_register,
    normalise_key,
    register_source,
)

# --------------------------------------------------------------------------------------
# 1. Line endings: LF, CRLF, CR (old Mac / Excel "CSV (Macintosh)") and mixes read the same
# --------------------------------------------------------------------------------------

# a template: a good row, a row with a bad value, a quoted note with a line break, a good row
TEMPLATE_LINES = [
    "province,year,indicator,value,unit,source,provenance,note",
    "Hà Nội,2024,rural_hh_clean_water_pct,74.2,percent,s,secondary,",
    "Bắc Ninh,2024,rural_hh_clean_water_pct,abc,percent,s,secondary,",
    'Hải Phòng,2024,rural_hh_clean_water_pct,80.5,percent,s,secondary,"line one{NL}line two"',
    "Thái Bình,2024,rural_hh_clean_water_pct,66.0,percent,s,secondary,",
]
# a statistical-yearbook CSV (semicolons, decimal comma, title lines, one bad cell)
YEARBOOK_LINES = [
    '"Tỷ lệ trạm y tế xã có bác sĩ phân theo địa phương"',
    '"Đơn vị tính: % - Unit: %"',
    '"Tỉnh/Thành phố - Province";"2022";"2023";"Sơ bộ - Prel. 2024"',
    '"CẢ NƯỚC - WHOLE COUNTRY";"92,15";"93,40";"94,05"',
    '"Hà Nội";"99,30";"99,55";"100"',
    '"Thái Bình";"96,7";"abc";"97,85"',
]
ENDINGS = {"lf": ["\n"], "crlf": ["\r\n"], "cr": ["\r"], "mixed": ["\r\n", "\r", "\n"]}


def join(lines: list[str], ending: str) -> str:
    """The lines with the ending convention (mixed: each line ends in the next of three)."""
    ends = ENDINGS[ending]
    out = []
    for k, line in enumerate(lines):
        out.append(line.replace("{NL}", ends[(k + 1) % len(ends)]) + ends[k % len(ends)])
    return "".join(out)


def outcome(path: Path, **kw) -> tuple:
    r = read_with_report(path, **kw)
    assert r.rows_read == r.rows_kept + r.rows_quarantined + r.rows_dropped_as_aggregates
    obs = sorted((o.province_code, o.year, round(o.value, 4)) for o in r.observations.itertuples())
    quarantined = sorted((int(q.row), str(q.value)) for q in r.quarantine.itertuples())
    return r.rows_read, r.rows_kept, r.rows_quarantined, obs, quarantined


def test_unify_newlines_on_text_and_utf8_bytes() -> None:
    assert unify_newlines("a\r\nb\rc\nd\r") == "a\nb\nc\nd\n"
    assert unify_newlines("Hà Nội\r".encode()) == "Hà Nội\n".encode()
    assert unify_newlines("no breaks") == "no breaks"
    assert decode("x\ry\r\n".encode("utf-16")).text == "x\ny\n"


@pytest.mark.parametrize("ending", ["crlf", "cr", "mixed"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_template_reads_the_same_rows_whatever_the_line_endings(
        tmp_path: Path, ending: str, encoding: str) -> None:
    base = tmp_path / "lf.csv"
    base.write_text(join(TEMPLATE_LINES, "lf"), encoding="utf-8")
    variant = tmp_path / f"{ending}.csv"
    variant.write_bytes(join(TEMPLATE_LINES, ending).encode(encoding))
    expected = (4, 3, 1, [("01", 2024, 74.2), ("31", 2024, 80.5), ("34", 2024, 66.0)],
                [(3, "abc")])
    assert outcome(base) == expected
    assert outcome(variant) == outcome(base)


def test_cr_only_template_of_the_issue_reads_its_row(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(("province,year,indicator,value,unit,source,provenance\r"
                      "Hà Nội,2024,rural_hh_clean_water_pct,74.2,percent,s,secondary\r").encode())
    rows_read, kept, quarantined, obs, _ = outcome(path)
    assert (rows_read, kept, quarantined) == (1, 1, 0)
    assert obs == [("01", 2024, 74.2)]


def test_a_quoted_line_break_stays_inside_its_cell(tmp_path: Path) -> None:
    from analysis.sources.readers import read_raw

    path = tmp_path / "cr.csv"
    path.write_bytes(join(TEMPLATE_LINES, "cr").encode())
    raw = read_raw(path)
    assert list(raw.cells["row"]) == [2, 3, 4, 6]  # the note spans lines 4 and 5
    assert "province" in raw.field_columns and len(raw.cells) == 4


@pytest.mark.parametrize("ending", ["crlf", "cr", "mixed"])
def test_yearbook_csv_reads_the_same_rows_whatever_the_line_endings(
        tmp_path: Path, ending: str) -> None:
    base = tmp_path / "lf.csv"
    base.write_text(join(YEARBOOK_LINES, "lf"), encoding="utf-8")
    variant = tmp_path / f"{ending}.csv"
    variant.write_text(join(YEARBOOK_LINES, ending), encoding="utf-8", newline="")
    kw = {"indicator": "health_stations_with_doctor_pct", "fmt": "yearbook"}
    rows_read, kept, quarantined, obs, bad = outcome(base, **kw)
    assert (rows_read, kept, quarantined) == (9, 8, 1)
    assert bad == [(6, "abc")]
    assert ("01", 2022, 99.3) in obs and ("VN", 2024, 94.05) in obs
    assert outcome(variant, **kw) == (rows_read, kept, quarantined, obs, bad)


# --------------------------------------------------------------------------------------
# 8. Register keys must stay inside data/raw: every separator spelling, symbolic links
# --------------------------------------------------------------------------------------

TEMPLATE = ("province,year,indicator,value,unit,source,provenance\n"
            "Hà Nội,2024,rural_hh_clean_water_pct,74.2,percent,s,secondary\n")


def entry(path: Path, **extra) -> dict:
    return {"title": "t", "producer": "p", "provenance": "secondary",
            "date_accessed": "2026-11-28", "licence": "unknown", "format": "template",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **extra}


def write_register(raw: Path, entries: dict) -> None:
    (raw / "sources.yml").write_text(yaml.safe_dump(entries, allow_unicode=True),
                                     encoding="utf-8")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A raw folder with one registered template, and a file outside it."""
    folder = tmp_path / "work" / "data" / "raw"
    (folder / "moh").mkdir(parents=True)
    (folder / "moh" / "a.csv").write_text(TEMPLATE, encoding="utf-8")
    outside = tmp_path / "work" / "outside"
    outside.mkdir()
    (outside / "trav.csv").write_text(TEMPLATE, encoding="utf-8")
    write_register(folder, {"moh/a.csv": entry(folder / "moh" / "a.csv")})
    return folder


def never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("a source was read")

    monkeypatch.setattr(build, "read_state", fail)


ESCAPES = [
    "..\\..\\outside\\trav.csv",
    "..\\outside\\trav.csv",
    "..\\x.csv",
    "a/../../x.csv",
    "moh\\..\\..\\..\\outside\\trav.csv",
    "moh/./../../outside/trav.csv",
    "/etc/passwd",
    "\\etc\\passwd",
    "\\\\server\\share\\x.csv",
    "C:\\x.csv",
    "c:/x.csv",
    "moh/../moh/a.csv",  # inside after all, but a key is a plain path: refused too
]


@pytest.mark.parametrize("key", ESCAPES)
def test_escaping_keys_are_refused_naming_the_key_before_anything_is_read(
        raw: Path, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries[key] = entry(raw.parent.parent / "outside" / "trav.csv")
    write_register(raw, entries)
    never_read(monkeypatch)
    with pytest.raises(DataError) as err:
        build.run_build(raw, raw.parent / "out")
    assert err.value.problem == (
        "register entries are incomplete or invalid:\n  "
        f"{key}: the key must be a path inside data/raw/ (no '..', no absolute path or drive)")
    with pytest.raises(DataError, match="the key must be a path inside data/raw/"):
        key_path(raw, key)


def test_cli_build_reports_an_escaping_key_in_one_message(raw: Path) -> None:
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries["..\\..\\outside\\trav.csv"] = entry(raw.parent.parent / "outside" / "trav.csv")
    write_register(raw, entries)
    result = CliRunner().invoke(app, ["build", "--raw", str(raw), "--out",
                                      str(raw.parent / "out")])
    assert result.exit_code == 1
    assert "..\\..\\outside\\trav.csv: the key must be a path inside data/raw/" in result.output
    assert "Traceback" not in result.output
    assert not (raw.parent / "out").exists()


def test_registering_an_escaping_path_is_refused(raw: Path) -> None:
    with pytest.raises(DataError, match=r"register key '\.\./\.\./outside/trav\.csv'"):
        register_source("..\\..\\outside\\trav.csv", {}, raw)


@pytest.mark.parametrize("link", ["file", "folder", "dangling"])
def test_a_registered_symlink_pointing_outside_is_refused(
        raw: Path, link: str, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = raw.parent.parent / "outside"
    if link == "file":
        key = "moh/link.csv"
        (raw / "moh" / "link.csv").symlink_to(outside / "trav.csv")
    elif link == "folder":
        key = "ext/trav.csv"
        (raw / "ext").symlink_to(outside, target_is_directory=True)
    else:
        key = "moh/gone.csv"
        (raw / "moh" / "gone.csv").symlink_to(outside / "gone.csv")
    target = (outside / ("gone.csv" if link == "dangling" else "trav.csv")).resolve()
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries[key] = entry(outside / "trav.csv")
    write_register(raw, entries)
    never_read(monkeypatch)
    with pytest.raises(DataError) as err:
        build.run_build(raw, raw.parent / "out")
    assert err.value.problem == (f"register key {key!r} resolves outside the raw folder (to "
                                 f"{target}): a symbolic link? Copy the file into data/raw "
                                 "instead")


def test_a_symlink_inside_the_raw_folder_is_accepted(raw: Path) -> None:
    (raw / "moh" / "same.csv").symlink_to(raw / "moh" / "a.csv")
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries["moh/same.csv"] = entry(raw / "moh" / "a.csv")
    write_register(raw, entries)
    assert sorted(check_register(raw)) == ["moh/a.csv", "moh/same.csv"]


@pytest.mark.parametrize("key", ["moh\\a.csv", "./moh/a.csv", "moh//a.csv", ".\\moh\\a.csv"])
def test_other_spellings_of_a_key_inside_are_normalised(raw: Path, key: str) -> None:
    write_register(raw, {key: entry(raw / "moh" / "a.csv")})
    assert list(check_register(raw)) == ["moh/a.csv"]
    assert normalise_key(key) == "moh/a.csv"


def test_two_spellings_of_one_key_are_refused(raw: Path) -> None:
    e = entry(raw / "moh" / "a.csv")
    write_register(raw, {"moh/a.csv": e, "moh\\a.csv": e})
    with pytest.raises(DataError, match="name the same file twice .*: moh/a.csv"):
        load_register(raw)


# --------------------------------------------------------------------------------------
# Weak case: a file name in NFD (macOS) with its key in NFC (or the other way round)
# --------------------------------------------------------------------------------------

NAME = "moh/Hà Nội nước sạch.csv"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("disk, key", [(nfd(NAME), NAME), (NAME, nfd(NAME))],
                         ids=["nfd-file-nfc-key", "nfc-file-nfd-key"])
def test_file_and_key_in_different_unicode_forms_are_the_same_file(
        raw: Path, disk: str, key: str) -> None:
    (raw / disk).write_text(TEMPLATE, encoding="utf-8")
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries[key] = entry(raw / disk)
    write_register(raw, entries)
    assert sorted(check_register(raw)) == sorted(["moh/a.csv", NAME])  # in neither list
    assert key_path(raw, key).read_text(encoding="utf-8") == TEMPLATE
    found, e = find_entry(raw / disk)
    assert found == NAME and e is not None and e["provenance"] == "secondary"


def test_build_reads_an_nfd_named_file_registered_in_nfc(raw: Path) -> None:
    (raw / nfd(NAME)).write_text(TEMPLATE, encoding="utf-8")
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries[NAME] = entry(raw / nfd(NAME))
    write_register(raw, entries)
    summary = build.run_build(raw, raw.parent / "out")
    # both files read (the same figure twice: the reconciliation keeps one, quarantines one)
    read_ = {s.source_id: s.result.rows_read for s in summary.sources}
    assert read_ == {"moh/a.csv": 1, NAME: 1}
    assert summary.n_quarantined == 1
