"""Builders shared by the progress tests: tiny observation frames and one-off targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue.targets import targets_from_records

OBS_COLUMNS = ["geo_version", "province_code", "year", "indicator", "value", "numerator",
               "denominator", "unit", "source_id", "provenance", "is_provisional",
               "is_estimated"]


def series(indicator: str, points: dict[int, float], *, code: str = "VN", geo: str = "vn34",
           unit: str = "percent", provenance: str = "official", **extra) -> pd.DataFrame:
    """Observation rows of one place and indicator from {year: value}."""
    rows = [{"geo_version": geo, "province_code": code, "year": y, "indicator": indicator,
             "value": float(v), "numerator": np.nan, "denominator": np.nan, "unit": unit,
             "source_id": "test.csv", "provenance": provenance, "is_provisional": False,
             "is_estimated": False, **extra} for y, v in points.items()]
    return pd.DataFrame(rows, columns=OBS_COLUMNS)


def one_target(**fields) -> pd.DataFrame:
    """A one-row targets table (defaults: rural clean water, national, >= 100 by 2030)."""
    entry = {
        "target_id": "test_target", "indicator": "rural_pop_clean_water_pct",
        "scope": "national", "kind": "level", "value": 100, "comparison": ">=",
        "target_year": 2030, "unit": "percent",
        "source_document": "Quyết định thử nghiệm, Bộ Kiểm thử, 01/01/2025",
        "source_detail": "Ví dụ kiểm thử (không phải số liệu thật).",
        "confidence": "unverified", "source_url": "",
    }
    entry.update(fields)
    return targets_from_records([entry])


@pytest.fixture
def make_series():
    return series


@pytest.fixture
def make_target():
    return one_target
