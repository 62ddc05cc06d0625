"""The targets catalogue (data/reference/targets.yml) against its schema and the research."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from analysis.catalogue.indicators import indicators
from analysis.catalogue.targets import (
    CONFIDENCE_GRADES,
    TARGET_COLUMNS,
    binding_value,
    load_targets,
    targets_from_records,
    targets_schema,
    validate_targets,
)
from analysis.core.errors import DataError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "targets"
RESEARCH_GRADES = {"verbatim_legal_summary": "legal_summary", "secondary_news": "secondary_news",
                   "memory_unverified": "unverified", "derived": "unverified"}


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load_targets()


def test_catalogue_passes_the_schema(targets):
    assert list(targets.columns) == TARGET_COLUMNS
    targets_schema().validate(targets)
    assert targets["target_id"].is_unique


def test_every_indicator_unit_and_direction_come_from_the_indicator_catalogue(targets):
    cat = indicators()
    assert targets["indicator"].isin(cat.index).all()
    plain = targets[targets["kind"] != "reduction_per_year"]
    assert (plain["unit"] == plain["indicator"].map(cat["unit"])).all()
    assert (targets["direction"] == targets["indicator"].map(cat["direction"])).all()
    assert targets["direction"].notna().all()


def test_confidence_grades_map_the_research_grades_and_are_never_raised(targets):
    assert targets["confidence"].isin(CONFIDENCE_GRADES).all()
    mapped = targets["research_confidence"].map(RESEARCH_GRADES)
    assert (targets["confidence"] == mapped).all()


@pytest.mark.parametrize("target_id, indicator, value, comparison, year, confidence", [
    ("rural_pop_clean_water_65_2030_qd1978", "rural_pop_clean_water_pct", 65, ">=", 2030,
     "legal_summary"),
    ("rural_hh_clean_water_80_2030_nq68", "rural_hh_clean_water_pct", 80, ">=", 2030,
     "secondary_news"),
    ("social_housing_1m_2021_2030_nq42", "social_housing_units_completed", 1_000_000, ">=",
     2030, "secondary_news"),
    ("schools_standard_preschool_65_2030_qd1705", "schools_national_standard_preschool_pct",
     65, ">", 2030, "secondary_news"),
    ("schools_standard_primary_70_2030_qd1705", "schools_national_standard_primary_pct", 70,
     ">=", 2030, "secondary_news"),
    ("schools_standard_lower_secondary_75_2030_qd1705",
     "schools_national_standard_lower_secondary_pct", 75, ">=", 2030, "secondary_news"),
    ("schools_standard_upper_secondary_55_2030_qd1705",
     "schools_national_standard_upper_secondary_pct", 55, ">=", 2030, "secondary_news"),
    ("communes_health_criteria_90_2030", "communes_health_criteria_pct", 90, ">=", 2030,
     "secondary_news"),
    ("doctors_per_commune_station_4_5_2027_nq72", "doctors_per_commune_station", 4, ">=",
     2027, "secondary_news"),
    ("housing_floor_area_30_2030", "housing_floor_area_m2_per_capita", 30, ">=", 2030,
     "secondary_news"),
    ("urban_pop_clean_water_95_100_2025", "urban_pop_clean_water_pct", 95, ">=", 2025,
     "secondary_news"),
    ("healthy_life_years_68_2030", "healthy_life_years", 68, ">=", 2030, "unverified"),
    ("social_housing_634200_2026_2030_qd338", "social_housing_units_completed", 634_200, "=",
     2030, "unverified"),
])
def test_key_targets_are_catalogued_as_researched(targets, target_id, indicator, value,
                                                  comparison, year, confidence):
    row = targets.set_index("target_id").loc[target_id]
    assert (row["indicator"], row["target_value"], row["comparison"], row["target_year"],
            row["confidence"]) == (indicator, value, comparison, year, confidence)


def test_documents_that_disagree_are_kept_as_separate_targets(targets):
    sh2026 = targets[(targets["indicator"] == "social_housing_units_completed")
                     & (targets["kind"] == "annual") & (targets["target_year"] == 2026)
                     & (targets["scope"] == "national")]
    assert sorted(sh2026["target_value"]) == [116_347, 158_723]  # Decision 444 vs Res 7
    rural = targets[targets["research_id"].isin(["rural_pop_clean_water_qcvn",
                                                 "rural_households_clean_water_standard"])]
    assert {("rural_pop_clean_water_pct", 65.0), ("rural_hh_clean_water_pct", 80.0)} <= set(
        zip(rural["indicator"], rural["target_value"], strict=True))


def test_province_targets_carry_their_geo_version(targets):
    prov = targets[targets["scope_type"] == "province"]
    assert prov["geo_version"].isin(["vn63", "vn34"]).all()
    assert prov["scope"].str.fullmatch(r"\d{2}").all()
    by_id = prov.set_index("target_id")
    assert by_id.loc["social_housing_units_2025_vn34_19", "target_value"] == 1084  # Thái Nguyên
    assert by_id.loc["social_housing_units_2025_vn34_24", "target_value"] == 15929  # Bắc Ninh
    assert by_id.loc["social_housing_units_2025_vn34_31", "target_value"] == 10694  # Hải Phòng
    # old Hải Dương (vn63 code 30), merged into Hải Phòng in 2025
    assert by_id.loc["social_housing_2025_2030_vn63_30", "geo_version"] == "vn63"


def test_regional_targets_name_their_region(targets):
    reg = targets[targets["scope_type"] == "region"]
    assert len(reg) == 6 and (reg["scope"] == "REG-RRD").all()
    assert (reg["geo_version"] == "vn63").all()


def test_text_is_nfc_with_diacritics(targets):
    for col in ("source_document", "source_detail"):
        assert all(unicodedata.is_normalized("NFC", s) for s in targets[col])
    assert targets["source_document"].str.contains("Quyết định 1978/QĐ-TTg").any()


def test_nfd_input_is_normalised():
    entry = {"target_id": "nfd", "indicator": "rural_pop_clean_water_pct", "scope": "national",
             "kind": "level", "value": 65, "comparison": ">=", "target_year": 2030,
             "unit": "percent", "confidence": "unverified", "source_url": "",
             "source_document": unicodedata.normalize("NFD", "Quyết định 1978/QĐ-TTg"),
             "source_detail": ""}
    row = targets_from_records([entry]).iloc[0]
    assert row["source_document"] == unicodedata.normalize("NFC", "Quyết định 1978/QĐ-TTg")


def _research_rows(shared_dir) -> list[dict]:
    with (shared_dir / "reference" / "targets_research.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _research_kind(research_id: str) -> str:
    if research_id.startswith("social_housing_by_province"):
        return "province_table"
    if research_id.startswith("pages:"):
        return "pages"
    if research_id.endswith("#source_detail"):
        return "detail"
    return "row"


def test_every_figure_matches_the_research_table(targets, shared_dir):
    """Values, comparisons, years and grades are copied from ../shared/reference."""
    research = _research_rows(shared_dir)
    keys = {(r["indicator_id"], r["target_value"], r["comparison"], r["target_year"],
             r["confidence"]) for r in research}
    plain = targets[targets["research_id"].map(_research_kind) == "row"]
    assert len(plain) >= 60
    for row in plain.itertuples():
        key = (row.research_id, row.target_value_text, row.comparison, str(row.target_year),
               row.research_confidence)
        assert key in keys, key


def test_a_figure_from_a_research_note_is_stated_in_that_note(targets, shared_dir):
    """``<row>#source_detail``: the value is written in the research row's source_detail."""
    details = {}
    for r in _research_rows(shared_dir):
        details.setdefault(r["indicator_id"], []).append(r["source_detail"])
    noted = targets[targets["research_id"].map(_research_kind) == "detail"]
    assert "nursery_enrolment_38_2030_qd1705" in set(noted["target_id"])
    for row in noted.itertuples():
        texts = details[row.research_id.removesuffix("#source_detail")]
        assert any(f"{row.target_value_text}%" in t or f" {row.target_value_text} " in t
                   for t in texts), row.target_id
        assert row.research_confidence == "secondary_news"


