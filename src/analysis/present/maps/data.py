"""The map data checked and completed to one row per province, and :class:`MapSpec`, what
one map shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue.geography import provinces
from analysis.core.errors import DataError
from analysis.present.style import STATUS_ORDER


@dataclass(frozen=True)
class MapSpec:
    """What one map shows: its geography and language, whether it colours by ``value`` or by
    ``status`` (``mode``), and its title, outlined province and unit."""

    geo_version: str
    lang: str
    mode: str
    title: str | None = None
    highlight: str | None = None
    unit: str | None = None


def _normalise_code(code: object) -> str:
    text = str(code).strip()
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def _prepare(data: pd.DataFrame, geo_version: str, value_column: str
             ) -> tuple[pd.DataFrame, str]:
    """One row per province of ``geo_version``: code, value, status, synthetic, has_data."""
    if not isinstance(data, pd.DataFrame):
        raise DataError("the map data must be a table (DataFrame)")
    if "province_code" not in data.columns:
        raise DataError("the map data has no province_code column",
                        hint="one row per province with its 2-digit code")
    has_value = value_column in data.columns
    if not has_value and "status" not in data.columns:
        raise DataError(f"the map data has neither a {value_column!r} column nor a status "
                        "column", hint="pass value_column= to name the numeric column")
    known = provinces(geo_version)["code"].tolist()
    codes = _checked_codes(data["province_code"], known, geo_version)
    frame = pd.DataFrame({"code": codes.to_numpy(),
                          "value": _checked_values(data, codes, value_column),
                          "status": _checked_statuses(data),
                          "synthetic": (data["provenance"].astype("object") == "synthetic")
                          .to_numpy() if "provenance" in data.columns else False})
    full = pd.DataFrame({"code": known}).merge(frame, on="code", how="left")
    full["status"] = full["status"].astype("object").where(full["status"].notna(), None)
    full["synthetic"] = full["synthetic"].astype("boolean").fillna(False).astype(bool)
    mode = "value" if has_value else "status"
    full["has_data"] = full["value"].notna() if mode == "value" else full["status"].notna()
    return full, mode


def _checked_codes(raw: pd.Series, known: list[str], geo_version: str) -> pd.Series:
    codes = raw.map(_normalise_code)
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise DataError(f"{len(unknown)} code(s) in the map data are not provinces of "
                        f"{geo_version}: {', '.join(unknown)}",
                        hint="drop the national row (VN) and regions; check geo_version")
    twice = sorted(codes[codes.duplicated()].unique())
    if twice:
        raise DataError(f"the map data has several rows for province(s) {', '.join(twice)}",
                        hint="keep one row per province (one indicator and one year)")
    return codes


def _checked_values(data: pd.DataFrame, codes: pd.Series, value_column: str):  # noqa: ANN202
    """Float values (NaN = no data), or NaN everywhere when there is no value column."""
    if value_column not in data.columns:
        return np.full(len(data), np.nan)
    raw = data[value_column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & values.isna()
    if bad.any():
        listed = ", ".join(f"{c}: {v!r}" for c, v in zip(codes[bad], raw[bad], strict=True))
        raise DataError(f"non-numeric values in column {value_column!r}: {listed}")
    return values.astype(float).to_numpy()


def _checked_statuses(data: pd.DataFrame):  # noqa: ANN202
    """Status codes (None = none), checked against analysis.present.style.STATUS_ORDER."""
    if "status" not in data.columns:
        return [None] * len(data)
    status = data["status"].astype("object").where(data["status"].notna(), None)
    wrong = sorted({str(s) for s in status if s is not None and s not in STATUS_ORDER})
    if wrong:
        raise DataError(f"unknown status value(s): {', '.join(wrong)}",
                        hint=f"use one of {', '.join(STATUS_ORDER)}")
    return status.to_numpy()
