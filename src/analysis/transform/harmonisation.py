"""Carry series recorded on the 63 former provinces onto the 34 units of 1 Jul 2025.

The 2025 merger (Resolution 202/2025/QH15) joined whole provinces, so aggregation along the
crosswalk is exact when every member province reports:

* counts and flows (``aggregation: sum`` in the indicator catalogue) are summed;
* rates with numerator and denominator (``ratio``) are recomputed from the summed parts:
  ``value = scale * sum(numerator) / sum(denominator)``;
* a rate without its parts (or a ``weighted_mean`` indicator such as floor area per person)
  is combined only with explicit weights (e.g. population) and is then flagged
  ``is_estimated``; its grade is the weakest of its values' and its weights' grades; a year
  without weights yet (a preliminary figure published before the population table) uses the
  weights of the year before, said in the report's reason;
* units that were not merged pass through unchanged;
* anything that cannot be combined exactly (a member province missing, mixed units, a rate
  without parts and no weights, a non-additive series such as a density) is left out and
  listed in the report with the reason — never filled in.

The reverse (vn34 -> vn63) is never invented.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.catalogue.geography import crosswalk
from analysis.catalogue.indicators import indicators
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.core.provenance import SYNTHETIC, UNSPECIFIED, weakest

OBS_COLUMNS = [
    "geo_version", "province_code", "year", "indicator", "value", "numerator", "denominator",
    "unit", "source_id", "provenance", "is_provisional", "is_estimated",
]
REPORT_COLUMNS = ["vn34_code", "year", "indicator", "action", "members", "reason"]
#: Years a weight may come from before the year it weights (preliminary figures are often
#: published before the population table of their year).
WEIGHT_LOOKBACK_YEARS = 1
_SUM_UNITS = ("units", "count", "persons", "households", "thousand_persons",
              "thousand_households", "km2", "schools", "communes", "stations", "doctors")


def harmonise(observations: pd.DataFrame, to: str = "vn34",
              weights: pd.DataFrame | str | None = None) -> pd.DataFrame:
    """Carry vn63 observations onto vn34 (see module docstring for the rules).

    Args:
        observations: tidy observations (SPEC columns). vn63 province rows are aggregated;
            vn34 rows and national ("VN") rows pass through.
        to: target geography; only ``"vn34"`` is possible.
        weights: for rates without numerator/denominator and ``weighted_mean`` indicators:
            a frame with ``province_code`` (vn63), ``year``, ``weight`` and optionally
            ``indicator`` (weights for that indicator only); or ``"catalogue"`` to use, for
            each indicator, the series its catalogue entry names in ``weight`` (e.g. rural
            population for rural water rates) taken from ``observations``; or None.

    Returns:
        The vn34 observations. Grain: one row per (province_code, year, indicator); same
        columns as the input. Rows that could not be carried exactly are left out; use
        :func:`harmonise_with_report` to see them.
    """
    result, _ = harmonise_with_report(observations, to=to, weights=weights)
    return result


def harmonise_with_report(observations: pd.DataFrame, to: str = "vn34",
                          weights: pd.DataFrame | str | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`harmonise`, also returning what was done to every vn34 group.

    Returns:
        ``(vn34_observations, report)``. The report has one row per (vn34_code, year,
        indicator) built from vn63 rows, with ``action`` in ``passed`` (unit not merged),
        ``summed``, ``pooled`` (ratio from summed parts), ``weighted`` (estimate) or
        ``dropped``, the vn63 ``members`` used, and the ``reason`` for drops.
    """
    if to != "vn34":
        raise ParameterError(
            f"cannot harmonise to {to!r}: series are carried from vn63 to vn34 only; the "
            "reverse (splitting a new province into old ones) is never invented")
    _check_columns(observations)
    obs = observations.reindex(columns=OBS_COLUMNS)
    passthrough = obs[(obs["geo_version"] == "vn34")].copy()
    old = obs[obs["geo_version"] == "vn63"]
    national = old[old["province_code"] == COUNTRY_CODE].copy()
    national["geo_version"] = "vn34"
    old = old[old["province_code"] != COUNTRY_CODE]

    cw = crosswalk()[["vn63_code", "vn34_code", "n_merged"]].copy()
    cw["n_merged"] = cw["n_merged"].astype(int)
    unknown = sorted(set(old["province_code"]) - set(cw["vn63_code"]))
    if unknown:
        raise DataError(f"vn63 observations carry unknown province codes: {', '.join(unknown)}")
    old = old.merge(cw, left_on="province_code", right_on="vn63_code", how="left",
                    validate="m:1")
    old = old[old["value"].notna()]

    rules = _aggregation_rules(old)
    old = old.merge(rules, on="indicator", how="left", validate="m:1")
    weight_table = _weights(weights, observations)

    pieces: list[pd.DataFrame] = []
    reports: list[pd.DataFrame] = []

    single = old[old["n_merged"] == 1]
    if len(single):
        out = single.copy()
        out["province_code"] = out["vn34_code"]
        pieces.append(out)
        reports.append(_report(out, "passed"))

    merged = old[old["n_merged"] > 1]
    if len(merged):
        done, rep = _aggregate(merged, weight_table)
        pieces.append(done)
        reports.append(rep)

    frames = [f.reindex(columns=OBS_COLUMNS) for f in (passthrough, national, *pieces) if len(f)]
    result = pd.concat(frames, ignore_index=True) if frames else obs.iloc[0:0]
    result = result.assign(geo_version="vn34").reindex(columns=OBS_COLUMNS)
    result = _normalise_dtypes(result)
    dup = result.duplicated(["province_code", "year", "indicator"], keep=False)
    if dup.any():
        first = result[dup].iloc[0]
        raise DataError(
            f"vn34 observations would contain both a native and a carried-over value for "
            f"{first['indicator']} {first['province_code']} {first['year']}; give each year "
            "one geography")
    result = result.sort_values(["province_code", "year", "indicator"]).reset_index(drop=True)
    report = (pd.concat(reports, ignore_index=True) if reports
              else pd.DataFrame(columns=REPORT_COLUMNS))
    report = report.sort_values(["vn34_code", "year", "indicator"]).reset_index(drop=True)
    return result, report


