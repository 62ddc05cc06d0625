"""The default dataset in ``data/raw``: reproducible, registered, labelled, calibrated.

The synthetic files come from ``scripts/make_default_data.py``; the real figures in
``data/raw/reference/`` were entered by hand from ``../shared/reference`` (golden values
below). The generator's ``published`` table says what every synthetic file states; the
byte-for-byte test ties it to the committed files, and the ingest test (skipped while
``analysis.ingest`` cannot be imported) checks that the readers get the same numbers back.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.catalogue.geography import match_provinces, provinces
from tools.synthetic import SYNTHETIC_TAG, best_fit_cp1252, lossy_label, sha256_bytes

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
SCRIPT = ROOT / "scripts" / "make_default_data.py"
EXEMPT_DIRS = ("templates",)
CLOSE = 0.05  # percentage points / m²: published (rounded) aggregates vs real baselines


@pytest.fixture(scope="module")
def gen():
    """The generator script imported as a module."""
    spec = importlib.util.spec_from_file_location("make_default_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(gen):
    world, files = gen.generate_files()
    return world, files, gen.published(files)


@pytest.fixture(scope="module")
def published(generated) -> pd.DataFrame:
    return generated[2]


@pytest.fixture(scope="module")
def register() -> dict:
    return yaml.safe_load((RAW / "sources.yml").read_text(encoding="utf-8"))


def _raw_files() -> list[str]:
    out = []
    for p in sorted(RAW.rglob("*")):
        rel = p.relative_to(RAW).as_posix()
        if (p.is_file() and rel != "sources.yml" and not rel.endswith(".md")
                and rel.split("/")[0] not in EXEMPT_DIRS and not p.name.startswith(".")):
            out.append(rel)
    return out


def _reference_rows() -> pd.DataFrame:
    """Every row of the real-figure files, English column names, province resolved."""
    frames = []
    vi_to_en = dict(zip(("Tỉnh/Thành phố", "Năm", "Chỉ tiêu", "Giá trị", "Tử số", "Mẫu số",
                         "Đơn vị", "Nguồn", "Nguồn gốc", "Ghi chú"),
                        ("province", "year", "indicator", "value", "numerator", "denominator",
                         "unit", "source", "provenance", "note"), strict=True))
    for path in sorted((RAW / "reference").glob("*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=vi_to_en)
        df["file"] = path.relative_to(RAW).as_posix()
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    df["year"] = df["year"].astype(int)
    df["geo_version"] = np.where(df["year"] <= 2024, "vn63", "vn34")
    codes = []
    for geo, part in df.groupby("geo_version", sort=False):
        codes.append(pd.Series(match_provinces(part["province"], geo)["code"].astype(str),
                               index=part.index))
    df["province_code"] = pd.concat(codes)
    return df


# --------------------------------------------------------------------------------------
# Reproducible and registered
# --------------------------------------------------------------------------------------


def test_regenerating_reproduces_every_committed_file_byte_for_byte(gen, tmp_path, register):
    written = gen.write(tmp_path)
    assert len(written) == 10
    regenerated = yaml.safe_load((tmp_path / "sources.yml").read_text(encoding="utf-8"))
    for g in written:
        data = (tmp_path / g.path).read_bytes()
        assert data == (RAW / g.path).read_bytes(), f"{g.path} differs from the committed file"
        assert sha256_bytes(data) == register[g.path]["sha256"] == regenerated[g.path]["sha256"]
        assert regenerated[g.path] == register[g.path]
    # the generator owns synthetic/ only: the register it wrote lists nothing else here
    assert set(regenerated) == {g.path for g in written}


def test_generator_keeps_other_register_entries(gen, tmp_path, register):
    other = {k: v for k, v in register.items() if not k.startswith("synthetic/")}
    assert other, "the real-figure files are registered"
    (tmp_path / "sources.yml").write_text(yaml.safe_dump(other, allow_unicode=True),
                                          encoding="utf-8")
    gen.write(tmp_path)
    after = yaml.safe_load((tmp_path / "sources.yml").read_text(encoding="utf-8"))
    assert {k: v for k, v in after.items() if not k.startswith("synthetic/")} == other


def test_register_and_raw_folder_agree(register):
    files = _raw_files()
    assert sorted(register) == files, "every raw file has an entry and every entry its file"
    for key, entry in register.items():
        assert sha256_bytes((RAW / key).read_bytes()) == entry["sha256"], key
        for field in ("title", "producer", "provenance", "date_accessed", "licence", "sha256"):
            assert entry.get(field) not in (None, ""), f"{key} lacks {field}"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(entry["date_accessed"])), key
        if entry.get("kind", "observations") == "boundaries":
            assert key.endswith(".geojson") and "Public Domain" in entry["licence"]
        else:
            assert entry["format"] in ("jsonstat", "pxweb-csv", "pxweb-xlsx", "yearbook",
                                       "template")


def test_register_passes_the_build_check_when_available():
    from analysis.sources import register as register_module
    entries = register_module.check_register(RAW)
    assert len(entries) == len(_raw_files())


def test_total_size_is_small():
    # the boundaries (0.54 MB) make every default map geographic offline; the rest is tables
    tables = [f for f in _raw_files() if not f.startswith("boundaries/")]
    assert sum((RAW / f).stat().st_size for f in tables) < 800_000
    assert sum((RAW / f).stat().st_size for f in _raw_files()) < 1_500_000


# --------------------------------------------------------------------------------------
# Labelled: synthetic says so everywhere, real rows carry their citation
# --------------------------------------------------------------------------------------


def _in_file_titles(path: Path) -> list[str]:
    """The title texts a file carries (none for the title-less plain PX-Web CSV)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data)).active
        return [str(c.value) for c in (ws["A1"], ws["A2"]) if c.value]  # A2: English title
    if path.suffix == ".json":
        return [json.loads(data.rstrip(b"\x00").decode("utf-8"))["dataset"]["label"]]
    text = data.decode("utf-8-sig", errors="replace")
    if path.name.startswith("template_"):
        rows = list(csv.reader(io.StringIO(text)))[1:]
        return [row[-1] for row in rows]  # the note of every row
    if "semicolon" in path.name or "lossy" in path.name:
        return []  # plain PX-Web CSV: the format has no title line (register title says it)
    return [text.splitlines()[0]]


