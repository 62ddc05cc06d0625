"""Fixtures of the ingest tests: the one-defect files and a tiny raw folder for builds."""

from __future__ import annotations

from pathlib import Path

import pytest

INGEST_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture(scope="session")
def fx() -> Path:
    """Folder of the one-defect ingest fixtures (tests/fixtures/ingest)."""
    return INGEST_FIXTURES
