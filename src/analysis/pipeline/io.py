"""Read the built tables from ``data/processed`` (what notebooks and reports use)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core.config import PROCESSED_DIR
from analysis.core.errors import DataError
from analysis.catalogue.geography import check_geo_version

OBSERVATIONS = "observations.parquet"
PROGRESS = "progress.parquet"
BUILD_INFO = "build.json"


def _processed(name: str, processed_dir: str | Path | None) -> Path:
    folder = Path(processed_dir) if processed_dir is not None else PROCESSED_DIR
    path = folder / name
    if not path.exists():
        raise DataError(f"{name} has not been built yet", file=path,
                        hint="run `nq42 build` (or `make reports`) first")
    return path


def load_observations(geo_version: str | None = "vn34", *,
                      processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The built tidy observation table (SPEC "Tidy observation table").

    Grain: one row per ``(geo_version, province_code, year, indicator)``; ``province_code``
    ``"VN"`` rows are national figures as reported. ``geo_version=None`` returns both
    geographies.
    """
    df = pd.read_parquet(_processed(OBSERVATIONS, processed_dir))
    if geo_version is not None:
        check_geo_version(geo_version)
        df = df[df["geo_version"] == geo_version].reset_index(drop=True)
    return df


def load_progress(geo_version: str | None = "vn34", *,
                  processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The built progress table (SPEC "Progress table"), one row per province and target."""
    df = pd.read_parquet(_processed(PROGRESS, processed_dir))
    if geo_version is not None:
        check_geo_version(geo_version)
        df = df[df["geo_version"] == geo_version].reset_index(drop=True)
    return df


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
        return pd.DataFrame(columns=["geo_version", "province_code", "year", "indicator",
                                     "value_used", "source_used", "provenance_used",
                                     "value_other", "source_other", "provenance_other", "rule"])
    return pd.read_csv(path, dtype={"province_code": str}, keep_default_na=False)
