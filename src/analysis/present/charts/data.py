"""Data preparation for the charts, without plotly: input checks, the series and national
figures a chart shows, headline targets, evidence grouping, meta helpers and the tables
returned by :func:`analysis.present.charts.figure_table`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.catalogue.geography import provinces
from analysis.catalogue.indicators import CORE_SECTORS, SECTORS, indicators
from analysis.catalogue.indicators import indicator as entry
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.present.i18n import (
    evidence_kind,
    indicator_unit,
    is_missing,
    province_label,
    row_value,
)
from analysis.present.style import STATUS_ORDER
from analysis.progress import national_comparison

#: the order in which the points of different evidence are drawn (real figures first)
_POINT_KINDS = ("real", "synthetic", "unknown")

_OBS_REQUIRED = ("province_code", "year", "indicator", "value")


def _one_row(row: Mapping | pd.Series | pd.DataFrame) -> Mapping:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise ParameterError(f"trajectory needs one progress row, got {len(row)}")
        return row.iloc[0]
    for col in ("province_code", "indicator", "target_year"):
        if row_value(row, col) is None:
            raise DataError(f"the progress row lacks {col}")
    return row


def _check_obs(observations: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _OBS_REQUIRED if c not in observations.columns]
    if missing:
        raise DataError(f"the observation table lacks column(s): {', '.join(missing)}")
    df = observations
    defaults = {"is_provisional": False, "is_estimated": False, "provenance": "unspecified",
                "source_id": ""}
    extra = {k: v for k, v in defaults.items() if k not in df.columns}
    return df.assign(**extra) if extra else df


def _check_progress(progress: pd.DataFrame) -> pd.DataFrame:
    need = ("province_code", "indicator", "status", "target_year")
    missing = [c for c in need if c not in progress.columns]
    if missing:
        raise DataError(f"the progress table lacks column(s): {', '.join(missing)}")
    unknown = sorted(set(progress["status"].dropna()) - set(STATUS_ORDER))
    if unknown:
        raise DataError(f"unknown status value(s) in the progress table: {', '.join(unknown)}")
    return progress


def _has_data(df: pd.DataFrame) -> pd.Series:
    if "n_points" in df:
        return df["n_points"].fillna(0).astype(float) > 0
    return df["latest_value"].notna() if "latest_value" in df else df["status"].ne(
        "insufficient_data")


def sort_by_sector(df: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """Rows ordered by sector (core sectors first), then catalogue order of the indicator,
    then the ``extra`` columns; a stable sort, the frame's columns unchanged."""

    cat = indicators()
    sector_order = {s: i for i, s in enumerate([*CORE_SECTORS, *[s for s in SECTORS
                                                                 if s not in CORE_SECTORS]])}
    ind_order = {ind: i for i, ind in enumerate(cat.index)}
    keys = pd.DataFrame({
        "_s": df["indicator"].map(cat["sector"]).map(sector_order).fillna(99),
        "_i": df["indicator"].map(ind_order).fillna(9999),
    }, index=df.index)
    by = ["_s", "_i", *(extra or [])]
    return df.join(keys).sort_values(by, kind="stable").drop(columns=["_s", "_i"])


def headline_targets(progress: pd.DataFrame, province_code: str | None = None, *,
                     core_only: bool = True, with_data: bool = True) -> pd.DataFrame:
    """One target per place and indicator: the one a report shows as the indicator's headline.

    Preference: a target with data; the place's own target, then a national one, then a
    regional one; the target year closest to 2030 (later first); a level before a yearly,
    cumulative or reduction target; then the target id.

    Args:
        progress: the progress table (one or more places).
        province_code: keep only this place.
        core_only: only indicators of the core sectors (water, housing, education, health).
        with_data: drop indicators whose headline target has no data point.

    Returns:
        Grain: one row per ``(geo_version, province_code, indicator)``, sorted by sector
        (core sectors first) and catalogue order; the columns of ``progress``.
    """

    df = _check_progress(progress)
    if province_code is not None:
        df = df[df["province_code"] == str(province_code)]
    cat = indicators()
    df = df[df["indicator"].isin(cat.index)]
    if core_only:
        df = df[df["indicator"].map(cat["sector"]).isin(CORE_SECTORS)]
    if df.empty:
        return df.reset_index(drop=True)
    applies = df["applies_as"] if "applies_as" in df else pd.Series("national", index=df.index)
    order = pd.DataFrame({
        "no_data": ~_has_data(df),
        "applies": applies.map({"provincial": 0, "national": 1, "national_benchmark": 1,
                                "regional_benchmark": 2}).fillna(3),
        "distance": (df["target_year"].astype(float) - 2030).abs(),
        "later": -df["target_year"].astype(float),
        "kind": df.get("kind", pd.Series("level", index=df.index)).map(
            {"level": 0, "annual": 1, "cumulative": 2, "reduction_per_year": 3}).fillna(4),
        "target_id": df.get("target_id", pd.Series("", index=df.index)).astype(str),
    }, index=df.index)
    ranked = df.join(order.add_prefix("_o_")).sort_values(
        [f"_o_{c}" for c in order.columns], kind="stable")
    key = ["geo_version", "province_code", "indicator"] if "geo_version" in df else \
        ["province_code", "indicator"]
    best = ranked.drop_duplicates(key, keep="first")
    if with_data:
        best = best[~best["_o_no_data"]]
    best = best.drop(columns=[c for c in best.columns if c.startswith("_o_")])
    return sort_by_sector(best).reset_index(drop=True)


