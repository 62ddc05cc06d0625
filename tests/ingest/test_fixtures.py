"""Every quirk has its own small fixture (tests/fixtures/ingest, one defect per file).

Each test states what the file must give: the tidy rows kept, the rows quarantined with
their reason, and the accounting rows read = kept + quarantined + aggregates dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import schemas
from analysis.core.errors import DataError
from analysis.ingest import QUARANTINE_COLUMNS, ReadResult, read, read_with_report
from analysis.sources.readers.detect import detect_format

# the table every PX-Web CSV variant holds (country + two provinces; the region is dropped)
HEALTH = {("VN", 2023): 95.1, ("VN", 2024): 96.2, ("01", 2023): 99.5, ("01", 2024): 100.0,
          ("27", 2023): 97.25, ("27", 2024): 98.75}


def values(obs: pd.DataFrame, indicator: str | None = None) -> dict[tuple[str, int], float]:
    sel = obs if indicator is None else obs[obs["indicator"] == indicator]
    return {(r.province_code, r.year): r.value for r in sel.itertuples()}


def check_accounting(r: ReadResult) -> None:
    assert r.rows_read == r.rows_kept + r.rows_quarantined + r.rows_dropped_as_aggregates
    assert len(r.quarantine) == r.rows_quarantined
    assert list(r.quarantine.columns) == QUARANTINE_COLUMNS
    assert list(r.observations.columns) == schemas.OBSERVATION_COLUMNS
    assert r.observations.dtypes.astype(str).to_dict() == schemas.OBSERVATION_DTYPES
    # files outside a register are graded "unregistered", which only nq42 ingest allows
    schemas.observation_schema(True, schemas.INGEST_GRADES).validate(r.observations, lazy=True)


# --- detection ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", [
    ("jsonstat_trailing_nul.json", "jsonstat"),
    ("jsonstat_version_2.json", "jsonstat"),
    ("pxweb_plain_year_item_header.csv", "pxweb-csv"),
    ("pxweb_lossy_cp1252_trailing_nul.csv", "pxweb-csv"),
    ("pxweb_utf16_tab.csv", "pxweb-csv"),
    ("pxweb_with_heading_two_row_header.csv", "pxweb-csv"),
    ("pxweb_filetypeexcelx_layout.xlsx", "pxweb-xlsx"),
    ("yearbook_bilingual_merged_cells.xlsx", "yearbook"),
    ("yearbook_decimal_comma_semicolon.csv", "yearbook"),
    ("template_vietnamese_headers_decimal_comma.csv", "template"),
    ("template_title_lines_above_header.csv", "template"),
    ("template_xlsx_excel_date_cell.xlsx", "template"),
])
def test_format_is_detected_from_content(fx: Path, name: str, fmt: str) -> None:
    path = fx / name
    assert detect_format(path, path.read_bytes()) == fmt


def test_format_override_wins(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_decimal_comma_semicolon.csv", fmt="pxweb-csv")
    assert r.fmt == "pxweb-csv"
    assert len(r.observations) == 9


# --- PX-Web CSV variants: all give the same rows ----------------------------------------------

@pytest.mark.parametrize("name", [
    "pxweb_plain_year_item_header.csv",
    "pxweb_utf8_bom.csv",
    "pxweb_utf16_tab.csv",
    "pxweb_cp1258_combining_marks.csv",
    "pxweb_nfd_decomposed.csv",
    "pxweb_semicolon_decimal_comma.csv",
    "pxweb_tab_separated.csv",
    "pxweb_footnote_lines_with_commas.csv",
    "pxweb_filetypeexcelx_layout.xlsx",
])
def test_pxweb_variants_give_the_same_table(fx: Path, name: str) -> None:
    r = read_with_report(fx / name)
    check_accounting(r)
    assert values(r.observations) == pytest.approx(HEALTH)
    assert set(r.observations["indicator"]) == {"health_stations_with_doctor_pct"}
    assert r.rows_dropped_as_aggregates == 2  # the region row "Đồng bằng sông Hồng", 2 years
    assert r.dropped_reasons == {"region aggregate rows": 2}
    assert r.rows_quarantined == 0
    assert r.provenance == "unregistered"  # an NSO layout alone proves nothing


def test_lossy_export_matches_names_with_wildcards(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_lossy_cp1252_trailing_nul.csv")
    check_accounting(r)
    assert r.lossy and r.encoding == "cp1252"
    expected = {k: v for k, v in HEALTH.items() if k[0] != "27"}
    expected |= {("75", 2023): 97.25, ("75", 2024): 98.75}  # "Ð?ng Nai" -> Đồng Nai
    assert values(r.observations) == pytest.approx(expected)
    assert any("lossy" in n for n in r.notes)


def test_with_heading_two_row_header_and_footnotes(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_with_heading_two_row_header.csv")
    check_accounting(r)
    assert values(r.observations, "area_km2") == {("VN", 2023): 331000.5, ("VN", 2024): 331000.5,
                                                  ("01", 2023): 3359.8, ("01", 2024): 3359.8}
    assert values(r.observations, "population_avg_thousand")[("01", 2024)] == 8700.4
    assert r.rows_read == 8  # footnote lines are not rows
    assert r.title.startswith("Diện tích và dân số")


def test_footnote_lines_with_numbers_are_not_data(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_footnote_lines_with_commas.csv")
    assert r.rows_read == 8
    assert not r.observations["value"].isin([55.0, 13.0]).any()


def test_yearbook_footnote_rows_with_numbers_are_not_data(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_footnote_rows.csv")
    check_accounting(r)
    assert values(r.observations) == {("01", 2023): 99.5, ("01", 2024): 99.8}


# --- rates given with their parts -------------------------------------------------------------

def test_rate_and_its_parts_become_one_observation(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_rate_with_parts.csv")
    check_accounting(r)
    assert r.rows_read == 6 and r.rows_kept == 6
    obs = r.observations.set_index("province_code")
    assert obs.loc["01", ["value", "numerator", "denominator"]].tolist() == [98.0, 49.0, 50.0]
    assert obs.loc["27", ["value", "numerator", "denominator"]].tolist() == [90.0, 27.0, 30.0]


def test_parts_without_the_rate_give_the_rate(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_parts_without_rate.csv")
    check_accounting(r)
    obs = r.observations.set_index("province_code")
    assert obs.loc["27", "value"] == pytest.approx(90.0)
    assert obs.loc["01", ["numerator", "denominator"]].tolist() == [49.0, 50.0]


def test_rate_disagreeing_with_its_parts_is_quarantined_with_them(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_rate_parts_inconsistent.csv")
    check_accounting(r)
    assert r.rows_quarantined == 3
    assert set(r.quarantine["row"]) == {"3"}
    assert r.quarantine["reason"].str.contains("scale × numerator / denominator").all()
    assert list(r.observations["province_code"]) == ["01"]


# --- yearbook tables ----------------------------------------------------------------------

def test_yearbook_bilingual_merged_cells_regions_and_provisional_column(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_bilingual_merged_cells.xlsx")
    check_accounting(r)
    got = values(r.observations)
    assert got == {("VN", 2022): 60.5, ("VN", 2023): 62.1, ("VN", 2024): 64.0,
                   ("01", 2022): 95.0, ("01", 2023): 96.5, ("01", 2024): 97.25,
                   ("34", 2022): 85.0, ("34", 2023): 86.0,
                   ("64", 2022): 30.0, ("64", 2024): 33.0}
    assert set(r.observations["indicator"]) == {"rural_hh_clean_water_pct"}
    provisional = r.observations.set_index(["province_code", "year"])["is_provisional"]
    assert provisional[("01", 2024)] and not provisional[("01", 2023)]
    assert r.dropped_reasons == {"region aggregate rows": 6}
    # "-" (Thái Bình 2024) and ".." (Gia Lai 2023) are not rows and not zeros
    assert r.cells_missing == {"nil (-)": 1, "not available (..)": 1}
    assert ("34", 2024) not in got and ("64", 2023) not in got


def test_yearbook_decimal_comma(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_decimal_comma_semicolon.csv")
    check_accounting(r)
    assert values(r.observations)[("VN", 2022)] == 92.15
    assert values(r.observations)[("34", 2024)] == 97.85


def test_nil_dash_is_not_reported_unless_the_table_says_it_is_zero(fx: Path) -> None:
    plain = read_with_report(fx / "yearbook_nil_and_not_available.csv")
    check_accounting(plain)
    assert values(plain.observations) == {("01", 2023): 99.5, ("27", 2024): 97.0}
    assert plain.cells_missing == {"nil (-)": 1, "not available (..)": 1, "blank": 2}
    legend = read_with_report(fx / "yearbook_nil_legend_means_zero.csv")
    check_accounting(legend)
    assert values(legend.observations) == {("01", 2023): 1200.0, ("01", 2024): 0.0,
                                           ("27", 2024): 850.0}
    assert legend.cells_missing == {"not available (..)": 1}


def test_ha_tay_rows_without_data_produce_nothing(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_nil_and_not_available.csv")
    assert r.quarantine.empty
    assert "01" not in set(r.observations.loc[r.observations["year"] == 2024, "province_code"])


def test_whole_province_rows_are_dropped_never_provinces(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_toan_tinh_row.csv")
    check_accounting(r)
    assert r.observations.empty
    assert r.dropped_reasons == {"whole-province total rows (TOÀN TỈNH)": 2}
    assert set(r.quarantine["value"]) == {"Huyện Mê Linh"}
    assert r.quarantine["column"].eq("A").all()


def test_ambiguous_thousands_in_a_table_are_quarantined(fx: Path) -> None:
    r = read_with_report(fx / "yearbook_ambiguous_thousands.csv")
    check_accounting(r)
    assert r.rows_quarantined == 2
    assert r.quarantine["reason"].str.startswith("ambiguous number").all()
    assert list(r.quarantine["column"]) == ["B", "C"]


# --- JSON-stat ------------------------------------------------------------------------------

def test_jsonstat_trailing_nul_regions_and_provisional_year(fx: Path) -> None:
    r = read_with_report(fx / "jsonstat_trailing_nul.json")
    check_accounting(r)
    assert set(r.observations["province_code"]) == {"VN", "01", "19"}  # "Thai  Nguyen"
    assert r.dropped_reasons == {"region aggregate rows": 4}
    prov = r.observations.groupby("year")["is_provisional"].all()
    assert prov[2024] and not prov[2023]


def test_jsonstat_vietnamese_labels_status_nulls_and_ha_tay(fx: Path) -> None:
    r = read_with_report(fx / "jsonstat_vietnamese_labels_status_nulls.json")
    check_accounting(r)
    assert r.cells_missing == {"blank": 2}  # Hà Tây 2020 and Sơ bộ 2021: nothing
    assert set(r.observations["indicator"]) == {"labour_force_15plus_thousand"}
    assert values(r.observations)[("46", 2021)] == 620.5  # "Thừa Thiên - Huế"
    # Hà Tây has a 2007 figure: it and Hà Nội's 2007 figure (old boundaries) are quarantined
    q = r.quarantine.set_index("province")
    assert "former province" in q.loc["Hà Tây", "reason"]
    assert "still lists the former province 'Hà Tây' in 2007" in q.loc["Hà Nội", "reason"]
    assert q.loc["Hà Nội", "row"] == "cell 6" and q.loc["Hà Nội", "column"] == "Địa phương"
    assert ("01", 2007) not in values(r.observations)


def test_jsonstat_category_dimension_maps_through_aliases(fx: Path) -> None:
    obs = read(fx / "jsonstat_category_dimension_total_male_female.json")
    got = obs[obs["province_code"] == "01"].set_index("indicator")["value"].to_dict()
    assert got == {"population_avg_thousand": 10.0, "population_male_thousand": 4.9,
                   "population_female_thousand": 5.1, "urban_population_thousand": 5.0,
                   "rural_population_thousand": 5.0}


def test_jsonstat_version_2_with_title_as_item(fx: Path) -> None:
    assert values(read(fx / "jsonstat_version_2.json")) == {("01", 2024): 57.3,
                                                            ("27", 2024): 80.0}


@pytest.mark.parametrize("name, message", [
    ("jsonstat_no_year_dimension.json", "no year dimension"),
    ("jsonstat_truncated.json", "not valid JSON at line 1"),
    ("not_a_table.pdf", "not a table export"),
    ("xlsx_without_table.xlsx", "no sheet holds"),
    ("template_missing_header_column.csv", "lacks column(s): year"),
])
def test_unreadable_files_raise_one_clear_error(fx: Path, name: str, message: str) -> None:
    with pytest.raises(DataError) as err:
        read(fx / name)
    assert message in str(err.value)
    assert name in str(err.value)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read(tmp_path / "nope.csv")


def test_unknown_item_is_quarantined_and_indicator_overrides(fx: Path) -> None:
    r = read_with_report(fx / "pxweb_unknown_item.csv")
    assert r.rows_quarantined == 1 and "not in the indicator catalogue" in r.quarantine.at[0, "reason"]
    forced = read(fx / "pxweb_unknown_item.csv", indicator="social_housing_units_completed")
    assert values(forced) == {("01", 2024): 12.0}


# --- entry template -------------------------------------------------------------------------

def quarantined(name: str, fx: Path) -> pd.DataFrame:
    r = read_with_report(fx / name)
    check_accounting(r)
    return r.quarantine


def test_template_vietnamese_headers_decimal_comma_and_grades(fx: Path) -> None:
    r = read_with_report(fx / "template_vietnamese_headers_decimal_comma.csv")
    check_accounting(r)
    obs = r.observations.set_index("province_code")
    assert obs.loc["01", "value"] == 57.3 and obs.loc["79", "value"] == 88.25
    assert obs.loc["01", "provenance"] == "official"
    assert obs.loc["79", "provenance"] == "secondary"
    assert r.provenance == "secondary"  # the lowest grade of the rows


def test_template_dot_thousands(fx: Path) -> None:
    assert values(read(fx / "template_dot_thousands_decimal_comma.csv")) == {
        ("01", 2024): 1234.0, ("VN", 2024): 12345.0}


def test_template_numerator_and_denominator_give_the_value(fx: Path) -> None:
    obs = read(fx / "template_numerator_denominator_only.csv")
    assert obs[["value", "numerator", "denominator"]].iloc[0].tolist() == [98.0, 49.0, 50.0]


@pytest.mark.parametrize("name, column, reason", [
    ("template_ambiguous_number.csv", "value", "ambiguous number '1,234'"),
    ("template_numerator_greater_than_denominator.csv", "numerator",
     "numerator larger than denominator"),
    ("template_value_disagrees_with_parts.csv", "value", "scale × numerator / denominator"),
    ("template_percent_over_100.csv", "value", "above the indicator's limit"),
    ("template_negative_count.csv", "value", "negative value"),
    ("template_missing_provenance.csv", "provenance", "provenance missing"),
    ("template_unknown_provenance.csv", "provenance", "unknown provenance 'rumour'"),
    ("template_unknown_indicator.csv", "indicator", "not in the indicator catalogue"),
])
def test_template_row_problems_are_quarantined(fx: Path, name: str, column: str,
                                               reason: str) -> None:
    q = quarantined(name, fx)
    assert len(q) == 1
    assert q.at[0, "column"] == column
    assert reason in q.at[0, "reason"]
    assert q.at[0, "row"] == "2"
    assert q.at[0, "file"].endswith(name)


def test_template_missing_source_only_for_real_grades(fx: Path) -> None:
    r = read_with_report(fx / "template_missing_source.csv")
    assert list(r.quarantine["province"]) == ["Hà Nội"]
    assert "source missing" in r.quarantine.at[0, "reason"]
    assert r.observations["provenance"].tolist() == ["synthetic"]


def test_template_unit_is_checked(fx: Path) -> None:
    q = quarantined("template_unit_mismatch.csv", fx)
    assert q.at[0, "value"] == "căn" and q.at[0, "column"] == "unit"


def test_template_duplicates(fx: Path) -> None:
    same = read_with_report(fx / "template_duplicate_rows_same_value.csv")
    check_accounting(same)
    assert len(same.observations) == 1
    assert same.quarantine.at[0, "reason"] == "exact duplicate of row 2"
    diff = read_with_report(fx / "template_duplicate_rows_different_values.csv")
    check_accounting(diff)
    assert list(diff.observations["province_code"]) == ["27"]
    assert set(diff.quarantine["row"]) == {"2", "3"}
    assert diff.quarantine["reason"].str.startswith("conflicting values").all()


def test_template_province_problems(fx: Path) -> None:
    q = quarantined("template_unknown_province.csv", fx)
    assert q.at[0, "value"] == "Atlantis" and "not recognised for vn63" in q.at[0, "reason"]
    r = read_with_report(fx / "template_vn63_name_in_2025_row.csv")
    check_accounting(r)
    assert r.quarantine.at[0, "row"] == "2"
    assert "a vn63 province (Yên Bái, code 15)" in r.quarantine.at[0, "reason"]
    got = {(g, c, y): v for g, c, y, v in r.observations[
        ["geo_version", "province_code", "year", "value"]].itertuples(index=False)}
    # "Lào Cai" is code 10 on vn63 (2024) and code 15 on vn34 (2025)
    assert got == {("vn63", "15", 2024): 79.0, ("vn63", "10", 2024): 70.0,
                   ("vn34", "15", 2025): 75.0}


def test_template_geo_version_given_applies_to_every_row(fx: Path) -> None:
    r = read_with_report(fx / "template_vn63_name_in_2025_row.csv", geo_version="vn63")
    assert set(r.observations["geo_version"]) == {"vn63"}
    assert r.rows_quarantined == 0
    assert values(r.observations) == {("15", 2025): 80.0, ("15", 2024): 79.0,
                                      ("10", 2024): 70.0, ("10", 2025): 75.0}


def test_template_region_rows_dropped_and_country_kept(fx: Path) -> None:
    r = read_with_report(fx / "template_region_and_country_rows.csv")
    check_accounting(r)
    assert set(r.observations["province_code"]) == {"VN", "01"}
    assert r.rows_dropped_as_aggregates == 1


def test_template_codes_and_provisional_years(fx: Path) -> None:
    r = read_with_report(fx / "template_province_codes.csv")
    assert values(r.observations) == {("01", 2024): 57.3, ("01", 2023): 55.0, ("VN", 2024): 90.0}
    assert r.quarantine.at[0, "reason"] == "no province has code 99 in vn63"
    obs = read(fx / "template_provisional_year.csv").set_index("year")
    assert obs.loc[2024, "is_provisional"] and not obs.loc[2023, "is_provisional"]


def test_template_title_lines_and_blank_lines_keep_row_numbers(fx: Path) -> None:
    assert len(read(fx / "template_title_lines_above_header.csv")) == 1
    r = read_with_report(fx / "template_blank_lines_inside.csv")
    assert r.quarantine.at[0, "row"] == "4"  # the spreadsheet row, blank line counted


def test_template_bad_years_and_values(fx: Path) -> None:
    q = quarantined("template_bad_year.csv", fx)
    assert list(q["reason"]) == ["year '20X4' is not a year",
                                 "year outside the plausible range 1990–2035",
                                 "year '2021-2025' names a period, not one year"]
    q = quarantined("template_value_not_a_number.csv", fx)
    assert list(q["reason"]) == ["'khoảng 57' is not a number", "no value: '..' (not reported)",
                                 "no value (give value, or numerator and denominator)"]


def test_template_xlsx_excel_date_and_numeric_codes(fx: Path) -> None:
    r = read_with_report(fx / "template_xlsx_excel_date_cell.xlsx")
    check_accounting(r)
    assert values(r.observations) == {("01", 2024): 57.3}
    assert r.quarantine.at[0, "row"] == "3"
    assert r.quarantine.at[0, "column"] == "D (value)"
    assert "date" in r.quarantine.at[0, "reason"]


def test_facility_rows_are_added_up(fx: Path) -> None:
    r = read_with_report(fx / "template_facility_rows.csv")
    check_accounting(r)
    obs = r.observations.set_index(["province_code", "indicator"])
    hanoi = obs.loc[("01", "schools_national_standard_primary_pct")]
    assert [hanoi.numerator, hanoi.denominator] == [2.0, 3.0]  # Ba Đình counted once
    assert hanoi.value == pytest.approx(100 * 2 / 3)
    bacninh = obs.loc[("27", "schools_national_standard_primary_pct")]
    assert [bacninh.numerator, bacninh.denominator] == [1.0, 1.0]  # Võ Cường conflicting
    assert obs.loc[("01", "social_housing_units_completed"), "value"] == 200.0
    assert np.isnan(obs.loc[("01", "social_housing_units_completed"), "numerator"])
    reasons = r.quarantine.set_index("row")["reason"]
    assert reasons["5"] == "exact duplicate of row 4 (same facility)"
    assert reasons["7"].startswith("conflicting values for the same facility")
    assert reasons["9"].startswith("no value")


def test_templates_shipped_in_data_raw_read(fx: Path) -> None:
    folder = Path(__file__).resolve().parents[2] / "data" / "raw" / "templates"
    for empty in ("entry_template_en.csv", "entry_template_vi.csv", "entry_template_en.xlsx",
                  "entry_template_vi.xlsx"):
        r = read_with_report(folder / empty)
        assert r.rows_read == 0 and r.fmt == "template"
    for example in ("example_social_housing_2025_vi.csv", "example_social_housing_2025_en.xlsx"):
        r = read_with_report(folder / example)
        check_accounting(r)
        assert r.rows_quarantined == 0
        assert values(r.observations) == {("VN", 2025): 102633.0, ("01", 2025): 5158.0,
                                          ("79", 2025): 13040.0, ("48", 2025): 2907.0,
                                          ("42", 2025): 0.0}
        assert set(r.observations["provenance"]) == {"secondary"}
        assert set(r.observations["geo_version"]) == {"vn34"}
        assert r.citations and all("http" in c for c in r.citations)
