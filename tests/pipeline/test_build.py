"""``nq42 build`` on a tiny raw folder: accounting, determinism, all-or-nothing outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.errors import DataError
from analysis.pipeline import build

TABLES = ("observations.parquet", "progress.parquet", "quarantine.csv")

# PX-Web style table: the rate with its parts for Hà Giang (02) and Tuyên Quang (08), which
# form the new Tuyên Quang (08) on vn34, and Hà Nội; a region row; a bad cell.
OFFICIAL = (
    '"Địa phương","2024 Tỷ lệ trạm y tế xã có bác sĩ (%)",'
    '"2024 Số trạm y tế xã có bác sĩ làm việc","2024 Tổng số trạm y tế xã"\n'
    '"CẢ NƯỚC",90.0,9000,10000\n'
    '"Trung du và miền núi phía Bắc",80.0,800,1000\n'
    '"Hà Giang",80.0,160,200\n'
    '"Tuyên Quang",90.0,126,140\n'
    '"Hà Nội",98.0,49,50\n'
    '"Atlantis",50.0,5,10\n'
)
SRC = '"Báo cáo số 1/BC-BYT, Bộ Y tế, 2025"'
SYNTHETIC = (
    "province,year,indicator,value,numerator,denominator,unit,source,provenance,note\n"
    "Hà Nội,2024,health_stations_with_doctor_pct,70.0,,,%,,synthetic,made up\n"
    "Bắc Ninh,2024,health_stations_with_doctor_pct,75.0,,,%,,synthetic,made up\n"
    "Bắc Ninh,2024,health_stations_with_doctor_pct,104,,,%,,synthetic,made up\n"
)
VN34 = (
    "province,year,indicator,value,numerator,denominator,unit,source,provenance,note\n"
    f"Tuyên Quang,2025,social_housing_units_completed,120,,,căn,{SRC},secondary,\n"
    f"Thành phố Hồ Chí Minh,2025,social_housing_units_completed,13040,,,căn,{SRC},secondary,\n"
)


def entry(path: Path, provenance: str, **extra) -> dict:
    return {"title": path.stem, "producer": "test", "provenance": provenance,
            "date_accessed": "2026-11-28", "licence": "unknown",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **extra}


def write_register(raw: Path, entries: dict) -> None:
    (raw / "sources.yml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=True),
                                     encoding="utf-8")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    for sub in ("moh", "synthetic", "moc", "geo", "templates"):
        (folder / sub).mkdir(parents=True)
    files = {
        "moh/health_2024.csv": (OFFICIAL, "official", {}),
        "synthetic/health.csv": (SYNTHETIC, "synthetic", {}),
        "moc/social_housing_2025.csv": (VN34, "secondary", {"format": "template"}),
        "geo/adm1.geojson": ('{"type": "FeatureCollection", "features": []}', "official",
                             {"kind": "boundaries"}),
    }
    entries = {}
    for rel, (text, grade, extra) in files.items():
        path = folder / rel
        path.write_text(text, encoding="utf-8")
        entries[rel] = entry(path, grade, **extra)
    (folder / "templates" / "entry_template_en.csv").write_text("province,year\n")
    (folder / "README.md").write_text("# raw data\n", encoding="utf-8")
    write_register(folder, entries)
    return folder


@pytest.fixture
def stub_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep these tests about the ingest: progress is issue 4's (tested there)."""

    def fake(observations: pd.DataFrame) -> pd.DataFrame:
        rows = observations[observations["province_code"] != "VN"]
        out = (rows.groupby(["geo_version", "province_code", "indicator"], as_index=False)
               .size().rename(columns={"size": "n_points"}))
        # the columns the build's coverage table reads
        return out.assign(target_id=out["indicator"] + "_target", status="insufficient_data",
                          evidence_grade="")

    monkeypatch.setattr(build, "_progress", fake)


def digest(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
            for n in (*TABLES, "build.json")}


