"""``nq42 coverage``: reads the built tables, prints per sector or CSV; exit 1 without them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis import schemas
from analysis.cli import app

runner = CliRunner()


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    folder = tmp_path / "processed"
    folder.mkdir()
    obs = pd.DataFrame({
        "geo_version": ["vn34", "vn34", "vn34", "vn63"],
        "province_code": ["01", "04", "VN", "01"],
        "year": [2023, 2024, 2024, 2022],
        "indicator": ["rural_pop_clean_water_pct"] * 3 + ["social_housing_units_completed"],
        "value": [50.0, 60.0, 55.0, 10.0],
        "provenance": ["official", "synthetic", "secondary", "synthetic"],
    })
    progress = pd.DataFrame({
        "geo_version": ["vn34", "vn34", "vn34"], "province_code": ["01", "04", "01"],
        "target_id": ["w80", "w80", "solid"],
        "indicator": ["rural_pop_clean_water_pct", "rural_pop_clean_water_pct",
                      "solid_housing_pct"],
        "sector": ["water", "water", "housing"],
        "status": ["on_track", "limited_progress", "insufficient_data"],
        "evidence_grade": ["official", "synthetic", ""],
    })
    obs.to_parquet(folder / "observations.parquet", index=False)
    progress.to_parquet(folder / "progress.parquet", index=False)
    return folder


def test_missing_tables_exit_1_with_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["coverage", "--processed-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "run nq42 build first" in result.output
    assert "observations.parquet" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_csv_output_parses(processed: Path) -> None:
    result = runner.invoke(app, ["coverage", "--processed-dir", str(processed), "--format",
                                 "csv", "--geo", "all"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(table.columns) == schemas.COVERAGE_COLUMNS
    assert set(table["geo_version"]) == {"vn34", "vn63"}
    water = table[(table["geo_version"] == "vn34")
                  & (table["indicator"] == "rural_pop_clean_water_pct")].iloc[0]
    assert (water["provinces_official"], water["provinces_synthetic"],
            water["national_secondary"], water["verdicts_real"]) == ("1", "1", "True", "1")
    gap = table[(table["geo_version"] == "vn34") & (table["indicator"] == "solid_housing_pct")]
    assert gap.iloc[0]["targets"] == "1" and gap.iloc[0]["points_official"] == "0"


def test_table_output_one_table_per_sector(processed: Path) -> None:
    result = runner.invoke(app, ["coverage", "--processed-dir", str(processed)])
    assert result.exit_code == 0, result.output
    assert "coverage — water" in result.output and "coverage — housing" in result.output
    assert "rural_pop_clean_water_pct" in result.output
    assert "vn63" not in result.output  # --geo vn34 is the default
    assert "targets without any data: solid_housing_pct" in result.output


@pytest.mark.parametrize(("args", "text"), [(["--geo", "vn99"], "unknown geography"),
                                            (["--format", "xml"], "unknown format")])
def test_bad_options(processed: Path, args: list[str], text: str) -> None:
    result = runner.invoke(app, ["coverage", "--processed-dir", str(processed), *args])
    assert result.exit_code == 1 and text in result.output


def test_help_lists_coverage() -> None:
    result = runner.invoke(app, ["--help"])
    assert "coverage" in result.output
