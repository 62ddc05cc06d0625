"""``nq42 ingest --out/--quarantine`` (issue 14, defects 6-7): never into data/raw/ or
data/processed/, no spreadsheet formulas in the CSV it writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core import config
from analysis.core.csvsafe import restore_frame

runner = CliRunner()

IND = "health_stations_with_doctor_pct"
EVIL = ["=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")']


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    rows = [f"Hà Nội,2024,{IND},70.0,%,s,secondary\n"]
    rows += [f'{p},2024,{IND},"{v.replace(chr(34), chr(34) * 2)}",%,s,secondary\n'
             for p, v in zip(["Bắc Ninh", "Hải Phòng", "Nam Định", "Hà Giang"], EVIL,
                             strict=True)]
    path.write_text("province,year,indicator,value,unit,source,provenance\n" + "".join(rows),
                    encoding="utf-8")
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", [
    lambda: config.RAW_DIR / "sources.yml",
    lambda: config.RAW_DIR / "x" / ".." / "new.csv",
    lambda: config.PROCESSED_DIR / "observations.parquet",
    lambda: config.PROJECT_ROOT / "data" / "processed" / "quarantine.csv",
    lambda: config.PROJECT_ROOT / "data" / "raw" / "sub" / "new.parquet",
], ids=["raw-register", "raw-dotdot", "processed-table", "processed-quarantine", "raw-sub"])
@pytest.mark.parametrize("option", ["--out", "--quarantine"])
def test_outputs_in_the_data_folders_are_refused(bad: Path, where, option: str) -> None:
    target = where()
    if option == "--quarantine":
        target = target.with_suffix(".csv")
    elif target.suffix not in (".csv", ".parquet"):
        target = target.with_suffix(".csv")
    before = _snapshot(config.PROJECT_ROOT / "data" / "raw")
    result = runner.invoke(app, ["ingest", str(bad), option, str(target)])
    assert result.exit_code == 1, result.output
    assert "nq42 ingest writes nothing in data/raw/" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(config.PROJECT_ROOT / "data" / "raw") == before


def test_a_symlink_into_the_data_folders_is_refused(bad: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(config.PROJECT_ROOT / "data" / "processed", target_is_directory=True)
    result = runner.invoke(app, ["ingest", str(bad), "--quarantine", str(link / "quarantine.csv")])
    assert result.exit_code == 1, result.output
    assert "is inside data/processed/" in result.output
    file_link = tmp_path / "obs.csv"
    file_link.symlink_to(config.PROJECT_ROOT / "data" / "raw" / "sources.yml.csv")
    result = runner.invoke(app, ["ingest", str(bad), "--out", str(file_link)])
    assert result.exit_code == 1 and "is inside data/raw/" in result.output


def test_out_and_quarantine_on_one_file_are_refused(bad: Path, tmp_path: Path) -> None:
    same = tmp_path / "both.csv"
    result = runner.invoke(app, ["ingest", str(bad), "--out", str(same), "--quarantine",
                                 str(tmp_path / "." / "both.csv")])
    assert result.exit_code == 1 and "name the same file" in result.output
    assert not same.exists()


def test_quarantine_output_is_neutralised(bad: Path, tmp_path: Path) -> None:
    rejected = tmp_path / "rejected.csv"
    result = runner.invoke(app, ["ingest", str(bad), "--quarantine", str(rejected)])
    assert result.exit_code == 0, result.output
    q = pd.read_csv(rejected, dtype=str, keep_default_na=False)
    assert len(q) == len(EVIL)
    for col in q.columns:
        assert not q[col].str.match(r"[=+\-@\t\r]").any(), col
    assert sorted(restore_frame(q)["value"]) == sorted(EVIL)  # the raw values, recoverable
    assert not list(tmp_path.glob(".*"))
