"""Path constants. Importing this module does no I/O.

``NQ42_DATA_DIR`` overrides the data folder (tests use it to build into a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REFERENCE_DIR = PACKAGE_DIR / "catalogue" / "reference"
PROJECT_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = Path(os.environ.get("NQ42_DATA_DIR", PROJECT_ROOT / "data"))
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
# targets and method settings travel with the code, not with a (test) data folder
DATA_REFERENCE_DIR = Path(os.environ.get("NQ42_REFERENCE_DIR", PROJECT_ROOT / "data" / "reference"))
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

VERSION = "0.1.0"  # the package version (pyproject.toml says the same; a test checks)
GEO_VERSIONS = ("vn63", "vn34")
LANGUAGES = ("vi", "en")
PROVENANCE_GRADES = ("official", "secondary", "synthetic")
COUNTRY_CODE = "VN"
# Historical series are on vn63 up to this year; vn34 exists from 1 Jul 2025.
LAST_VN63_YEAR = 2024
FIRST_VN34_YEAR = 2025
