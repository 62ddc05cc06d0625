"""``nq42 build`` output safety (issue 14, defects 4-6): the output-folder lock, cleanup of
only what the build created, no spreadsheet formulas in the CSV tables."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core import atomic
from analysis.core.csvsafe import neutralise_csv_cell, restore_csv_cell, restore_frame
from analysis.core.errors import ParameterError
from analysis.core.lock import exclusive
from analysis.pipeline import build

runner = CliRunner()

HEADER = "province,year,indicator,value,numerator,denominator,unit,source,provenance,note\n"
IND = "health_stations_with_doctor_pct"
EVIL = ["=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "-2+3"]


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A tiny raw folder: one good row, and rows whose value cells are formulas."""
    folder = tmp_path / "raw"
    (folder / "moh").mkdir(parents=True)
    rows = [f"Hà Nội,2024,{IND},70.0,,,%,s,secondary,\n"]
    provinces = ["Bắc Ninh", "Hải Phòng", "Nam Định", "Hà Giang", "Lào Cai"]
    rows += [f'{p},2024,{IND},"{v.replace(chr(34), chr(34) * 2)}",,,%,s,secondary,\n'
             for p, v in zip(provinces, EVIL, strict=True)]
    path = folder / "moh" / "health.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    entries = {"moh/health.csv": {
        "title": "t", "producer": "test", "provenance": "secondary", "format": "template",
        "date_accessed": "2026-11-28", "licence": "unknown",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}
    (folder / "sources.yml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    return folder


# -- defect 6: formula injection ---------------------------------------------------------------


@pytest.mark.parametrize("value", [*EVIL, "'=x", "''@y", "'plain", "plain", "", "-", "\tx"])
def test_neutralising_is_reversible(value: str) -> None:
    safe = neutralise_csv_cell(value)
    assert not str(safe).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_csv_cell(safe) == value


def test_quarantine_csv_has_no_formulas_and_keeps_the_raw_values(raw: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    build.run_build(raw, out)
    text = (out / "quarantine.csv").read_text(encoding="utf-8")
    q = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert set(EVIL) <= set(restore_frame(q)["value"])  # every bad cell was quarantined
    for col in q.columns:
        assert not q[col].str.match(r"[=+\-@\t\r]").any(), col
    assert "'=1+2" in text and "'@SUM(A1)" in text and "'=HYPERLINK(" in text
    build.schemas.quarantine_schema().validate(q)  # still the declared table


# -- defect 4: the build lock ------------------------------------------------------------------


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from analysis.core.lock import exclusive
    from analysis.pipeline.build import BUILD_LOCK
    with exclusive(Path(sys.argv[1]), BUILD_LOCK, "nq42 build", remove_when_done=True):
        Path(sys.argv[2]).write_text("held")
        time.sleep(60)
""")


def test_a_second_build_into_a_locked_folder_says_who_holds_it(raw: Path,
                                                              tmp_path: Path) -> None:
    pytest.importorskip("fcntl")
    out, ready = tmp_path / "out", tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), str(ready)])
    try:
        for _ in range(600):
            if ready.exists() or holder.poll() is not None:
                break
            import time

            time.sleep(0.05)
        assert ready.exists(), "the holder never took the lock"
        result = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "another `nq42 build` run is writing into" in result.output
        assert f"pid {holder.pid}" in result.output and "started 20" in result.output
        assert "Traceback" not in result.output
        assert not (out / "observations.parquet").exists()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # the holder died (SIGKILL): its lock is free at once, and the build removes the file
    assert build.run_build(raw, out).n_observations
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_the_lock_refuses_a_second_holder_in_process(tmp_path: Path) -> None:
    pytest.importorskip("fcntl")
    with exclusive(tmp_path, build.BUILD_LOCK, "nq42 build", remove_when_done=True):
        with pytest.raises(ParameterError, match=rf"pid {os.getpid()}, started"):
            with exclusive(tmp_path, build.BUILD_LOCK, "nq42 build"):
                pass
        assert (tmp_path / build.BUILD_LOCK).exists()
    assert not (tmp_path / build.BUILD_LOCK).exists()


def test_the_reports_lock_is_the_same_lock(tmp_path: Path) -> None:
    pytest.importorskip("fcntl")
    from analysis.reports.lock import exclusive as reports_exclusive

    with reports_exclusive(tmp_path):
        with pytest.raises(ParameterError, match=r"another `nq42 reports` run .*pid \d+"):
            with reports_exclusive(tmp_path):
                pass


# -- defect 5: cleanup only of what we created -------------------------------------------------


def test_files_the_build_did_not_create_survive_it(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".staging-x").mkdir(parents=True)
    (out / ".staging-x" / "thesis.docx").write_text("mine")
    (out / ".x.tmp").write_text("mine too")
    (out / ".quarantine.csv.abc.tmp").write_text("and this")
    # a forged marker (not our text) does not license deleting its folder either
    (out / ".staging-y").mkdir()
    (out / ".staging-y" / "keep").write_text("keep")
    (out / ".staging-y.nq42-staging").write_text("not ours")
    build.run_build(raw, out)
    build.run_build(raw, out)
    assert (out / ".staging-x" / "thesis.docx").read_text() == "mine"
    assert (out / ".x.tmp").read_text() == "mine too"
    assert (out / ".quarantine.csv.abc.tmp").read_text() == "and this"
    assert (out / ".staging-y" / "keep").read_text() == "keep"


def test_a_killed_writers_marked_staging_folder_is_removed(tmp_path: Path) -> None:
    staging, marker = atomic._new_staging(tmp_path)  # as a SIGKILLed build leaves them
    (staging / "observations.parquet").write_bytes(b"partial")
    assert marker.exists() and marker.name == staging.name + atomic.STAGING_MARKER_SUFFIX
    with atomic.atomic_outputs(tmp_path) as stage:
        stage("a.txt").write_text("new")
    assert not staging.exists() and not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
