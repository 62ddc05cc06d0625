"""``index.html``: the landing page of a report run.

One static page (no script, no plotly.js), in Vietnamese with an English view one click away
(a CSS ``:target`` switch that works from ``file://`` without JavaScript). It shows the
synthetic-data notice when the data contain synthetic sources, the national status grid
(provinces x targets, colour and text), links to every report in each language, the run's
facts and every failure with its error and failing cell. All text is HTML-escaped.

Each grid cell also says what its verdict rests on, without colour: a plain symbol on a solid
cell for real figures (official, secondary), the symbol followed by "◌" in a cell with a
dashed inner border for synthetic data ("◇", dotted, for unknown provenance); the grade is in
the cell's tooltip and accessible name, and a legend row explains the marks.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.catalogue.geography import provinces
from analysis.core.config import COUNTRY_CODE, LANGUAGES
from analysis.core.errors import DataError
from analysis.pipeline.coverage import coverage_summary
from analysis.pipeline.io import load_coverage, load_progress
from analysis.present.i18n import (
    evidence_detail,
    evidence_grade,
    evidence_kind,
    fmt_value,
    format_datetime,
    geo_label,
    has_key,
    status_label,
    t,
)
from analysis.present.style import (
    EVIDENCE_MARKS,
    STATUS_COLORS,
    STATUS_MARKS,
    STATUS_ORDER,
    STATUS_TEXT_COLORS,
)
from analysis.reports.export import report_css

#: the grid's evidence marks (the shared report.css styles the rest of the page)
_INDEX_CSS = """
table.nq42-grid td.status.ev-synthetic, .nq42-ev.ev-synthetic {
  outline: 1.5px dashed currentColor; outline-offset: -3px; }
table.nq42-grid td.status.ev-unknown, .nq42-ev.ev-unknown {
  outline: 1.5px dotted currentColor; outline-offset: -3px; }
.nq42-ev { display: inline-block; min-width: 2rem; padding: 0.15rem 0.35rem;
  text-align: center; background: #fff; color: #000; border: 1px solid #333;
  margin-right: 0.3rem; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _t(key: str, lang: str, **fields: object) -> str:

    return t(key, lang, **fields)


def _when(text: object, lang: str) -> str:

    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return str(text or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, lang)


def status_grid_data(processed_dir: Path, geo: str, lang: str
                     ) -> tuple[list[dict], dict[str, dict]] | None:
    """Columns and cells of the national status grid, grouped exactly as the report's chart
    (:func:`analysis.present.charts.status_grid_columns`). ``None`` without a progress table."""
    from analysis.present.charts import status_grid_columns  # charts imports plotly (heavy)

    try:
        progress = load_progress(geo, processed_dir=processed_dir)
    except DataError:
        return None
    if progress.empty:
        return None
    return status_grid_columns(progress, geo_version=geo, lang=lang)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        str(value) in ("<NA>", "nan", "NaT"))


def _cell(row: dict | None, column: dict, lang: str) -> str:
    """A symbol on the status colour, followed by the evidence mark ("◌" for synthetic
    data); the status, value, target and grade in its tooltip, status and grade in its
    accessible name."""

    if row is None:
        return '<td class="status"></td>'
    status = str(row.get("status") or "insufficient_data")
    try:
        label = status_label(status, lang)
    except DataError:
        label = status
    grade = evidence_grade(row)
    kind = evidence_kind(grade)
    evidence = evidence_detail(grade, lang)
    bg = STATUS_COLORS.get(status, "#BBBBBB")
    fg = STATUS_TEXT_COLORS.get(status, "#000000")
    title = f"{column['label']}: {label}"
    try:
        latest = fmt_value(row.get("latest_value"), column["unit"], lang)
        target = fmt_value(row.get("target_value"), column["unit"], lang)
        title += (f" — {latest} ({_year(row.get('latest_year'))}) → {target} "
                  f"({_year(row.get('target_year'))})")
    except (DataError, KeyError, TypeError, ValueError):
        pass
    title += f". {evidence}"
    mark = STATUS_MARKS.get(status, "?") + EVIDENCE_MARKS[kind]
    return (f'<td class="status ev-{kind}" style="background:{bg};color:{fg}" '
            f'title="{_e(title)}" aria-label="{_e(f"{label}. {evidence}")}">{_e(mark)}</td>')


def _year(value: object) -> str:
    return "–" if _missing(value) else str(int(float(value)))


