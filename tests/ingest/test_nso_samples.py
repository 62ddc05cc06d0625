"""The real NSO exports in ../shared/nso-samples read correctly (skipped when absent).

Known-good answers: ``expected/nso_province_stats_2024_63.csv`` (E02.01 2024 population,
63 provinces) and ``expected/province-stats-2024.csv`` (the same carried to the 34 units).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import schemas
from analysis.catalogue.geography import province_codes
from analysis.ingest import read, read_with_report

pytestmark = pytest.mark.shared

SAMPLES = [
    "jsonstat/E02.01.json", "jsonstat/E02.02.json", "jsonstat/E02.03-07.json",
    "jsonstat/E02.08.json", "jsonstat/V02.34_vi_labour_force_by_province.json",
    "exports/V02.01_datasciencedances.csv", "exports/V02.01_datasciencedances.xlsx",
    "exports/V02.01_Cy30mk3v_csv_with_heading_as_indexed.csv",
]
VN63 = set(province_codes("vn63"))


@pytest.fixture(scope="module")
def results(nso_samples: Path) -> dict:
    # real NSO exports, outside any register: the grade is stated, as `--provenance` does
    return {name: read_with_report(nso_samples / name, stated_provenance="official")
            for name in SAMPLES}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_reads_and_accounts_for_every_row(results: dict, name: str) -> None:
    r = results[name]
    assert r.rows_read == r.rows_kept + r.rows_quarantined + r.rows_dropped_as_aggregates
    assert len(r.quarantine) == r.rows_quarantined
    schemas.validate(r.observations)
    # no region, whole-province or unknown code leaks in as a province
    assert set(r.observations["province_code"]) <= VN63 | {"VN"}


def test_e0201_2024_population_equals_the_known_answer(results: dict, nso_samples: Path) -> None:
    obs = results["jsonstat/E02.01.json"].observations
    pop = obs[(obs["indicator"] == "population_avg_thousand") & (obs["year"] == 2024)
              & (obs["province_code"] != "VN")].set_index("province_code")["value"]
    expected = pd.read_csv(nso_samples / "expected/nso_province_stats_2024_63.csv",
                           dtype={"code": str}).set_index("code")["population_thousands"]
    assert len(pop) == 63 and set(pop.index) == set(expected.index) == VN63
    # the expected table rounds to 0.1 thousand; the JSON carries float noise
    np.testing.assert_allclose(pop.round(1).sort_index(), expected.sort_index(), atol=1e-9)
    assert pop["01"] == pytest.approx(8717.6, abs=0.05)


def test_e0201_carried_to_34_provinces_equals_the_known_answer(results: dict,
                                                               nso_samples: Path) -> None:
    from analysis.transform import harmonisation
    obs = results["jsonstat/E02.01.json"].observations
    vn34 = harmonisation.harmonise(obs[obs["year"] == 2024], to="vn34")
    pop = vn34[(vn34["indicator"] == "population_avg_thousand")
               & (vn34["province_code"] != "VN")].set_index("province_code")["value"]
    expected = pd.read_csv(nso_samples / "expected/province-stats-2024.csv",
                           dtype={"code": str}).set_index("code")["population_thousands"]
    assert set(pop.index) == set(expected.index) and len(pop) == 34
    np.testing.assert_allclose(pop.sort_index(), expected.sort_index(), atol=0.15)
    area = vn34[vn34["indicator"] == "area_km2"].set_index("province_code")["value"]
    exp_area = pd.read_csv(nso_samples / "expected/province-stats-2024.csv",
                           dtype={"code": str}).set_index("code")["area_km2"]
    np.testing.assert_allclose(area.drop("VN").sort_index(), exp_area.sort_index(), atol=0.15)


def test_e0201_regions_are_dropped_and_country_kept(results: dict) -> None:
    r = results["jsonstat/E02.01.json"]
    assert r.dropped_reasons == {"region aggregate rows": 6 * 14 * 3}
    per_key = r.observations.groupby(["year", "indicator"])["province_code"].nunique()
    assert (per_key == 64).all()  # 63 provinces + VN, every year and item
    assert r.rows_quarantined == 0


def test_provisional_years(results: dict) -> None:
    obs = results["jsonstat/E02.03-07.json"].observations
    assert obs.loc[obs["year"] == 2024, "is_provisional"].all()
    assert not obs.loc[obs["year"] < 2024, "is_provisional"].any()
    lab = results["jsonstat/V02.34_vi_labour_force_by_province.json"].observations
    assert lab.loc[lab["year"] == 2021, "is_provisional"].all()


def test_ha_tay_rows_without_data_produce_nothing(results: dict) -> None:
    r = results["jsonstat/E02.03-07.json"]
    tay = r.quarantine[r.quarantine["province"] == "Ha Tay"]
    # Hà Tây has figures up to 2007 only: those are quarantined (old boundaries); its null
    # cells from 2008 are blanks, neither rows nor quarantine lines
    assert len(tay) and tay["year"].astype(int).max() <= 2007
    assert r.cells_missing == {"blank": 288}
    lab = results["jsonstat/V02.34_vi_labour_force_by_province.json"]
    assert sorted(lab.quarantine.loc[lab.quarantine["province"] == "Hà Tây", "year"]) == [
        "2005", "2007"]
    assert lab.cells_missing == {"blank": 14}


def test_population_categories_map_to_indicators(results: dict) -> None:
    obs = results["jsonstat/E02.03-07.json"].observations
    row = obs[(obs["province_code"] == "01") & (obs["year"] == 2023)].set_index(
        "indicator")["value"]
    assert row["population_male_thousand"] + row["population_female_thousand"] == \
        pytest.approx(row["population_avg_thousand"], abs=0.2)
    assert row["urban_population_thousand"] + row["rural_population_thousand"] == \
        pytest.approx(row["population_avg_thousand"], abs=0.2)


def test_national_tables_are_read_as_vn(results: dict) -> None:
    r = results["jsonstat/E02.02.json"]
    assert set(r.observations["province_code"]) == {"VN"}
    assert set(r.observations["indicator"]) == {
        "population_avg_thousand", "population_male_thousand", "population_female_thousand",
        "urban_population_thousand", "rural_population_thousand"}
    # growth rates and structure shares are not in the catalogue: quarantined, with reason
    assert r.quarantine["reason"].str.contains("not in the indicator catalogue").all()
    assert r.rows_quarantined == 2 * 35 * 5


def test_sex_ratio_table_is_read_but_not_catalogued(results: dict) -> None:
    r = results["jsonstat/E02.08.json"]
    assert r.observations.empty and r.rows_quarantined == r.rows_read == 150
    assert r.quarantine["reason"].str.contains("not in the indicator catalogue").all()


def test_vietnamese_lossy_and_xlsx_exports_give_the_same_63_provinces(results: dict) -> None:
    def provinces(name: str) -> set[str]:
        codes = set(results[name].observations["province_code"])
        return codes - {"VN"}

    assert provinces("jsonstat/V02.34_vi_labour_force_by_province.json") == VN63
    assert provinces("exports/V02.01_datasciencedances.csv") == VN63
    assert provinces("exports/V02.01_datasciencedances.xlsx") == VN63
    # the "with heading" sample holds the country row only (its provinces were cut)
    assert set(results["exports/V02.01_Cy30mk3v_csv_with_heading_as_indexed.csv"]
               .observations["province_code"]) == {"VN"}


def test_lossy_csv_and_xlsx_downloads_of_one_table_agree(results: dict) -> None:
    key = ["province_code", "year", "indicator"]
    csv = results["exports/V02.01_datasciencedances.csv"].observations.set_index(key)["value"]
    xlsx = results["exports/V02.01_datasciencedances.xlsx"].observations.set_index(key)["value"]
    assert len(csv) == len(xlsx) == 64 * 12
    pd.testing.assert_series_equal(csv.sort_index(), xlsx.sort_index())
    assert results["exports/V02.01_datasciencedances.csv"].lossy


def test_with_heading_sample_footnote_year_and_items(results: dict) -> None:
    r = results["exports/V02.01_Cy30mk3v_csv_with_heading_as_indexed.csv"]
    obs = r.observations.set_index(["year", "indicator"])["value"]
    assert obs[(2018, "area_km2")] == 331235.7  # year header "2018 (*)"
    assert obs[(2011, "population_density_per_km2")] == 265.5
    assert r.rows_read == 24


def test_fmt_and_indicator_overrides_on_a_real_file(nso_samples: Path) -> None:
    obs = read(nso_samples / "exports/V02.01_datasciencedances.csv", fmt="pxweb-csv",
               indicator="population_avg_thousand", geo_version="vn63")
    assert set(obs["indicator"]) == {"population_avg_thousand"}
    assert set(obs["geo_version"]) == {"vn63"}
