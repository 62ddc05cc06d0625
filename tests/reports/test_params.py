"""Report parameters: validated in full (every bad value named) before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import DataError, ParameterError
from analysis.reports import params as P


@pytest.mark.parametrize(("name", "slug"), [
    ("Hồ Chí Minh", "ho-chi-minh"),
    ("Hà Nội", "ha-noi"),
    ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
    ("Tỉnh Đắk Lắk", "dak-lak"),
    ("Huế", "hue"),
    ("Bà Rịa–Vũng Tàu", "ba-ria-vung-tau"),
    ("  Thanh  Hóa ", "thanh-hoa"),
])
def test_slug_is_ascii_folded_without_prefixes(name, slug):
    assert P.slugify(name) == slug


def test_every_vn34_and_vn63_province_gets_a_distinct_file_name():
    from analysis.catalogue.geography import provinces

    for geo in ("vn34", "vn63"):
        table = provinces(geo)
        names = {f"{c}-{P.slugify(n)}" for c, n in zip(table["code"], table["name_vi"],
                                                        strict=True)}
        assert len(names) == len(table)
        assert all(n.isascii() and " " not in n for n in names)


def test_notebook_parameters_reads_the_tagged_cell(fixture_notebooks):
    found = P.notebook_parameters(fixture_notebooks / "province_report.py")
    assert list(found) == ["province_code", "geo_version", "lang", "year", "boundaries",
                           "processed_dir"]
    assert found["province_code"] == '"01"'


def test_a_notebook_without_parameters_cell_is_a_clear_error(tmp_path):
    nb = tmp_path / "x.py"
    nb.write_text("# %%\nx = 1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no cell tagged 'parameters'"):
        P.notebook_parameters(nb)


def test_valid_request_is_planned_with_spec_file_names(processed, fixture_notebooks, tmp_path):
    req = P.validate_request(provinces="79,1", langs="vi,en", processed_dir=processed,
                             notebooks_dir=fixture_notebooks, out=tmp_path / "out", jobs=2)
    assert req.province_codes == ("79", "01")  # "1" is read as 01
    specs = P.plan_reports(req, cwd=tmp_path)
    paths = [s.html_path for s in specs]
    assert paths == ["vi/national.html", "en/national.html", "vi/provinces/79-ho-chi-minh.html",
                     "vi/provinces/01-ha-noi.html", "en/provinces/79-ho-chi-minh.html",
                     "en/provinces/01-ha-noi.html"]
    hcm = specs[2]
    assert hcm.ipynb_path == "vi/notebooks/province-79-ho-chi-minh.ipynb"
    assert hcm.title == "Hồ Chí Minh"
    assert hcm.parameters["province_code"] == "79" and hcm.parameters["lang"] == "vi"
    # paths handed to the notebooks are relative to the kernels' working folder
    assert hcm.parameters["processed_dir"] == "processed"
    assert "year" not in hcm.parameters  # None: the notebook's own default applies
    assert specs[4].title == "Ho Chi Minh City"


def test_every_bad_value_is_named_in_one_error(processed, fixture_notebooks):
    with pytest.raises(ParameterError) as info:
        P.validate_request(provinces="01,99,xx,10", langs="vi,fr", year=2031,
                           processed_dir=processed, notebooks_dir=fixture_notebooks,
                           boundaries="không-có.geojson", jobs=0)
    message = info.value.message
    for needle in ("'99'", "'xx'", "'10' (a vn63 code)", "'fr'", "2031", "2015–2025",
                   "không-có.geojson", "--jobs"):
        assert needle in message, needle
    assert "'01'" not in message


def test_unknown_geography_is_refused(processed, fixture_notebooks):
    with pytest.raises(ParameterError, match="unknown geography 'vn99'"):
        P.validate_request(geo="vn99", processed_dir=processed, notebooks_dir=fixture_notebooks)


def test_vn63_years_come_from_the_build(processed, fixture_notebooks):
    with pytest.raises(ParameterError, match="2025 is outside the data for vn63"):
        P.validate_request(geo="vn63", year=2025, processed_dir=processed,
                           notebooks_dir=fixture_notebooks)
    req = P.validate_request(geo="vn63", year=2024, processed_dir=processed,
                             notebooks_dir=fixture_notebooks, provinces="10")
    assert req.data_years == (2015, 2024) and req.province_codes == ("10",)


def test_missing_build_says_how_to_build(tmp_path, fixture_notebooks):
    with pytest.raises(DataError, match="nq42 build"):
        P.validate_request(processed_dir=tmp_path, notebooks_dir=fixture_notebooks)


def test_missing_notebook_and_missing_parameter_are_reported(processed, tmp_path):
    folder = tmp_path / "nb"
    folder.mkdir()
    (folder / "national_overview.py").write_text(
        '# %% tags=["parameters"]\ngeo_version = "vn34"\n', encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        P.validate_request(processed_dir=processed, notebooks_dir=folder, year=2020)
    assert "province_report.py not found" in info.value.message
    assert "does not declare the parameter(s) lang" in info.value.message
    assert "no parameter 'year'" in info.value.message


def test_relative_to_cwd_never_gives_an_absolute_path(tmp_path):
    assert P.relative_to_cwd(tmp_path / "a" / "b", tmp_path) == "a/b"
    assert not P.relative_to_cwd(Path("/elsewhere/x"), tmp_path).startswith("/")