def _legend(lang: str) -> str:

    items = []
    for status in STATUS_ORDER:
        try:
            label = status_label(status, lang)
        except DataError:
            label = status
        items.append(f'<li style="background:{STATUS_COLORS[status]};'
                     f'color:{STATUS_TEXT_COLORS[status]}">{_e(STATUS_MARKS[status])} '
                     f'{_e(label)}</li>')
    return (f'<p><strong>{_e(_t("reports.index.legend", lang))}:</strong></p>'
            f'<ul class="nq42-legend">{"".join(items)}</ul>')


def _evidence_legend(lang: str, kinds: set[str]) -> str:
    """What the marks of the cells say about the evidence (real and synthetic always;
    unknown provenance when a cell has it)."""
    sample = STATUS_MARKS["on_track"]
    items = []
    for kind in ("real", "synthetic", "unknown"):
        if kind == "unknown" and kind not in kinds:
            continue
        items.append(f'<li><span class="nq42-ev ev-{kind}" aria-hidden="true">'
                     f"{_e(sample + EVIDENCE_MARKS[kind])}</span>"
                     f'{_e(_t(f"evidence.sample_{kind}", lang))} — '
                     f'{_e(_t(f"evidence.{kind}", lang))}</li>')
    return (f'<p><strong>{_e(_t("evidence.legend_title", lang))}:</strong></p>'
            f'<ul class="nq42-legend nq42-evidence-legend">{"".join(items)}</ul>')


def _evidence_kinds(cells: dict[str, dict]) -> set[str]:

    return {evidence_kind(evidence_grade(r)) for by_column in cells.values()
            for r in by_column.values()}


def _report_link(entry: dict | None, out_dir: Path, text: str, lang: str) -> str:
    if entry is None:
        return _e(text)
    present = (out_dir / entry["html"]).is_file()
    link = f'<a href="{_e(entry["html"])}" hreflang="{_e(lang)}">{_e(text)}</a>' if present \
        else _e(text)
    if entry.get("status") == "failed":
        anchor = f"fail-{lang}-{entry['id'].replace('/', '-')}"
        link += f' <a class="nq42-bad" href="#{_e(anchor)}" style="color:#b3261e">⚠</a>'
    return link


def _grid(run: dict, lang: str, out_dir: Path, grid, entries: dict) -> str:  # noqa: ANN001

    geo = run["parameters"]["geo"]
    columns, cells = grid if grid else ([], {})
    head = (f'<th>{_e(_t("reports.index.grid_code", lang))}</th>'
            f'<th>{_e(_t("reports.index.grid_province", lang))}</th>'
            + "".join(f'<th class="target"><span>{_e(c["label"])}</span></th>'
                      for c in columns))
    rows = []
    national = entries.get((lang, None))
    name = _t("reports.index.national_link", lang)
    rows.append("<tr><td>VN</td><td><strong>" + _report_link(national, out_dir, name, lang)
                + "</strong></td>"
                + "".join(_cell(cells.get(COUNTRY_CODE, {}).get(c["key"]), c, lang)
                          for c in columns) + "</tr>")
    table = provinces(geo)
    for row in table.itertuples():
        entry = entries.get((lang, row.code))
        label = row.name_vi if lang == "vi" else row.name_en
        link = _report_link(entry, out_dir, label, lang) if entry else _e(label)
        rows.append(f"<tr><td>{_e(row.code)}</td><td class=\"links\">{link}</td>"
                    + "".join(_cell(cells.get(row.code, {}).get(c["key"]), c, lang)
                              for c in columns) + "</tr>")
    note = "" if grid else f'<p>{_e(_t("reports.index.grid_no_progress", lang))}</p>'
    return (f'<h2>{_e(_t("reports.index.grid_heading", lang))}</h2>'
            f'<p>{_e(_t("reports.index.grid_caption", lang))}</p>{note}'
            f'{_legend(lang) + _evidence_legend(lang, _evidence_kinds(cells)) if grid else ""}'
            f'<div class="nq42-grid-wrap"><table class="nq42-grid"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div>')


