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
# # Province report
#
# One province against every target, in Vietnamese or English. Run it from JupyterLab, or
# with `nq42 reports` (papermill). The text readers see comes from `analysis.present.i18n`, so this
# note (for researchers) is removed from the exported report.
#
# Parameters: `province_code` (2-digit code of `geo_version`), `geo_version` (`vn34` or
# `vn63`), `lang` (`vi` or `en`), `year` (None: latest), `boundaries` (a boundary file for a
# geographic map; None: the fetched file if any, else the tile grid), `processed_dir`
# (None: `data/processed`).

# %% tags=["parameters"]
province_code = "01"
geo_version = "vn34"
lang = "vi"
year = None
boundaries = None
processed_dir = None

# %%
from analysis import charts, reporting  # noqa: E402
from analysis.present.i18n import geo_label, province_label, t  # noqa: E402

data = reporting.load_report_data(geo_version, lang=lang, processed_dir=processed_dir,
                                  province_code=province_code, year=year)
place = province_label(province_code, geo_version, lang)

# %%
reporting.page_header(t("notebook.province.title", lang, province=place), lang=lang,
                      geo_version=geo_version, province_code=province_code,
                      data_date=data.data_year, synthetic=data.is_synthetic())

# %%
reporting.paragraph("notebook.province.intro", lang, province=place,
                    geography=geo_label(geo_version, lang))

# %%
(reporting.heading("notebook.province.status_heading", lang)
 + reporting.status_summary(data.progress, lang=lang, province_code=province_code))

# %%
reporting.section("notebook.province.overview_heading", "notebook.province.overview_intro", lang)

# %%
reporting.figure_block(
    charts.small_multiples(data.observations, data.progress, province_code, lang=lang,
                           geo_version=geo_version),
    lang=lang, sources=data.sources)

# %%
reporting.section("notebook.province.trajectories_heading",
                  "notebook.province.trajectories_intro", lang)

# %%
reporting.trajectory_blocks(data, province_code, lang=lang)

# %%
reporting.heading("notebook.province.map_heading", lang, province=place)

# %%
reporting.status_map(data, lang=lang, highlight=province_code, boundaries=boundaries)

# %%
(reporting.heading("notebook.province.table_heading", lang)
 + reporting.progress_table(data.progress, lang=lang, geo_version=geo_version,
                            province_code=province_code))

# %%
reporting.alternatives_block(lang=lang, geo_version=geo_version, province_code=province_code,
                             processed_dir=processed_dir)

# %%
reporting.method_note(lang)

# %%
reporting.provenance_footer(lang=lang, processed_dir=processed_dir)
