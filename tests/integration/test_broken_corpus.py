"""Every file of the bad-input corpus gives its exact outcome, never a traceback.

The corpus is tests/fixtures/broken/ (written by its make_broken.py); the expected outcomes
are the table in tests/integration/broken_cases.py, which docs/DEFECTS.md is rendered from.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.config import PROJECT_ROOT
from analysis.core.errors import DataError
from analysis.ingest import read_with_report

from .broken_cases import BEYOND, BROKEN, CASES, Beyond, Case

runner = CliRunner()
IDS = [c.file for c in CASES]


def test_the_corpus_and_the_table_list_the_same_files():
    on_disk = sorted(p.name for p in BROKEN.iterdir() if p.suffix != ".py")
    assert on_disk == sorted(IDS)
    assert len(on_disk) >= 25
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("case", BEYOND, ids=[c.test.split("::")[-1] for c in BEYOND])
def test_each_class_beyond_one_file_names_a_test_that_exists(case: Beyond):
    """docs/DEFECTS.md cites a test for each such class: it must be a real test function."""
    path, name = case.test.split("::")
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert name.startswith("test_") and name in names, case.test


def load_script(path: Path):  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_the_corpus_gives_the_committed_bytes():
    module = load_script(BROKEN / "make_broken.py")
    for name, data in module.files().items():
        assert (BROKEN / name).read_bytes() == data, name


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reading_gives_the_exact_outcome(case: Case):
    if not case.reads:
        with pytest.raises(DataError) as caught:
            read_with_report(case.path)
        err = caught.value
        assert Path(err.file).name == case.file
        assert case.error in err.problem, err.problem
        if case.where:
            assert err.where.endswith(f"{case.file}, {case.where}"), err.where
        else:
            assert err.row is None and err.column is None, err.where
        assert str(err).startswith(f"{err.where}: ")
        return
    result = read_with_report(case.path)
    assert result.rows_kept == case.kept
    assert result.rows_dropped_as_aggregates == case.dropped
    assert result.rows_quarantined == len(case.quarantined)
    assert result.rows_read == result.rows_kept + result.rows_quarantined + case.dropped
    got = {int(r["row"]): str(r["reason"]) for r in result.quarantine.to_dict("records")}
    assert sorted(got) == sorted(case.quarantined), got
    for row, fragment in case.quarantined.items():
        assert fragment in got[row], (row, got[row])
    if case.note:
        assert any(case.note in n for n in result.notes), result.notes


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_cli_prints_one_clear_message_and_the_right_exit_status(case: Case, tmp_path):
    quarantine = tmp_path / "quarantine.csv"
    result = runner.invoke(app, ["ingest", str(case.path), "--quarantine", str(quarantine)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert case.file in result.output
    if case.reads:
        assert result.exit_code == 0, result.output
        if case.quarantined:
            text = quarantine.read_text(encoding="utf-8-sig")
            assert all(fragment in text for fragment in case.quarantined.values())
    else:
        assert result.exit_code == 1, result.output
        flat = " ".join(result.output.split())
        assert " ".join(case.error.split()) in flat
        if case.where:
            assert case.where in flat


def test_the_defect_table_in_docs_is_up_to_date(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    module = load_script(PROJECT_ROOT / "scripts" / "make_defects_table.py")
    assert module.TARGET.read_text(encoding="utf-8") == module.render(), (
        "docs/DEFECTS.md is out of date: run .venv/bin/python scripts/make_defects_table.py")
