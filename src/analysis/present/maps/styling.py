"""What each province looks like: fill colour on the value scale or by status, label text
and the hover and legend text of the figure."""

from __future__ import annotations

from functools import cache

import pandas as pd

from analysis.catalogue.geography import provinces
from analysis.core.errors import ParameterError
from analysis.present.i18n import fmt_number, fmt_value, has_key, provenance_label, status_label, t
from analysis.present.maps.data import MapSpec
from analysis.present.style import STATUS_COLORS, STATUS_ORDER

# sequential, colour-blind-safe scale (ColorBrewer YlGnBu), light = low, dark = high
VALUE_COLORSCALE = ["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
                    "#0c2c84"]
NO_DATA_FILL = "#EEEEEE"
NO_DATA_PATTERN = "#9E9E9E"
TEXT_DARK = "#1A1A1A"


def _status_text(status: str, lang: str) -> str:
    return status_label(status, lang)


def _value_text(value: float, unit: str | None, lang: str) -> str:
    if unit is not None:
        try:
            return fmt_value(value, unit, lang)
        except ParameterError:
            pass  # unknown unit code: the bare number
    return fmt_number(value, lang)


def _province_names(geo_version: str, lang: str) -> dict[str, str]:
    table = provinces(geo_version)
    return dict(zip(table["code"], table["name_vi" if lang == "vi" else "name_en"],
                    strict=True))


def _tile_label(code: str, name: str, geo_version: str, lang: str) -> str:
    """A short label that fits a tile: the name on up to two lines, or a set abbreviation."""
    key = f"maps.tile_label.{geo_version}.{code}"
    if has_key(key, lang):
        return t(key, lang)
    words = name.replace(" - ", " ").replace("–", " ").split()
    if len(words) <= 1:
        return name
    best = min(range(1, len(words)),
               key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return " ".join(words[:best]) + "<br>" + " ".join(words[best:])


def _colour_of(value: float, vmin: float, vmax: float) -> str:
    """The scale's colour at ``value``, interpolated in RGB as plotly's colour bar does."""
    pos = 0.5 if vmax <= vmin else (value - vmin) / (vmax - vmin)
    pos = min(max(pos, 0.0), 1.0) * (len(VALUE_COLORSCALE) - 1)
    i = min(int(pos), len(VALUE_COLORSCALE) - 2)
    frac = pos - i
    a, b = _rgb(VALUE_COLORSCALE[i]), _rgb(VALUE_COLORSCALE[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * frac):02x}" for x, y in zip(a, b, strict=True))


@cache
def _colorscale() -> tuple[tuple[float, str], ...]:
    n = len(VALUE_COLORSCALE) - 1
    return tuple((i / n, c) for i, c in enumerate(VALUE_COLORSCALE))


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _text_colour(fill: str) -> str:
    """Dark or white label text, whichever contrasts more with ``fill`` (WCAG 2 ratio)."""
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(fill))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark = sum(w * linear(c) for w, c in zip((0.2126, 0.7152, 0.0722), _rgb(TEXT_DARK),
                                            strict=True))
    return TEXT_DARK if (lum + 0.05) / (dark + 0.05) >= 1.05 / (lum + 0.05) else "#FFFFFF"


def _styled(table: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    """Per province: legend group, fill colour, hover text and legend name, in legend order.

    Groups: a status code (status maps), ``value`` (value maps) or ``no_data``; the legend
    lists the statuses best to worst, then "no data".
    """
    mode, geo_version, lang, unit = spec.mode, spec.geo_version, spec.lang, spec.unit
    names = _province_names(geo_version, lang)
    no_data = t("common.no_data", lang)
    synthetic_note = provenance_label("synthetic", lang)
    known = table.loc[table["has_data"], "value"]
    vmin, vmax = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    rows = []
    for row in table.itertuples():
        group = "no_data" if not row.has_data else row.status if mode == "status" else "value"
        fill = (NO_DATA_FILL if group == "no_data" else STATUS_COLORS[row.status]
                if mode == "status" else _colour_of(row.value, vmin, vmax))
        lines = [f"<b>{names[row.code]}</b>"]
        if mode == "value" and row.has_data:
            lines.append(_value_text(row.value, unit, lang))
        if row.status is not None:
            lines.append(_status_text(row.status, lang))
        if not row.has_data:
            lines.append(no_data)
        if row.synthetic:
            lines.append(f"<i>{synthetic_note}</i>")
        legend = (no_data[:1].upper() + no_data[1:] if group == "no_data"
                  else _status_text(row.status, lang) if mode == "status" else names[row.code])
        rows.append((group, fill, "<br>".join(lines), legend, names[row.code]))
    out = table.assign(**{k: [r[i] for r in rows] for i, k in
                          enumerate(("group", "fill", "hover", "legend", "name"))})
    order = {g: i for i, g in enumerate([*STATUS_ORDER, "value", "no_data"])}
    out["_order"] = out["group"].map(order)
    out = out.sort_values(["_order", "code"]).drop(columns="_order").reset_index(drop=True)
    out.attrs.update(mode=mode, vmin=vmin, vmax=vmax)
    return out
