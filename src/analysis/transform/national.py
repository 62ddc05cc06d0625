"""The nation computed from its provinces, next to the reported national figure.

:func:`national_comparison` pools rates from their parts, sums counts and combines rates
without parts only with explicit weights; :func:`computed_national` gives the complete
computed years a national verdict may use.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.catalogue.geography import province_codes
from analysis.catalogue.indicators import indicators
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.core.provenance import weakest
from analysis.transform.harmonisation import catalogue_weights, join_source_ids
from analysis.transform.observations import prepare_observations

NATIONAL_COLUMNS = [
    "geo_version", "year", "indicator", "unit", "aggregation", "computed_value",
    "computed_numerator", "computed_denominator", "computed_method", "n_provinces",
    "n_expected", "complete", "reported_value", "difference", "difference_pct",
    "provenance", "is_estimated", "source_id", "reported_provenance", "reported_source_id",
    "note",
]


def national_comparison(observations: pd.DataFrame, indicator_ids: Iterable[str] | None = None,
                        *, weights: pd.DataFrame | None = None,
                        geo_version: str | None = None) -> pd.DataFrame:
    """The nation computed from its provinces, next to the reported national figure.

    Rates with numerator and denominator in every reporting province are pooled
    (``scale·Σnumerator/Σdenominator``, never a mean of rates); counts and flows are summed;
    a rate without its parts (or a ``weighted_mean`` indicator) is combined only with explicit
    ``weights`` and is then flagged ``is_estimated``; non-additive indicators (densities,
    indices, life expectancy) are not computed. The reported figure (``province_code "VN"``)
    is never replaced: both are shown with their difference.

    Args:
        observations: observation rows (see :func:`prepare_observations`).
        indicator_ids: indicators to compute (default: every indicator present).
        weights: optional frame ``province_code``, ``year``, ``weight`` (and optionally
            ``geo_version`` and ``indicator``) for weighted means.
        geo_version: the geography, when the frame has no ``geo_version`` column.

    Returns:
        Grain: one row per ``(geo_version, year, indicator)`` with any provincial or national
        value. ``computed_value`` in the indicator's unit (NaN when it cannot be computed;
        ``note`` says why); ``n_provinces`` reporting out of ``n_expected`` (``complete``
        when all report: an incomplete sum understates the nation); ``reported_value`` (NaN
        when none); ``difference = computed − reported`` and ``difference_pct`` (percent of
        the reported value); ``provenance`` the lowest grade of the provinces used.
    """
    obs = prepare_observations(observations, geo_version)
    if indicator_ids is not None:
        obs = obs[obs["indicator"].isin(list(indicator_ids))]
    return national_table(obs, weights)


def national_table(obs: pd.DataFrame, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`national_comparison` of a prepared frame (:func:`prepare_observations`)."""
    if obs.empty:
        return pd.DataFrame(columns=NATIONAL_COLUMNS)
    frames = [_national_one_geo(obs[obs["geo_version"] == geo], geo, weights)
              for geo in sorted(obs["geo_version"].unique())]
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["geo_version", "indicator", "year"]).reset_index(drop=True)


def _national_one_geo(obs: pd.DataFrame, geo: str, weights: pd.DataFrame | None) -> pd.DataFrame:

    expected = set(province_codes(geo))
    prov = obs[obs["province_code"].str.fullmatch(r"\d{2}")]
    unknown = sorted(set(prov["province_code"]) - expected)
    if unknown:
        raise DataError(f"{geo} observations carry unknown province code(s): "
                        f"{', '.join(unknown)}", column="province_code")
    rules = indicators()
    prov = _attach_weights(prov, weights, geo)
    rows = []
    for (year, ind), g in prov.groupby(["year", "indicator"], sort=True):
        rows.append(_national_value(g, rules.loc[ind] if ind in rules.index else None,
                                    len(expected)) | {"year": year, "indicator": ind})
    computed = pd.DataFrame(rows)
    reported = obs[obs["province_code"] == COUNTRY_CODE][
        ["year", "indicator", "value", "provenance", "source_id", "unit"]].rename(columns={
            "value": "reported_value", "provenance": "reported_provenance",
            "source_id": "reported_source_id", "unit": "reported_unit"})
    if computed.empty:
        computed = pd.DataFrame(columns=["year", "indicator", *_COMPUTED_FIELDS])
    out = computed.merge(reported, on=["year", "indicator"], how="outer")
    out["geo_version"] = geo
    out["unit"] = out["indicator"].map(rules["unit"]).fillna(out.get("reported_unit"))
    out["aggregation"] = out["indicator"].map(rules["aggregation"])
    out["difference"] = out["computed_value"] - out["reported_value"]
    out["difference_pct"] = 100 * out["difference"] / out["reported_value"].where(
        out["reported_value"] != 0)
    no_prov = out["n_provinces"].isna()
    out.loc[no_prov, "note"] = "no provincial values"
    out.loc[no_prov, "computed_method"] = "none"
    out["n_provinces"] = out["n_provinces"].fillna(0).astype("int64")
    out["n_expected"] = len(expected)
    out["complete"] = out["n_provinces"] == len(expected)
    out["is_estimated"] = out["is_estimated"].astype("boolean").fillna(False).astype(bool)
    for col in ("provenance", "source_id", "reported_provenance", "reported_source_id",
                "note", "computed_method"):
        out[col] = out[col].fillna("").astype("str")
    return out.reindex(columns=NATIONAL_COLUMNS)


