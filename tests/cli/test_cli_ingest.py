"""``nq42 ingest``: summary, outputs written atomically, exit statuses, nothing in data/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


def test_ingest_prints_the_accounting_and_writes_outputs(fx: Path, tmp_path: Path) -> None:
    out, rejected = tmp_path / "tidy.parquet", tmp_path / "rejected.csv"
    result = runner.invoke(app, ["ingest", str(fx / "template_duplicate_rows_different_values.csv"),
                                 str(fx / "yearbook_footnote_rows.csv"),
                                 "--out", str(out), "--quarantine", str(rejected)])
    assert result.exit_code == 0, result.output
    assert "rows read" in result.output and "quarantined" in result.output
    obs = pd.read_parquet(out)
    assert sorted(zip(obs["province_code"], obs["year"], strict=True)) == [("01", 2023), ("01", 2024),
                                                                ("27", 2024)]
    q = pd.read_csv(rejected, dtype=str)
    assert list(q.columns[:6]) == ["source_id", "file", "row", "column", "value", "reason"]
    assert len(q) == 2 and q["reason"].str.startswith("conflicting").all()
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_ingest_csv_output_and_overrides(fx: Path, tmp_path: Path) -> None:
    out = tmp_path / "tidy.csv"
    result = runner.invoke(app, ["ingest", str(fx / "pxweb_unknown_item.csv"), "--indicator",
                                 "social_housing_units_completed", "--geo", "vn63",
                                 "--format", "pxweb-csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, dtype={"province_code": str})["value"].tolist() == [12.0]


def test_ingest_shows_rejected_rows_without_quarantine_file(fx: Path) -> None:
    result = runner.invoke(app, ["ingest", str(fx / "template_percent_over_100.csv")])
    assert result.exit_code == 0
    assert "row 2" in result.output and "limit" in result.output


def test_ingest_exit_1_names_the_file_and_writes_nothing(fx: Path, tmp_path: Path) -> None:
    out = tmp_path / "tidy.csv"
    result = runner.invoke(app, ["ingest", str(fx / "pxweb_plain_year_item_header.csv"),
                                 str(fx / "jsonstat_truncated.json"), "--out", str(out)])
    assert result.exit_code == 1
    assert "jsonstat_truncated.json" in result.output and "not valid JSON" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_ingest_rejects_bad_options(fx: Path, tmp_path: Path) -> None:
    f = str(fx / "pxweb_plain_year_item_header.csv")
    for args, text in ((["--out", str(tmp_path / "x.xlsx")], ".csv or .parquet"),
                       (["--format", "pdf"], "unknown format"),
                       (["--geo", "vn99"], "unknown geography"),
                       (["--indicator", "cats"], "unknown indicator")):
        result = runner.invoke(app, ["ingest", f, *args])
        assert result.exit_code == 1, args
        assert text in result.output, (args, result.output)
