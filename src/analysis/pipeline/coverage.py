"""Coverage: how much of each indicator rests on real figures, and how much on synthetic ones.

:func:`coverage_table` counts, for every indicator and geography, the provinces, years and
points of each provenance grade (official, secondary, synthetic), and how many progress
verdicts rest on real evidence. It shows the gaps too: an indicator with targets but no data
gets a row of zeros. :func:`coverage_summary` gives the headline figures the README and the
index page quote; ``nq42 coverage`` prints the table (:func:`cli_coverage`).

Definitions (one row per ``(geo_version, indicator)``, sorted by sector, indicator, geo):

* ``provinces_<g>``: distinct provinces (the nation ``VN`` not counted) with at least one
  observation of grade ``g``;
* ``years_<g>``: the years of the grade's observations (the nation's included), as runs of
  consecutive years: ``"2016–2024"``, ``"2015, 2017–2024"``; ``""`` when none;
* ``points_<g>``: observations of the grade (provinces and nation);
* ``national_<g>``: a national (``VN``) observation of the grade exists;
* ``targets``: distinct targets of the indicator assessed in that geography (from the
  progress table, plus those of ``targets=`` when given);
* ``verdicts``: progress rows (provinces and nation) with a status other than
  ``insufficient_data``; ``verdicts_real``: those whose evidence grade (the weakest grade
  of the points the verdict used: ``evidence_grade``, else the progress ``provenance``
  column) is official or secondary; ``verdicts_real_provinces``: distinct provinces (not
  ``VN``) with at least one real verdict; ``verdicts_synthetic``: verdicts whose evidence
  grade is synthetic.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from rich.table import Table

from analysis import schemas
from analysis.catalogue.indicators import indicators
from analysis.catalogue.methods import INSUFFICIENT
from analysis.core.config import COUNTRY_CODE, GEO_VERSIONS, PROCESSED_DIR
from analysis.core.console import console_for_cli
from analysis.core.errors import DataError, ParameterError
from analysis.core.provenance import GRADES, REAL_GRADES, SYNTHETIC

#: Real verdicts needed for an indicator to count as "covered" in a geography (the headline
#: "indicators with real verdicts for at least 30 of the 34 provinces"; vn63: the same share).
COVERED_PROVINCES = {"vn34": 30, "vn63": math.ceil(30 / 34 * 63)}
OBS_COLUMNS = ("geo_version", "province_code", "year", "indicator", "provenance")
PROGRESS_COLUMNS = ("geo_version", "province_code", "target_id", "indicator", "sector",
                    "status", "evidence_grade", "provenance")
_KEY = ["geo_version", "indicator"]  # the grain of the table


def year_text(years: object) -> str:
    """Years as runs of consecutive years: ``[2016, ..., 2024] -> "2016–2024"``."""
    ys = sorted({int(y) for y in years if pd.notna(y)})
    runs: list[str] = []
    start = prev = None
    for y in ys:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            runs.append(str(start) if start == prev else f"{start}–{prev}")
            start = prev = y
    if start is not None:
        runs.append(str(start) if start == prev else f"{start}–{prev}")
    return ", ".join(runs)


def _evidence_grade(progress: pd.DataFrame) -> pd.Series:
    """The grade each verdict rests on: ``evidence_grade``, else ``provenance``, else ""."""
    for col in ("evidence_grade", "provenance"):
        if col in progress.columns:
            return progress[col].astype("object").fillna("").astype(str)
    return pd.Series("", index=progress.index, dtype=object)


def coverage_table(observations: pd.DataFrame, progress: pd.DataFrame, *,
                   targets: pd.DataFrame | None = None,
                   geo_versions: tuple[str, ...] | list[str] = GEO_VERSIONS) -> pd.DataFrame:
    """The coverage table (see the module docstring), validated with its schema.

    Args:
        observations: the observation table (``geo_version, province_code, year,
            indicator, provenance`` are used).
        progress: the progress table (``geo_version, province_code, target_id, indicator,
            status`` and ``evidence_grade`` or ``provenance``).
        targets: optional targets catalogue (:func:`analysis.load_targets`): its targets
            count even where the progress table has no row for them (a target without a
            ``geo_version`` applies to both geographies).
        geo_versions: the geographies to cover (default both).

    Returns:
        One row per ``(geo_version, indicator)`` for every indicator with an observation
        or a target, in every geography of ``geo_versions`` (zeros where there is
        nothing), columns :data:`analysis.schemas.COVERAGE_COLUMNS`, sorted by sector,
        indicator, geo_version.
    """
    geos = list(geo_versions)
    unknown = [g for g in geos if g not in GEO_VERSIONS]
    if unknown:
        raise ParameterError(f"unknown geography {unknown[0]!r}; use vn63 or vn34")
    obs = _columns(observations, OBS_COLUMNS, "observations", required=OBS_COLUMNS)
    obs = obs[obs["geo_version"].isin(geos)]
    pr = _columns(progress, PROGRESS_COLUMNS, "progress",
                  required=("geo_version", "province_code", "target_id", "indicator",
                            "status"))
    pr = pr[pr["geo_version"].isin(geos)]

    target_pairs = _target_pairs(pr, targets, geos)
    ids = sorted(set(obs["indicator"].astype(str)) | set(target_pairs["indicator"].astype(str)))
    index = pd.MultiIndex.from_product([geos, ids], names=_KEY)
    out = pd.DataFrame(index=index)
    _grade_columns(out, obs)
    _verdict_columns(out, pr, target_pairs)
    return _finish(out.reset_index(), pr)


def _target_pairs(pr: pd.DataFrame, targets: pd.DataFrame | None, geos: list[str]
                  ) -> pd.DataFrame:
    """(geo_version, indicator, target_id) of the progress rows and of ``targets``."""
    target_pairs = pr[_KEY + ["target_id"]].dropna()
    if targets is not None and len(targets):
        t = targets[["target_id", "indicator", "geo_version"]].copy()
        t["geo_version"] = t["geo_version"].astype("object")
        both = t["geo_version"].isna() | (t["geo_version"].astype(str).str.strip() == "")
        extra = pd.concat([t[~both]] + [t[both].assign(geo_version=g) for g in geos],
                          ignore_index=True)
        target_pairs = pd.concat([target_pairs, extra[extra["geo_version"].isin(geos)]
                                  [_KEY + ["target_id"]]], ignore_index=True)
    return target_pairs


def _grade_columns(out: pd.DataFrame, obs: pd.DataFrame) -> None:
    """``provinces_<g>``, ``years_<g>``, ``points_<g>`` and ``national_<g>`` of every grade."""
    obs_key = pd.MultiIndex.from_arrays([obs["geo_version"].astype(str).to_numpy(),
                                         obs["indicator"].astype(str).to_numpy()], names=_KEY)
    grade = obs["provenance"].astype(str).to_numpy()
    is_nation = (obs["province_code"].astype(str) == COUNTRY_CODE).to_numpy()
    codes = obs["province_code"].astype(str).to_numpy()
    years = obs["year"].to_numpy()
    for g in GRADES:
        sel = grade == g
        frame = pd.DataFrame({"code": codes[sel], "year": years[sel], "nation": is_nation[sel]},
                             index=obs_key[sel])
        grouped = frame.groupby(level=_KEY, sort=False)
        out[f"provinces_{g}"] = frame.loc[~frame["nation"].to_numpy(), "code"].groupby(
            level=_KEY, sort=False).nunique()
        out[f"years_{g}"] = grouped["year"].agg(lambda s: year_text(s.unique()))
        out[f"points_{g}"] = grouped.size()
        out[f"national_{g}"] = grouped["nation"].any()


def _verdict_columns(out: pd.DataFrame, pr: pd.DataFrame, target_pairs: pd.DataFrame) -> None:
    """``targets`` and the ``verdicts`` columns (real, real provinces, synthetic)."""
    ev = _evidence_grade(pr).to_numpy()
    verdict = (pr["status"].astype("object").fillna(INSUFFICIENT) != INSUFFICIENT).to_numpy()
    real = verdict & np.isin(ev, list(REAL_GRADES))
    synthetic = verdict & (ev == SYNTHETIC)
    pr_key = pd.MultiIndex.from_arrays([pr["geo_version"].astype(str).to_numpy(),
                                        pr["indicator"].astype(str).to_numpy()], names=_KEY)
    flags = pd.DataFrame({"verdict": verdict, "real": real, "synthetic": synthetic},
                         index=pr_key)
    sums = flags.groupby(level=_KEY, sort=False).sum()
    out["targets"] = target_pairs.drop_duplicates().groupby(_KEY, sort=False).size()
    out["verdicts"] = sums["verdict"]
    out["verdicts_real"] = sums["real"]
    pr_codes = pr["province_code"].astype(str).to_numpy()
    real_prov = real & (pr_codes != COUNTRY_CODE)
    out["verdicts_real_provinces"] = pd.Series(pr_codes[real_prov], index=pr_key[real_prov]
                                               ).groupby(level=_KEY, sort=False).nunique()
    out["verdicts_synthetic"] = sums["synthetic"]


def _finish(out: pd.DataFrame, pr: pd.DataFrame) -> pd.DataFrame:
    """Sector and names, the schema's dtypes (zeros and "" where nothing), sorted, validated."""
    cat = indicators()
    sector_of = cat["sector"].astype(str).to_dict()
    if "sector" in pr and len(pr):
        for ind, sec in pr.dropna(subset=["sector"]).groupby("indicator")["sector"].first().items():
            sector_of.setdefault(str(ind), str(sec))
    out["sector"] = out["indicator"].map(sector_of).fillna("")
    for lang in ("vi", "en"):
        out[f"name_{lang}"] = out["indicator"].map(cat[f"name_{lang}"].astype(str)).fillna("")
    for col, dtype in schemas.COVERAGE_DTYPES.items():
        if dtype == "int64":
            out[col] = out[col].fillna(0).astype("int64")
        elif dtype == "bool":
            out[col] = out[col].astype("boolean").fillna(False).astype(bool)
        else:
            text = out[col].astype("object")
            out[col] = text.where(text.notna(), "").astype("str")
    out = out[schemas.COVERAGE_COLUMNS].sort_values(
        ["sector", "indicator", "geo_version"], kind="mergesort").reset_index(drop=True)
    return schemas.coverage_schema().validate(out, lazy=True)


