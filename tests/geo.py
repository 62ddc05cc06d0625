"""Map fixtures: a tiny geoBoundaries-style file of our own, and the shared one (imported by the conftest of each folder whose tests draw or read boundaries).

``fake_geoboundaries`` writes 64 small squares (the 63 provinces plus Côn Đảo as its own
feature) named the way the real geoBoundaries file names them, quirks included: "Hà Nội\\t"
with a tab, "Ho Chi Minh" without diacritics, "Bà Rịa–Vũng Tàu" with an en dash. The
squares do not touch, so areas add up exactly when provinces are merged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.catalogue.geography import provinces
from tests.conftest import SHARED

SHARED_GEO_FILE = SHARED / "geo" / "vnm_adm1_63_geoboundaries_simplified.geojson"

SHAPE_NUMBER = "63759600"
QUIRKS = {"01": "Hà Nội\t", "79": "Ho Chi Minh", "77": "Bà Rịa–Vũng Tàu"}
SIDE = 0.2  # degrees


def square(lon: float, lat: float, side: float = SIDE) -> list:
    """A counter-clockwise GeoJSON ring (RFC 7946 winding), as geoBoundaries writes them."""
    return [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side],
             [lon, lat]]]


def geoboundaries_features(names: dict[str, str] | None = None) -> list[dict]:
    """One square per vn63 province (row-major over Viet Nam's box) and one for Côn Đảo."""
    table = provinces("vn63")
    features = []
    for i, (code, name) in enumerate(zip(table["code"], table["name_vi"], strict=True)):
        name = (names or {}).get(code, QUIRKS.get(code, name))
        lon, lat = 103.0 + (i % 8) * 0.6, 22.5 - (i // 8) * 1.6
        features.append(_feature(name, f"VN-{code}", i, square(lon, lat)))
    features.append(_feature("Côn Đảo", "VN-43", 99, square(106.6, 8.6, 0.1)))
    return features


def _feature(name: str, iso: str, i: int, ring: list) -> dict:
    return {"type": "Feature",
            "properties": {"shapeName": name, "shapeISO": iso,
                           "shapeID": f"{SHAPE_NUMBER}B{10**14 + i}",
                           "shapeGroup": "VNM", "shapeType": "ADM1"},
            "geometry": {"type": "Polygon", "coordinates": ring}}


def write_geojson(path: Path, features: list[dict]) -> Path:
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
           "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def fake_boundaries(tmp_path: Path) -> Path:
    """A geoBoundaries-style vn63 file of 64 tiny squares (our own fixture)."""
    return write_geojson(tmp_path / "fake-geoboundaries.geojson", geoboundaries_features())


@pytest.fixture
def no_default_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend nothing was fetched into data/raw (maps must fall back to tiles)."""
    from analysis.sources import boundaries

    monkeypatch.setattr(boundaries, "default_boundaries_path", lambda raw_dir=None: None)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Processed boundaries are cached in a temporary folder, never in data/processed."""
    from analysis.core import config

    folder = tmp_path / "processed"
    monkeypatch.setattr(config, "PROCESSED_DIR", folder)
    return folder / "boundaries"


@pytest.fixture(scope="session")
def geo63_file(shared_geo: Path) -> Path:
    return SHARED_GEO_FILE


@pytest.fixture(scope="session")
def geo34_reference(shared_geo: Path) -> Path:
    return shared_geo / "vnm_adm1_34_dissolved.geojson"
