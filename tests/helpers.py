"""Small helpers for readable tests."""

from __future__ import annotations

import inspect
import io

import pandas as pd


def frame(csv_text: str, **read_csv_kwargs) -> pd.DataFrame:
    """Build a DataFrame from an indented CSV literal (province codes stay strings)."""
    read_csv_kwargs.setdefault("dtype", {"province_code": str, "code": str})
    return pd.read_csv(io.StringIO(inspect.cleandoc(csv_text)), **read_csv_kwargs)