def _place_series(observations: pd.DataFrame, geo_version: str, code: str, ind: str,
                  row: Mapping | None = None) -> pd.DataFrame:
    """One place's observed series (the nation computed from provinces when not reported)."""
    obs = _check_obs(observations)
    mask = (obs["province_code"] == code) & (obs["indicator"] == ind)
    if "geo_version" in obs:
        mask &= obs["geo_version"] == geo_version
    points = obs.loc[mask].sort_values("year").reset_index(drop=True)
    flags = str(row_value(row, "flags", "")) if row is not None else ""
    computed = row is not None and (str(row_value(row, "series", "")) ==
                                    "computed_from_provinces" or "computed_national" in flags)
    if code == COUNTRY_CODE and (points.empty or computed):
        points = _computed_national_series(observations, ind, geo_version)
        points.attrs["computed"] = True
    return points


def _computed_national_series(observations: pd.DataFrame, ind: str, geo_version: str
                              ) -> pd.DataFrame:
    """The nation computed from complete provincial data (analysis.progress)."""
    obs = _check_obs(observations)
    obs = obs[obs["indicator"] == ind]
    if "geo_version" in obs:
        obs = obs[obs["geo_version"] == geo_version]
    cols = ["province_code", "year", "indicator", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    table = national_comparison(obs, [ind], geo_version=None if "geo_version" in obs
                                else geo_version)
    table = table[table["complete"] & table["computed_value"].notna()]
    out = pd.DataFrame({
        "province_code": COUNTRY_CODE, "year": table["year"].astype("int64"),
        "indicator": ind, "value": table["computed_value"].astype(float),
        "is_provisional": False, "is_estimated": table["is_estimated"].astype(bool),
        "provenance": table["provenance"].astype(str), "source_id": table["source_id"].astype(str),
    })
    return out.sort_values("year").reset_index(drop=True)


def _indicator_obs(observations: pd.DataFrame, geo_version: str, indicator: str
                   ) -> pd.DataFrame:
    indicator_unit(indicator)  # unknown indicator -> ParameterError
    obs = _check_obs(observations)
    mask = obs["indicator"] == indicator
    if "geo_version" in obs:
        mask &= obs["geo_version"] == geo_version
    return obs.loc[mask]


def _resolve_year(obs: pd.DataFrame, year: int | None, indicator: str) -> int:
    prov = obs[obs["province_code"] != COUNTRY_CODE]
    years = sorted(int(y) for y in prov["year"].unique())
    if not years:
        raise DataError(f"no provincial data for indicator {indicator!r}")
    if year is None:
        return years[-1]
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a whole number, not {year!r}") from None
    if year not in years:
        raise ParameterError(f"no provincial data for {indicator!r} in {year}; years with "
                             f"data: {years[0]}–{years[-1]}")
    return year


def _province_values(obs: pd.DataFrame, geo_version: str, year: int, lang: str
                     ) -> pd.DataFrame:
    """Every province of the geography once, with its value in ``year`` (NaN when none)."""
    prov = provinces(geo_version)[["code"]].rename(columns={"code": "province_code"})
    prov["name"] = [province_label(c, geo_version, lang) for c in prov["province_code"]]
    year_rows = obs[obs["year"] == year].drop_duplicates("province_code")
    keep = ["province_code", "year", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    out = prov.merge(year_rows[keep], on="province_code", how="left", validate="1:1")
    out["is_provisional"] = out["is_provisional"].astype("boolean").fillna(False).astype(bool)
    out["is_estimated"] = out["is_estimated"].astype("boolean").fillna(False).astype(bool)
    out["year"] = year
    return out


def _national_figures(observations: pd.DataFrame, indicator: str, year: int,
                      geo_version: str, national: object) -> dict:
    """Reported and computed national values for ``year`` as asked by ``national``."""
    if national is False:
        return {}
    if isinstance(national, int | float) and not isinstance(national, bool):
        return {"reported": float(national)}
    if isinstance(national, Mapping):
        return {k: float(v) for k, v in national.items() if k in ("reported", "computed")
                and not is_missing(v)}
    obs = _indicator_obs(observations, geo_version, indicator)
    out: dict = {"source_ids": []}
    rep = obs[(obs["province_code"] == COUNTRY_CODE) & (obs["year"] == year)]
    if not rep.empty:
        out["reported"] = float(rep["value"].iloc[0])
        out["source_ids"] += _source_ids(rep)
        out["synthetic"] = _any_synthetic(rep)
    comp = national_comparison(obs, [indicator], geo_version=None if "geo_version" in obs
                               else geo_version)
    comp = comp[(comp["year"] == year) & comp["computed_value"].notna()]
    if not comp.empty:
        c = comp.iloc[0]
        out["computed"] = float(c["computed_value"])
        out["computed_n"] = int(c["n_provinces"])
        out["computed_expected"] = int(c["n_expected"])
        out["computed_method"] = str(c["computed_method"])
    return out


def _direction(indicator: str) -> str:

    return str(entry(indicator)["direction"])


def _point_kinds(points: pd.DataFrame) -> pd.Series:
    """The evidence kind of each point: ``real``, ``synthetic`` or ``unknown``."""
    if "provenance" not in points:
        return pd.Series("unknown", index=points.index)
    kinds = points["provenance"].map(evidence_kind)
    return kinds.where(kinds != "none", "unknown")


def _grade_groups(points: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The points split by evidence kind (real first); ``[("all", points)]`` when every
    point is of one kind, so that a series of one grade is drawn as before."""
    if points.empty:
        return [("all", points)]
    kinds = _point_kinds(points)
    present = [k for k in _POINT_KINDS if (kinds == k).any()]
    if len(present) <= 1:
        return [("all", points)]
    return [(k, points[kinds == k]) for k in present]


def _status_counts(rows: Iterable[Mapping]) -> dict[str, int]:
    counts = {s: 0 for s in STATUS_ORDER}
    for r in rows:
        counts[str(r["status"])] += 1
    return {s: n for s, n in counts.items() if n}


def _any_synthetic(df: pd.DataFrame) -> bool:
    return bool(len(df)) and "provenance" in df and bool((df["provenance"] == "synthetic").any())


def _grades(df: pd.DataFrame) -> list[str]:
    if not len(df) or "provenance" not in df:
        return []
    return sorted({str(g) for g in df["provenance"].dropna()})


def _split_ids(values: Iterable) -> list[str]:
    ids = {p for v in values if isinstance(v, str) for p in v.split(";") if p}
    return sorted(ids)


def _source_ids(df: pd.DataFrame) -> list[str]:
    if not len(df) or "source_id" not in df:
        return []
    return _split_ids(df["source_id"])


def _target_meta(row: Mapping) -> dict:
    return {k: ("" if row_value(row, k) is None else str(row_value(row, k)))
            for k in ("target_id", "source_document", "confidence")}


def _targets_meta(rows: pd.DataFrame) -> list[dict]:
    if rows.empty or "target_id" not in rows:
        return []
    first = rows.drop_duplicates("target_id")
    return [_target_meta(r) for r in first.to_dict("records")]


def _values_table(values: pd.DataFrame, nat: Mapping, indicator: str, unit: str,
                  year: int) -> pd.DataFrame:
    cols = ["province_code", "name", "year", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    df = values.reindex(columns=cols).rename(columns={"name": "province"})
    df.insert(3, "indicator", indicator)
    df.insert(5, "unit", unit)
    extra = []
    for key in ("reported", "computed"):
        if key in nat:
            extra.append({"province_code": COUNTRY_CODE, "province": f"VN ({key})",
                          "year": year, "indicator": indicator, "value": nat[key],
                          "unit": unit})
    if extra:
        df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
    return df


def _obs_table(obs: pd.DataFrame, lang: str, geo_version: str) -> pd.DataFrame:
    cols = ["province_code", "year", "indicator", "value", "unit", "is_provisional",
            "is_estimated", "provenance", "source_id"]
    df = obs.reindex(columns=cols).copy()
    names = {c: province_label(str(c), geo_version, lang) for c in df["province_code"].unique()}
    df.insert(1, "province", df["province_code"].map(names))
    return df.reset_index(drop=True)


def _path_table(path: pd.DataFrame, series: str, code: str, ind: str, unit: str
                ) -> pd.DataFrame:
    return pd.DataFrame({"series": series, "province_code": code, "indicator": ind,
                         "year": path["year"].astype(int), "value": path["value"].astype(float),
                         "unit": unit})
