"""Provenance comes from the register (or the user), never from a file's looks.

* a file outside the register is ``unregistered`` unless ``--provenance`` states a grade;
* a file that says it is synthetic is ``synthetic``, whatever else is said;
* inside a raw folder, the register's grade wins over ``--provenance``;
* ``unregistered`` rows are written by ``nq42 ingest --out``; the build's schema refuses them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis import schemas
from analysis.cli import app
from analysis.core.config import RAW_DIR
from analysis.ingest import read_with_report
from analysis.sources.register import register_source, synthetic_marker, synthetic_phrase

runner = CliRunner()
SYNTHETIC_DIR = RAW_DIR / "synthetic"
SYNTHETIC_FILES = sorted(p.name for p in SYNTHETIC_DIR.glob("*") if p.is_file()) \
    if SYNTHETIC_DIR.is_dir() else []
#: Synthetic raw files whose content carries no synthetic marker: outside the register they can
#: only be "unregistered", never "synthetic". Empty: the plain PX-Web CSVs carry the marker in
#: their first header cell (scripts/make_default_data.py, MARKED_GEO_LABEL).
NO_MARKER: set[str] = set()  # every synthetic file we ship says so in its own content


def ingest(tmp_path: Path, *files: Path, args: tuple[str, ...] = ()) -> tuple[str, pd.DataFrame]:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["ingest", *map(str, files), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    obs = pd.read_csv(out, dtype={"province_code": str})
    return " ".join(result.output.split()), obs


def entry_options(name: str) -> tuple[str, ...]:
    """``--indicator``/``--format``/``--geo`` from the file's register entry (the copy outside
    data/raw has no entry to take them from; without them a file may read no row)."""
    import yaml

    try:
        entry = (yaml.safe_load((RAW_DIR / "sources.yml").read_text(encoding="utf-8")) or {}
                 ).get(f"synthetic/{name}") or {}
    except (OSError, yaml.YAMLError):
        entry = {}
    options: list[str] = []
    for key, option in (("indicator", "--indicator"), ("format", "--format"),
                        ("geo_version", "--geo")):
        if entry.get(key):
            options += [option, str(entry[key])]
    return tuple(options)


def copy_outside_raw(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "elsewhere"  # no sources.yml in any parent
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy2(SYNTHETIC_DIR / name, folder / name))


# --- our synthetic files, copied outside data/raw ---------------------------------------------

@pytest.mark.parametrize("name", SYNTHETIC_FILES)
def test_a_synthetic_file_outside_the_register_is_never_official(tmp_path: Path,
                                                                 name: str) -> None:
    output, obs = ingest(tmp_path, copy_outside_raw(tmp_path, name), args=entry_options(name))
    assert len(obs)
    assert "official" not in set(obs["provenance"])
    expected = {"unregistered"} if name in NO_MARKER else {"synthetic"}
    assert set(obs["provenance"]) == expected, output
    if name not in NO_MARKER:
        assert "the file says it is synthetic" in output


@pytest.mark.parametrize("name", [n for n in SYNTHETIC_FILES if n not in NO_MARKER])
def test_provenance_official_does_not_make_a_synthetic_file_official(tmp_path: Path,
                                                                     name: str) -> None:
    output, obs = ingest(tmp_path, copy_outside_raw(tmp_path, name),
                         args=("--provenance", "official", *entry_options(name)))
    assert set(obs["provenance"]) == {"synthetic"}
    assert "not applied" in output and "the file says it is synthetic" in output


def test_the_list_of_files_without_a_marker_is_up_to_date() -> None:
    from analysis.sources.readers import read_raw

    if not SYNTHETIC_FILES:
        pytest.skip("no data/raw/synthetic")
    unmarked = set()
    for name in SYNTHETIC_FILES:
        path = SYNTHETIC_DIR / name
        raw = read_raw(path)
        sources = set(raw.cells["source"].astype(str)) if "source" in raw.cells else set()
        if synthetic_marker(path, raw) is None and not any(map(synthetic_phrase, sources)):
            unmarked.add(name)
    assert unmarked == NO_MARKER & set(SYNTHETIC_FILES)


# --- a real NSO export outside the register ---------------------------------------------------

@pytest.fixture
def nso_copy(nso_samples: Path, tmp_path: Path) -> Path:
    source = nso_samples / "exports" / "V02.01_datasciencedances.csv"
    if not source.is_file():
        pytest.skip("../shared/nso-samples/exports not available")
    folder = tmp_path / "downloads"
    folder.mkdir()
    return Path(shutil.copy2(source, folder / "V02.01.csv"))


def test_an_unregistered_nso_export_is_unregistered_with_a_hint(tmp_path: Path,
                                                                nso_copy: Path) -> None:
    output, obs = ingest(tmp_path, nso_copy)
    assert set(obs["provenance"]) == {"unregistered"}
    assert "provenance: unregistered (not in a register" in output
    assert "add it to data/raw/sources.yml" in output and "--provenance" in output
    assert "official" not in set(obs["provenance"])


def test_provenance_secondary_is_applied_to_an_unregistered_file(tmp_path: Path,
                                                                 nso_copy: Path) -> None:
    output, obs = ingest(tmp_path, nso_copy, args=("--provenance", "secondary"))
    assert set(obs["provenance"]) == {"secondary"}
    assert "stated with --provenance" in output
    schemas.validate(schemas.conform(obs.astype({"geo_version": str})))  # a build-valid grade


# --- without ../shared: the one-defect fixtures ------------------------------------------------

def test_fixture_outside_the_register_is_unregistered_and_stated_grade_applies(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_plain_year_item_header.csv")
    assert r.provenance == "unregistered" and set(r.observations["provenance"]) == {
        "unregistered"}
    assert "not in a register" in r.provenance_basis
    stated = read_with_report(fx / "pxweb_plain_year_item_header.csv",
                              stated_provenance="secondary")
    assert stated.provenance == "secondary"
    pd.testing.assert_frame_equal(stated.observations.drop(columns="provenance"),
                                  r.observations.drop(columns="provenance"))


def test_unknown_stated_grade_is_refused(fx: Path) -> None:
    result = runner.invoke(app, ["ingest", str(fx / "pxweb_plain_year_item_header.csv"),
                                 "--provenance", "unregistered"])
    assert result.exit_code == 1 and "unknown provenance grade" in result.output


def test_the_build_schema_refuses_unregistered_rows(fx: Path) -> None:
    obs = read_with_report(fx / "pxweb_plain_year_item_header.csv").observations
    bad = schemas.failures(obs)
    assert len(bad) == len(obs) and set(bad["column"]) == {"provenance"}
    assert schemas.failures(obs, grades=schemas.INGEST_GRADES).empty


@pytest.fixture
def raw(tmp_path: Path, fx: Path) -> Path:
    """A raw folder with a register: a secondary file and an 'official' synthetic-titled one."""
    folder = tmp_path / "raw"
    (folder / "press").mkdir(parents=True)
    (folder / "sources.yml").write_text("", encoding="utf-8")
    shutil.copy2(fx / "pxweb_plain_year_item_header.csv", folder / "press" / "health.csv")
    text = (fx / "pxweb_with_heading_two_row_header.csv").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    (folder / "press" / "titled.csv").write_text(
        first.replace('"', '"[SYNTHETIC – illustrative only] ', 1) + "\n" + rest,
        encoding="utf-8")
    base = {"title": "t", "producer": "p", "date_accessed": "2026-12-01", "licence": "l"}
    register_source("press/health.csv", {**base, "provenance": "secondary"}, raw_dir=folder)
    register_source("press/titled.csv", {**base, "provenance": "official"}, raw_dir=folder)
    return folder


def test_the_register_grade_wins_over_provenance(tmp_path: Path, raw: Path) -> None:
    output, obs = ingest(tmp_path, raw / "press" / "health.csv",
                         args=("--provenance", "official"))
    assert set(obs["provenance"]) == {"secondary"}
    assert "register entry 'press/health.csv'" in output
    assert "--provenance official not applied: the register's grade wins" in output


def test_a_registered_file_that_says_it_is_synthetic_is_synthetic(tmp_path: Path,
                                                                  raw: Path) -> None:
    output, obs = ingest(tmp_path, raw / "press" / "titled.csv")
    assert set(obs["provenance"]) == {"synthetic"}
    assert "the file says it is synthetic: its title line" in output
    assert "the register says official: not applied" in output


def test_a_changed_registered_file_is_unregistered(tmp_path: Path, raw: Path) -> None:
    path = raw / "press" / "health.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_with_report(path).provenance == "unregistered"


def test_the_build_passes_the_register_grade(raw: Path) -> None:
    r = read_with_report(raw / "press" / "health.csv", source_id="press/health.csv",
                         provenance="secondary")
    assert r.provenance == "secondary"


# --- where a file says it is synthetic --------------------------------------------------------

def test_a_footnote_line_marks_a_csv(fx: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = (fx / "pxweb_footnote_lines_with_commas.csv").read_text(encoding="utf-8")
    path.write_text(text + '"Ghi chú: số liệu giả lập, không phải số liệu thật"\n',
                    encoding="utf-8")
    r = read_with_report(path, stated_provenance="official")
    assert r.provenance == "synthetic"
    assert "its line" in r.provenance_basis and "giả lập" in r.provenance_basis


@pytest.mark.parametrize(("key", "value", "where"), [
    ("note", ["Số liệu tổng hợp (minh hoạ) cho thử nghiệm"], "JSON-stat note"),
    ("extension", {"synthetic": True}, "JSON-stat extension"),
    ("label", "Synthetic rates by province", "JSON-stat label"),
])
def test_jsonstat_label_note_or_extension_marks_it(fx: Path, tmp_path: Path, key: str,
                                                   value: object, where: str) -> None:
    data = json.loads((fx / "jsonstat_version_2.json").read_text(encoding="utf-8"))
    data[key] = value
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = read_with_report(path)
    assert r.provenance == "synthetic" and where in r.provenance_basis


def test_jsonstat_extension_synthetic_false_is_no_marker(fx: Path, tmp_path: Path) -> None:
    data = json.loads((fx / "jsonstat_version_2.json").read_text(encoding="utf-8"))
    path = tmp_path / "t.json"
    path.write_text(json.dumps({**data, "extension": {"synthetic": False}}), encoding="utf-8")
    assert read_with_report(path).provenance == "unregistered"


def test_template_rows_whose_source_says_synthetic_are_synthetic(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "province,year,indicator,value,unit,source,provenance\n"
        "01,2024,health_stations_with_doctor_pct,57.3,,\"Báo cáo 12/BC-SYT, 2025\",official\n"
        "79,2024,health_stations_with_doctor_pct,88.0,,NQ42 synthetic generator,official\n",
        encoding="utf-8")
    r = read_with_report(path)
    grades = r.observations.set_index("province_code")["provenance"].to_dict()
    assert grades == {"01": "official", "79": "synthetic"}
    assert r.provenance == "synthetic"
    assert "rows whose source says they are synthetic" in r.provenance_basis


def test_the_template_guide_sheet_is_not_a_marker() -> None:
    example = RAW_DIR / "templates" / "example_social_housing_2025_en.xlsx"
    if not example.is_file():
        pytest.skip("no example template")
    assert read_with_report(example).provenance == "secondary"


@pytest.mark.parametrize("text", [
    "[SYNTHETIC – illustrative only] Tỷ lệ", "NQ42 Tracker synthetic generator",
    "Số liệu tổng hợp (minh hoạ)", "giả định minh họa", "số liệu giả lập",
    "Illustrative only", "not real data"])
def test_synthetic_phrases(text: str) -> None:
    assert synthetic_phrase(text)


@pytest.mark.parametrize("text", [
    "Số liệu tổng hợp", "Tổng hợp từ báo cáo của các tỉnh", "Tỷ lệ hộ gia đình", "",
    "Nguồn: Tổng cục Thống kê", "synthesis report"])
def test_not_synthetic_phrases(text: str) -> None:
    assert synthetic_phrase(text) is None