def test_every_synthetic_file_is_registered_and_titled_synthetic(register):
    synthetic = [k for k in register if k.startswith("synthetic/")]
    assert len(synthetic) == 10
    for key in synthetic:
        entry = register[key]
        assert entry["provenance"] == "synthetic"
        assert entry["producer"] == "NQ42 Tracker (synthetic)"
        assert SYNTHETIC_TAG in entry["title"]
        for title in _in_file_titles(RAW / key):
            assert SYNTHETIC_TAG in title, f"{key}: {title[:80]!r}"
    for key in [k for k in register if k.startswith("synthetic/template_")]:
        rows = pd.read_csv(RAW / key, dtype=str, keep_default_na=False)
        assert set(rows.iloc[:, 8]) == {"synthetic"}  # provenance / Nguồn gốc column
        assert rows.iloc[:, 7].str.contains("not real data").all()


def test_real_figure_rows_are_secondary_and_cited(register):
    ref = _reference_rows()
    assert set(ref["provenance"]) == {"secondary"}
    assert ref["source"].str.contains("https://").all()
    assert ref["note"].str.contains("researched confidence").all()
    for key in ref["file"].unique():
        assert register[key]["provenance"] == "secondary"
        assert register[key]["url"].startswith("https://")


# Golden values copied from ../shared/reference (social_housing_by_province*.csv and
# targets_research.csv); a typo in data/raw/reference/ fails here.
GOLDEN = {
    ("vn34", "VN", 2025, "social_housing_units_completed"): 102633,
    ("vn34", "01", 2025, "social_housing_units_completed"): 5158,
    ("vn34", "19", 2025, "social_housing_units_completed"): 4223,
    ("vn34", "24", 2025, "social_housing_units_completed"): 19123,
    ("vn34", "31", 2025, "social_housing_units_completed"): 13147,
    ("vn34", "48", 2025, "social_housing_units_completed"): 2907,
    ("vn34", "79", 2025, "social_housing_units_completed"): 13040,
    ("vn34", "42", 2025, "social_housing_units_completed"): 0,
    ("vn63", "VN", 2024, "rural_hh_clean_water_pct"): 74.2,
    ("vn63", "VN", 2020, "rural_pop_clean_water_pct"): 51,
    ("vn34", "VN", 2025, "urban_pop_clean_water_pct"): 95,
    ("vn63", "VN", 2023, "schools_national_standard_preschool_pct"): 57,
    ("vn63", "VN", 2024, "housing_floor_area_m2_per_capita"): 26.6,
    ("vn63", "VN", 2021, "housing_floor_area_m2_per_capita"): 25,
    ("vn63", "01", 2023, "schools_national_standard_preschool_pct"): 78.8,
    ("vn63", "10", 2024, "communes_health_criteria_pct"): 98.01,
    # added 2026-12-03 (data/raw/reference/*_2020_2023, *_2022_2025, *_2023_2024, *_mae_2025)
    ("vn63", "VN", 2023, "social_housing_units_completed"): 13864,
    ("vn63", "VN", 2024, "social_housing_units_completed"): 21000,
    ("vn63", "VN", 2024, "urban_pop_clean_water_pct"): 94,
    ("vn34", "VN", 2025, "kindergarten_enrolment_pct"): 93.6,
    ("vn63", "VN", 2022, "poor_households_rate_pct"): 4.03,
    ("vn63", "VN", 2023, "poor_households_rate_pct"): 2.93,
    ("vn63", "93", 2020, "schools_national_standard_preschool_pct"): 92.86,  # 78 / 84
    ("vn63", "93", 2020, "schools_national_standard_primary_pct"): 76.28,  # 119 / 156
    ("vn63", "93", 2020, "schools_national_standard_lower_secondary_pct"): 84.13,  # 53 / 63
    ("vn63", "93", 2020, "schools_national_standard_upper_secondary_pct"): 65.22,  # 15 / 23
    ("vn63", "72", 2021, "rural_hh_clean_water_pct"): 63.5,
    ("vn63", "30", 2022, "poor_households_rate_pct"): 2.15,
    ("vn63", "96", 2023, "poor_households_rate_pct"): 3.14,
}


