"""Shared test fixtures.

``../shared`` (real NSO exports and boundaries) is read in place, never copied into the
project; tests that need it are skipped cleanly when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("NQ42_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder; skips the test when it is not there."""
    if not (SHARED / "nso-samples").is_dir():
        pytest.skip("../shared test inputs are not available on this machine")
    return SHARED


@pytest.fixture(scope="session")
def nso_samples(shared_dir: Path) -> Path:
    return shared_dir / "nso-samples"


@pytest.fixture(scope="session")
def shared_geo(shared_dir: Path) -> Path:
    path = shared_dir / "geo"
    if not path.is_dir():
        pytest.skip("../shared/geo is not available")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``nq42 build`` of the committed data/raw, run once per session into a temporary folder.

    Read it, never write into it: every test that needs the default outputs shares it. A test
    that must change outputs copies them (``shutil.copytree``) first.
    """
    from analysis.core.config import RAW_DIR
    from analysis.pipeline.build import run_build

    out = tmp_path_factory.mktemp("default-build") / "processed"
    run_build(RAW_DIR, out)
    return out


@pytest.fixture(scope="session")
def fx() -> Path:
    """Folder of the one-defect ingest fixtures (tests/fixtures/ingest)."""
    return FIXTURES / "ingest"
