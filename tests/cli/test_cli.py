"""The nq42 command: help a ministry analyst can read, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "ingest", "reports", "fetch"):
        assert command in result.output
    assert "Resolution 42-NQ/TW" in result.output
    fetch = runner.invoke(app, ["fetch", "--help"])
    assert "boundaries" in fetch.output and "nso" in fetch.output


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True,
                         text=True, check=True)
    assert "nq42" in out.stdout and "reports" in out.stdout


def test_a_user_error_prints_one_line_not_a_traceback(tmp_path):
    missing = tmp_path / "không-có.csv"
    result = runner.invoke(app, ["ingest", str(missing)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "không-có.csv" in result.output