# --------------------------------------------------------------------------------------


def _check_columns(df: pd.DataFrame) -> None:
    needed = {"geo_version", "province_code", "year", "indicator", "value"}
    missing = sorted(needed - set(df.columns))
    if missing:
        raise DataError(f"observations lack column(s): {', '.join(missing)}")
    versions = set(df["geo_version"].dropna().unique()) - {"vn63", "vn34"}
    if versions:
        raise DataError(f"unknown geo_version value(s): {', '.join(map(str, versions))}")


def _aggregation_rules(df: pd.DataFrame) -> pd.DataFrame:
    """indicator -> aggregation, scale, weight indicator (catalogue; else inferred from unit)."""

    cat = indicators()
    rows = []
    for ind, unit in df[["indicator", "unit"]].drop_duplicates("indicator").itertuples(index=False):
        if ind in cat.index:
            entry = cat.loc[ind]
            weight = entry.get("weight")
            rows.append((ind, entry["aggregation"], float(entry["scale"]),
                         weight if isinstance(weight, str) else None))
        elif unit == "percent":
            rows.append((ind, "ratio", 100.0, None))
        elif isinstance(unit, str) and unit in _SUM_UNITS:
            rows.append((ind, "sum", 1.0, None))
        else:
            rows.append((ind, "none", 1.0, None))
    return pd.DataFrame(rows, columns=["indicator", "aggregation", "scale", "weight_indicator"])