def test_figures_from_stored_pages_cite_them_and_are_never_above_a_press_report(targets):
    """``pages:<topic>``: no research row, so each cites its page(s), quotes the figure in
    source_detail and is graded at most secondary_news (a press report of a document)."""
    paged = targets[targets["research_id"].map(_research_kind) == "pages"]
    assert len(paged) >= 10
    assert paged["research_confidence"].isin(["secondary_news", "derived",
                                               "memory_unverified"]).all()
    assert paged["confidence"].isin(["secondary_news", "unverified"]).all()
    assert paged["source_url"].str.contains("https?://", regex=True).all()
    assert (paged["source_detail"].str.len() > 80).all()
    assert paged["research_id"].str.fullmatch(r"pages:[a-z0-9_]+").all()


@pytest.mark.parametrize("target_id, indicator, value, comparison, year, kind", [
    ("em_households_poverty_down_3_per_year_2025_qh24", "em_household_poverty_rate_pct", 3,
     "reduce_by_per_year", 2025, "reduction_per_year"),
    ("em_area_poverty_below_10_2030_ntp", "em_area_poverty_rate_pct", 10, "<", 2030, "level"),
    ("multidim_poverty_down_1_1_5_per_year_2025_qh24", "multidim_poverty_rate_pct", 1,
     "reduce_by_per_year", 2025, "reduction_per_year"),
    ("temporary_houses_eliminated_2025_qd539", "temporary_dilapidated_houses", 0, "<=", 2025,
     "level"),
    ("temporary_houses_eliminated_2030_qd927", "temporary_dilapidated_houses", 0, "<=", 2030,
     "level"),
    ("universal_preschool_3_5_100_2030_qh", "provinces_universal_preschool_3_5_pct", 100, "=",
     2030, "level"),
    ("nursery_enrolment_38_2030_qd1705", "nursery_enrolment_pct", 38, ">=", 2030, "level"),
    ("kindergarten_enrolment_97_2030_qd1705", "kindergarten_enrolment_pct", 97, ">=", 2030,
     "level"),
])
def test_targets_added_from_stored_pages(targets, target_id, indicator, value, comparison,
                                         year, kind):
    row = targets.set_index("target_id").loc[target_id]
    assert (row["indicator"], row["target_value"], row["comparison"], row["target_year"],
            row["kind"]) == (indicator, value, comparison, year, kind)
    assert row["scope"] == "national" and row["confidence"] == "secondary_news"


