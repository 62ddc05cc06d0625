"""The declared shape and rules of every table the build writes (pandera), one module each.

* :mod:`~analysis.schemas.observations`: ``observations.parquet`` (also what the ingest
  validates every row against; failing rows go to quarantine, :func:`failures`);
* :mod:`~analysis.schemas.progress`: ``progress.parquet``;
* :mod:`~analysis.schemas.quarantine`: ``quarantine.csv``;
* :mod:`~analysis.schemas.alternatives`: ``alternatives.csv``;
* :mod:`~analysis.schemas.coverage`: ``coverage.csv``;
* :mod:`~analysis.schemas.common`: shared rules and :func:`check_read`, the check of a table
  read back from ``data/processed``.
"""

from __future__ import annotations

from analysis.schemas.alternatives import ALTERNATIVE_COLUMNS, alternatives_schema
from analysis.schemas.common import REBUILD_HINT, YEAR_RANGE, check_read
from analysis.schemas.coverage import (
    COVERAGE_COLUMNS,
    COVERAGE_DTYPES,
    COVERAGE_GRADE_FIELDS,
    COVERAGE_KEY,
    YEARS_TEXT,
    coverage_schema,
)
from analysis.schemas.observations import (
    BLAME,
    E_CODE,
    E_DEN_ZERO,
    E_DUPLICATE,
    E_GEO,
    E_GRADE,
    E_INDICATOR,
    E_LIMIT,
    E_NEG_PART,
    E_NEGATIVE,
    E_NOT_FINITE,
    E_NUM_GT_DEN,
    E_PROVINCE,
    E_RATE,
    E_UNIT,
    E_VALUE_MISSING,
    E_YEAR,
    INGEST_GRADES,
    KEY,
    OBSERVATION_COLUMNS,
    OBSERVATION_DTYPES,
    RATE_TOLERANCE,
    _catalogue,  # noqa: F401 - ingest looks up units and scales as schemas._catalogue()
    conform,
    empty_observations,
    failures,
    observation_schema,
    validate,
)
from analysis.schemas.progress import (
    EVIDENCE_GRADES,
    EXTRA_COLUMNS,
    PROGRESS_COLUMNS,
    PROGRESS_KEY,
    SPEC_COLUMNS,
    progress_schema,
)
from analysis.schemas.quarantine import QUARANTINE_COLUMNS, quarantine_schema

__all__ = [
    "ALTERNATIVE_COLUMNS", "BLAME", "COVERAGE_COLUMNS", "COVERAGE_DTYPES",
    "COVERAGE_GRADE_FIELDS", "COVERAGE_KEY", "EVIDENCE_GRADES", "EXTRA_COLUMNS", "E_CODE",
    "E_DEN_ZERO", "E_DUPLICATE", "E_GEO", "E_GRADE", "E_INDICATOR", "E_LIMIT", "E_NEGATIVE",
    "E_NEG_PART", "E_NOT_FINITE", "E_NUM_GT_DEN", "E_PROVINCE", "E_RATE", "E_UNIT",
    "E_VALUE_MISSING", "E_YEAR", "INGEST_GRADES", "KEY", "OBSERVATION_COLUMNS",
    "OBSERVATION_DTYPES", "PROGRESS_COLUMNS", "PROGRESS_KEY", "QUARANTINE_COLUMNS",
    "RATE_TOLERANCE", "REBUILD_HINT", "SPEC_COLUMNS", "YEARS_TEXT", "YEAR_RANGE",
    "alternatives_schema", "check_read", "conform", "coverage_schema", "empty_observations",
    "failures", "observation_schema", "progress_schema", "quarantine_schema", "validate",
]
