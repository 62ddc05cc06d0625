"""Read the built tables from ``data/processed`` (what notebooks and reports use).

Every table is checked against its declared schema (:mod:`analysis.schemas`) as it is read:
a file that cannot be read or does not match is a DataError naming the file and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis import schemas
from analysis.catalogue.geography import check_geo_version
from analysis.core.config import PROCESSED_DIR
from analysis.core.errors import DataError

OBSERVATIONS = "observations.parquet"
PROGRESS = "progress.parquet"
COVERAGE = "coverage.csv"
BUILD_INFO = "build.json"


def _processed(name: str, processed_dir: str | Path | None) -> Path:
    folder = Path(processed_dir) if processed_dir is not None else PROCESSED_DIR
    path = folder / name
    if not path.exists():
        raise DataError(f"{name} has not been built yet", file=path,
                        hint="run `nq42 build` (or `make reports`) first")
    return path


def _read(path: Path, reader: Callable[[Path], pd.DataFrame],
          schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``reader(path)``, checked against ``schema``; unreadable or not matching: DataError."""
    try:
        df = reader(path)
    except (OSError, ValueError, UnicodeDecodeError) as err:  # pyarrow and CSV errors too
        raise DataError(f"cannot be read as the {schema.name} table: {err}", file=path,
                        hint=schemas.REBUILD_HINT) from None
    return schemas.check_read(df, schema, path)


def load_observations(geo_version: str | None = "vn34", *,
                      processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The built tidy observation table (SPEC "Tidy observation table").

    Grain: one row per ``(geo_version, province_code, year, indicator)``; ``province_code``
    ``"VN"`` rows are national figures as reported. ``geo_version=None`` returns both
    geographies.
    """
    df = _read(_processed(OBSERVATIONS, processed_dir), pd.read_parquet,
               schemas.observation_schema(True))
    if geo_version is not None:
        check_geo_version(geo_version)
        df = df[df["geo_version"] == geo_version].reset_index(drop=True)
    return df


def load_progress(geo_version: str | None = "vn34", *,
                  processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The built progress table (SPEC "Progress table"), one row per province and target."""
    df = _read(_processed(PROGRESS, processed_dir), pd.read_parquet, schemas.progress_schema())
    if geo_version is not None:
        check_geo_version(geo_version)
        df = df[df["geo_version"] == geo_version].reset_index(drop=True)
    return df


def load_coverage(processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The build's coverage table (``coverage.csv``, :func:`analysis.pipeline.coverage.coverage_table`)."""
    return _read(_processed(COVERAGE, processed_dir), _read_coverage, schemas.coverage_schema())


def _read_coverage(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"years_official": str, "years_secondary": str,
                                    "years_synthetic": str}, keep_default_na=False)


def load_build_info(processed_dir: str | Path | None = None) -> dict:
    """The ``build.json`` manifest of the last successful build."""
    return json.loads(_processed(BUILD_INFO, processed_dir).read_text(encoding="utf-8"))


ALTERNATIVES = "alternatives.csv"


def load_alternatives(processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Real figures set aside because another source was preferred (``alternatives.csv``).

    One row per (key, figure set aside): the value and source used, the value and source
    set aside, and the rule that chose (docs/METHODS.md §5b). Empty when the build wrote
    none (or an older build has no such file).
    """
    folder = Path(processed_dir) if processed_dir is not None else PROCESSED_DIR
    path = folder / ALTERNATIVES
    if not path.is_file():
        return pd.DataFrame(columns=schemas.ALTERNATIVE_COLUMNS)
    return _read(path, _read_alternatives, schemas.alternatives_schema())


def _read_alternatives(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"province_code": str}, keep_default_na=False)