def test_press_reports_that_disagree_on_a_province_allocation_are_both_kept(targets):
    prov = targets[(targets["indicator"] == "social_housing_units_completed")
                   & (targets["scope_type"] == "province")].set_index("target_id")
    # Resolution 7/NQ-CP for the new TP. Hồ Chí Minh: Saigon Times vs VNS (= SGGP's years)
    assert prov.loc["social_housing_2026_2030_vn34_79", "target_value"] == 194_297
    assert prov.loc["social_housing_2026_2030_vn34_79_vns", "target_value"] == 181_257
    years = [prov.loc[f"social_housing_units_{y}_vn34_79", "target_value"]
             for y in (2026, 2027, 2028, 2029, 2030)]
    assert sum(years) == 181_257
    # Bắc Ninh and Hà Nội: Saigon Times vs VNS
    assert prov.loc["social_housing_2026_2030_vn34_24", "target_value"] == 135_000
    assert prov.loc["social_housing_2026_2030_vn34_24_vns", "target_value"] == 119_000
    assert prov.loc["social_housing_2026_2030_vn34_01_vns", "target_value"] == 84_000
    # new Hải Phòng: 49,455 (Decision 444, xe.today) vs 49,400 (2021-2030, Lao Động)
    assert prov.loc["social_housing_2025_2030_vn34_31", "period_start"] == 2025
    assert prov.loc["social_housing_2021_2030_vn34_31", "target_value"] == 49_400


def test_corrected_texts_say_what_was_checked(targets):
    by_id = targets.set_index("target_id")
    urban = by_id.loc["urban_pop_clean_water_95_100_2025"]
    assert "cấp nước tập trung" in urban["source_detail"]
    assert "centralised" in urban["source_detail"]
    waste = by_id.loc["rural_wastewater_collection_25_2030_qd1978"]
    assert "collection only" in waste["source_detail"] and "2045" in waste["source_detail"]
    assert waste["confidence"] == "legal_summary"  # kept, not raised
    poverty = by_id.loc["multidim_poverty_down_1_1_5_per_year_nq68"]
    assert "417/QĐ-BNNMT" in poverty["source_document"]
    assert "near-poor" in poverty["source_detail"]
    assert poverty["confidence"] == "secondary_news"


def test_binding_bound_follows_the_comparison():
    assert binding_value("95-100", ">=", "higher") == (95.0, "95-100")
    assert binding_value("1-2", "<=", "lower") == (2.0, "1-2")
    assert binding_value("1-1.5", "reduce_by_per_year", "lower") == (1.0, "1-1.5")
    assert binding_value("95-100", "=", "higher")[0] == 95.0
    assert binding_value(75.5, ">=", "higher") == (75.5, "75.5")
    with pytest.raises(ValueError):
        binding_value("khoảng 65", ">=", "higher")


def test_a_valid_range_fixture_loads():
    row = load_targets(FIXTURES / "valid_range.yml").iloc[0]
    assert (row["target_value"], row["target_value_text"]) == (95.0, "95-100")


@pytest.mark.parametrize("fixture, column, words", [
    ("unknown_indicator", "indicator", "unknown indicator"),
    ("unit_mismatch", "unit", "does not match"),
    ("comparison_against_direction", "comparison", "contradicts"),
    ("unquoted_province_code", "scope", "in quotes"),
    ("unknown_confidence", "confidence", "confidence must be"),
    ("province_without_geo_version", "geo_version", "needs geo_version"),
    ("cumulative_without_period_start", "period_start", "period_start"),
    ("value_not_a_number", "value", "neither a number nor a range"),
    ("duplicate_target_id", "target_id", "used twice"),
    ("direction_given_in_target", "direction", "unknown field"),
])
def test_each_defect_is_reported_with_file_row_and_field(fixture, column, words):
    path = FIXTURES / f"{fixture}.yml"
    with pytest.raises(DataError) as err:
        load_targets(path)
    e = err.value
    assert e.file == str(path) and e.column == column and words in e.problem
    assert isinstance(e.row, int) and e.row >= 2  # the line of the entry, after the comment


def test_the_schema_rejects_a_table_without_direction(targets):
    broken = targets.copy()
    broken.loc[0, "direction"] = None
    with pytest.raises(DataError, match="schema"):
        validate_targets(broken)


def test_the_schema_rejects_a_unit_that_differs_from_the_catalogue(targets):
    broken = targets.copy()
    broken.loc[0, "unit"] = "units"
    with pytest.raises(DataError, match="schema"):
        validate_targets(broken)
