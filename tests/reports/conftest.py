"""Fixtures of the report tests: fake built data, fixture notebooks, a notebooks folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fakes import make_fake_processed

NOTEBOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture(scope="session")
def fixture_notebooks() -> Path:
    """tests/fixtures/notebooks: small report notebooks and faulty variants."""
    return NOTEBOOKS


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    """A fresh synthetic data/processed folder (tests.fakes)."""
    return make_fake_processed(tmp_path / "processed")


def notebooks_with(folder: Path, province: str = "province_report.py",
                   national: str = "national_overview.py") -> Path:
    """A notebooks folder whose province_report.py is the given fixture notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(NOTEBOOKS / province, folder / "province_report.py")
    shutil.copy(NOTEBOOKS / national, folder / "national_overview.py")
    return folder
