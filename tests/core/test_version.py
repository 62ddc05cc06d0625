"""One version number: the package's constant says what pyproject.toml says."""

from __future__ import annotations

import tomllib
from pathlib import Path

import analysis
from analysis.core.config import VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_version_is_pyprojects() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert VERSION == project["version"]
    assert analysis.__version__ == VERSION