def _facts(run: dict, lang: str) -> str:
    params = run["parameters"]
    data = run["data"]
    counts = run["counts"]
    years = data.get("years")
    unknown = _t("reports.chrome.unknown", lang)
    commit = run.get("git_commit")
    build = data.get("build_id") or unknown
    if data.get("built_at"):
        build = f"{build} ({_when(data['built_at'], lang)})"
    try:

        geography = geo_label(params["geo"], lang)
    except DataError:
        geography = params["geo"]
    rows = [
        ("fact_run_id", run["run_id"]),
        ("fact_generated", _when(run["finished_at"], lang)),
        ("fact_duration", _t("reports.index.fact_seconds", lang,
                             n=_number(run.get("duration_s"), lang))),
        ("fact_commit", commit[:12] if commit else unknown),
        ("fact_version", run.get("nq42_version")),
        ("fact_build", build),
        ("fact_geography", geography),
        ("fact_years", f"{years[0]}–{years[1]}" if years else unknown),
        ("fact_year", params.get("year") or _t("reports.index.fact_year_latest", lang)),
        ("fact_languages", ", ".join(_t(f"reports.index.lang_{x}", lang)
                                     for x in params.get("langs", []))),
        ("fact_counts", _t("reports.index.counts", lang, **counts)),
    ]
    body = "".join(f"<dt>{_e(_t('reports.index.' + key, lang))}</dt><dd>{_e(value)}</dd>"
                   for key, value in rows)
    return (f'<h2>{_e(_t("reports.index.facts_heading", lang))}</h2>'
            f'<dl class="nq42-facts">{body}</dl>')


