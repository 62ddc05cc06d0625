"""``nq42 fetch boundaries`` against a local fake geoBoundaries server (127.0.0.1 only)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.errors import NetworkError
from analysis.sources.boundaries import PINNED_BOUNDARY_ID, default_boundaries_path, load_boundaries
from analysis.sources.fetch import boundaries as fetch
from analysis.sources.register import check_register
from tests.geo import geoboundaries_features
from tests.helpers import QuietHandler

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

REL = f"downloads/boundaries/{PINNED_BOUNDARY_ID}.geojson"


def geojson_bytes(features: list[dict] | None = None) -> bytes:
    doc = {"type": "FeatureCollection", "features": features or geoboundaries_features()}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


class FakeGeoBoundaries(QuietHandler):
    """``/api/`` answers like the geoBoundaries API; ``/file.geojson`` is the download."""

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        server = self.server
        server.requests.append(self.path)
        if server.delay:
            time.sleep(server.delay)
        if server.status != 200:
            return self._send(server.status, b"Forbidden", "text/plain")
        base = f"http://127.0.0.1:{server.server_address[1]}"
        if self.path.startswith("/api/"):
            meta = {"boundaryID": server.boundary_id, "boundaryName": "Vietnam",
                    "boundaryISO": "VNM", "boundaryType": "ADM1",
                    "boundaryLicense": server.licence, "boundaryYearRepresented": "2008",
                    "buildDate": "Dec 12, 2023", "licenseSource": "example",
                    "gjDownloadURL": f"{base}/full.geojson",
                    "simplifiedGeometryGeoJSON": f"{base}/file.geojson"}
            return self._send(200, json.dumps(meta).encode())
        if self.path == "/file.geojson":
            return self._send(200, server.body, "application/geo+json")
        return self._send(404, b"not found", "text/plain")


class QuietServer(ThreadingHTTPServer):
    """Joins its handler threads on close and prints nothing when a client hangs up."""

    daemon_threads = False

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = QuietServer(("127.0.0.1", 0), FakeGeoBoundaries)
    srv.requests, srv.delay, srv.status = [], 0.0, 200
    srv.boundary_id, srv.licence, srv.body = PINNED_BOUNDARY_ID, "Public Domain", geojson_bytes()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def api(srv: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/api/current/gbOpen/VNM/ADM1/"


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    return folder


def nothing_written(raw_dir: Path) -> bool:
    return not any(raw_dir.rglob("*"))


def test_the_pinned_public_domain_release_is_downloaded_and_registered(server, raw_dir):
    import datetime as dt

    path = fetch.fetch_boundaries(api(server), raw_dir=raw_dir, today=dt.date(2026, 11, 28))
    assert path == raw_dir / REL
    assert path.read_bytes() == server.body
    entry = yaml.safe_load((raw_dir / "sources.yml").read_text(encoding="utf-8"))[REL]
    assert entry["sha256"] == hashlib.sha256(server.body).hexdigest()
    assert entry["kind"] == "boundaries"
    assert entry["boundary_id"] == PINNED_BOUNDARY_ID
    assert entry["licence"] == "Public Domain"
    assert entry["producer"] == "geoBoundaries (William & Mary geoLab)"
    assert entry["provenance"] == "official"
    assert entry["url"].endswith("/file.geojson")
    assert str(entry["date_accessed"]) == "2026-11-28"
    assert "Runfola" in entry["citation"]
    check_register(raw_dir)  # file and entry agree, hash included
    assert default_boundaries_path(raw_dir) == path
    assert len(load_boundaries("vn34", path)) == 34
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("boundary_id", "VNM-ADM1-84948121", "not the pinned VNM-ADM1-63759600"),
    ("licence", "CC BY-SA 4.0", "not public domain"),
    ("body", b"version https://git-lfs.github.com/spec/v1\noid sha256:00\n", "Git LFS"),
    ("body", b"<html>rate limited</html>", "not JSON"),
    ("body", geojson_bytes(geoboundaries_features({"12": "Atlantis"})), "not a usable"),
])
def test_anything_but_the_pinned_release_is_refused(server, raw_dir, field, value, problem):
    setattr(server, field, value)
    with pytest.raises(NetworkError, match=problem) as err:
        fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    assert err.value.exit_code == 2
    assert "nothing was written" in str(err.value)
    assert nothing_written(raw_dir)


def test_another_release_in_the_file_itself_is_refused(server, raw_dir):
    features = geoboundaries_features()
    features[0]["properties"]["shapeID"] = "84948121B1"
    server.body = geojson_bytes(features)
    with pytest.raises(NetworkError, match="another release"):
        fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    assert nothing_written(raw_dir)


def test_http_refusal_is_one_line(server, raw_dir):
    server.status = 403
    with pytest.raises(NetworkError, match="HTTP 403"):
        fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    assert nothing_written(raw_dir)


def test_server_down_is_exit_2_and_nothing_written(raw_dir):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError, match="cannot reach geoBoundaries") as err:
        fetch.fetch_boundaries(f"http://127.0.0.1:{port}/api/", raw_dir=raw_dir)
    assert err.value.exit_code == 2
    assert nothing_written(raw_dir)


def test_a_timeout_is_one_line(server, raw_dir, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT", 0.3)
    server.delay = 1.5
    with pytest.raises(NetworkError, match="did not answer within 0.3 s"):
        fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    assert nothing_written(raw_dir)


def test_a_failed_register_keeps_the_previous_file(server, raw_dir, monkeypatch):
    fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    before = (raw_dir / REL).read_bytes()
    register_before = (raw_dir / "sources.yml").read_text(encoding="utf-8")
    features = geoboundaries_features()
    features[0]["geometry"]["coordinates"][0][0][0] += 0.01  # same provinces, other bytes
    features[0]["geometry"]["coordinates"][0][-1][0] += 0.01
    server.body = geojson_bytes(features)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("analysis.sources.register.register_source", broken)
    with pytest.raises(OSError, match="disk full"):
        fetch.fetch_boundaries(api(server), raw_dir=raw_dir)
    assert (raw_dir / REL).read_bytes() == before
    assert (raw_dir / "sources.yml").read_text(encoding="utf-8") == register_before
    check_register(raw_dir)


def test_cli_offline_prints_one_line_and_exits_2(raw_dir, monkeypatch):
    monkeypatch.setattr("analysis.sources.register.RAW_DIR", raw_dir)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(app, ["fetch", "boundaries", "--url",
                                      f"http://127.0.0.1:{port}/api/"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("error: cannot reach geoBoundaries")
    assert nothing_written(raw_dir)


def test_cli_success_says_where(server, raw_dir, monkeypatch):
    monkeypatch.setattr("analysis.sources.register.RAW_DIR", raw_dir)
    result = CliRunner().invoke(app, ["fetch", "boundaries", "--url", api(server)])
    assert result.exit_code == 0, result.output
    assert PINNED_BOUNDARY_ID in result.output and "registered" in result.output
    assert (raw_dir / REL).is_file()


def test_only_http_addresses(raw_dir):
    from analysis.core.errors import ParameterError

    with pytest.raises(ParameterError, match="http"):
        fetch.fetch_boundaries("file:///etc/passwd", raw_dir=raw_dir)
