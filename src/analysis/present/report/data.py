"""The built tables of one report (:class:`ReportData`, :func:`load_report_data`) and the
checked selections of progress rows the blocks share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalogue.geography import check_geo_version
from analysis.catalogue.indicators import indicator as catalogue_entry
from analysis.catalogue.indicators import indicators
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.pipeline.io import load_build_info, load_observations, load_progress
from analysis.present.i18n import check_language, indicator_unit, province_label
from analysis.present.style import STATUS_ORDER
from analysis.progress import load_methods


@dataclass(frozen=True)
class ReportData:
    """The built tables one report needs, for one geography.

    Attributes:
        geo_version: ``vn34`` or ``vn63``.
        observations: the observation table of that geography (``io.load_observations``).
        progress: the progress table of that geography (``io.load_progress``).
        build_info: the ``build.json`` manifest (sources, build id, …).
    """

    geo_version: str
    observations: pd.DataFrame
    progress: pd.DataFrame
    build_info: dict = field(default_factory=dict)

    @property
    def sources(self) -> dict:
        """The source register of the build: source id -> entry (title, producer, grade…)."""
        return dict(self.build_info.get("sources") or {})

    @property
    def data_year(self) -> int | None:
        """The latest year with any observation (the report's "data up to")."""
        if self.observations.empty:
            return None
        return int(self.observations["year"].max())

    def is_synthetic(self, province_code: str | None = None, indicator: str | None = None
                     ) -> bool:
        """Whether any observation or progress row in scope is synthetic.

        The scope is the whole geography by default (maps and rankings show every
        province), or one place and/or one indicator.
        """
        frames = []
        for df in (self.observations, self.progress):
            part = df
            if province_code is not None and "province_code" in part:
                part = part[part["province_code"] == str(province_code)]
            if indicator is not None and "indicator" in part:
                part = part[part["indicator"] == indicator]
            frames.append(part)
        return any("provenance" in f and bool((f["provenance"] == "synthetic").any())
                   for f in frames)

    def place_progress(self, province_code: str) -> pd.DataFrame:
        """The progress rows of one place (``"VN"`` for the country)."""
        return self.progress[self.progress["province_code"] == str(province_code)].reset_index(
            drop=True)

    def place_observations(self, province_code: str) -> pd.DataFrame:
        """The observations of one place."""
        obs = self.observations
        return obs[obs["province_code"] == str(province_code)].reset_index(drop=True)

    def indicator_progress(self, indicator: str) -> pd.DataFrame:
        """The progress rows of one indicator (every place)."""
        return self.progress[self.progress["indicator"] == indicator].reset_index(drop=True)

    def headline(self, province_code: str, *, core_only: bool = True) -> pd.DataFrame:
        """The headline target of each indicator of a place (see charts.headline_targets)."""
        from analysis.present.charts import headline_targets  # charts imports plotly (heavy)

        return headline_targets(self.progress, province_code, core_only=core_only)

    def _national_targets(self) -> pd.DataFrame:
        """The progress rows of national targets (benchmarked in every province)."""
        prog = self.progress
        if "applies_as" in prog:
            prog = prog[prog["applies_as"].isin(["national_benchmark", "national"])]
        return prog

    def _provincial_observations(self, indicator: str) -> pd.DataFrame:
        """The observations of one indicator in the provinces (not the country)."""
        obs = self.observations
        return obs[(obs["indicator"] == indicator) & (obs["province_code"] != COUNTRY_CODE)]

    def map_target(self, province_code: str | None = None) -> Mapping | None:
        """The target a status map shows: the place's first headline target that is a
        national target benchmarked in every province (None when there is none)."""
        from analysis.present.charts import headline_targets  # charts imports plotly (heavy)

        prog = self._national_targets()
        code = COUNTRY_CODE if province_code is None else str(province_code)
        heads = headline_targets(prog, code)
        if heads.empty and province_code is not None:
            heads = headline_targets(prog, COUNTRY_CODE)
        return None if heads.empty else heads.iloc[0]

    def sector_targets(self) -> pd.DataFrame:
        """One national target per sector for the maps of the national overview.

        The headline target (charts.headline_targets) of the first indicator of each sector
        that has provincial data.
        """
        from analysis.present.charts import headline_targets  # charts imports plotly (heavy)

        prog = self._national_targets()
        heads = headline_targets(prog, COUNTRY_CODE)
        if heads.empty:
            return heads
        provinces_with_data = prog[(prog["province_code"] != COUNTRY_CODE) &
                                   (prog.get("n_points", 1) > 0)]["target_id"]
        heads = heads[heads["target_id"].isin(set(provinces_with_data))]
        sectors = heads["indicator"].map(indicators()["sector"])
        return heads.assign(sector=sectors).drop_duplicates("sector").reset_index(drop=True)

    def target_statuses(self, target_id: str) -> pd.DataFrame:
        """Every province's row for one target: the data of a status map.

        Grain: one row per province (not the country). Columns ``province_code``,
        ``status``, ``latest_value``, ``latest_year``, ``target_id``, ``unit``,
        ``provenance``, ``source_id`` (from the observations when the progress table has
        none), ``source_document`` and ``confidence`` (when present). There is no ``value``
        column on purpose: ``analysis.present.maps.choropleth`` then colours by status.
        """
        prog = self.progress
        rows = prog[(prog["target_id"] == target_id) & (prog["province_code"] != COUNTRY_CODE)]
        unit = indicator_unit(str(rows["indicator"].iloc[0])) if len(rows) else None
        out = pd.DataFrame({
            "province_code": rows["province_code"].astype(str),
            "status": rows["status"].astype(str),
            "latest_value": rows.get("latest_value"),
            "latest_year": rows.get("latest_year"),
            "target_id": target_id, "unit": unit,
            "provenance": rows.get("provenance", pd.Series("unspecified", index=rows.index)),
            "source_id": rows.get("source_id", pd.Series("", index=rows.index)),
        })
        out = out.drop_duplicates("province_code").reset_index(drop=True)
        if not out["source_id"].astype(str).str.len().any():
            out["source_id"] = self._source_ids_by_province(
                str(rows["indicator"].iloc[0]) if len(rows) else "", out["province_code"])
        for col in ("source_document", "confidence"):
            if col in rows:
                out[col] = rows.drop_duplicates("province_code")[col].to_numpy()
        return out

    def _source_ids_by_province(self, indicator: str, codes: pd.Series) -> pd.Series:
        """Source ids of each province's observations of ``indicator`` (``;``-joined)."""
        obs = self.observations
        obs = obs[obs["indicator"] == indicator]
        if "source_id" not in obs or obs.empty:
            return pd.Series("", index=codes.index)
        joined = obs.groupby("province_code")["source_id"].agg(
            lambda s: ";".join(split_source_ids(s)))
        return codes.map(joined).fillna("")

    def values(self, indicator: str, year: int | None = None) -> pd.DataFrame:
        """Every province's value of one indicator in ``year`` (default: the latest year
        with provincial data): the data of a value map (``province_code``, ``value``, …)."""
        obs = self._provincial_observations(indicator)
        if obs.empty:
            raise DataError(f"no provincial data for indicator {indicator!r}")
        year = int(obs["year"].max()) if year is None else int(year)
        rows = obs[obs["year"] == year]
        if rows.empty:
            raise ParameterError(f"no provincial data for {indicator!r} in {year}")
        return rows.reset_index(drop=True)

    def year_at_or_before(self, indicator: str, year: int | None) -> int:
        """The latest year with provincial data for ``indicator`` that is not after ``year``
        (None: the latest year). The chart's title always states the year shown."""
        obs = self._provincial_observations(indicator)
        years = sorted(int(y) for y in obs["year"].unique())
        if not years:
            raise DataError(f"no provincial data for indicator {indicator!r}")
        if year is None:
            return years[-1]
        before = [y for y in years if y <= int(year)]
        return before[-1] if before else years[0]

    def latest_year(self, indicator: str) -> int:
        """The latest year with provincial data for one indicator."""
        obs = self._provincial_observations(indicator)
        if obs.empty:
            raise DataError(f"no provincial data for indicator {indicator!r}")
        return int(obs["year"].max())


def load_report_data(geo_version: str, *, lang: str = "vi",
                     processed_dir: str | Path | None = None, province_code: str | None = None,
                     indicator: str | None = None, year: int | None = None) -> ReportData:
    """Check a notebook's parameters, then load the built tables of one geography.

    Args:
        geo_version: ``vn34`` or ``vn63``.
        lang: ``vi`` or ``en``.
        processed_dir: the built folder (default ``data/processed``).
        province_code: a province of ``geo_version`` (or ``"VN"``), if the report has one.
        indicator: an indicator id of the catalogue, if the report has one.
        year: a year with observations in this geography, or None.

    Raises:
        ParameterError: an unknown language, geography, province, indicator or a year
            outside the data (the message names the value and the choices).
        DataError: the tables have not been built.
    """
    check_language(lang)
    check_geo_version(geo_version)
    if province_code is not None:
        province_label(str(province_code), geo_version, lang)  # unknown code -> error
    if indicator is not None:
        catalogue_entry(indicator)
    obs = load_observations(geo_version, processed_dir=processed_dir)
    prog = load_progress(geo_version, processed_dir=processed_dir)
    info = load_build_info(processed_dir)
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int | float) or int(year) != year:
            raise ParameterError(f"year must be a whole number, not {year!r}")
        years = sorted(int(y) for y in obs["year"].unique())
        if int(year) not in years:
            span = f"{years[0]}–{years[-1]}" if years else "none"
            raise ParameterError(f"no data for year {int(year)} in {geo_version}; years with "
                                 f"data: {span}")
    return ReportData(geo_version, obs, prog, info)


def split_source_ids(values: Iterable[object]) -> list[str]:
    """The distinct source ids in ``values`` (each a ``;``-separated text), sorted."""
    return sorted({p for v in values if isinstance(v, str) for p in v.split(";") if p})


def _progress_rows(progress: pd.DataFrame, province_code: str | None) -> pd.DataFrame:
    need = ("province_code", "indicator", "status", "target_year")
    missing = [c for c in need if c not in progress.columns]
    if missing:
        raise DataError(f"the progress table lacks column(s): {', '.join(missing)}")
    df = progress
    if province_code is not None:
        df = df[df["province_code"] == str(province_code)]
    unknown = sorted(set(df["status"].dropna()) - set(STATUS_ORDER))
    if unknown:
        raise DataError(f"unknown status value(s) in the progress table: {', '.join(unknown)}")
    return df.reset_index(drop=True)


def _with_data(df: pd.DataFrame) -> pd.Series:
    if "n_points" in df:
        return df["n_points"].fillna(0).astype(float) > 0
    return df["latest_value"].notna()


def _thresholds() -> dict:
    m = load_methods()
    return {k: float(v) for k, v in m["thresholds"].items()}
