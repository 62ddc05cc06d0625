"""The observation frame the analyses accept: its checks and its normalised form.

:func:`prepare_observations` checks a frame (the build's table or a researcher's own) and
normalises it (codes as text, whole years, default provenance and flags) for the national
figures and the progress measures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue.geography import REGION_PREFIX, TOTAL_CODE
from analysis.catalogue.indicators import indicators
from analysis.core.config import COUNTRY_CODE, GEO_VERSIONS
from analysis.core.errors import DataError

OBS_REQUIRED = ("province_code", "year", "indicator", "value")


def prepare_observations(observations: pd.DataFrame, geo_version: str | None = None
                         ) -> pd.DataFrame:
    """Check and normalise an observation frame (the build's table or a researcher's own).

    Needs ``province_code``, ``year``, ``indicator`` and ``value``; ``geo_version`` may be
    absent when ``geo_version`` is given. Missing ``provenance`` becomes ``"unspecified"``
    (never assumed official); missing flags become False. Rows without a value are dropped
    (they are not data points).

    Raises:
        DataError: for missing columns, a year that is not a whole number, an unknown
            geo_version, a unit different from the indicator catalogue's, or two values for
            the same (geo_version, province_code, year, indicator).
    """
    missing = [c for c in OBS_REQUIRED if c not in observations.columns]
    if missing:
        raise DataError(f"observations lack column(s): {', '.join(missing)}",
                        hint="needed: province_code, year, indicator, value (+ geo_version)")
    obs = observations.copy()
    if "geo_version" not in obs.columns:
        if geo_version is None:
            raise DataError("observations lack column geo_version",
                            hint="add it, or pass geo_version='vn34' (or 'vn63')")
        obs["geo_version"] = geo_version
    bad_geo = sorted(set(obs["geo_version"].dropna().astype(str)) - set(GEO_VERSIONS))
    if bad_geo:
        raise DataError(f"unknown geo_version value(s): {', '.join(bad_geo)}",
                        column="geo_version")
    obs["province_code"] = obs["province_code"].astype("str")
    _check_codes(obs["province_code"])
    obs["indicator"] = obs["indicator"].astype("str")
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce").astype("float64")
    obs = obs[obs["value"].notna()]
    years = pd.to_numeric(obs["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        bad = obs.loc[years.isna() | (years % 1 != 0), "year"].iloc[0]
        raise DataError(f"year {bad!r} is not a whole number", column="year")
    obs["year"] = years.astype("int64")
    for col, default in (("provenance", "unspecified"), ("source_id", ""), ("unit", "")):
        if col not in obs.columns:
            obs[col] = default
        obs[col] = obs[col].fillna(default).astype("str")
    for col in ("is_estimated", "is_provisional"):
        obs[col] = obs[col].fillna(False).astype(bool) if col in obs.columns else False
    for col in ("numerator", "denominator"):
        obs[col] = (pd.to_numeric(obs[col], errors="coerce").astype("float64")
                    if col in obs.columns else np.nan)
    _check_duplicates(obs)
    _check_units(obs)
    return obs.reset_index(drop=True)


def _check_codes(codes: pd.Series) -> None:
    ok = (codes.str.fullmatch(r"\d{2}") | (codes == COUNTRY_CODE) | (codes == TOTAL_CODE)
          | codes.str.startswith(REGION_PREFIX))
    if not ok.all():
        bad = ", ".join(map(repr, sorted(codes[~ok].unique())[:5]))
        raise DataError(f"province_code must be a 2-digit code or VN, not {bad}",
                        column="province_code",
                        hint="write codes as text with the leading zero ('01'), e.g. "
                             "dtype={'province_code': str} when reading a CSV")


def _check_duplicates(obs: pd.DataFrame) -> None:
    keys = ["geo_version", "province_code", "year", "indicator"]
    dup = obs.duplicated(keys, keep=False)
    if dup.any():
        first = obs.loc[dup].iloc[0]
        raise DataError(f"two values for {first['indicator']} in {first['province_code']} "
                        f"{first['year']} ({first['geo_version']}); keep one per year",
                        hint="progress needs one value per province, year and indicator")


def _check_units(obs: pd.DataFrame) -> None:

    units = indicators()["unit"]
    pairs = obs.loc[obs["unit"] != "", ["indicator", "unit"]].drop_duplicates()
    pairs = pairs[pairs["indicator"].isin(units.index)]
    wrong = pairs[pairs["unit"] != pairs["indicator"].map(units)]
    if len(wrong):
        r = wrong.iloc[0]
        raise DataError(f"observations of {r['indicator']} are in {r['unit']!r} but the "
                        f"indicator is measured in {units[r['indicator']]!r}", column="unit")
