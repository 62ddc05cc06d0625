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

The blocks live in submodules, re-exported here: ``blocks`` (the HTML objects), ``data``
(:class:`ReportData`), ``page`` (header, headings, text), ``figures`` (figure captions and CSV
downloads), ``chart_blocks`` (maps, rankings, trajectories), ``tables``, ``badges`` (grades and
evidence) and ``provenance`` (sources, method note, alternatives, footer).
"""

from __future__ import annotations

from analysis.present.report.badges import evidence_summary
from analysis.present.report.blocks import PLOTLY_MIME, BlockList, FigureBlock, HtmlBlock
from analysis.present.report.chart_blocks import (
    describe_target,
    rankings,
    sector_maps,
    status_map,
    trajectory_blocks,
    value_map,
)
from analysis.present.report.data import ReportData, load_report_data
from analysis.present.report.figures import (
    CSV_FORMULA_START,
    csv_bytes,
    csv_link,
    figure_block,
    neutralise_csv_cell,
    show,
)
from analysis.present.report.page import heading, page_header, paragraph, section, synthetic_banner
from analysis.present.report.provenance import (
    alternatives_block,
    method_note,
    provenance_footer,
    sources_list,
)
from analysis.present.report.tables import (
    NO_DATA_CHOICES,
    indicator_table,
    national_table,
    progress_table,
    status_summary,
)

__all__ = [
    "BlockList", "CSV_FORMULA_START", "FigureBlock", "HtmlBlock", "NO_DATA_CHOICES", "PLOTLY_MIME",
    "ReportData", "alternatives_block", "csv_bytes", "csv_link", "describe_target",
    "evidence_summary", "figure_block", "heading", "indicator_table", "load_report_data",
    "method_note", "national_table", "neutralise_csv_cell", "page_header", "paragraph",
    "progress_table", "provenance_footer", "rankings", "section", "sector_maps", "show",
    "sources_list", "status_map", "status_summary", "synthetic_banner", "trajectory_blocks",
    "value_map",
]