#: A second real source for a key already in GOLDEN: kept as its own file, the register's
#: priority picks the one used (docs/METHODS.md §5b) and alternatives.csv shows the other.
SECOND_SOURCES = {
    ("reference/rural_hh_clean_water_mae_2025.csv", "vn63", "VN", 2024,
     "rural_hh_clean_water_pct"): 68,
}


def test_real_figures_are_the_researched_ones():
    ref = _reference_rows()
    second = ref["file"].isin({k[0] for k in SECOND_SOURCES})
    assert {(r.file, r.geo_version, r.province_code, r.year, r.indicator): float(r.value)
            for r in ref[second].itertuples()} == SECOND_SOURCES
    ref = ref[~second]
    got = {(r.geo_version, r.province_code, r.year, r.indicator): float(r.value)
           for r in ref.itertuples()}
    assert got == pytest.approx(GOLDEN)
    lao_cai = ref[ref["province_code"] == "10"].iloc[0]
    assert (lao_cai["numerator"], lao_cai["denominator"]) == ("148", "151")
    approx = ref[ref["indicator"].isin(["urban_pop_clean_water_pct",
                                        "schools_national_standard_preschool_pct"])
                 & ref["file"].isin(["reference/national_baselines.csv",
                                     "reference/provincial_baselines_2023_2024.csv"])]
    assert approx["note"].str.startswith("approx.").all()


