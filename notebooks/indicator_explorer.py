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
# # Indicator explorer
#
# For researchers: pick an indicator, a year and a geography; see the map, the spread across
# provinces, the trends and the targets. Every chart is a call into `analysis.present.charts` (try
# other arguments in a new cell). The text readers see comes from `analysis.present.i18n`.
#
# Parameters: `indicator` (an id of `analysis.indicator_catalogue()`), `year` (None: the
# latest year with data), `geo_version` (`vn34` or `vn63`), `lang` (`vi` or `en`),
# `boundaries` (a boundary file; None: the fetched file if any, else the tile grid),
# `processed_dir` (None: `data/processed`).

# %% tags=["parameters"]
indicator = "rural_hh_clean_water_pct"
year = None
geo_version = "vn34"
lang = "vi"
boundaries = None
processed_dir = None

# %%
from analysis import charts, reporting  # noqa: E402
from analysis.catalogue.indicators import indicator as indicator_entry  # noqa: E402
from analysis.present.i18n import indicator_name, t  # noqa: E402

data = reporting.load_report_data(geo_version, lang=lang, processed_dir=processed_dir,
                                  indicator=indicator, year=year)
shown_year = data.year_at_or_before(indicator, year)

# %%
reporting.page_header(t("notebook.explorer.title", lang,
                        indicator=indicator_name(indicator, lang)),
                      lang=lang, geo_version=geo_version, data_date=shown_year,
                      synthetic=data.is_synthetic(indicator=indicator))

# %%
reporting.paragraph("notebook.explorer.intro", lang,
                    definition=indicator_entry(indicator)[f"definition_{lang}"])

# %%
reporting.heading("notebook.explorer.map_heading", lang, year=shown_year)

# %%
reporting.value_map(data, indicator, lang=lang, year=shown_year, boundaries=boundaries)

# %%
reporting.heading("notebook.explorer.distribution_heading", lang)

# %%
reporting.figure_block(charts.distribution(data.observations, indicator, shown_year, lang=lang,
                                           geo_version=geo_version),
                       lang=lang, sources=data.sources)

# %%
reporting.heading("notebook.explorer.trends_heading", lang)

# %%
reporting.figure_block(charts.trends(data.observations, indicator, lang=lang,
                                     geo_version=geo_version),
                       lang=lang, sources=data.sources)

# %%
reporting.heading("notebook.explorer.ranking_heading", lang)

# %%
reporting.figure_block(charts.ranking(data.observations, indicator, shown_year, lang=lang,
                                      geo_version=geo_version),
                       lang=lang, sources=data.sources)

# %%
(reporting.heading("notebook.explorer.table_heading", lang)
 + reporting.indicator_table(data, indicator, lang=lang))

# %%
(reporting.heading("notebook.explorer.national_heading", lang)
 + reporting.progress_table(data.indicator_progress(indicator), lang=lang,
                            geo_version=geo_version, province_code="VN", no_data="summary"))

# %%
reporting.method_note(lang)

# %%
reporting.provenance_footer(lang=lang, processed_dir=processed_dir)
