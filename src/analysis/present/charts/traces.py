"""Traces several charts draw: observed series (real and synthetic points apart), paths,
the target star, the look of one grade's part of a series and the national lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.present.charts.common import (
    COMPUTED_COLOR,
    NATIONAL_COLOR,
    OBSERVED_COLOR,
    UNKNOWN_GRADE_COLOR,
    Panel,
    _esc,
    _wrap,
)
from analysis.present.charts.data import _grade_groups
from analysis.present.i18n import (
    COMPARISON_PREFIX,
    fmt_compact,
    fmt_value,
    provenance_label,
    row_value,
    t,
    target_text,
)
from analysis.present.style import (
    SYNTHETIC_COLOR,
    SYNTHETIC_DASH,
    SYNTHETIC_SYMBOL,
    UNKNOWN_SYMBOL,
)


@dataclass(frozen=True)
class SeriesLabel:
    """How an observed series is labelled: the place and unit its hovers name, the language
    and the locale key of its legend name."""

    place: str
    unit: str
    lang: str
    name_key: str


def _observed_traces(fig: go.Figure, points: pd.DataFrame, label: SeriesLabel, *,
                     showlegend: bool = True, legendgroup: str | None = None,
                     panel: Panel | None = None, legend_seen: set[str] | None = None
                     ) -> pd.DataFrame:
    """Add the observed line (and hollow provisional markers); return the rows shown.

    Points of different evidence are never joined: with both real and synthetic points, the
    real ones are the observed series and the synthetic ones a separate dash-dot trace with
    hollow diamonds (figures of unknown provenance likewise, grey with hollow squares). With
    ``legend_seen``, each legend entry is shown once (for subplots).
    """
    if points.empty:
        return points.assign(series="observed")
    place, unit, lang = label.place, label.unit, label.lang
    kwargs: dict[str, Any] = panel.where() if panel is not None else {}

    def legend(group: str) -> bool:
        if legend_seen is None:
            return showlegend
        first = group not in legend_seen
        legend_seen.add(group)
        return first

    shown = []
    for kind, part in _grade_groups(points):
        if kind in ("all", "real"):
            name, color = t(label.name_key, lang), OBSERVED_COLOR
            dash, symbol = "solid", "circle"
            group, series = legendgroup or "observed", "observed"
        elif kind == "synthetic":
            name, color, dash, symbol = (t("evidence.series_synthetic", lang), SYNTHETIC_COLOR,
                                         SYNTHETIC_DASH, SYNTHETIC_SYMBOL)
            group = series = "synthetic"
        else:
            name, color, dash, symbol = (t("evidence.series_unknown", lang),
                                         UNKNOWN_GRADE_COLOR, "dot", UNKNOWN_SYMBOL)
            group = series = "unknown_grade"
        hover = [_point_hover(r, place, unit, lang) for r in part.itertuples()]
        open_marker = symbol.endswith("-open")
        fig.add_trace(go.Scatter(
            x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
            name=name, line={"color": color, "width": 2.5 if kind in ("all", "real") else 2,
                             "dash": dash},
            marker={"color": color, "size": 9 if open_marker else 7, "symbol": symbol,
                    **({"line": {"color": color, "width": 2}} if open_marker else {})},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            showlegend=legend(group), legendgroup=group), **kwargs)
        flags = part["is_provisional"].to_numpy(dtype=bool)
        if flags.any():
            prov = part[flags]
            fig.add_trace(go.Scatter(
                x=prov["year"].tolist(), y=prov["value"].tolist(), mode="markers",
                name=t("charts.trajectory.provisional", lang),
                marker={"color": "#FFFFFF", "size": 10, "symbol": "circle",
                        "line": {"color": color, "width": 2.5}},
                customdata=[h for h, p in zip(hover, flags, strict=True) if p],
                hovertemplate="%{customdata}<extra></extra>",
                showlegend=legend("provisional"), legendgroup="provisional"), **kwargs)
        shown.append(part.assign(series=series))
    return pd.concat(shown).sort_values("year", kind="stable")


def _point_hover(r: Any, place: str, unit: str, lang: str) -> str:
    notes = ""
    if r.is_provisional:
        notes += t("charts.hover.notes_provisional", lang)
    if r.is_estimated:
        notes += t("charts.hover.notes_estimated", lang)
    return t("charts.hover.point", lang, place=_esc(place), year=int(r.year),
             value=fmt_value(r.value, unit, lang), notes=notes,
             provenance=provenance_label(str(r.provenance), lang))


def _path_trace(path: pd.DataFrame, name: str, unit: str, lang: str, *, color: str,
                dash: str, showlegend: bool = True, width: float = 2) -> go.Scatter:
    hover = [t("charts.hover.path", lang, series=name, year=int(y),
               value=fmt_value(v, unit, lang)) for y, v in zip(path["year"], path["value"],
                                                               strict=True)]
    return go.Scatter(x=path["year"].tolist(), y=path["value"].tolist(), mode="lines",
                      name=name, line={"color": color, "dash": dash, "width": width},
                      customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                      showlegend=showlegend, legendgroup=name)


def _target_trace(point: tuple[int, float], row: Mapping, unit: str, lang: str, *,
                  showlegend: bool = True, label: bool = True) -> go.Scatter:
    year, value = point
    kind = str(row_value(row, "kind", "level"))
    shown = fmt_compact(value, unit, lang)
    if kind in ("level", "annual"):

        shown = COMPARISON_PREFIX.get(str(row_value(row, "comparison", "")), "") + shown
    text = t("charts.trajectory.target_label", lang, year=int(year), value=shown)
    hover = t("charts.hover.target", lang, target=_esc(target_text(row, lang)),
              document=_esc(_wrap(str(row_value(row, "source_document", "")), 70)))
    return go.Scatter(
        x=[year], y=[value], mode="markers+text" if label else "markers",
        name=t("charts.trajectory.target", lang),
        marker={"symbol": "star", "size": 16, "color": "#111111",
                "line": {"color": "#FFFFFF", "width": 1}},
        text=[text] if label else None, textposition="top left",
        textfont={"size": 12, "color": "#111111"}, cliponaxis=False,
        customdata=[hover], hovertemplate="%{customdata}<extra></extra>",
        showlegend=showlegend, legendgroup="target")


def _series_style(kind: str, name: str, seen: set[str], lang: str, *, line: dict,
                  marker: dict | None = None) -> dict:
    """Trace arguments of one grade's part of a series.

    A real (or only) part keeps the series' look and its name in the legend. A synthetic
    part is dash-dot with hollow diamonds (unknown provenance: dotted, hollow squares) and
    joins the legend group of the entry that explains it; it is listed under its own name
    only when the series has no real part (real parts are drawn first).
    """
    line = dict(line)
    marker = dict(marker or {})
    first = name not in seen
    seen.add(name)
    if kind in ("all", "real"):
        return {"name": name, "line": line, "marker": marker, "showlegend": first,
                "legendgroup": name}
    synthetic = kind == "synthetic"
    line["dash"] = SYNTHETIC_DASH if synthetic else "dot"
    marker.update({"symbol": SYNTHETIC_SYMBOL if synthetic else UNKNOWN_SYMBOL,
                   "size": max(int(marker.get("size", 6)), 8)})
    label = t("evidence.series_synthetic" if synthetic else "evidence.series_unknown", lang)
    return {"name": f"{name} — {label}", "line": line, "marker": marker, "showlegend": first,
            "legendgroup": "synthetic" if synthetic else "unknown_grade"}


def _add_national_lines(fig: go.Figure, nat: Mapping, categories: list[str] | None,
                        unit: str, lang: str) -> str:
    """Vertical lines for the national figures; returns the summary's national clause."""
    texts = []
    specs = [("reported", NATIONAL_COLOR, "solid"), ("computed", COMPUTED_COLOR, "dash")]
    for key, color, dash in specs:
        if key not in nat:
            continue
        value = nat[key]
        label = (t("charts.ranking.reported", lang, value=fmt_value(value, unit, lang))
                 if key == "reported" else
                 t("charts.ranking.computed", lang, value=fmt_value(value, unit, lang),
                   n=nat.get("computed_n", "?"), expected=nat.get("computed_expected", "?")))
        if categories:
            ys = [_esc(categories[0]), _esc(categories[-1])]
        else:
            ys = [-0.6, 0.6]
        fig.add_trace(go.Scatter(x=[value, value], y=ys, mode="lines", name=label,
                                 line={"color": color, "dash": dash, "width": 2},
                                 hovertemplate=f"{label}<extra></extra>"))
        texts.append(label)
    if not texts:
        return ""
    which = "reported" if "reported" in nat else "computed"
    return t("charts.ranking.summary_national", lang, value=fmt_value(nat[which], unit, lang),
             which=t(f"charts.ranking.which_{which}", lang))