def _columns(df: pd.DataFrame, wanted: tuple[str, ...], what: str,
             required: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"the {what} table lacks column(s): {', '.join(missing)}")
    return df[[c for c in wanted if c in df.columns]]


def coverage_summary(table: pd.DataFrame) -> dict:
    """Headline figures of a coverage table (plain numbers and lists, JSON-ready).

    Returns:
        ``{"observations": {grade: n, "total": n}, "observation_share": {grade: share},
        "by_geo": {geo: {...}}, "indicators_real_covered_vn34": n,
        "covered_provinces": {...}}`` where each ``by_geo`` entry has the same
        observation counts and shares, ``indicators`` (rows), ``indicators_with_targets``,
        ``indicators_with_targets_without_data`` (ids), ``indicators_with_real_data``
        (official or secondary points anywhere), ``indicators_real_covered`` (real verdicts
        for at least :data:`COVERED_PROVINCES` provinces, e.g. 30 of the 34),
        ``indicators_national_real`` (a real national point), ``verdicts``,
        ``verdicts_real``, ``verdicts_synthetic`` and ``verdicts_real_share``. Shares are
        fractions (0.25 = 25 %), 0.0 when there is nothing to share.
    """

    def counts(rows: pd.DataFrame) -> dict:
        got = {g: int(rows[f"points_{g}"].sum()) for g in GRADES}
        got["total"] = sum(got.values())
        return got

    def shares(c: dict) -> dict:
        return {g: (c[g] / c["total"] if c["total"] else 0.0) for g in GRADES}

    by_geo = {}
    for geo in [g for g in GEO_VERSIONS if g in set(table["geo_version"])]:
        rows = table[table["geo_version"] == geo]
        c = counts(rows)
        points = rows[[f"points_{g}" for g in GRADES]].sum(axis=1)
        real_points = rows[[f"points_{g}" for g in REAL_GRADES]].sum(axis=1)
        verdicts = int(rows["verdicts"].sum())
        threshold = COVERED_PROVINCES.get(geo, 30)
        by_geo[geo] = {
            "observations": c, "observation_share": shares(c),
            "indicators": int(len(rows)),
            "indicators_with_targets": int((rows["targets"] > 0).sum()),
            "indicators_with_targets_without_data": sorted(
                rows.loc[(rows["targets"] > 0) & (points == 0), "indicator"].tolist()),
            "indicators_with_real_data": int((real_points > 0).sum()),
            "indicators_real_covered": int((rows["verdicts_real_provinces"] >= threshold).sum()),
            "covered_provinces": threshold,
            "indicators_national_real": int(rows[[f"national_{g}" for g in REAL_GRADES]]
                                            .any(axis=1).sum()),
            "verdicts": verdicts,
            "verdicts_real": int(rows["verdicts_real"].sum()),
            "verdicts_synthetic": int(rows["verdicts_synthetic"].sum()),
            "verdicts_real_share": (int(rows["verdicts_real"].sum()) / verdicts
                                    if verdicts else 0.0),
        }
    total = counts(table)
    return {
        "observations": total, "observation_share": shares(total), "by_geo": by_geo,
        "indicators_real_covered_vn34": by_geo.get("vn34", {}).get("indicators_real_covered", 0),
        "covered_provinces": dict(COVERED_PROVINCES),
    }