def _number(value: object, lang: str) -> str:
    if value is None:
        return "–"
    text = f"{float(value):.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def _failures(run: dict, lang: str, out_dir: Path) -> str:
    failed = [r for r in run["reports"] if r["status"] == "failed"]
    heading = f'<h2>{_e(_t("reports.index.failures_heading", lang))}</h2>'
    if not failed:
        return (heading + f'<p class="nq42-ok">{_e(_t("reports.index.failures_none", lang))}'
                "</p>")
    rows = []
    for r in failed:
        error = r.get("error") or {}
        cell = ""
        if error.get("cell_index") is not None:
            cell = (_t("reports.index.cell_label", lang, n=error["cell_index"])
                    + f": {error.get('cell_source') or ''}")
        notebook = r.get("failed_notebook")
        nb_link = f'<a href="{_e(notebook)}">{_e(notebook)}</a>' if notebook else ""
        kept = (f" {_e(_t('reports.index.failure_old_version', lang))}"
                if r.get("previous_html_kept") else "")
        anchor = f"fail-{lang}-{r['id'].replace('/', '-')}"
        rows.append(f'<tr id="{_e(anchor)}"><td>{_e(r["title"])} ({_e(r["lang"])})'
                    f"<br><code>{_e(r['id'])}</code>{kept}</td>"
                    f"<td>{_e(error.get('message'))}</td><td><code>{_e(cell)}</code></td>"
                    f"<td>{nb_link}</td></tr>")
    head = "".join(f"<th>{_e(_t('reports.index.' + k, lang))}</th>" for k in
                   ("failure_report", "failure_error", "failure_cell", "failure_notebook"))
    return (f'<div class="nq42-failures">{heading}<table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _synthetic(run: dict, lang: str) -> str:
    data = run["data"]
    if not data.get("synthetic"):
        return ""
    sources = "".join(f"<li>{_e(s)}</li>" for s in data.get("synthetic_sources") or [])
    return (f'<div class="nq42-notice" role="note"><strong>'
            f'{_e(_t("reports.index.synthetic_title", lang))}.</strong> '
            f'{_e(_t("reports.index.synthetic_text", lang))}<ul>{sources}</ul></div>')


def coverage_data(processed_dir: Path, geo: str) -> pd.DataFrame | None:
    """The build's coverage table (``coverage.csv``) for one geography, or None."""
    path = Path(processed_dir) / "coverage.csv"
    if not path.is_file():
        return None
    table = load_coverage(processed_dir)
    return table[table["geo_version"] == geo].reset_index(drop=True)


def _coverage(table: pd.DataFrame | None, lang: str, geo: str) -> str:
    """How much of the dataset is real: a headline and one row per indicator with data."""
    if table is None or table.empty:
        return ""

    summary = coverage_summary(table)["by_geo"].get(geo)
    if not summary:
        return ""
    share = summary["observation_share"]
    pct = {g: _number(100 * share[g], lang) for g in ("official", "secondary", "synthetic")}
    head = _t("reports.index.coverage_summary", lang, official=pct["official"],
              secondary=pct["secondary"], synthetic=pct["synthetic"],
              real=summary["verdicts_real"], verdicts=summary["verdicts"],
              covered=summary["indicators_real_covered"],
              threshold=summary["covered_provinces"])
    name = "name_vi" if lang == "vi" else "name_en"
    rows = []
    shown = table[(table[[f"points_{g}" for g in ("official", "secondary", "synthetic")]]
                   .sum(axis=1) > 0) | (table["targets"] > 0)]
    for r in shown.sort_values(["sector", "indicator"], kind="mergesort").to_dict("records"):
        cells = [_e(_t(f"sector.{r['sector']}", lang)) if has_key(f"sector.{r['sector']}", lang)
                 else _e(r["sector"]), _e(r[name])]
        for g in ("official", "secondary", "synthetic"):
            n = int(r[f"provinces_{g}"])
            years = r[f"years_{g}"]
            nat = _t("reports.index.coverage_national", lang) if r[f"national_{g}"] in (
                True, "True") else ""
            when = f" ({years})" if years else ""
            if n:
                text = f"{n}{when}" + (f"; {nat}" if nat else "")
            else:  # only a national figure
                text = f"{nat}{when}" if nat else "–"
            cells.append(_e(text))
        cells.append(_e(f"{int(r['verdicts_real_provinces'])}"))
        cells.append(_e(f"{int(r['targets'])}"))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    heads = "".join(f"<th scope=\"col\">{_e(_t('reports.index.' + k, lang))}</th>" for k in (
        "coverage_sector", "coverage_indicator", "coverage_official", "coverage_secondary",
        "coverage_synthetic", "coverage_real_verdicts", "coverage_targets"))
    return (f'<h2 id="coverage-{lang}">{_e(_t("reports.index.coverage_heading", lang))}</h2>'
            f"<p>{_e(head)}</p><p>{_e(_t('reports.index.coverage_caption', lang))}</p>"
            f'<div class="nq42-grid-wrap"><table class="nq42-coverage"><thead><tr>{heads}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')



def _view(run: dict, lang: str, out_dir: Path, grid, entries: dict, langs: Iterable[str],  # noqa: ANN001
          coverage: pd.DataFrame | None = None) -> str:
    other = [x for x in LANGUAGES if x != lang][0]
    switch = ""
    if other in langs or lang != LANGUAGES[0]:
        target = "#vi" if lang == "en" else "#en"
        switch = (f'<p class="nq42-lang-switch"><a href="{target}" hreflang="{other}">'
                  f'{_e(_t("reports.index.switch_to", lang))}</a></p>')
    return (f'<div id="{lang}" class="nq42-view-{lang}" lang="{lang}">'
            f'<header class="nq42-header"><div class="nq42-bar">'
            f'<span class="nq42-brand">{_e(_t("reports.project", lang))}</span>'
            f'<span class="nq42-bar-title">{_e(_t("reports.index.title", lang))}</span>'
            f'<span class="nq42-bar-meta">{_e(_t("reports.project_tagline", lang))}</span>'
            f"</div></header>"
            f'<main class="nq42-index">{switch}'
            f'<p>{_e(_t("reports.index.intro", lang))}</p>'
            f"{_synthetic(run, lang)}"
            f"{_failures(run, lang, out_dir) if run['counts'].get('failed') else ''}"
            f"{_grid(run, lang, out_dir, grid, entries)}"
            f"{_coverage(coverage, lang, run['parameters']['geo'])}"
            f"{_facts(run, lang)}"
            f"{'' if run['counts'].get('failed') else _failures(run, lang, out_dir)}"
            f"</main></div>")


def render_index(run: dict, *, out_dir: Path, processed_dir: Path) -> str:
    """The ``index.html`` of a run (a complete, self-contained page).

    Args:
        run: the ``run.json`` document.
        out_dir: the output folder (links are relative to it; a link is made only to a
            report file that exists).
        processed_dir: the built data, for the status grid.
    """

    out_dir = Path(out_dir)
    grids = {lang: status_grid_data(processed_dir, run["parameters"]["geo"], lang)
             for lang in LANGUAGES}
    entries = {(r["lang"], r["province_code"]): r for r in run["reports"]}
    langs = run["parameters"]["langs"]
    # the English view comes first in the page so that "#en:target ~ #vi" can hide the other
    coverage = coverage_data(processed_dir, run["parameters"]["geo"])
    views = (_view(run, "en", out_dir, grids["en"], entries, langs, coverage)
             + _view(run, "vi", out_dir, grids["vi"], entries, langs, coverage))
    return ("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="NQ42 Tracker {_e(run.get("nq42_version"))}">\n'
            f"<title>{_e(_t('reports.index.title', 'vi'))} — NQ42 Tracker</title>\n"
            f"<style>\n{report_css()}\n{_INDEX_CSS}</style>\n</head>\n<body>\n{views}\n"
            "</body>\n</html>\n")