def test_no_key_is_stated_by_two_files(published):
    ref = _reference_rows()
    ref = ref[~ref["file"].isin({k[0] for k in SECOND_SOURCES})]
    keys = ["geo_version", "province_code", "year", "indicator"]
    both = pd.concat([published[keys], ref[keys]], ignore_index=True)
    dup = both[both.duplicated(keep=False)]
    assert dup.empty, dup.to_string()


def test_synthetic_2025_social_housing_completes_the_real_national_total(published):
    ref = _reference_rows()
    sh = "social_housing_units_completed"
    real = ref[(ref["indicator"] == sh) & (ref["province_code"] != "VN")]
    synth = published[(published["indicator"] == sh) & (published["year"] == 2025)]
    assert set(real["province_code"]).isdisjoint(synth["province_code"])
    assert len(set(real["province_code"]) | set(synth["province_code"])) == 34
    assert real["value"].astype(float).sum() + synth["value"].sum() == 102633
    assert (synth.set_index("province_code").loc[["04", "11", "12"], "value"] == 0).all()


# --------------------------------------------------------------------------------------
# Calibrated against the real baselines
# --------------------------------------------------------------------------------------


def _pooled(df: pd.DataFrame, indicator: str, year: int, codes=None) -> float:
    d = df[(df["indicator"] == indicator) & (df["year"] == year) & (df["province_code"] != "VN")]
    if codes is not None:
        d = d[d["province_code"].isin(codes)]
    assert d["numerator"].notna().all() and d["denominator"].notna().all()
    return 100 * d["numerator"].sum() / d["denominator"].sum()


def _region(code: str) -> list[str]:
    p = provinces("vn63")
    return p.loc[p["region"] == code, "code"].tolist()


def test_generator_calibration_hits_every_target(gen, generated):
    world = generated[0]
    stated = {(c["indicator"], c["scope"], c["year"], c["target"]) for c in world.calibration}
    assert stated == set(gen.CALIBRATION_TARGETS)
    for c in world.calibration:
        assert c["truth"] == pytest.approx(c["target"], abs=1e-3), c


def test_national_aggregates_of_published_series_match_real_baselines(published):
    vn63 = published[published["geo_version"] == "vn63"]
    # every province published in these years: pooled from the files' own parts
    assert _pooled(vn63, "rural_hh_clean_water_pct", 2024) == pytest.approx(74.2, abs=CLOSE)
    assert _pooled(vn63, "rural_pop_clean_water_pct", 2020) == pytest.approx(51.0, abs=CLOSE)
    vn34 = published[published["geo_version"] == "vn34"]
    assert _pooled(vn34, "urban_pop_clean_water_pct", 2025) == pytest.approx(95.0, abs=CLOSE)
    # preschools 2023: Hà Nội is the real figure (78.8 %, data/raw/reference), the others
    # synthetic; Hà Nội's school count from 2022 (the nearest published year)
    pre = "schools_national_standard_preschool_pct"
    d23 = vn63[(vn63["indicator"] == pre) & (vn63["year"] == 2023)]
    hn_schools = vn63[(vn63["indicator"] == pre) & (vn63["year"] == 2022)
                      & (vn63["province_code"] == "01")]["denominator"].iloc[0]
    num = d23["numerator"].sum() + 0.788 * hn_schools
    den = d23["denominator"].sum() + hn_schools
    assert 100 * num / den == pytest.approx(57.0, abs=0.3)
    # floor area: population-weighted with the published (synthetic) population
    pop = vn63[vn63["indicator"] == "population_avg_thousand"].set_index(
        ["province_code", "year"])["value"]
    floor = vn63[(vn63["indicator"] == "housing_floor_area_m2_per_capita")
                 & (vn63["province_code"] != "VN")]
    for year, target, tol in ((2024, 26.6, CLOSE), (2021, 25.0, 0.1)):
        f = floor[floor["year"] == year].set_index(["province_code", "year"])["value"]
        w = pop.loc[f.index]
        assert (f * w).sum() / w.sum() == pytest.approx(target, abs=tol), year
    assert len(floor[floor["year"] == 2024]) == 63
    # social housing 2021-2024: the provinces are calibrated to the derived 66,510 units; the
    # country rows of 2023 and 2024 are left out because real national figures exist
    # (13,864 and ~21,000, data/raw/reference/social_housing_completed_2023_2024.csv)
    sh = vn63[(vn63["indicator"] == "social_housing_units_completed")
              & (vn63["province_code"] == "VN")]
    assert sorted(sh["year"]) == [2021, 2022]
    assert sh["value"].sum() < 169143 - 102633