# ---------------------------------------------------------------------------------------
# nq42 coverage
# ---------------------------------------------------------------------------------------


def cli_coverage(geo: str = "vn34", fmt: str = "table",
                 processed_dir: str | Path | None = None) -> int:
    """``nq42 coverage``: the coverage table of the built data, as rich tables or CSV.

    Reads ``observations.parquet`` and ``progress.parquet`` of ``processed_dir`` (default
    ``data/processed``). Returns 0; raises DataError (exit 1) when they are missing.
    """

    geos = {"all": GEO_VERSIONS, "vn34": ("vn34",), "vn63": ("vn63",)}.get(str(geo).lower())
    if geos is None:
        raise ParameterError(f"unknown geography {geo!r}; use vn34, vn63 or all")
    fmt = str(fmt).lower()
    if fmt not in ("table", "csv"):
        raise ParameterError(f"unknown format {fmt!r}; use table or csv")
    folder = Path(processed_dir) if processed_dir is not None else PROCESSED_DIR
    paths = [folder / "observations.parquet", folder / "progress.parquet"]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise DataError(f"no built tables ({' and '.join(missing)} missing): run nq42 build "
                        "first", file=folder)
    obs = pd.read_parquet(paths[0], columns=list(OBS_COLUMNS))
    progress = pd.read_parquet(paths[1])
    table = coverage_table(obs, progress, geo_versions=geos)
    if fmt == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    _print_table(table)
    return 0


