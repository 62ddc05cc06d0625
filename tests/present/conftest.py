"""Fixtures of the chart, language and report-block tests: the synthetic processed folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.pipeline.io import load_observations, load_progress
from tests.fakes import make_fake_processed


@pytest.fixture(scope="session")
def fake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic data/processed folder (tests/fakes.py), written once per session."""
    return make_fake_processed(tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="session")
def obs(fake_dir: Path) -> pd.DataFrame:
    return load_observations("vn34", processed_dir=fake_dir)


@pytest.fixture(scope="session")
def prog(fake_dir: Path) -> pd.DataFrame:
    return load_progress("vn34", processed_dir=fake_dir)


@pytest.fixture
def hanoi_row() -> dict:
    """A fixed progress row (the summary sentence's golden example)."""
    return {
        "geo_version": "vn34", "province_code": "01", "target_id": "rural_pop_65_2030",
        "indicator": "rural_pop_clean_water_pct", "kind": "level", "comparison": ">=",
        "base_year": 2015, "base_value": 60.0, "latest_year": 2024, "latest_value": 78.8,
        "target_value": 65.0, "target_year": 2030, "direction": 1, "status": "achieved",
        "cagr_observed": (78.8 / 60.0) ** (1 / 9) - 1,
        "cagr_required": (65.0 / 60.0) ** (1 / 15) - 1, "progress_ratio": 5.0,
        "projected_value_at_target_year": 95.0, "projected_year_reached": 2016,
        "n_points": 10, "method": "statcan_cagr_ratio", "confidence": "legal_summary",
        "source_document": "Quyết định 1978/QĐ-TTg, Thủ tướng Chính phủ, 24/11/2021",
        "provenance": "official", "source_id": "official/water.csv", "flags": "",
    }


# the map fixtures (tests/geo.py); isolated_cache is autouse: no test here writes data/processed
from tests.geo import (  # noqa: E402, F401
    fake_boundaries,
    geo34_reference,
    geo63_file,
    isolated_cache,
    no_default_boundaries,
)