def test_regional_pattern_of_rural_household_water_in_2024(published):
    vn63 = published[published["geo_version"] == "vn63"]
    ind = "rural_hh_clean_water_pct"
    by_region = {r: _pooled(vn63, ind, 2024, _region(r))
                 for r in ("RRD", "NMM", "NCC", "CH", "SE", "MRD")}
    assert by_region["RRD"] == pytest.approx(91.9, abs=CLOSE)
    assert by_region["CH"] == pytest.approx(39.5, abs=CLOSE)
    assert max(by_region, key=by_region.get) == "RRD"
    assert min(by_region, key=by_region.get) == "CH"
    ind = "rural_pop_clean_water_pct"
    assert _pooled(vn63, ind, 2020, _region("NMM")) == pytest.approx(31.0, abs=CLOSE)
    assert _pooled(vn63, ind, 2020, _region("CH")) == pytest.approx(26.6, abs=CLOSE)


# --------------------------------------------------------------------------------------
# Plausible: bounds, gaps, decliners, provisional years, coverage
# --------------------------------------------------------------------------------------


def test_values_are_in_range_and_rates_agree_with_their_parts(published):
    pct = published[published["unit"] == "percent"]
    assert pct["value"].between(0, 100).all()
    parts = pct.dropna(subset=["numerator", "denominator"])
    assert (parts["numerator"] <= parts["denominator"]).all()
    assert (100 * parts["numerator"] / parts["denominator"] - parts["value"]).abs().max() <= 0.006
    assert (published.loc[published["unit"] == "units", "value"] >= 0).all()


def test_series_have_gaps_decliners_and_provisional_years(published):
    p = published[(published["province_code"] != "VN") & (published["geo_version"] == "vn63")]
    floor = p[p["indicator"] == "housing_floor_area_m2_per_capita"]
    assert floor[floor["province_code"] == "12"]["year"].tolist() == [2024]  # single point
    for ind, codes in (("rural_hh_clean_water_pct", ["84", "95"]),
                       ("health_stations_with_doctor_pct", ["12", "62"])):
        s = p[p["indicator"] == ind].pivot_table(index="province_code", columns="year",
                                                 values="value")
        for code in codes:
            assert s.loc[code, 2024] < s.loc[code, 2015] - 2, (ind, code)
        assert (s[2024] > s[2015]).mean() > 0.9  # most provinces improve
    counts = p.groupby("indicator")["province_code"].size()
    assert (counts.drop(["social_housing_units_completed",
                         "housing_floor_area_m2_per_capita"]) < 630).any()  # gaps exist
    prov = published[published["is_provisional"]]
    assert set(prov["year"]) == {2024}
    assert len(prov["file"].unique()) == 4  # JSON-stat (2) and yearbooks (2)


