"""Province reference data: counts, codes, crosswalk (SPEC "Geography")."""

from __future__ import annotations

import unicodedata

import pytest

import analysis as nq
from analysis.core.errors import ParameterError


def test_counts_and_columns():
    vn63, vn34 = nq.provinces("vn63"), nq.provinces("vn34")
    assert len(vn63) == 63 and len(vn34) == 34
    for df in (vn63, vn34):
        assert list(df.columns[:7]) == ["code", "name_vi", "name_en", "type", "region",
                                        "region_vi", "region_en"]
        assert df["code"].str.fullmatch(r"\d{2}").all()
        assert df["code"].is_unique
        assert set(df["type"]) == {"province", "city"}
        assert (df["name_vi"] == df["name_vi"].map(lambda s: unicodedata.normalize("NFC", s))).all()


def test_every_old_province_maps_to_exactly_one_new_unit():
    cw = nq.crosswalk()
    assert len(cw) == 63 and cw["vn63_code"].is_unique
    assert set(cw["vn63_code"]) == set(nq.provinces("vn63")["code"])
    assert set(cw["vn34_code"]) == set(nq.provinces("vn34")["code"])
    # member counts agree with the recorded n_merged
    sizes = cw.groupby("vn34_code").size()
    assert (cw["n_merged"].astype(int) == cw["vn34_code"].map(sizes)).all()
    # exactly one member keeps its code as the seat of each new unit
    assert (cw.groupby("vn34_code")["keeps_code_as_seat"].apply(lambda s: (s == "true").sum()) == 1).all()


def test_seat_codes_are_ambiguous_without_geo_version():
    # new Lào Cai = 15 is old Lào Cai (10) + old Yên Bái (15)
    cw = nq.crosswalk().set_index("vn63_code")
    assert cw.at["10", "vn34_code"] == "15" and cw.at["15", "vn34_code"] == "15"
    assert nq.province_name("15", "vn63") == "Yên Bái"
    assert nq.province_name("15", "vn34") == "Lào Cai"
    assert nq.province_name("79", "vn34", "en") == "Ho Chi Minh City"


def test_every_row_cites_its_source():
    for geo in ("vn63", "vn34"):
        assert nq.provinces(geo, with_source=True)["source"].str.contains("202/2025/QH15").all()
    assert nq.crosswalk()["source"].str.contains("Decision 19/2025/QĐ-TTg").all()


def test_unknown_geo_version_is_a_parameter_error():
    with pytest.raises(ParameterError, match="vn63, vn34"):
        nq.provinces("vn99")


def test_matches_the_shared_code_lists(shared_geo):
    import pandas as pd

    p34 = pd.read_csv(shared_geo / "provinces_34.csv", dtype=str)
    ours = nq.crosswalk().groupby("vn34_code")["vn63_code"].apply(lambda s: "+".join(sorted(s)))
    theirs = p34.set_index("code")["members"].map(lambda s: "+".join(sorted(s.split("+"))))
    assert ours.sort_index().to_dict() == theirs.sort_index().to_dict()
    p63 = pd.read_csv(shared_geo / "provinces_63.csv", dtype=str)
    assert set(p63["code"]) == set(nq.provinces("vn63")["code"])
