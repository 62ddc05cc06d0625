"""The raw-data register: entries, SHA-256 checks, exemptions, atomic updates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from analysis.core.errors import DataError
from analysis.sources.register import (
    check_register,
    find_entry,
    is_exempt,
    load_register,
    register_source,
    sha256_file,
)


def entry(path: Path, **extra) -> dict:
    return {"title": "Tỷ lệ trạm y tế xã có bác sĩ", "producer": "Sở Y tế Hà Nội",
            "provenance": "official", "date_accessed": "2026-11-28", "licence": "unknown",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **extra}


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    (folder / "moh").mkdir(parents=True)
    (folder / "templates").mkdir()
    (folder / "moh" / "a.csv").write_text("province,year\n", encoding="utf-8")
    (folder / "templates" / "entry_template_en.csv").write_text("x", encoding="utf-8")
    (folder / "README.md").write_text("# notes", encoding="utf-8")
    (folder / ".gitkeep").write_text("", encoding="utf-8")
    reg = {"moh/a.csv": entry(folder / "moh" / "a.csv")}
    (folder / "sources.yml").write_text("# register\n" + yaml.safe_dump(reg, allow_unicode=True),
                                        encoding="utf-8")
    return folder


def test_a_consistent_register_passes_and_exempts_templates_and_markdown(raw: Path) -> None:
    entries = check_register(raw)
    assert list(entries) == ["moh/a.csv"]
    assert entries["moh/a.csv"]["kind"] == "observations"
    assert is_exempt("templates/x.xlsx") and is_exempt("README.md") and is_exempt(".gitkeep")
    assert is_exempt("sources.yml") and not is_exempt("moh/a.csv")


def test_unregistered_file_missing_file_and_changed_file_are_all_reported(raw: Path) -> None:
    (raw / "moh" / "b.csv").write_text("new", encoding="utf-8")
    (raw / "moh" / "a.csv").write_text("changed", encoding="utf-8")
    reg = load_register(raw)
    reg["moh/gone.csv"] = dict(reg["moh/a.csv"])
    (raw / "sources.yml").write_text(yaml.safe_dump(reg), encoding="utf-8")
    with pytest.raises(DataError) as err:
        check_register(raw)
    text = str(err.value)
    assert "files without a register entry: moh/b.csv" in text
    assert "register entries without their file: moh/gone.csv" in text
    assert "SHA-256 mismatch" in text and "moh/a.csv" in text


@pytest.mark.parametrize("field, value, message", [
    ("provenance", "rumour", "provenance 'rumour'"),
    ("sha256", "abc", "sha256 must be 64"),
    ("format", "pdf", "format 'pdf'"),
    ("indicator", "cats", "indicator 'cats'"),
    ("kind", "maps", "kind 'maps'"),
    ("title", None, "missing title"),
])
def test_invalid_entries_are_named(raw: Path, field: str, value, message: str) -> None:
    reg = load_register(raw)
    if value is None:
        del reg["moh/a.csv"][field]
    else:
        reg["moh/a.csv"][field] = value
    (raw / "sources.yml").write_text(yaml.safe_dump(reg), encoding="utf-8")
    with pytest.raises(DataError, match="moh/a.csv: .*" + message.split("'")[0]):
        load_register(raw)


def test_missing_or_broken_register(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="register is missing"):
        load_register(tmp_path)
    (tmp_path / "sources.yml").write_text("a: [b\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        load_register(tmp_path)


def test_register_source_adds_and_updates_keeping_comments(raw: Path) -> None:
    (raw / "geo").mkdir()
    target = raw / "geo" / "adm1.geojson"
    target.write_text("{}", encoding="utf-8")
    register_source("geo/adm1.geojson", {
        "title": "Ranh giới tỉnh", "producer": "geoBoundaries", "provenance": "official",
        "date_accessed": "2026-11-28", "licence": "CC BY 4.0", "kind": "boundaries"},
        raw_dir=raw)
    text = (raw / "sources.yml").read_text(encoding="utf-8")
    assert text.startswith("# register\n") and "Ranh giới tỉnh" in text
    entries = check_register(raw)
    assert entries["geo/adm1.geojson"]["sha256"] == sha256_file(target)
    target.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    register_source("geo/adm1.geojson", {
        "title": "Ranh giới tỉnh (bản mới)", "producer": "geoBoundaries",
        "provenance": "official", "date_accessed": "2026-11-29", "licence": "CC BY 4.0",
        "kind": "boundaries"}, raw_dir=raw)
    entries = check_register(raw)
    assert entries["geo/adm1.geojson"]["title"] == "Ranh giới tỉnh (bản mới)"
    assert list(entries) == ["moh/a.csv", "geo/adm1.geojson"]
    assert (raw / "sources.yml").read_text(encoding="utf-8").count("geo/adm1.geojson:") == 1


def test_register_source_refuses_missing_files_and_bad_entries(raw: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        register_source("nope.csv", {}, raw_dir=raw)
    with pytest.raises(DataError, match="missing title"):
        register_source("moh/a.csv", {"provenance": "official"}, raw_dir=raw)


def test_find_entry_gives_the_key_only_for_unchanged_files(raw: Path) -> None:
    key, found = find_entry(raw / "moh" / "a.csv")
    assert key == "moh/a.csv" and found["provenance"] == "official"
    (raw / "moh" / "a.csv").write_text("edited", encoding="utf-8")
    assert find_entry(raw / "moh" / "a.csv") == (None, None)


def test_registered_download_not_fetched_on_this_clone_is_skipped_with_a_warning(
        raw: Path, caplog: pytest.LogCaptureFixture) -> None:
    # `nq42 fetch` registers into the tracked sources.yml but its files are git-ignored.
    reg = load_register(raw)
    reg["downloads/nso/E02.01-vi-2026-11-28.json"] = {**reg["moh/a.csv"], "sha256": "a" * 64}
    (raw / "sources.yml").write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
    entries = check_register(raw)
    assert list(entries) == ["moh/a.csv"]
    assert "downloads/nso/E02.01-vi-2026-11-28.json" in caplog.text
    assert "nq42 fetch" in caplog.text


def test_a_missing_file_outside_downloads_is_still_an_error(raw: Path) -> None:
    (raw / "moh" / "a.csv").unlink()
    with pytest.raises(DataError, match="register entries without their file: moh/a.csv"):
        check_register(raw)