def _cell(row: pd.Series, g: str) -> str:
    n = int(row[f"provinces_{g}"])
    parts = [f"{n} prov." if n else "—"]
    if row[f"years_{g}"]:
        parts.append(str(row[f"years_{g}"]))
    if row[f"national_{g}"]:
        parts.append("VN")
    return " · ".join(parts)


def _print_table(table: pd.DataFrame) -> None:
    console = console_for_cli()
    for sector, rows in table.groupby("sector", sort=True):
        t = Table(title=f"coverage — {sector or 'other'}", show_lines=False)
        t.add_column("indicator", no_wrap=True)
        t.add_column("geo")
        for g in GRADES:
            t.add_column(g)
        for col in ("targets", "verdicts", "real", "real prov.", "synthetic v."):
            t.add_column(col, justify="right")
        for _, r in rows.iterrows():
            t.add_row(r["indicator"], r["geo_version"], *(_cell(r, g) for g in GRADES),
                      str(r["targets"]), str(r["verdicts"]), str(r["verdicts_real"]),
                      str(r["verdicts_real_provinces"]), str(r["verdicts_synthetic"]))
        console.print(t)
    summary = coverage_summary(table)
    for geo, s in summary["by_geo"].items():
        share = s["observation_share"]
        console.print(
            f"{geo}: {s['observations']['total']} observations — "
            + ", ".join(f"{g} {share[g]:.0%}" for g in GRADES)
            + f"; {s['verdicts_real']} of {s['verdicts']} verdicts rest on real figures; "
            f"{s['indicators_real_covered']} indicators with real verdicts for ≥ "
            f"{s['covered_provinces']} provinces")
        if s["indicators_with_targets_without_data"]:
            console.print(f"{geo}: targets without any data: "
                          + ", ".join(s["indicators_with_targets_without_data"]))
