# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # National overview
#
# Every province against every target, maps by sector, rankings, the national figure as
# reported and as computed from the provinces. Run it from JupyterLab, or with
# `nq42 reports` (papermill). The text readers see comes from `analysis.present.i18n`, so this note
# (for researchers) is removed from the exported report.
#
# Parameters: `geo_version` (`vn34` or `vn63`), `lang` (`vi` or `en`), `year` (rankings; None:
# the latest year of each indicator), `boundaries` (a boundary file for geographic maps; None:
# the fetched file if any, else the tile grid), `processed_dir` (None: `data/processed`).

# %% tags=["parameters"]
geo_version = "vn34"
lang = "vi"
year = None
boundaries = None
processed_dir = None

# %%
from analysis import charts, reporting  # noqa: E402
from analysis.present.i18n import geo_label, t  # noqa: E402

data = reporting.load_report_data(geo_version, lang=lang, processed_dir=processed_dir,
                                  year=year)

# %%
reporting.page_header(t("notebook.national.title", lang), lang=lang, geo_version=geo_version,
                      data_date=data.data_year, synthetic=data.is_synthetic())

# %%
reporting.paragraph("notebook.national.intro", lang, geography=geo_label(geo_version, lang))

# %%
reporting.section("notebook.national.grid_heading", "notebook.national.grid_intro", lang)

# %%
reporting.figure_block(charts.status_grid(data.progress, lang=lang, geo_version=geo_version),
                       lang=lang, sources=data.sources)

# %%
reporting.heading("notebook.national.maps_heading", lang)

# %%
reporting.sector_maps(data, lang=lang, boundaries=boundaries)

# %%
reporting.section("notebook.national.rankings_heading", "notebook.national.rankings_intro",
                  lang)

# %%
reporting.rankings(data, lang=lang, year=year)

# %%
(reporting.section("notebook.national.comparison_heading",
                   "notebook.national.comparison_intro", lang)
 + reporting.national_table(data.observations, lang=lang, geo_version=geo_version))

# %%
(reporting.heading("notebook.national.table_heading", lang)
 + reporting.status_summary(data.progress, lang=lang, province_code="VN")
 + reporting.progress_table(data.progress, lang=lang, geo_version=geo_version,
                            province_code="VN"))

# %%
reporting.alternatives_block(lang=lang, geo_version=geo_version, province_code=None,
                             processed_dir=processed_dir)

# %%
reporting.method_note(lang)

# %%
reporting.provenance_footer(lang=lang, processed_dir=processed_dir)