def test_2025_covers_the_34_units_and_continues_2024(published):
    vn34 = published[published["geo_version"] == "vn34"]
    assert set(vn34["year"]) == {2025}
    assert vn34["province_code"].nunique() == 34
    ind = "rural_hh_clean_water_pct"
    v25 = vn34[vn34["indicator"] == ind].set_index("province_code")["value"]
    v24 = published[(published["indicator"] == ind) & (published["year"] == 2024)
                    & (published["province_code"] == "01")]["value"].iloc[0]
    assert abs(v25["01"] - v24) < 3  # Hà Nội (not merged) moves on smoothly


def test_social_housing_respects_the_researched_provincial_facts(generated):
    world = generated[0]
    geo = world.geo
    sh = world.social_housing  # [63, 2021..2024]
    assert sh[geo.index("30")].sum() == 619  # old Hải Dương, 2021-2024
    assert sum(sh[geo.index(c)].sum() for c in ("92", "93", "94")) > 2250  # new Cần Thơ
    for code in ("02", "04", "06", "08", "14", "15", "20", "36"):  # no completion registered
        assert sh[geo.index(code), 3] == 0


# --------------------------------------------------------------------------------------
# Faithful formats
# --------------------------------------------------------------------------------------


def test_province_labels_of_every_style_resolve(gen):
    geo = gen.Geo()
    for style in ("gso", "jsonstat_vi", "yearbook", "template", "en"):
        got = match_provinces(gen.names(geo, style), "vn63")
        assert got["code"].astype(str).tolist() == geo.codes, style
        assert set(got["kind"]) == {"province"}
    lossy = [lossy_label(n) for n in gen.names(geo, "gso")]
    assert sum("?" in n for n in lossy) > 30
    assert match_provinces(lossy, "vn63")["code"].astype(str).tolist() == geo.codes
    for style in ("gso", "en", "yearbook"):
        regions = gen.region_labels(geo, style)
        got = match_provinces(list(regions.values()) + [gen.COUNTRY_LABEL[style]], "vn63")
        assert got["code"].astype(str).tolist() == [f"REG-{r}" for r in regions] + ["VN"]


def test_lossy_csv_has_the_quirks_of_the_real_export():
    data = (RAW / "synthetic/V14_rural_households_clean_water_lossy.csv").read_bytes()
    assert data.endswith(b"\r\n\x00")
    assert b"\n" not in data.replace(b"\r\n", b"")
    text = data[:-1].decode("cp1252")
    assert text.startswith('"Ð?a phuong [SYNTHETIC – illustrative only]","2015 T? l? h? gia dình nông thôn')
    assert '"B?c Ninh"' in text and '"C? NU?C"' in text and '"Bà R?a - Vtng Tàu"' in text
    assert best_fit_cp1252("Đồng Nai") == b"\xd0?ng Nai"


