"""Charts of provincial progress (plotly), each returning a ``go.Figure`` usable on its own.

One module per chart family (:mod:`.trajectory`, :mod:`.status_grid`, :mod:`.ranking`,
:mod:`.distribution`, :mod:`.trends`, :mod:`.small_multiples`), drawing what the data
modules prepare (:mod:`.data`, :mod:`.paths`, :mod:`.grid_data`) with the shared pieces of
:mod:`.common` (layout, header, badges, axes) and :mod:`.traces`.

Rules every chart follows (see docs/ARCHITECTURE.md and SPEC "Reports"):

* only trace types of plotly.js's "cartesian" partial bundle (scatter, bar, heatmap, box,
  histogram, pie), because the reports embed that lean bundle; no geo, mapbox or map traces,
  no MathJax;
* every string comes from :mod:`analysis.present.i18n`, numbers are formatted for the language (axes
  through ``layout.separators``; hover texts are pre-formatted with the same functions as the
  tables);
* the title names the indicator and the place; a one-sentence summary generated from the data
  is shown under the title and stored in ``fig.layout.meta["summary"]``;
* when any point shown is synthetic the chart carries the badge "DỮ LIỆU GIẢ LẬP – chỉ minh
  họa" / "SYNTHETIC DATA – illustrative only";
* real (official, secondary) and synthetic points are never joined by one line: where a
  series has both, the real points are the observed series and the synthetic ones a
  separate trace (dash-dot line, hollow diamonds, "Số liệu minh họa (giả lập, không phải số
  liệu thực)"); every point's hover names its grade; a verdict's status always comes with
  the grade of its evidence (``evidence_grade``, else ``provenance``), "◌" marking synthetic;
* status colours come from :mod:`analysis.present.style` (Okabe-Ito) and always come with text or a
  symbol (:data:`STATUS_MARKS`) explained in a legend;
* text that comes from data (names, documents) is HTML-escaped before plotly sees it.

``fig.layout.meta`` also carries ``chart``, ``lang``, ``geo_version``, ``filename`` (a safe
stem for downloads), ``synthetic``, ``source_ids`` (keys of ``data/raw/sources.yml``),
``provenance`` (grades shown) and ``targets`` (the documents that set the targets shown).
The data behind a chart, as shown, is returned by :func:`figure_table`.
"""

from analysis.present.charts.common import figure_table
from analysis.present.charts.data import headline_targets, sort_by_sector
from analysis.present.charts.distribution import distribution
from analysis.present.charts.grid_data import status_grid_columns, target_column_keys
from analysis.present.charts.ranking import ranking
from analysis.present.charts.small_multiples import small_multiples
from analysis.present.charts.status_grid import GRID_SORTS, status_grid
from analysis.present.charts.trajectory import trajectory
from analysis.present.charts.trends import trends
from analysis.present.style import STATUS_MARKS, STATUS_ORDER

__all__ = [
    "GRID_SORTS",
    "STATUS_MARKS",
    "STATUS_ORDER",
    "distribution",
    "figure_table",
    "headline_targets",
    "ranking",
    "small_multiples",
    "sort_by_sector",
    "status_grid",
    "status_grid_columns",
    "target_column_keys",
    "trajectory",
    "trends",
]
