"""A figure with its caption (summary, sources, target documents) and the CSV download of
the data behind it, made safe for spreadsheets."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.csvsafe import CSV_FORMULA_START, neutralise_csv_cell, neutralise_frame
from analysis.pipeline.io import load_build_info
from analysis.present.i18n import check_language, t
from analysis.present.report.blocks import FigureBlock, HtmlBlock, _block, _esc
from analysis.present.report.provenance import (
    _ids_of,
    _target_documents,
    documents_list,
    sources_list,
)

__all__ = ["CSV_FORMULA_START", "csv_bytes", "csv_link", "figure_block", "neutralise_csv_cell",
           "show"]


def csv_bytes(data: pd.DataFrame) -> bytes:
    """``data`` as CSV for Excel: UTF-8 with BOM, comma-separated, every text cell and
    header neutralised by :func:`neutralise_csv_cell` (the one rule of
    :mod:`analysis.core.csvsafe`), missing values empty."""
    df = neutralise_frame(data)
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
        from analysis.present.charts import figure_table  # charts imports plotly (heavy)

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
        parts.append(documents_list(docs, lang))
    parts.append(csv_link(data, lang=lang, filename=stem).html)
    text = summary or ""
    caption = _block("".join(parts), "nq-caption", lang, text)
    return FigureBlock(fig, caption)


def show(fig: Any, data: pd.DataFrame | None = None, **kwargs: Any) -> None:
    """Display :func:`figure_block` at once (for loops in notebooks)."""
    from IPython.display import display  # IPython only when a notebook shows it

    display(figure_block(fig, data, **kwargs))


def _safe_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(str(name)).name).strip("-.") or "data"
    return stem if stem.lower().endswith(".csv") else f"{stem}.csv"