def catalogue_weights(obs: pd.DataFrame) -> pd.DataFrame | None:
    """Weights for rates without parts, from the series each catalogue entry names.

    Returns a frame (geo_version, province_code, year, indicator, weight, w_grade): for each
    indicator whose catalogue entry has a ``weight`` (e.g. population for a coverage rate),
    the province values of that series in ``obs`` with their grade; None when there are none.
    Used by the 63 -> 34 carry-over and by the national figures computed from provinces.
    """
    cat = indicators()
    links = cat["weight"].dropna() if "weight" in cat else pd.Series(dtype=str)
    prov = obs[obs["province_code"].astype(str).str.fullmatch(r"\d{2}")]
    grades = (prov["provenance"] if "provenance" in prov
              else pd.Series(UNSPECIFIED, index=prov.index))
    frames = []
    for ind, weight_ind in links.items():
        rows = prov["indicator"] == weight_ind
        if rows.any():
            w = prov[rows]
            frames.append(pd.DataFrame({
                "geo_version": w["geo_version"].to_numpy(),
                "province_code": w["province_code"].to_numpy(),
                "year": w["year"].to_numpy(), "indicator": ind,
                "weight": w["value"].to_numpy(), "w_grade": grades[rows].to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else None


def _weights(weights: pd.DataFrame | str | None, observations: pd.DataFrame) -> pd.DataFrame | None:
    """Normalise the weights argument to (indicator|None, province_code, year, weight)."""
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights != "catalogue":
            raise ParameterError(
                f"weights must be a DataFrame, 'catalogue' or None, not {weights!r}")

        found = catalogue_weights(observations[observations["geo_version"] == "vn63"])
        return None if found is None else found.drop(columns="geo_version")
    missing = {"province_code", "year", "weight"} - set(weights.columns)
    if missing:
        raise ParameterError(f"weights lack column(s): {', '.join(sorted(missing))}")
    w = weights.copy()
    if "indicator" not in w:
        w["indicator"] = pd.NA
    if "w_grade" not in w:
        w["w_grade"] = w["provenance"] if "provenance" in w else UNSPECIFIED
    return w[["indicator", "province_code", "year", "weight", "w_grade"]]


def _weakest_of(grades: pd.Series) -> str:
    """:func:`analysis.core.provenance.weakest` of a group's grades (an aggregation callback)."""
    return weakest(grades.dropna(), empty=SYNTHETIC)


def join_source_ids(ids: Iterable[object]) -> str:
    """The distinct source ids of several values (each may list some, ``;``-separated), sorted
    and joined with ``;``; missing values are skipped."""
    return ";".join(sorted({p for s in ids if isinstance(s, str) for p in s.split(";") if p}))


def _aggregate(merged: pd.DataFrame, weight_table: pd.DataFrame | None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine the member rows of each merged vn34 unit: (carried rows, report rows)."""
    agg = _group_members(merged, weight_table)
    ok = _check_groups(agg)
    pooled = _sum_and_pool(agg, ok)
    _weighted_means(agg, ok, pooled)
    agg.loc[ok & (agg["aggregation"] == "none"), "reason"] = (
        "not additive (e.g. a density): recompute it from its parts")

    done = agg[agg["action"] != "dropped"].copy()
    done["province_code"] = done["vn34_code"]
    done["geo_version"] = "vn34"
    report = agg.rename(columns={})[REPORT_COLUMNS].copy()
    return done.reindex(columns=OBS_COLUMNS), report


def _group_members(merged: pd.DataFrame, weight_table: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (vn34_code, year, indicator) with the sums and counts the rules need."""
    keys = ["vn34_code", "year", "indicator"]
    merged = merged.copy()
    merged = _attach_weights(merged, weight_table)
    merged["has_parts"] = merged["numerator"].notna() & merged["denominator"].notna()
    merged["wv"] = merged["w"] * merged["value"]

    g = merged.groupby(keys, sort=True, dropna=False)
    return g.agg(
        n=("province_code", "size"),
        n_expected=("n_merged", "first"),
        members=("province_code", lambda s: "+".join(sorted(s))),
        aggregation=("aggregation", "first"),
        scale=("scale", "first"),
        n_units=("unit", "nunique"),
        unit=("unit", "first"),
        value_sum=("value", "sum"),
        value_min=("value", "min"),
        value_max=("value", "max"),
        num_sum=("numerator", "sum"),
        den_sum=("denominator", "sum"),
        n_num=("numerator", "count"),
        n_den=("denominator", "count"),
        all_parts=("has_parts", "all"),
        n_w=("w", "count"),
        w_sum=("w", "sum"),
        wv_sum=("wv", "sum"),
        source_id=("source_id", join_source_ids),
        provenance=("provenance", _weakest_of),
        w_grade=("w_grade", _weakest_of),
        w_year=("w_year", "min"),
        is_provisional=("is_provisional", lambda s: bool(s.fillna(False).astype(bool).any())),
        is_estimated=("is_estimated", lambda s: bool(s.fillna(False).astype(bool).any())),
    ).reset_index()


def _check_groups(agg: pd.DataFrame) -> pd.Series:
    """Start every group as dropped; give the reason where a member is missing or units mix.

    Returns the groups that can be combined (complete, one unit).
    """
    cw = crosswalk()
    expected_members = cw.groupby("vn34_code")["vn63_code"].apply(lambda s: sorted(s))
    agg["action"] = "dropped"
    agg["reason"] = ""
    agg["value"] = np.nan
    agg["numerator"] = np.nan
    agg["denominator"] = np.nan

    complete = agg["n"] == agg["n_expected"]
    missing_reason = agg.loc[~complete].apply(
        lambda r: "member province(s) missing: " + ", ".join(
            sorted(set(expected_members[r["vn34_code"]]) - set(r["members"].split("+")))),
        axis=1)
    agg.loc[~complete, "reason"] = missing_reason if len(missing_reason) else ""
    mixed = complete & (agg["n_units"] > 1)
    agg.loc[mixed, "reason"] = "member provinces report different units"
    return complete & ~mixed


def _sum_and_pool(agg: pd.DataFrame, ok: pd.Series) -> pd.Series:
    """Sum counts and flows; pool rates from their summed parts. Returns the pooled groups."""
    is_sum = ok & (agg["aggregation"] == "sum")
    agg.loc[is_sum, "value"] = agg.loc[is_sum, "value_sum"]
    parts_sum = is_sum & (agg["n_num"] == agg["n"]) & (agg["n_den"] == agg["n"])
    agg.loc[parts_sum, "numerator"] = agg.loc[parts_sum, "num_sum"]
    agg.loc[parts_sum, "denominator"] = agg.loc[parts_sum, "den_sum"]
    agg.loc[is_sum, "action"] = "summed"

    pooled = ok & (agg["aggregation"] == "ratio") & agg["all_parts"] & (agg["den_sum"] > 0)
    agg.loc[pooled, "numerator"] = agg.loc[pooled, "num_sum"]
    agg.loc[pooled, "denominator"] = agg.loc[pooled, "den_sum"]
    agg.loc[pooled, "value"] = (agg.loc[pooled, "scale"] * agg.loc[pooled, "num_sum"]
                                / agg.loc[pooled, "den_sum"])
    agg.loc[pooled, "action"] = "pooled"
    return pooled


def _weighted_means(agg: pd.DataFrame, ok: pd.Series, pooled: pd.Series) -> None:
    """Rates without parts and weighted-mean indicators: a weighted mean, flagged estimated."""
    wants_weights = ok & ~pooled & agg["aggregation"].isin(["ratio", "weighted_mean"])
    weighted = wants_weights & (agg["n_w"] == agg["n"]) & (agg["w_sum"] > 0)
    # a weighted mean lies between its members: clip float noise (100.00000000000001)
    agg.loc[weighted, "value"] = (agg.loc[weighted, "wv_sum"] / agg.loc[weighted, "w_sum"]).clip(
        agg.loc[weighted, "value_min"], agg.loc[weighted, "value_max"])
    agg.loc[weighted, "is_estimated"] = True
    agg.loc[weighted, "action"] = "weighted"
    # an estimate is as strong as the weakest of its values and its weights
    agg.loc[weighted, "provenance"] = [weakest([a, b]) for a, b in zip(
        agg.loc[weighted, "provenance"], agg.loc[weighted, "w_grade"], strict=True)]
    earlier = weighted & (agg["w_year"] < agg["year"])
    agg.loc[earlier, "reason"] = [f"weights of {int(y)} (none yet for {int(t)})" for y, t in zip(
        agg.loc[earlier, "w_year"], agg.loc[earlier, "year"], strict=True)]
    agg.loc[wants_weights & ~weighted, "reason"] = (
        "rate without numerator/denominator in every member province and no weights for all "
        "of them: not combined")


def _attach_weights(merged: pd.DataFrame, weight_table: pd.DataFrame | None) -> pd.DataFrame:
    """Columns ``w`` (weight), ``w_grade`` and ``w_year`` for every member row.

    Weights of the same year first; where a year has none yet (a preliminary figure
    published before the population table), the weights of the year before
    (:data:`WEIGHT_LOOKBACK_YEARS`), said in the report's reason. Never later years.
    """
    merged = merged.assign(w=np.nan, w_grade=pd.Series(pd.NA, index=merged.index, dtype=object),
                           w_year=np.nan)
    if weight_table is None:
        return merged
    for back in range(WEIGHT_LOOKBACK_YEARS + 1):
        table = weight_table.assign(year=weight_table["year"] + back, w_year=weight_table["year"])
        specific = table[table["indicator"].notna()]
        general = table[table["indicator"].isna()].drop(columns="indicator")
        todo = merged["w"].isna()
        if not todo.any():
            break
        rows = merged.loc[todo, ["indicator", "province_code", "year"]]
        found = rows.merge(specific, on=["indicator", "province_code", "year"], how="left",
                           validate="m:1")
        if len(general):
            alt = rows.merge(general, on=["province_code", "year"], how="left", validate="m:1")
            for col in ("weight", "w_grade", "w_year"):
                found[col] = found[col].where(found["weight"].notna(), alt[col])
        idx = merged.index[todo]
        merged.loc[idx, "w"] = found["weight"].to_numpy()
        merged.loc[idx, "w_grade"] = found["w_grade"].to_numpy()
        merged.loc[idx, "w_year"] = found["w_year"].to_numpy()
    return merged


def _report(rows: pd.DataFrame, action: str) -> pd.DataFrame:
    return pd.DataFrame({
        "vn34_code": rows["vn34_code"].to_numpy(),
        "year": rows["year"].to_numpy(),
        "indicator": rows["indicator"].to_numpy(),
        "action": action,
        "members": rows["vn63_code"].to_numpy(),
        "reason": "",
    })


def _normalise_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["year"] = out["year"].astype("int64")
    for col in ("value", "numerator", "denominator"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("is_provisional", "is_estimated"):
        out[col] = out[col].fillna(False).astype(bool)
    for col in ("geo_version", "province_code", "indicator", "unit", "source_id", "provenance"):
        out[col] = out[col].fillna("").astype("str")
    return out