def test_xlsx_files_carry_fixed_timestamps():
    for name in ("V13_schools_national_standard.xlsx",
                 "yearbook_health_stations_with_doctor.xlsx"):
        with zipfile.ZipFile(RAW / "synthetic" / name) as z:
            assert {i.date_time for i in z.infolist()} == {(2026, 11, 28, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode()
            assert core.count("2026-11-28T00:00:00Z") == 2


def test_our_text_is_utf8_nfc():
    for path in [RAW / "sources.yml", RAW / "README.md", *RAW.glob("reference/*.csv"),
                 *RAW.glob("synthetic/*.csv"), *RAW.glob("synthetic/*.json")]:
        if "lossy" in path.name:
            continue
        text = path.read_bytes().rstrip(b"\x00").decode("utf-8-sig")
        assert text == unicodedata.normalize("NFC", text), path.name
    for path in RAW.glob("synthetic/*.xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    text = z.read(name).decode("utf-8")
                    assert text == unicodedata.normalize("NFC", text), (path.name, name)


# --------------------------------------------------------------------------------------
# Read back through analysis.ingest (the readers of issue 3)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(register):
    from analysis import ingest
    out = {}
    for key, entry in register.items():
        if entry.get("kind", "observations") != "observations":
            continue
        out[key] = ingest.read_with_report(RAW / key, indicator=entry.get("indicator"),
                                           fmt=entry.get("format"), source_id=key,
                                           provenance=entry["provenance"])
    return out


KEY = ["geo_version", "province_code", "year", "indicator"]


def test_ingest_reads_every_value_the_synthetic_files_state(ingested, published, register):
    from analysis.catalogue.indicators import indicators

    context = set(indicators().query("sector == 'population'").index)
    for key, result in ingested.items():
        if not key.startswith("synthetic/"):
            continue
        want = published[published["file"] == key].set_index(KEY)
        got = result.observations.set_index(KEY)
        missing = want.index.difference(got.index)
        assert missing.empty, f"{key}: {len(missing)} stated values not read, e.g. {missing[:3]}"
        diff = (got.loc[want.index, "value"] - want["value"]).abs()
        assert diff.max() <= 0.006, f"{key}: {diff.idxmax()} read as " \
                                    f"{got.loc[diff.idxmax(), 'value']}"
        assert set(got["provenance"]) == {"synthetic"}
        assert got.loc[want.index, "is_provisional"].to_numpy().tolist() == \
            want["is_provisional"].tolist()
        # anything else read must be a context series stated as a rate's denominator
        extra = got.loc[got.index.difference(want.index)]
        assert set(extra.index.get_level_values("indicator")) <= context, key
        if len(extra):
            dens = want.dropna(subset=["denominator"]).reset_index()
            dens = dens.set_index(["geo_version", "province_code", "year"])["denominator"]
            e = extra.reset_index().set_index(["geo_version", "province_code", "year"])["value"]
            assert (e - dens.loc[e.index]).abs().max() <= 0.006, key


def test_ingest_reads_the_real_figures_as_secondary(ingested):
    second = {k[0] for k in SECOND_SOURCES}
    for key, result in ingested.items():
        if key.startswith("reference/"):
            assert result.rows_quarantined == 0, result.quarantine.to_string()
            assert set(result.observations["provenance"]) == {"secondary"}
    got = pd.concat([r.observations for k, r in ingested.items()
                     if k.startswith("reference/") and k not in second])
    got = {tuple(k): v for k, v in got.set_index(KEY)["value"].items()}
    assert got == pytest.approx(GOLDEN)


def test_ingest_attaches_numerators_and_denominators_of_wide_tables(ingested, published):
    """The parts published as their own items become the rate's numerator and denominator
    (what makes the 63 -> 34 carry-over exact), and nothing is quarantined."""
    for key, result in ingested.items():
        if key.startswith("nso/"):  # real NSO tables: their quarantines are the published quirks
            continue
        assert result.rows_quarantined == 0, (key, result.quarantine["reason"].unique()[:3])
        want = published[(published["file"] == key)].dropna(subset=["numerator"])
        if want.empty or key.startswith("synthetic/template_"):
            continue
        got = result.observations.set_index(KEY).loc[want.set_index(KEY).index]
        assert np.allclose(got["numerator"], want["numerator"]), key
        assert np.allclose(got["denominator"], want["denominator"]), key


# --------------------------------------------------------------------------------------
# Building blocks (tools.synthetic)
# --------------------------------------------------------------------------------------


def test_building_blocks():
    from tools.synthetic import format_number, largest_remainder, solve_increasing

    assert best_fit_cp1252("Thừa Thiên Huế") == b"Th?a Thi\xean Hu?"
    assert best_fit_cp1252("Vĩnh Long, Sóc Trăng") == b"Vinh Long, S\xf3c Trang"
    assert format_number(1234.5, 1, decimal=",", thousands=".") == "1.234,5"
    assert format_number(68.567, 2, decimal=",") == "68,57"
    assert largest_remainder(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert largest_remainder(5, [0, 2, 0]).tolist() == [0, 5, 0]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])
    assert solve_increasing(lambda x: x ** 3, 8.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        solve_increasing(lambda x: x, 50.0)