def _attach_weights(prov: pd.DataFrame, weights: pd.DataFrame | None, geo: str) -> pd.DataFrame:
    prov = prov.assign(weight=np.nan)
    if weights is None:
        return prov
    missing = {"province_code", "year", "weight"} - set(weights.columns)
    if missing:
        raise ParameterError(f"weights lack column(s): {', '.join(sorted(missing))}")
    w = weights.copy()
    if "geo_version" in w.columns:
        w = w[w["geo_version"] == geo]
    w["province_code"] = w["province_code"].astype("str")
    prov = prov.drop(columns="weight")
    if "w_grade" not in w.columns:
        w["w_grade"] = None  # weights of unstated grade do not lower the estimate's grade
    if "indicator" in w.columns:
        specific = w[w["indicator"].notna()][["province_code", "year", "indicator", "weight",
                                              "w_grade"]]
        general = w[w["indicator"].isna()][["province_code", "year", "weight", "w_grade"]]
        prov = prov.merge(specific, on=["province_code", "year", "indicator"], how="left")
        prov = prov.merge(general.rename(columns={"weight": "w_all", "w_grade": "g_all"}),
                          on=["province_code", "year"], how="left")
        prov["w_grade"] = prov["w_grade"].where(prov["weight"].notna(), prov.pop("g_all"))
        prov["weight"] = prov["weight"].fillna(prov.pop("w_all"))
        return prov
    return prov.merge(w[["province_code", "year", "weight"]], on=["province_code", "year"],
                      how="left")


_COMPUTED_FIELDS = ("n_provinces", "computed_value", "computed_numerator", "computed_denominator",
                    "computed_method", "provenance", "is_estimated", "source_id", "note")


def _national_value(g: pd.DataFrame, rule: pd.Series | None, n_expected: int) -> dict:
    n = len(g)
    out = {"n_provinces": n, "computed_value": np.nan, "computed_numerator": np.nan,
           "computed_denominator": np.nan, "provenance": weakest(g["provenance"]),
           "is_estimated": bool(g["is_estimated"].any()),
           "source_id": join_source_ids(g["source_id"]), "note": ""}
    if n < n_expected:
        out["note"] = f"{n} of {n_expected} provinces report"
    aggregation = rule["aggregation"] if rule is not None else "none"
    scale = float(rule["scale"]) if rule is not None else 1.0
    has_parts = g["numerator"].notna().all() and g["denominator"].notna().all()
    if aggregation == "sum":
        out.update(computed_method="sum", computed_value=g["value"].sum())
        if has_parts:
            out.update(computed_numerator=g["numerator"].sum(),
                       computed_denominator=g["denominator"].sum())
    elif aggregation == "ratio" and has_parts and g["denominator"].sum() > 0:
        num, den = g["numerator"].sum(), g["denominator"].sum()
        out.update(computed_method="pooled_ratio", computed_value=scale * num / den,
                   computed_numerator=num, computed_denominator=den)
    elif aggregation in ("ratio", "weighted_mean") and g["weight"].notna().all() \
            and g["weight"].sum() > 0:
        value = float((g["value"] * g["weight"]).sum() / g["weight"].sum())
        out.update(computed_method="weighted_mean", is_estimated=True,
                   computed_value=min(max(value, g["value"].min()), g["value"].max()),
                   provenance=weakest([*g["provenance"], *[
                       x for x in g.get("w_grade", []) if isinstance(x, str)]]))
    elif aggregation in ("ratio", "weighted_mean"):
        out.update(computed_method="parts_missing", note=_append(
            out["note"], "rates without numerator/denominator and no weights: not combined"))
    else:
        out.update(computed_method="not_aggregable",
                   note=_append(out["note"], "not additive: computed only from its parts"))
    return out


def _append(note: str, text: str) -> str:
    return f"{note}; {text}" if note else text


def computed_national(obs: pd.DataFrame) -> pd.DataFrame:
    """The computed national figures of one geography a verdict may use: complete years only.

    ``obs`` is a prepared frame (:func:`prepare_observations`); rates without parts are
    weighted with the series their catalogue entries name (:func:`catalogue_weights`).
    """
    table = national_table(obs, catalogue_weights(obs))
    return table[table["complete"] & table["computed_value"].notna()]