@pytest.mark.usefixtures("stub_progress")
def test_build_reads_every_source_and_accounts_for_every_row(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = build.run_build(raw, out)
    assert {p.name for p in out.iterdir()} == {*TABLES, "coverage.csv", "alternatives.csv",
                                               "build.json"}
    coverage = pd.read_csv(out / "coverage.csv", dtype={"years_official": str})
    assert set(coverage["geo_version"]) == {"vn63", "vn34"}
    info = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert set(info["sources"]) == {"moh/health_2024.csv", "synthetic/health.csv",
                                    "moc/social_housing_2025.csv"}
    assert info["not_ingested"] == {"geo/adm1.geojson":
                                    "kind: boundaries (used by maps, not observations)"}
    for source in info["sources"].values():
        assert source["rows_read"] == (source["rows_kept"] + source["rows_quarantined"]
                                       + source["rows_dropped_as_aggregates"])
    moh = info["sources"]["moh/health_2024.csv"]
    assert (moh["rows_read"], moh["rows_dropped_as_aggregates"], moh["rows_quarantined"]) == (
        18, 3, 3)
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert len(quarantine) == summary.totals["rows_quarantined"] == info["totals"][
        "rows_quarantined"]
    assert quarantine["reason"].str.len().gt(0).all()
    for col in ("source_id", "file", "row", "column", "value", "reason"):
        assert col in quarantine


@pytest.mark.usefixtures("stub_progress")
def test_build_output_values(raw: Path, tmp_path: Path) -> None:
    build.run_build(raw, tmp_path / "out")
    obs = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert list(obs.columns) == build.schemas.OBSERVATION_COLUMNS
    got = obs.set_index(["geo_version", "province_code", "year", "indicator"])
    rate = "health_stations_with_doctor_pct"
    # official Hà Nội wins over the synthetic one
    assert got.loc[("vn63", "01", 2024, rate), "value"] == 98.0
    assert got.loc[("vn63", "01", 2024, rate), "provenance"] == "official"
    # Hà Giang + Tuyên Quang pooled from their parts into the new Tuyên Quang
    pooled = got.loc[("vn34", "08", 2024, rate)]
    assert [pooled.numerator, pooled.denominator] == [286.0, 340.0]
    assert pooled.value == pytest.approx(100 * 286 / 340)
    assert not pooled.is_estimated
    # native vn34 2025 rows kept; Bắc Ninh synthetic (not merged into anything else)
    assert got.loc[("vn34", "79", 2025, "social_housing_units_completed"), "value"] == 13040
    assert got.loc[("vn63", "27", 2024, rate), "provenance"] == "synthetic"
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    superseded = quarantine[quarantine["reason"].str.startswith("superseded by moh/")]
    assert list(superseded["source_id"]) == ["synthetic/health.csv"]
    assert "official outranks synthetic" in superseded["reason"].iloc[0]
    assert not (obs["province_code"].str.startswith("REG") | obs["province_code"].eq(
        "TOTAL")).any()


@pytest.mark.usefixtures("stub_progress")
def test_two_builds_of_the_same_inputs_give_byte_identical_tables(raw: Path,
                                                                  tmp_path: Path) -> None:
    build.run_build(raw, tmp_path / "a")
    build.run_build(raw, tmp_path / "b")
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    for name in TABLES:
        assert a[name] == b[name], name
    info = json.loads((tmp_path / "a" / "build.json").read_text(encoding="utf-8"))
    assert info["inputs_sha256"] == json.loads(
        (tmp_path / "b" / "build.json").read_text(encoding="utf-8"))["inputs_sha256"]
    for key in ("build_id", "built_at", "git_commit", "inputs_sha256", "method_version",
                "year_ranges", "totals", "harmonisation"):
        assert key in info
    assert info["year_ranges"] == {"vn63": [2024, 2024], "vn34": [2024, 2025]}
    import pyarrow.parquet as pq

    meta = pq.read_metadata(tmp_path / "a" / "observations.parquet").metadata or {}
    assert not any(b"built_at" in v or b"time" in k for k, v in meta.items())


@pytest.mark.usefixtures("stub_progress")
def test_failed_build_leaves_previous_outputs_untouched(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build.run_build(raw, out)
    before = digest(out)
    (raw / "moh" / "health_2024.csv").write_text(OFFICIAL + '"Bắc Ninh",1,1,1\n',
                                                 encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 1
    assert "SHA-256 mismatch" in result.output and "moh/health_2024.csv" in result.output
    assert "Traceback" not in result.output
    assert digest(out) == before


@pytest.mark.usefixtures("stub_progress")
def test_crash_while_writing_leaves_previous_outputs(raw: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build.run_build(raw, out)
    before = digest(out)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)  # after the parquet files are staged
    with pytest.raises(RuntimeError, match="disk full"):
        build.run_build(raw, out)
    assert digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.usefixtures("stub_progress")
def test_unreadable_source_stops_the_build_naming_it(raw: Path, tmp_path: Path) -> None:
    bad = raw / "moh" / "report.pdf"
    bad.write_bytes(b"%PDF-1.4\n")
    entries = yaml.safe_load((raw / "sources.yml").read_text(encoding="utf-8"))
    entries["moh/report.pdf"] = entry(bad, "official")
    write_register(raw, entries)
    with pytest.raises(DataError) as err:
        build.run_build(raw, tmp_path / "out")
    assert "moh/report.pdf" in str(err.value) and "not a table export" in str(err.value)
    assert not (tmp_path / "out" / "observations.parquet").exists()


def test_unregistered_file_is_reported_before_anything_is_read(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (raw / "moh" / "extra.csv").write_text("x", encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("a source was read")

    monkeypatch.setattr(build, "read_state", never)
    with pytest.raises(DataError, match="files without a register entry: moh/extra.csv"):
        build.run_build(raw, tmp_path / "out")


@pytest.mark.usefixtures("stub_progress")
def test_cli_build_prints_a_table_per_source(raw: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", "--raw", str(raw), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for text in ("moh/health_2024.csv", "synthetic/health.csv", "total", "quarantined",
                 "SYNTHETIC", "quarantine.csv"):
        assert text in result.output


def test_build_with_the_real_progress_module(raw: Path, tmp_path: Path) -> None:
    summary = build.run_build(raw, tmp_path / "out")
    progress = pd.read_parquet(tmp_path / "out" / "progress.parquet")
    assert len(progress) == summary.n_progress
