"""Processed tables are checked against their declared schemas as they are read back.

One defect per fixture: the loader raises a DataError that names the file and the problem,
never a pandera or pyarrow traceback.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import schemas
from analysis.core.errors import DataError
from analysis.pipeline.io import (
    load_alternatives,
    load_coverage,
    load_observations,
    load_progress,
)
from tests.fakes import make_fake_processed

ALTERNATIVE = {"geo_version": "vn63", "province_code": "22", "year": 2021,
               "indicator": "population_avg_thousand", "value_used": 1350.8,
               "source_used": "nso/a.json", "provenance_used": "official", "value_other": 1351.0,
               "source_other": "nso/b.json", "provenance_other": "official",
               "rule": "higher register priority"}
COVERAGE_ROW = {c: ("" if d == "str" else False if d == "bool" else 0)
                for c, d in schemas.COVERAGE_DTYPES.items()}


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    return make_fake_processed(tmp_path / "processed")


def _error(load, processed: Path) -> DataError:  # noqa: ANN001
    with pytest.raises(DataError) as info:
        load(processed_dir=processed)
    return info.value


def test_good_tables_load(processed: Path) -> None:
    assert len(load_observations(processed_dir=processed))
    assert len(load_progress(processed_dir=processed))
    pd.DataFrame([ALTERNATIVE]).to_csv(processed / "alternatives.csv", index=False)
    assert load_alternatives(processed).at[0, "province_code"] == "22"


def test_progress_missing_a_column_names_the_file(processed: Path) -> None:
    path = processed / "progress.parquet"
    pd.read_parquet(path).drop(columns="status").to_parquet(path, index=False)
    err = _error(load_progress, processed)
    assert err.file.endswith("progress.parquet")
    assert "missing column(s) status" in err.problem
    assert "Traceback" not in str(err)


def test_progress_with_an_unknown_status(processed: Path) -> None:
    path = processed / "progress.parquet"
    table = pd.read_parquet(path)
    table.loc[0, "status"] = "splendid"
    table.to_parquet(path, index=False)
    err = _error(load_progress, processed)
    assert err.file.endswith("progress.parquet")
    assert "column status" in err.problem and "'splendid'" in err.problem


def test_observations_with_an_unknown_indicator(processed: Path) -> None:
    path = processed / "observations.parquet"
    table = pd.read_parquet(path)
    table.loc[0, "indicator"] = "cats_per_household"
    table.to_parquet(path, index=False)
    err = _error(load_observations, processed)
    assert err.file.endswith("observations.parquet")
    assert "column indicator" in err.problem and "cats_per_household" in err.problem


def test_observations_with_an_extra_column(processed: Path) -> None:
    path = processed / "observations.parquet"
    pd.read_parquet(path).assign(note="x").to_parquet(path, index=False)
    err = _error(load_observations, processed)
    assert "unexpected column(s) note" in err.problem


def test_a_damaged_parquet_file(processed: Path) -> None:
    (processed / "observations.parquet").write_bytes(b"not a parquet file")
    err = _error(load_observations, processed)
    assert err.file.endswith("observations.parquet")
    assert err.problem.startswith("cannot be read as the observations table")


def test_alternatives_without_a_rule(processed: Path) -> None:
    pd.DataFrame([{**ALTERNATIVE, "rule": ""}]).to_csv(processed / "alternatives.csv",
                                                       index=False)
    with pytest.raises(DataError) as info:
        load_alternatives(processed)
    assert info.value.file.endswith("alternatives.csv")
    assert "column rule" in info.value.problem


def test_an_empty_alternatives_file_loads(processed: Path) -> None:
    pd.DataFrame(columns=schemas.ALTERNATIVE_COLUMNS).to_csv(processed / "alternatives.csv",
                                                             index=False)
    assert load_alternatives(processed).empty


def test_coverage_missing_a_column(processed: Path) -> None:
    row = {k: v for k, v in COVERAGE_ROW.items() if k != "targets"}
    pd.DataFrame([{**row, "geo_version": "vn34"}]).to_csv(processed / "coverage.csv",
                                                          index=False)
    with pytest.raises(DataError) as info:
        load_coverage(processed)
    assert info.value.file.endswith("coverage.csv")
    assert "missing column(s) targets" in info.value.problem


def test_the_build_checks_alternatives_before_writing() -> None:
    from analysis.pipeline.build import _alternatives

    schemas.alternatives_schema().validate(_alternatives([]), lazy=True)
    schemas.alternatives_schema().validate(_alternatives([ALTERNATIVE]), lazy=True)
