"""HTML building blocks for the report notebooks: headers, figures with their sources, tables.

Each function returns an object that JupyterLab and nbconvert show as HTML (it has
``_repr_html_``; :class:`FigureBlock` shows the plotly figure first, then its caption), so the
same notebook reads well in JupyterLab and becomes the offline report. Rules:

* every text that comes from data (names, titles, documents, notes) is HTML-escaped;
* every string a reader sees comes from :mod:`analysis.present.i18n` (Vietnamese or English);
* every figure is followed by its summary sentence, its sources with their provenance grade
  (and the documents that set the targets shown) and a CSV download of the data behind it
  (a ``data:`` URI: UTF-8 with BOM for Excel; cells that a spreadsheet would read as a
  formula are neutralised by :func:`neutralise_csv_cell`);
* nothing shows an absolute local path or a user name.

Typical notebook use::

    from analysis.present import charts, report as reporting
    data = reporting.load_report_data("vn34", lang="vi", province_code="01")
    reporting.page_header("…", lang="vi", geo_version="vn34", province_code="01",
                          data_date=data.data_year, synthetic=data.is_synthetic())
    reporting.figure_block(charts.small_multiples(data.observations, data.progress, "01",
                                                  lang="vi", geo_version="vn34"),
                           lang="vi", sources=data.sources)
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.catalogue.geography import check_geo_version, crosswalk, provinces
from analysis.present.i18n import (
    capped_projection,
    check_language,
    evidence_detail,
    evidence_grade,
    evidence_kind,
    evidence_label,
    evidence_mark,
    evidence_tag,
    fmt_number,
    fmt_value,
    geo_label,
    has_key,
    indicator_name,
    indicator_unit,
    is_missing,
    provenance_label,
    province_label,
    row_value,
    sector_label,
    sort_key,
    status_label,
    t,
    target_text,
)
from analysis.catalogue.indicators import indicator as catalogue_entry
from analysis.catalogue.indicators import indicators
from analysis.catalogue.indicators import indicators as catalogue
from analysis.pipeline.io import load_alternatives, load_build_info, load_observations, load_progress
from analysis.core.provenance import rank
from analysis.present.style import (
    FONT_FAMILY,
    STATUS_COLORS,
    STATUS_MARKS,
    STATUS_ORDER,
    STATUS_TEXT_COLORS,
    SYNTHETIC_COLOR,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NO_DATA_CHOICES = ("summary", "rows", "hide")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

_CSS = f"""
.nq-block {{ font-family: {FONT_FAMILY}; color: #1b1f24; line-height: 1.5; }}
.nq-header h1 {{ font-size: 1.6rem; margin: 0.2rem 0 0.4rem; }}
.nq-kicker {{ font-size: 0.85rem; color: #55606e; margin: 0; }}
.nq-facts {{ display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.3rem 0 0.8rem;
  padding: 0 !important; list-style: none !important; font-size: 0.95rem; }}
.nq-facts li, .nq-chips li {{ list-style: none !important; margin: 0 !important; }}
.nq-facts b {{ font-weight: 600; }}
.nq-banner {{ border: 3px solid #000; background: {SYNTHETIC_COLOR}; color: #000;
  padding: 0.6rem 0.9rem; margin: 0.6rem 0 1rem; font-size: 1rem; }}
.nq-banner strong {{ display: block; font-size: 1.1rem; letter-spacing: 0.02em; }}
.nq-caption {{ font-size: 0.9rem; margin: 0.2rem 0 1.6rem; padding-left: 0.6rem;
  border-left: 3px solid #d5dbe3; }}
.nq-caption p {{ margin: 0.25rem 0; }}
.nq-summary {{ font-size: 1rem; }}
.nq-caption ul {{ margin: 0.2rem 0 0.3rem 1.1rem; padding: 0; }}
.nq-grade {{ display: inline-block; padding: 0 0.35rem; border: 1px solid #555;
  border-radius: 3px; font-size: 0.8rem; }}
.nq-grade {{ background: #fff; color: #000; font-weight: 400; white-space: nowrap; }}
.nq-grade-synthetic {{ background: {SYNTHETIC_COLOR}; color: #000; border-color: #000;
  border-style: dashed; }}
.nq-status .nq-grade, .nq-chips .nq-grade {{ margin-left: 0.2rem; }}
.nq-evidence {{ margin: 0.2rem 0 0.8rem; }}
.nq-evidence ul {{ margin: 0.2rem 0 0 1.1rem; padding: 0; }}
.nq-download a {{ font-weight: 600; }}
.nq-small {{ font-size: 0.82rem; color: #55606e; }}
.nq-block table.nq-table {{ border-collapse: collapse; width: 100%; font-size: 0.88rem;
  margin: 0.4rem 0 1.2rem; table-layout: auto !important; }}
.nq-block table.nq-table caption {{ text-align: left !important; font-weight: 600;
  padding: 0.3rem 0; }}
.nq-block table.nq-table th, .nq-block table.nq-table td {{ border: 1px solid #d5dbe3;
  padding: 0.3rem 0.45rem; vertical-align: top; text-align: left !important; }}
.nq-block table.nq-table th {{ background: #f4f6f9; }}
.nq-block table.nq-table td.nq-num {{ text-align: right !important; white-space: nowrap; }}
.nq-block table.nq-facts-table td, .nq-block table.nq-facts-table th {{ border: 0;
  background: none; padding: 0.1rem 1rem 0.1rem 0; }}
.nq-block table.nq-facts-table {{ width: auto; }}
.nq-status {{ font-weight: 600; white-space: nowrap; }}
.nq-chips {{ display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.4rem 0 0.8rem;
  padding: 0; list-style: none; }}
.nq-chips li {{ padding: 0.25rem 0.6rem; border: 1px solid #333; border-radius: 4px;
  font-weight: 600; }}
.nq-footer {{ border-top: 2px solid #d5dbe3; margin-top: 2rem; padding-top: 0.6rem;
  font-size: 0.85rem; }}
.nq-method {{ font-size: 0.9rem; background: #f4f6f9; padding: 0.5rem 0.9rem;
  margin: 1rem 0; }}
@media print {{
  .nq-caption, table.nq-table tr, .nq-banner {{ break-inside: avoid; }}
  .nq-download {{ display: none; }}
}}
"""


# ======================================================================================
# HTML objects
# ======================================================================================


class HtmlBlock:
    """A piece of HTML that notebooks display (``_repr_html_``) and templates embed
    (``__html__``); ``str()`` gives the HTML, ``repr()`` a short plain-text description."""

    __slots__ = ("html", "text")

    def __init__(self, html_text: str, text: str = "") -> None:
        self.html = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or f"<HTML block, {len(self.html)} characters>"

    def __add__(self, other: HtmlBlock) -> HtmlBlock:
        return HtmlBlock(self.html + str(other), "\n".join(x for x in (self.text, getattr(
            other, "text", "")) if x))


class FigureBlock:
    """A figure and its caption (summary, sources, CSV download).

    In IPython it displays the figure (as ``application/vnd.plotly.v1+json``, what papermill
    stores and the report exporter draws offline) and then the caption as HTML. Elsewhere
    ``_repr_html_`` gives the caption only.
    """

    def __init__(self, fig: Any, caption: HtmlBlock) -> None:
        self.fig = fig
        self.caption = caption

    def figure_bundle(self) -> dict:
        """The figure as the MIME bundle a notebook stores (JSON-safe, no network URL)."""
        from plotly.io import to_json

        figure = json.loads(to_json(self.fig, validate=False))
        meta = (figure.get("layout") or {}).get("meta") or {}
        figure["config"] = {
            "displaylogo": False, "responsive": True,
            "toImageButtonOptions": {"filename": str(meta.get("filename") or "chart")},
        }
        title = str(meta.get("title") or meta.get("summary") or "figure")
        return {PLOTLY_MIME: figure, "text/plain": title}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.figure_bundle(), raw=True)
        display(self.caption)

    def _repr_html_(self) -> str:
        return self.caption.html

    def __html__(self) -> str:
        return self.caption.html

    def __repr__(self) -> str:
        return repr(self.caption)


class BlockList:
    """Several blocks shown one after the other (a notebook cell can show only one value)."""

    def __init__(self, blocks: Iterable[HtmlBlock | FigureBlock]) -> None:
        self.blocks = list(blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self):  # noqa: ANN204
        return iter(self.blocks)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for block in self.blocks:
            display(block)

    def _repr_html_(self) -> str:
        return "".join(b._repr_html_() for b in self.blocks)

    def __repr__(self) -> str:
        return "\n".join(repr(b) for b in self.blocks)


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _block(inner: str, css_class: str, lang: str, text: str = "", tag: str = "div") -> HtmlBlock:
    return HtmlBlock(f'<{tag} class="nq-block {css_class}" lang="{lang}">{inner}</{tag}>', text)


# ======================================================================================
# report data
# ======================================================================================


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
        from analysis.present.charts import headline_targets

        return headline_targets(self.progress, province_code, core_only=core_only)

    def map_target(self, province_code: str | None = None) -> Mapping | None:
        """The target a status map shows: the place's first headline target that is a
        national target benchmarked in every province (None when there is none)."""
        from analysis.present.charts import headline_targets

        prog = self.progress
        if "applies_as" in prog:
            prog = prog[prog["applies_as"].isin(["national_benchmark", "national"])]
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
        from analysis.present.charts import headline_targets

        prog = self.progress
        if "applies_as" in prog:
            prog = prog[prog["applies_as"].isin(["national_benchmark", "national"])]
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
            lambda s: ";".join(sorted({p for v in s if isinstance(v, str)
                                       for p in v.split(";") if p})))
        return codes.map(joined).fillna("")

    def values(self, indicator: str, year: int | None = None) -> pd.DataFrame:
        """Every province's value of one indicator in ``year`` (default: the latest year
        with provincial data): the data of a value map (``province_code``, ``value``, …)."""
        obs = self.observations
        obs = obs[(obs["indicator"] == indicator) & (obs["province_code"] != COUNTRY_CODE)]
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
        obs = self.observations
        obs = obs[(obs["indicator"] == indicator) & (obs["province_code"] != COUNTRY_CODE)]
        years = sorted(int(y) for y in obs["year"].unique())
        if not years:
            raise DataError(f"no provincial data for indicator {indicator!r}")
        if year is None:
            return years[-1]
        before = [y for y in years if y <= int(year)]
        return before[-1] if before else years[0]

    def latest_year(self, indicator: str) -> int:
        """The latest year with provincial data for one indicator."""
        obs = self.observations
        obs = obs[(obs["indicator"] == indicator) & (obs["province_code"] != COUNTRY_CODE)]
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


# ======================================================================================
# page pieces
# ======================================================================================


def page_header(title: str, *, lang: str, geo_version: str, province_code: str | None = None,
                data_date: object = None, synthetic: bool = False) -> HtmlBlock:
    """The report's heading: title, place, geography, data date; the synthetic-data banner
    when ``synthetic``; also the stylesheet of the other blocks.

    Args:
        title: the page title (already in ``lang``).
        lang: ``vi`` or ``en``.
        geo_version: ``vn34`` or ``vn63``.
        province_code: the report's province, if any.
        data_date: the year (int) or date (text) the data run to.
        synthetic: whether the page shows synthetic data.
    """
    check_language(lang)
    facts = []
    if province_code is not None:
        facts.append((t("reporting.header.province", lang),
                      province_label(str(province_code), geo_version, lang)))
    facts.append((t("reporting.header.geography", lang), geo_label(geo_version, lang)))
    if data_date is not None and not is_missing(data_date):
        shown = (t("reporting.header.data_year", lang, year=int(data_date))
                 if isinstance(data_date, int | float) else str(data_date))
        facts.append((t("reporting.header.data_date", lang), shown))
    facts.append((t("reporting.header.language", lang), t(f"language.{lang}", lang)))
    items = "".join(f"<li><b>{_esc(k)}:</b> {_esc(v)}</li>" for k, v in facts)
    inner = (f"<style>{_CSS}</style>"
             f'<p class="nq-kicker">{_esc(t("reporting.header.kicker", lang))}</p>'
             f"<h1>{_esc(title)}</h1><ul class=\"nq-facts\">{items}</ul>")
    if synthetic:
        inner += synthetic_banner(lang).html
    text = f"{title}\n" + "\n".join(f"{k}: {v}" for k, v in facts)
    return _block(inner, "nq-header", lang, text, tag="header")


def synthetic_banner(lang: str) -> HtmlBlock:
    """A visible, high-contrast notice that the page shows synthetic (illustrative) data."""
    title = t("reporting.banner.title", lang)
    body = t("reporting.banner.text", lang)
    inner = (f'<div class="nq-banner" role="note" style="border:3px solid #000;'
             f'background:{SYNTHETIC_COLOR};color:#000;padding:0.6rem 0.9rem">'
             f"<strong>{_esc(title)}</strong>{_esc(body)}</div>")
    return _block(inner, "nq-synthetic", lang, f"{title}: {body}")


def heading(key: str, lang: str, *, level: int = 2, **fields: object) -> HtmlBlock:
    """A section heading from the catalogue (``<h2>`` by default)."""
    if level not in range(1, 7):
        raise ParameterError(f"heading level must be 1-6, not {level}")
    text = t(key, lang, **fields)
    return _block(f"<h{level}>{_esc(text)}</h{level}>", "nq-heading", lang, text)


def paragraph(key: str, lang: str, **fields: object) -> HtmlBlock:
    """A paragraph of narrative from the catalogue."""
    text = t(key, lang, **fields)
    return _block(f"<p>{_esc(text)}</p>", "nq-text", lang, text)


def section(heading_key: str, text_key: str | None, lang: str, **fields: object) -> HtmlBlock:
    """A heading and its introductory paragraph (both from the catalogue)."""
    block = heading(heading_key, lang, **fields)
    return block + paragraph(text_key, lang, **fields) if text_key else block


# ======================================================================================
# figures
# ======================================================================================


def neutralise_csv_cell(value: object) -> object:
    """A cell value that a spreadsheet will not run as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (OWASP "CSV injection"); numbers and other values are returned
    unchanged (a negative number is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(data: pd.DataFrame) -> bytes:
    """``data`` as CSV for Excel: UTF-8 with BOM, comma-separated, every text cell and
    header neutralised by :func:`neutralise_csv_cell`, missing values empty."""
    df = data.copy()
    df.columns = [neutralise_csv_cell(str(c)) for c in df.columns]
    for col in df.columns:
        if not (pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col])):
            df[col] = df[col].map(neutralise_csv_cell, na_action="ignore")
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_link(data: pd.DataFrame, *, lang: str, filename: str) -> HtmlBlock:
    """A download link holding ``data`` as a CSV ``data:`` URI (works offline)."""
    name = _safe_filename(filename)
    payload = base64.b64encode(csv_bytes(data)).decode("ascii")
    label = t("reporting.block.download_csv", lang)
    inner = (f'<a download="{_esc(name)}" href="data:text/csv;charset=utf-8;base64,{payload}">'
             f"{_esc(label)}</a> "
             f'<span class="nq-small">({_esc(name)}; {_esc(t("reporting.block.csv_note", lang))}'
             f")</span>")
    return _block(inner, "nq-download", lang, label, tag="p")


def figure_block(fig: Any, data: pd.DataFrame | None = None, *, lang: str,
                 filename: str | None = None, sources: Mapping[str, Mapping] | None = None,
                 processed_dir: str | Path | None = None,
                 summary: str | None = None) -> FigureBlock:
    """A figure followed by its summary, its sources and a CSV download of its data.

    Args:
        fig: a plotly figure (from :mod:`analysis.present.charts` or :mod:`analysis.present.maps`).
        data: the data behind the figure (default: the table an ``analysis.present.charts`` figure
            carries). Its ``source_id`` column (``;``-separated ids) names the sources
            listed; ``source_document`` / ``confidence`` columns name target documents.
        lang: ``vi`` or ``en``.
        filename: the CSV file name (default: from the figure).
        sources: the build's source register (``ReportData.sources`` /
            ``build.json["sources"]``); default: read from ``processed_dir``.
        processed_dir: where ``build.json`` is, when ``sources`` is not given.
        summary: the summary sentence (default: ``fig.layout.meta["summary"]``).

    Returns:
        A :class:`FigureBlock`: in a notebook it shows the figure, then the caption.
    """
    check_language(lang)
    meta = dict(getattr(fig.layout, "meta", None) or {}) if hasattr(fig, "layout") else {}
    if data is None:
        from analysis.present.charts import figure_table

        data = figure_table(fig)
    if sources is None:

        sources = load_build_info(processed_dir).get("sources") or {}
    stem = filename or str(meta.get("filename") or "chart")
    parts = []
    summary = summary or meta.get("summary")
    if summary:
        parts.append(f'<p class="nq-summary"><b>{_esc(t("reporting.block.summary", lang))}:'
                     f"</b> {_esc(summary)}</p>")
    ids = sorted(set(_ids_of(data)) | {str(i) for i in meta.get("source_ids") or []})
    parts.append(sources_list(ids, sources, lang=lang, data=data).html)
    docs = _target_documents(data, meta.get("targets") or [])
    if docs:
        items = "".join(
            f"<li>{_esc(doc)}"
            + (f' <span class="nq-small">({_esc(t("reporting.block.confidence", lang, confidence=_confidence(conf, lang)))})</span>'
               if conf else "") + "</li>" for doc, conf in docs)
        parts.append(f"<p><b>{_esc(t('reporting.block.target_documents', lang))}:</b></p>"
                     f"<ul>{items}</ul>")
    parts.append(csv_link(data, lang=lang, filename=stem).html)
    text = summary or ""
    caption = _block("".join(parts), "nq-caption", lang, text)
    return FigureBlock(fig, caption)


def show(fig: Any, data: pd.DataFrame | None = None, **kwargs: Any) -> None:
    """Display :func:`figure_block` at once (for loops in notebooks)."""
    from IPython.display import display

    display(figure_block(fig, data, **kwargs))


def sources_list(source_ids: Iterable[str], sources: Mapping[str, Mapping], *, lang: str,
                 data: pd.DataFrame | None = None) -> HtmlBlock:
    """The sources of a figure: title, producer, provenance grade, date accessed, licence.

    An id missing from the register is listed as such (never silently dropped), with the
    grade found in ``data`` when there is one.
    """
    grades_in_data: dict[str, str] = {}
    if data is not None and {"source_id", "provenance"} <= set(data.columns):
        for sid, grade in zip(data["source_id"], data["provenance"], strict=True):
            if isinstance(sid, str):
                for part in sid.split(";"):
                    grades_in_data.setdefault(part, str(grade))
    items = []
    for sid in source_ids:
        entry = sources.get(sid)
        if entry is None:
            grade = grades_in_data.get(sid, "unspecified")
            items.append(f"<li>{_esc(t('reporting.block.unknown_source', lang, source_id=sid))}"
                         f" {_grade_badge(grade, lang)}</li>")
            continue
        items.append(f"<li>{_source_line(entry, lang)}</li>")
    if not items:
        items.append(f"<li>{_esc(t('reporting.block.no_source', lang))}</li>")
    inner = (f"<p><b>{_esc(t('reporting.block.sources', lang))}:</b></p>"
             f"<ul>{''.join(items)}</ul>")
    return _block(inner, "nq-sources", lang, t("reporting.block.sources", lang))


def _source_line(entry: Mapping, lang: str) -> str:
    # the register may give a title and producer in the page's language (title_vi, ...)
    title = entry.get(f"title_{lang}") or entry.get("title") or ""
    producer = entry.get(f"producer_{lang}") or entry.get("producer")
    bits = [f"{_esc(title)}"]
    if producer:
        bits.append(f"— {_esc(producer)}")
    line = " ".join(bits)
    line += " " + _grade_badge(str(entry.get("provenance") or "unspecified"), lang)
    small = []
    if entry.get("date_accessed"):
        small.append(t("reporting.block.accessed", lang, date=entry["date_accessed"]))
    small.append(t("reporting.block.licence", lang,
                   licence=entry.get("licence") or t("reporting.footer.unknown", lang)))
    line += f' <span class="nq-small">({_esc("; ".join(small))})</span>'
    return line


def _grade_badge(grade: str, lang: str, *, short: bool = False, mark: bool = False,
                 title: str | None = None, text: str | None = None) -> str:
    """The provenance grade as a badge (synthetic in the synthetic colour, dashed border).

    ``mark`` puts the evidence mark first ("◌ Giả lập"); ``title`` is a tooltip; ``text``
    replaces the label.
    """

    css = "nq-grade nq-grade-synthetic" if grade == "synthetic" else "nq-grade"
    if text is not None:
        label = text
    elif short:
        key = f"provenance_short.{grade}"
        label = t(key, lang) if has_key(key, lang) else provenance_label(grade, lang)
    else:
        label = f"{t('reporting.block.grade', lang)}: {provenance_label(grade, lang)}"
    if mark and evidence_mark(grade):
        label = f"{evidence_mark(grade)} {label}"
    tip = f' title="{_esc(title)}"' if title else ""
    return f'<span class="{css}"{tip}>{_esc(label)}</span>'


def _evidence_badge(grade: str, lang: str, n: int | None = None) -> str:
    """The grade of a verdict's evidence as a badge ("◌ Giả lập", "Thứ cấp"; with ``n``,
    "◌ Giả lập: 3"), its meaning in the tooltip; "" when the verdict used no point."""
    if evidence_kind(grade) == "none":
        return ""
    tag = evidence_tag(grade, lang)
    text = tag if n is None else t("evidence.count", lang, grade=tag, n=n)
    return _grade_badge(grade, lang, title=evidence_detail(grade, lang), text=text)


def _evidence_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many verdicts rest on each grade (strongest first; verdicts without points
    left out)."""

    grades = [evidence_grade(r) for r in rows.to_dict("records")]
    counts: dict[str, int] = {}
    for grade in sorted((g for g in grades if g), key=lambda g: (-rank(g), g)):
        counts[grade] = counts.get(grade, 0) + 1
    return counts


def evidence_summary(progress: pd.DataFrame, *, lang: str,
                     province_code: str | None = None) -> HtmlBlock:
    """What the verdicts rest on: how many on each grade (badges), and what the badges mean.

    One line ("Cơ sở của các đánh giá: Thứ cấp: 1, ◌ Giả lập: 3.") and one legend line per
    kind of evidence present (real figures, synthetic data, unknown provenance).
    """
    check_language(lang)
    df = _progress_rows(progress, province_code)
    counts = _evidence_counts(df[_with_data(df)])
    if not counts:
        return _block("", "nq-evidence", lang)
    badges = t("common.list_separator", lang).join(
        _evidence_badge(g, lang, n) for g, n in counts.items())
    before, _, after = t("evidence.summary", lang, counts="\x00").partition("\x00")
    kinds = []
    for grade in counts:
        kind = evidence_kind(grade)
        if kind not in kinds:
            kinds.append(kind)
    legend = "".join(
        f"<li>{' '.join(_evidence_badge(g, lang) for g in counts if evidence_kind(g) == k)}"
        f" {_esc(t(f'evidence.{k}', lang))}</li>" for k in kinds)
    inner = (f"<p>{_esc(before)}{badges}{_esc(after)}</p>"
             f'<ul class="nq-small">{legend}</ul>')
    text = t("evidence.summary", lang, counts=t("common.list_separator", lang).join(
        t("evidence.count", lang, grade=evidence_tag(g, lang), n=n) for g, n in counts.items()))
    return _block(inner, "nq-evidence", lang, text)


def _ids_of(data: pd.DataFrame) -> list[str]:
    if "source_id" not in data.columns:
        return []
    return sorted({p for v in data["source_id"] if isinstance(v, str) for p in v.split(";") if p})


def _target_documents(data: pd.DataFrame, meta_targets: list) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for target in meta_targets:
        doc = str(target.get("source_document") or "")
        if doc:
            found.setdefault(doc, str(target.get("confidence") or ""))
    if "source_document" in data.columns:
        conf = data["confidence"] if "confidence" in data.columns else [""] * len(data)
        for doc, c in zip(data["source_document"], conf, strict=True):
            if isinstance(doc, str) and doc:
                found.setdefault(doc, "" if is_missing(c) else str(c))
    return list(found.items())


def _confidence(code: str, lang: str) -> str:

    return t(f"confidence.{code}", lang) if has_key(f"confidence.{code}", lang) else code


def _safe_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(str(name)).name).strip("-.") or "data"
    return stem if stem.lower().endswith(".csv") else f"{stem}.csv"


def describe_target(row: Mapping, lang: str) -> str:
    """"<indicator name>: <target>", e.g. "Tỷ lệ …: mục tiêu 80 % năm 2030"."""
    return f"{indicator_name(str(row_value(row, 'indicator')), lang)}: {target_text(row, lang)}"


def trajectory_blocks(data: ReportData, province_code: str, *, lang: str,
                      core_only: bool = True) -> BlockList:
    """One trajectory (with caption) per headline target of a place's indicators with data,
    or a sentence saying there is none."""
    from analysis.present.charts import trajectory

    heads = data.headline(province_code, core_only=core_only)
    if heads.empty:
        return BlockList([paragraph("notebook.province.no_trajectories", lang)])
    return BlockList(
        figure_block(trajectory(data.observations, row, lang=lang,
                                geo_version=data.geo_version), lang=lang, sources=data.sources)
        for _, row in heads.iterrows())


def status_map(data: ReportData, *, lang: str, target: Mapping | None = None,
               highlight: str | None = None, boundaries: str | Path | None = None,
               kind: str = "auto") -> FigureBlock | HtmlBlock:
    """A map of every province's status for one target (``analysis.present.maps.choropleth``).

    Args:
        data: the report's tables.
        lang: ``vi`` or ``en``.
        target: a progress row naming the target (default: :meth:`ReportData.map_target`
            of ``highlight``).
        highlight: a province code to outline.
        boundaries: a boundary file for a geographic map (default: the tile grid when no
            boundaries were fetched).
        kind: ``auto``, ``geographic`` or ``tiles``.
    """
    from analysis.present.maps import choropleth

    if target is None:
        target = data.map_target(highlight)
    if target is None:
        return paragraph("reporting.map.none", lang)
    values = data.target_statuses(str(target["target_id"]))
    # no "value" column: analysis.present.maps colours by the status column
    fig = choropleth(values, geo_version=data.geo_version, lang=lang,
                     title=describe_target(target, lang), highlight=highlight,
                     boundaries=boundaries, kind=kind)
    counts = values["status"].value_counts()
    summary = t("reporting.map.summary", lang, n=len(values), counts=t(
        "common.list_separator", lang).join(
        f"{status_label(s, lang)}: {int(counts[s])}" for s in STATUS_ORDER if s in counts))
    if highlight is not None:
        own = values[values["province_code"] == str(highlight)]
        if len(own):
            summary = t("reporting.map.place", lang, place=province_label(
                str(highlight), data.geo_version, lang), status=t(
                f"status_phrase.{own['status'].iloc[0]}", lang)) + " " + summary
    return figure_block(fig, values, lang=lang, sources=data.sources, summary=summary,
                        filename=f"map-{data.geo_version}-{target['target_id']}")


def value_map(data: ReportData, indicator: str, *, lang: str, year: int | None = None,
              highlight: str | None = None, boundaries: str | Path | None = None,
              kind: str = "auto") -> FigureBlock:
    """A map of every province's value of one indicator in one year (default: latest)."""
    from analysis.present.maps import choropleth

    values = data.values(indicator, year)
    year = int(values["year"].iloc[0])
    unit = indicator_unit(indicator)
    title = t("reporting.map.value_title", lang, indicator=indicator_name(indicator, lang),
              year=year)
    fig = choropleth(values, geo_version=data.geo_version, lang=lang, value_column="value",
                     title=title, highlight=highlight, boundaries=boundaries, kind=kind,
                     unit=unit)
    low = values.loc[values["value"].idxmin()]
    high = values.loc[values["value"].idxmax()]
    summary = t("reporting.map.value_summary", lang, year=year, n=len(values),
                low=fmt_value(low["value"], unit, lang),
                low_place=province_label(str(low["province_code"]), data.geo_version, lang),
                high=fmt_value(high["value"], unit, lang),
                high_place=province_label(str(high["province_code"]), data.geo_version, lang))
    return figure_block(fig, values, lang=lang, sources=data.sources, summary=summary,
                        filename=f"map-{data.geo_version}-{indicator}-{year}")


def sector_maps(data: ReportData, *, lang: str, boundaries: str | Path | None = None,
                kind: str = "auto") -> BlockList:
    """For each sector, a heading and the status map of its headline national target."""

    blocks: list[HtmlBlock | FigureBlock] = []
    for row in data.sector_targets().to_dict("records"):
        blocks.append(heading("notebook.national.map_sector_heading", lang, level=3,
                              sector=sector_label(str(row["sector"]), lang),
                              target=describe_target(row, lang)))
        blocks.append(status_map(data, lang=lang, target=row, boundaries=boundaries,
                                 kind=kind))
    if not blocks:
        blocks.append(paragraph("reporting.map.none", lang))
    return BlockList(blocks)


def rankings(data: ReportData, *, lang: str, year: int | None = None) -> BlockList:
    """For each sector, the ranking of its headline indicator (provinces, national value)."""
    from analysis.present.charts import ranking

    blocks: list[HtmlBlock | FigureBlock] = []
    for row in data.sector_targets().to_dict("records"):
        ind = str(row["indicator"])
        when = data.year_at_or_before(ind, year)
        blocks.append(heading("reporting.ranking_heading", lang, level=3,
                              sector=sector_label(str(row["sector"]), lang)))
        blocks.append(figure_block(ranking(data.observations, ind, when, lang=lang,
                                           geo_version=data.geo_version),
                                   lang=lang, sources=data.sources))
    return BlockList(blocks)


# ======================================================================================
# tables
# ======================================================================================


def status_summary(progress: pd.DataFrame, *, lang: str, province_code: str | None = None
                   ) -> HtmlBlock:
    """How many targets of a place are in each status (colour chips with symbol and text,
    each with the grades its verdicts rest on), what the verdicts rest on
    (:func:`evidence_summary`), and how many targets have no data yet."""
    df = _progress_rows(progress, province_code)
    has = _with_data(df)
    assessed = df[has]
    counts = assessed["status"].value_counts()
    chips = []
    for status in STATUS_ORDER:
        n = int(counts.get(status, 0))
        if not n:
            continue
        grades = _evidence_counts(assessed[assessed["status"] == status])
        badges = "".join(_evidence_badge(g, lang, k) for g, k in grades.items())
        chips.append(f'<li style="background:{STATUS_COLORS[status]};'
                     f'color:{STATUS_TEXT_COLORS[status]}">{STATUS_MARKS[status]} '
                     f"{_esc(status_label(status, lang))}: {n}{badges}</li>")
    if chips:
        inner = (f"<p><b>{_esc(t('reporting.status_summary.title', lang, n=len(assessed)))}"
                 f"</b></p><ul class=\"nq-chips\">{''.join(chips)}</ul>")
    else:
        inner = f"<p>{_esc(t('reporting.status_summary.none', lang))}</p>"
    if chips:
        inner += evidence_summary(df, lang=lang).html
    missing = int((~has).sum())
    if missing:
        inner += f"<p class=\"nq-small\">{_esc(t('reporting.status_summary.no_data', lang, n=missing))}</p>"
    text = ", ".join(f"{status_label(s, lang)}: {int(n)}" for s, n in counts.items())
    return _block(inner, "nq-status-summary", lang, text)


def progress_table(progress: pd.DataFrame, *, lang: str, geo_version: str | None = None,
                   province_code: str | None = None, no_data: str = "summary") -> HtmlBlock:
    """The targets and their status, explained: one row per (place,) target.

    Columns: indicator and target (and the place when several), latest figure, target,
    status (colour + symbol + text), how it was assessed (method, progress ratio and the
    threshold, projection, flags), evidence (data points, years, provenance grade), source
    document with its confidence grade.

    Args:
        progress: progress rows (one place or several).
        lang: ``vi`` or ``en``.
        geo_version: geography of the rows (default: their ``geo_version`` column).
        province_code: keep only this place.
        no_data: targets without any data point: ``"summary"`` (one line listing them),
            ``"rows"`` (full rows) or ``"hide"``.
    """
    check_language(lang)
    if no_data not in NO_DATA_CHOICES:
        raise ParameterError(f"no_data must be one of {', '.join(NO_DATA_CHOICES)}")
    df = _progress_rows(progress, province_code)
    has = _with_data(df)
    shown = df if no_data == "rows" else df[has]
    several = df["province_code"].nunique() > 1
    high = _thresholds()["high"]
    head = [t("reporting.table.indicator", lang)]
    if several:
        head.insert(0, t("reporting.table.province", lang))
    head += [t("reporting.table.latest", lang), t("reporting.table.target", lang),
             t("reporting.table.status", lang), t("reporting.table.method", lang),
             t("reporting.table.evidence", lang), t("reporting.table.document", lang)]
    rows_html = []
    for r in _ordered(shown).to_dict("records"):
        geo = geo_version or str(row_value(r, "geo_version", "vn34"))
        cells = []
        if several:
            cells.append(f"<td>{_esc(province_label(str(r['province_code']), geo, lang))}</td>")
        cells.append(_indicator_cell(r, lang))
        cells.append(f"<td>{_esc(_latest_text(r, lang))}</td>")
        cells.append(f"<td>{_esc(target_text(r, lang, short=True))}</td>")
        cells.append(_status_cell(str(r["status"]), lang, evidence_grade(r)))
        cells.append(f"<td>{_method_text(r, lang, high)}</td>")
        cells.append(f"<td>{_evidence_text(r, lang)}</td>")
        cells.append(f"<td>{_document_text(r, lang)}</td>")
        rows_html.append(f"<tr>{''.join(cells)}</tr>")
    parts = []
    if rows_html:
        header = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
        widths = ([14] if several else []) + [22, 11, 11, 12, 20, 10, 14]
        cols = "".join(f'<col style="width:{w}%">' for w in widths)
        parts.append(f'<table class="nq-table"><caption>{_esc(t("reporting.table.caption", lang))}'
                     f"</caption><colgroup>{cols}</colgroup><thead><tr>{header}</tr></thead>"
                     f"<tbody>{''.join(rows_html)}</tbody></table>")
    else:
        parts.append(f"<p>{_esc(t('reporting.table.empty', lang))}</p>")
    if rows_html and any(evidence_grade(r) for r in shown.to_dict("records")):
        parts.append(f'<p class="nq-small nq-evidence-note">{_esc(t("evidence.table_note", lang))}'
                     "</p>")
    missing = df[~has]
    if no_data == "summary" and len(missing):

        names = sorted({f"{indicator_name(str(r['indicator']), lang)}: "
                        f"{target_text(r, lang)}" for r in missing.to_dict("records")},
                       key=lambda name: sort_key(name, lang))
        items = "".join(f"<li>{_esc(n)}</li>" for n in names)
        parts.append(f"<p>{_esc(t('reporting.table.no_data_summary', lang, n=len(names)))}</p>"
                     f'<ul class="nq-small">{items}</ul>')
    return _block("".join(parts), "nq-progress", lang, t("reporting.table.caption", lang))


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


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    from analysis.present.charts import sort_by_sector

    extra = [c for c in ("province_code", "target_year", "target_id") if c in df]
    return sort_by_sector(df, extra=extra) if len(df) else df


def _indicator_cell(r: Mapping, lang: str) -> str:

    name = indicator_name(str(r["indicator"]), lang)
    applies = row_value(r, "applies_as")
    small = ""
    if applies and has_key(f"applies_as.{applies}", lang):
        small = f'<br><span class="nq-small">{_esc(t(f"applies_as.{applies}", lang))}</span>'
    return f"<td><b>{_esc(name)}</b>{small}</td>"


def _latest_text(r: Mapping, lang: str) -> str:
    value = row_value(r, "latest_value")
    if value is None:
        return t("common.no_data", lang)
    unit = indicator_unit(str(r["indicator"]))
    year = row_value(r, "latest_year")
    if str(row_value(r, "kind", "level")) == "cumulative" and year is not None:
        return t("summary.latest_cumulative", lang, value=fmt_value(value, unit, lang),
                 year=int(year))
    text = fmt_value(value, unit, lang)
    if year is not None:
        text += f" ({int(year)})"
    return text


def _status_cell(status: str, lang: str, grade: str | None = None) -> str:
    """A status cell: colour, symbol and text; with ``grade``, the evidence badge under the
    status ("◌ Giả lập", "Chính thức") and the evidence in words in its tooltip."""
    css, title, badge = "nq-status", "", ""
    if grade is not None:
        kind = evidence_kind(grade)
        css += f" nq-ev-{kind}"
        title = f' title="{_esc(evidence_detail(grade, lang))}"'
        badge = f"<br>{_evidence_badge(grade, lang)}" if kind != "none" else ""
    return (f'<td class="{css}"{title} style="background:{STATUS_COLORS[status]};'
            f'color:{STATUS_TEXT_COLORS[status]}">{STATUS_MARKS[status]} '
            f"{_esc(status_label(status, lang))}{badge}</td>")


def _method_text(r: Mapping, lang: str, high: float) -> str:

    method = str(row_value(r, "method", "none"))
    # the default method is explained once in the method note; others are named here
    bits = [] if method == "statcan_cagr_ratio" else [
        t(f"method.{method}", lang) if has_key(f"method.{method}", lang) else method]
    ratio = row_value(r, "progress_ratio")
    if ratio is not None and method != "none":
        bits.append(t("reporting.table.ratio", lang, ratio=fmt_number(ratio, lang, 2),
                      high=fmt_number(high, lang, 2)))
    status = str(r["status"])

    projected = capped_projection(r)
    unit = indicator_unit(str(r["indicator"]))
    latest_year = row_value(r, "latest_year")
    future = latest_year is not None and int(row_value(r, "target_year")) > int(latest_year)
    if status not in ("achieved", "insufficient_data") and projected is not None and \
            future and str(row_value(r, "kind", "level")) != "reduction_per_year":
        bits.append(t("reporting.table.projection", lang, value=fmt_value(projected, unit, lang),
                      year=int(row_value(r, "target_year"))))
    reached = row_value(r, "projected_year_reached")
    if reached is not None and status != "achieved":
        bits.append(t("reporting.table.reached", lang, year=int(reached)))
    flags = [f for f in str(row_value(r, "flags", "")).split(";") if f]
    labels = [t(f"flag.{f}", lang) for f in flags if has_key(f"flag.{f}", lang)]
    out = "<br>".join(_esc(b) for b in bits)
    if labels:
        out += f'<br><span class="nq-small">{_esc("; ".join(labels))}</span>'
    return out


def _evidence_text(r: Mapping, lang: str) -> str:
    n = int(row_value(r, "n_points", 0) or 0)
    first, last = row_value(r, "base_year"), row_value(r, "latest_year")
    if n and first is not None and last is not None:
        text = t("reporting.table.points", lang, n=n, first=int(first), last=int(last))
    else:
        text = t("reporting.table.points_none", lang)
    grade = evidence_grade(r)
    out = _esc(text)
    if grade:
        out += f'<br><span class="nq-small">{_esc(evidence_label(grade, lang))}</span>'
    return out


def _document_text(r: Mapping, lang: str) -> str:
    doc = row_value(r, "source_document", "")
    conf = row_value(r, "confidence")
    out = _esc(doc)
    if conf:
        out += (f'<br><span class="nq-small">'
                f"{_esc(t('reporting.block.confidence', lang, confidence=_confidence(str(conf), lang)))}"
                f"</span>")
    return out


def indicator_table(data: ReportData, indicator: str, *, lang: str) -> HtmlBlock:
    """Every place's latest value of one indicator and its status against each target.

    Rows: the country, then every province of the geography (code order). Columns: latest
    value (year, provenance grade), then one status cell (colour + symbol + text) per target
    of the indicator assessed somewhere (a province's own targets share one column, the cell
    naming the target). The targets' documents follow the table.
    """
    from analysis.present.charts import sort_by_sector, target_column_keys

    check_language(lang)
    unit = indicator_unit(indicator)
    prog = data.indicator_progress(indicator)
    prog = prog.assign(_column=target_column_keys(prog)) if len(prog) else prog
    with_data = prog[_with_data(prog)] if len(prog) else prog
    columns = []
    if len(with_data):
        firsts = sort_by_sector(with_data.drop_duplicates("_column"),
                                 extra=["target_year", "target_value", "_column"])
        columns = firsts.to_dict("records")
    obs = data.observations[data.observations["indicator"] == indicator]
    latest = obs.sort_values("year").drop_duplicates("province_code", keep="last")
    latest = latest.set_index("province_code")
    codes = [COUNTRY_CODE, *provinces(data.geo_version)["code"]]
    head = [t("reporting.table.province", lang), t("reporting.table.latest", lang)]
    head += [_column_head(c, lang) for c in columns]
    cells_by = {(r["province_code"], r["_column"]): r for r in prog.to_dict("records")} \
        if len(prog) else {}
    rows = []
    for code in codes:
        cells = [f"<td>{_esc(province_label(code, data.geo_version, lang))}</td>"]
        if code in latest.index:
            r = latest.loc[code]
            cells.append(f'<td class="nq-num">{_esc(fmt_value(r["value"], unit, lang))} '
                         f'({int(r["year"])}) {_grade_badge(str(r.get("provenance", "")), lang, short=True)}</td>')
        else:
            cells.append(f"<td>{_esc(t('common.no_data', lang))}</td>")
        for col in columns:
            r = cells_by.get((code, col["_column"]))
            if r is None:
                cells.append("<td></td>")
                continue
            cell = _status_cell(str(r["status"]), lang, evidence_grade(r))
            if str(col["_column"]).startswith("own|"):
                extra = f'<br><span style="font-weight:400">{_esc(target_text(r, lang, short=True))}</span>'
                cell = cell.replace("</td>", f"{extra}</td>")
            cells.append(cell)
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
    docs = _target_documents(with_data, []) if len(with_data) else []
    doc_items = "".join(
        f"<li>{_esc(d)}" + (f' <span class="nq-small">({_esc(t("reporting.block.confidence", lang, confidence=_confidence(c, lang)))})</span>'
                            if c else "") + "</li>" for d, c in docs)
    inner = (f'<table class="nq-table"><caption>{_esc(t("reporting.table.caption", lang))}'
             f"</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody>"
             "</table>")
    if doc_items:
        inner += (f"<p><b>{_esc(t('reporting.block.target_documents', lang))}:</b></p>"
                  f"<ul>{doc_items}</ul>")
    if not columns:
        inner += f"<p>{_esc(t('notebook.explorer.no_targets', lang))}</p>"
    return _block(inner, "nq-indicator-table", lang, t("reporting.table.caption", lang))


def _column_head(first: Mapping, lang: str) -> str:
    if str(first["_column"]).startswith("own|"):
        return t("applies_as.provincial", lang) + f" ({int(first['target_year'])})"
    text = target_text(first, lang, short=True)
    if str(row_value(first, "applies_as", "")) == "regional_benchmark":
        text += f" · {t('applies_as.regional_benchmark', lang)}"
    return text


def national_table(observations: pd.DataFrame, *, lang: str, geo_version: str,
                   indicators: Iterable[str] | None = None, year: int | None = None
                   ) -> HtmlBlock:
    """The national figure as reported next to the one computed from the provinces.

    One row per indicator: the latest year (or ``year``) with a reported or computed value;
    the difference; how many provinces report; how the computed figure was made.
    """
    from analysis.progress import national_comparison

    check_language(lang)
    obs = observations
    if "geo_version" in obs:
        obs = obs[obs["geo_version"] == geo_version]

    cat = catalogue()
    wanted = list(indicators) if indicators is not None else [
        i for i in cat.index if bool(cat.at[i, "is_core"]) and i in set(obs["indicator"])]
    table = national_comparison(obs, wanted) if len(obs) else pd.DataFrame()
    rows_html = []
    for ind in wanted:
        part = table[table["indicator"] == ind] if len(table) else table
        part = part[part["reported_value"].notna() | part["computed_value"].notna()] \
            if len(part) else part
        if year is not None and len(part):
            part = part[part["year"] == int(year)]
        if not len(part):
            continue
        both = part[part["reported_value"].notna() & part["computed_value"].notna()]
        # the latest year where the two can be compared, else the latest year with either
        r = (both if len(both) else part).sort_values("year").iloc[-1]
        unit = indicator_unit(ind)
        diff = r["difference"]
        diff_text = fmt_value(diff, unit, lang) if not is_missing(diff) else t("common.na", lang)
        method = str(r["computed_method"])
        how_key = f"reporting.national.computed_method.{method}"

        how = t(how_key, lang) if has_key(how_key, lang) else method
        rows_html.append(
            "<tr>"
            f"<td>{_esc(indicator_name(ind, lang))}</td>"
            f'<td class="nq-num">{int(r["year"])}</td>'
            f'<td class="nq-num">{_esc(fmt_value(r["reported_value"], unit, lang))}</td>'
            f'<td class="nq-num">{_esc(fmt_value(r["computed_value"], unit, lang))}</td>'
            f'<td class="nq-num">{_esc(diff_text)}</td>'
            f'<td class="nq-num">{_esc(t("reporting.national.coverage_value", lang, n=int(r["n_provinces"]), expected=int(r["n_expected"])))}</td>'
            f"<td>{_esc(how)}<br>{_grade_badge(str(r['provenance']), lang, short=True)}</td>"
            "</tr>")
    if not rows_html:
        return _block(f"<p>{_esc(t('reporting.table.empty', lang))}</p>", "nq-national", lang)
    head = "".join(f'<th scope="col">{_esc(t(f"reporting.national.{k}", lang))}</th>' for k in
                   ("indicator", "year", "reported", "computed", "difference", "coverage",
                    "how"))
    inner = (f'<table class="nq-table"><caption>{_esc(t("reporting.national.caption", lang))}'
             f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows_html)}</tbody>"
             "</table>")
    return _block(inner, "nq-national", lang, t("reporting.national.caption", lang))


# ======================================================================================
# method and provenance
# ======================================================================================


def _thresholds() -> dict:
    from analysis.progress import load_methods

    m = load_methods()
    return {k: float(v) for k, v in m["thresholds"].items()}


def method_note(lang: str) -> HtmlBlock:
    """A short note on how statuses are decided (Statistics Canada / Open SDG ratio, the
    thresholds of ``data/reference/methods.yml``, where the full method is described) and
    which figures a verdict uses (real ones where there are any, never spliced with
    synthetic ones)."""
    check_language(lang)
    th = _thresholds()
    parts = [t("reporting.method.text", lang),
             t("reporting.method.thresholds", lang, high=fmt_number(th["high"], lang, 2),
               med=fmt_number(th["med"], lang, 2), low=fmt_number(th["low"], lang, 0)),
             t("reporting.method.edge", lang), t("reporting.colours_note", lang),
             t("reporting.method.docs", lang)]
    evidence = t("reporting.method.evidence", lang)
    inner = (f"<h3>{_esc(t('reporting.method.title', lang))}</h3>"
             + "".join(f"<p>{_esc(p)}</p>" for p in parts)
             + f"<h4>{_esc(t('reporting.method.evidence_title', lang))}</h4>"
             f"<p>{_esc(evidence)}</p>")
    return _block(inner, "nq-method", lang, " ".join([*parts, evidence]), tag="section")


def alternatives_block(*, lang: str, geo_version: str, province_code: str | None = None,
                       processed_dir: str | Path | None = None) -> HtmlBlock:
    """Where real sources disagree for this place: the figure used and the one set aside.

    The build keeps one figure per key by a written rule (grade, then the register's
    priority: docs/METHODS.md §5b) and lists every real figure set aside in
    ``alternatives.csv``; this block shows them for the nation (``province_code=None``) or
    for one province (a vn34 unit also shows those of its former provinces). An empty block
    when there are none.
    """

    check_language(lang)
    alt = load_alternatives(processed_dir)
    if province_code is None:
        rows = alt[alt["province_code"] == COUNTRY_CODE]
    else:
        codes = {province_code}
        if geo_version == "vn34":
            cw = crosswalk()
            codes |= set(cw.loc[cw["vn34_code"] == province_code, "vn63_code"])
        rows = alt[alt["province_code"].isin(codes) & (alt["province_code"] != COUNTRY_CODE)]
    if rows.empty:
        return HtmlBlock("", "")
    body = []
    for r in rows.sort_values(["indicator", "year"], kind="mergesort").to_dict("records"):
        body.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in (
            indicator_name(r["indicator"], lang), r["year"],
            f"{fmt_number(r['value_used'], lang)} — {r['source_used']}",
            f"{fmt_number(r['value_other'], lang)} — {r['source_other']}",
            t(f"reporting.alternatives.rule.{_rule_key(r['rule'])}", lang))) + "</tr>")
    head = "".join(f"<th scope=\"col\">{_esc(t(f'reporting.alternatives.{k}', lang))}</th>"
                   for k in ("indicator", "year", "used", "other", "rule_heading"))
    text = t("reporting.alternatives.intro", lang)
    inner = (f"<h2>{_esc(t('reporting.alternatives.heading', lang))}</h2><p>{_esc(text)}</p>"
             f"<table class=\"nq-table\"><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(body)}</tbody></table>")
    return _block(inner, "nq-alternatives", lang, text)


def _rule_key(rule: str) -> str:
    return "grade" if "grade" in str(rule) else "priority"


def provenance_footer(*, lang: str, processed_dir: str | Path | None = None,
                      build_info: Mapping | None = None,
                      generated_at: str | None = None) -> HtmlBlock:
    """Where the data come from: build id, build time, code version, inputs hash, method
    version, report time, and every source with title, producer, grade, date accessed,
    address and licence (from ``build.json``).

    Args:
        lang: ``vi`` or ``en``.
        processed_dir: the built folder (default ``data/processed``).
        build_info: the manifest itself (instead of reading it).
        generated_at: the report time to show (default: now, UTC).
    """
    check_language(lang)
    if build_info is None:

        build_info = load_build_info(processed_dir)
    unknown = t("reporting.footer.unknown", lang)
    commit = build_info.get("git_commit")
    inputs = build_info.get("inputs_sha256")
    when = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = [
        ("build_id", build_info.get("build_id") or unknown),
        ("built_at", build_info.get("built_at") or unknown),
        ("git_commit", str(commit)[:12] if commit else unknown),
        ("inputs", str(inputs)[:16] if inputs else unknown),
        ("method_version", build_info.get("method_version") or _method_version() or unknown),
        ("generated_at", when),
    ]
    dl = "".join(f'<tr><th scope="row">{_esc(t(f"reporting.footer.{k}", lang))}</th>'
                 f"<td>{_esc(v)}</td></tr>" for k, v in facts)
    rows = []
    for sid, entry in sorted((build_info.get("sources") or {}).items()):
        url = str(entry.get("url") or "")
        url_html = (f'<a href="{_esc(url)}" rel="noopener noreferrer">{_esc(url)}</a>'
                    if _SAFE_URL.match(url) else _esc(url or unknown))
        citations = entry.get("citations") or []
        cite_html = ("<br><span class=\"nq-small\">" + "<br>".join(_esc(c) for c in citations)
                     + "</span>") if citations else ""
        rows.append(
            "<tr>"
            f"<td>{_esc(entry.get('title') or sid)}{cite_html}</td>"
            f"<td>{_esc(entry.get('producer') or unknown)}</td>"
            f"<td>{_grade_badge(str(entry.get('provenance') or 'unspecified'), lang)}</td>"
            f'<td class="nq-num">{_esc(entry.get("date_accessed") or unknown)}</td>'
            f"<td>{url_html}</td>"
            f"<td>{_esc(entry.get('licence') or unknown)}</td>"
            "</tr>")
    head = "".join(f'<th scope="col">{_esc(t(f"reporting.footer.{k}", lang))}</th>' for k in
                   ("col_title", "col_producer", "col_grade", "col_accessed", "col_url",
                    "col_licence"))
    inner = (f"<h2>{_esc(t('reporting.footer.title', lang))}</h2>"
             f'<table class="nq-table nq-facts-table"><tbody>{dl}</tbody></table>'
             f"<h3>{_esc(t('reporting.footer.sources', lang))}</h3>"
             f'<table class="nq-table"><thead><tr>{head}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>"
             f"<p class=\"nq-small\">{_esc(t('reporting.footer.grades_note', lang))}</p>")
    text = "; ".join(f"{k}: {v}" for k, v in facts)
    return _block(inner, "nq-footer", lang, text, tag="footer")


def _method_version() -> str | None:
    try:
        from analysis.progress import load_methods

        return str(load_methods().get("method_version") or "") or None
    except DataError:
        return None
