"""Tables: the status summary of a place, the progress table, the table of one indicator
across places and the national figure reported vs. computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.catalogue.geography import provinces
from analysis.catalogue.indicators import indicators as catalogue
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import ParameterError
from analysis.present.i18n import (
    capped_projection,
    check_language,
    evidence_detail,
    evidence_grade,
    evidence_kind,
    evidence_label,
    fmt_number,
    fmt_value,
    has_key,
    indicator_name,
    indicator_unit,
    is_missing,
    province_label,
    row_value,
    sort_key,
    status_label,
    t,
    target_text,
)
from analysis.present.report.badges import (
    _evidence_badge,
    _evidence_counts,
    _grade_badge,
    evidence_summary,
)
from analysis.present.report.blocks import HtmlBlock, _block, _esc
from analysis.present.report.data import ReportData, _progress_rows, _thresholds, _with_data
from analysis.present.report.provenance import _confidence_note, _target_documents, documents_list
from analysis.present.style import STATUS_COLORS, STATUS_MARKS, STATUS_ORDER, STATUS_TEXT_COLORS
from analysis.progress import national_comparison

NO_DATA_CHOICES = ("summary", "rows", "hide")


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


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    from analysis.present.charts import sort_by_sector  # charts imports plotly (heavy)

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
        out += f'<br><span class="nq-small">{_esc(_confidence_note(str(conf), lang))}</span>'
    return out


def indicator_table(data: ReportData, indicator: str, *, lang: str) -> HtmlBlock:
    """Every place's latest value of one indicator and its status against each target.

    Rows: the country, then every province of the geography (code order). Columns: latest
    value (year, provenance grade), then one status cell (colour + symbol + text) per target
    of the indicator assessed somewhere (a province's own targets share one column, the cell
    naming the target). The targets' documents follow the table.
    """
    from analysis.present.charts import sort_by_sector, target_column_keys  # charts imports plotly

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
    inner = (f'<table class="nq-table"><caption>{_esc(t("reporting.table.caption", lang))}'
             f"</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody>"
             "</table>")
    if docs:
        inner += documents_list(docs, lang)
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
