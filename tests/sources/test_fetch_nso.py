"""``nq42 fetch nso`` against a local fake PX-Web server (127.0.0.1 only, no internet)."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.errors import NetworkError
from analysis.ingest import read_with_report
from analysis.sources.fetch import nso as fetch_nso
from analysis.sources.register import check_register
from tests.helpers import QuietHandler

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DB_VI = "Dân số và lao động"
DB_EN = "Population and Employment"


class FakePxWeb(QuietHandler):
    """Serves metadata and JSON-stat for the tables in ``self.server.tables``."""

    def _path(self) -> tuple[list[str], dict]:
        parsed = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in parsed.path.split("/") if p]
        return parts, urllib.parse.parse_qs(parsed.query)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        server = self.server
        server.requests.append(("GET", self.path))
        if server.mode == "refuse":
            return self._send(403, b"Forbidden", "text/plain")
        parts, query = self._path()
        # /api/v1/{lang}/...
        lang, rest = parts[2], parts[3:]
        if not rest:
            dbs = [{"dbid": DB_VI if lang == "vi" else DB_EN, "text": "population"}]
            return self._send(200, json.dumps(dbs).encode())
        if len(rest) == 1 and "query" in query:
            wanted = query["query"][0]
            hits = [{"id": f"{t}.px", "path": f"/{rest[0]}", "title": t}
                    for (lg, t) in server.tables if lg == lang and t == wanted]
            return self._send(200, json.dumps(hits).encode())
        table = rest[-1].removesuffix(".px")
        if (lang, table) not in server.tables or rest[:-1] != [rest[0], rest[0]]:
            return self._send(404, b"not found", "text/plain")
        meta = {"title": f"Table {table}", "variables": [
            {"code": "Year", "text": "Year", "values": ["0"], "valueTexts": ["2024"],
             "time": True}]}
        return self._send(200, json.dumps(meta, ensure_ascii=False).encode())

    def do_POST(self) -> None:  # noqa: N802
        server = self.server
        length = int(self.headers.get("Content-Length", 0))
        query = json.loads(self.rfile.read(length))
        server.requests.append(("POST", self.path, query))
        if server.mode == "html":
            return self._send(200, b"<html>Error</html>", "text/html")
        parts, _ = self._path()
        table = parts[-1].removesuffix(".px")
        return self._send(200, server.tables[(parts[2], table)])


@pytest.fixture
def fake_server(nso_samples: Path) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePxWeb)
    server.tables = {
        ("vi", "V02.34"): (nso_samples / "jsonstat/V02.34_vi_labour_force_by_province.json"
                           ).read_bytes(),
        ("en", "E02.01"): (nso_samples / "jsonstat/E02.01.json").read_bytes(),
    }
    server.requests = []
    server.mode = "ok"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/api/v1"


def test_fetch_downloads_registers_and_reads(fake_server, tmp_path: Path) -> None:
    import datetime as dt

    raw = tmp_path / "raw"
    path = fetch_nso.fetch_table("V02.34", lang="vi", base_url=base(fake_server), raw_dir=raw,
                                 today=dt.date(2026, 11, 28))
    assert path == raw / "downloads/nso/V02.34-vi-2026-11-28.json"
    assert path.read_bytes() == fake_server.tables[("vi", "V02.34")]
    post = [r for r in fake_server.requests if r[0] == "POST"][0]
    assert post[2]["response"] == {"format": "json-stat"}
    assert post[2]["query"] == [{"code": "Year", "selection": {"filter": "all",
                                                               "values": ["*"]}}]
    entries = check_register(raw)  # hash verified
    got = entries["downloads/nso/V02.34-vi-2026-11-28.json"]
    assert got["provenance"] == "official" and got["format"] == "jsonstat"
    assert got["url"].startswith(base(fake_server)) and got["url"].endswith("V02.34.px")
    result = read_with_report(path)
    assert result.source_id == "downloads/nso/V02.34-vi-2026-11-28.json"
    assert "register entry" in result.provenance_basis
    assert result.observations["province_code"].nunique() == 64


def test_fetch_finds_the_database_by_searching(fake_server, tmp_path: Path) -> None:
    path = fetch_nso.fetch_table("E02.01", lang="en", base_url=base(fake_server),
                                 raw_dir=tmp_path)
    assert path.name.startswith("E02.01-en-")
    assert any("query=E02.01" in r[1] for r in fake_server.requests if r[0] == "GET")


@pytest.mark.parametrize("mode, message", [("refuse", "HTTP 403"),
                                           ("html", "not JSON")])
def test_refused_or_garbled_answers_write_nothing(fake_server, tmp_path: Path, mode: str,
                                                  message: str) -> None:
    fake_server.mode = mode
    with pytest.raises(NetworkError, match=message) as err:
        fetch_nso.fetch_table("V02.34", base_url=base(fake_server), raw_dir=tmp_path)
    assert err.value.exit_code == 2
    assert not any(tmp_path.rglob("*"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_fails_fast_with_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    with pytest.raises(NetworkError, match="cannot reach the NSO service"):
        fetch_nso.fetch_table("V02.01", base_url=url, raw_dir=tmp_path)
    assert not any(tmp_path.rglob("*"))
    result = CliRunner().invoke(app, ["fetch", "nso", "V02.01", "--url", url])
    assert result.exit_code == 2
    assert result.output.count("\n") <= 2 and "Traceback" not in result.output


def test_bad_parameters_are_parameter_errors(tmp_path: Path) -> None:
    from analysis.core.errors import ParameterError

    with pytest.raises(ParameterError, match="language"):
        fetch_nso.fetch_table("V02.01", lang="fr", raw_dir=tmp_path)
    with pytest.raises(ParameterError, match="table id"):
        fetch_nso.fetch_table("../../etc", raw_dir=tmp_path)
