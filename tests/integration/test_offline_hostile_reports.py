"""End to end: hostile text in a raw file, built and rendered with the network unplugged.

A raw file whose register title, producer and notes carry HTML and spreadsheet formulas goes
through ``nq42 build`` and ``nq42 reports`` run as the user runs them (subprocesses), with
every Python process (the CLI, the pool's workers, each notebook kernel) refusing any
connection other than loopback. The pages must show the text as text, run none of it, keep
formulas out of the CSV downloads, and name no local path or user.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.core.config import PROJECT_ROOT, RAW_DIR
from analysis.sources.register import sha256_file

pytestmark = [pytest.mark.slow]

TITLE = "Số liệu Sở Xây dựng <script>alert('title')</script>"
CITATION = "=HYPERLINK(\"http://evil.example\",\"Báo cáo\") <script>alert('citation')</script>"
PRODUCER = "Sở Xây dựng <img src=x onerror=alert('producer')>"
NOTE = "=HYPERLINK(\"http://evil.example\",\"x\") </script><script>alert('note')</script>"
HOSTILE_RAW = ("<script>alert(", "<img src=x", "</script><script>")
HOSTILE_FILE = "ministry/so_xay_dung_ha_noi.csv"

# Installed through PYTHONPATH as sitecustomize: every Python process started by the CLI
# (workers, kernels) inherits it. Loopback stays open (kernels talk to ZMQ on 127.0.0.1).
GUARD = '''
import os, socket, sys
_LOG = os.environ["NQ42_TEST_NET_LOG"]
_LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0", "")
def _record(what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {what}\\n")
def _hook(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and address and address[0] not in _LOCAL:
            _record(f"connect {address!r}")
            raise OSError("network blocked by the test")
    elif event == "socket.getaddrinfo":
        if args and args[0] not in _LOCAL and not str(args[0]).startswith("127."):
            _record(f"getaddrinfo {args[0]!r}")
            raise OSError("network blocked by the test")
sys.addaudithook(_hook)
with open(_LOG + ".loaded", "a", encoding="utf-8") as _fh:  # which processes were guarded
    _fh.write(" ".join(sys.orig_argv[1:4]) + "\\n")
'''


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _hostile_raw(data: Path) -> None:
    """data/raw copied, plus one registered template file full of hostile text."""
    shutil.copytree(RAW_DIR, data / "raw")
    path = data / "raw" / HOSTILE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(
        "Tỉnh/Thành phố,Năm,Chỉ tiêu,Giá trị,Tử số,Mẫu số,Đơn vị,Nguồn,Nguồn gốc,Ghi chú\n"
        f"Thành phố Hà Nội,2021,social_housing_units_completed,1200,,,căn,"
        f"{_quoted(CITATION)},chính thức,{_quoted(NOTE)}\n",
        encoding="utf-8")
    register = data / "raw" / "sources.yml"
    entries = yaml.safe_load(register.read_text(encoding="utf-8"))
    entries[HOSTILE_FILE] = {
        "title": TITLE, "producer": PRODUCER, "provenance": "official",
        "date_accessed": "2026-11-28", "licence": "unknown <b>bold</b>",
        "url": "javascript:alert('url')", "sha256": sha256_file(path), "format": "template",
        "geo_version": "vn63"}
    register.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("offline-hostile")
    data = tmp / "data"
    _hostile_raw(data)
    guard_dir = tmp / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    net_log = tmp / "network.log"
    net_log.write_text("", encoding="utf-8")
    env = {**os.environ, "NQ42_DATA_DIR": str(data), "NQ42_TEST_NET_LOG": str(net_log),
           "PYTHONPATH": os.pathsep.join([str(guard_dir), str(PROJECT_ROOT / "src")])}
    build = _run(["build"], env, tmp)
    out = tmp / "reports"
    reports = _run(["reports", "--provinces", "01", "--lang", "vi,en", "--jobs", "2",
                    "--out", str(out)], env, tmp)
    loaded = Path(f"{net_log}.loaded")
    return {"tmp": tmp, "data": data, "out": out, "build": build, "reports": reports,
            "network": net_log.read_text(encoding="utf-8"),
            "guarded": loaded.read_text(encoding="utf-8") if loaded.exists() else ""}


def test_the_guard_really_blocks_a_connection(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NQ42_TEST_NET_LOG": str(log)}
    probe = ("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
             "except OSError as e:\n    print('refused', e)\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True)
    assert "network blocked by the test" in out.stdout
    assert "192.0.2.1" in log.read_text(encoding="utf-8")


def test_build_and_reports_succeed_with_the_network_unplugged(offline_run):
    build, reports = offline_run["build"], offline_run["reports"]
    assert build.returncode == 0, build.stdout + build.stderr
    assert reports.returncode == 0, reports.stdout + reports.stderr
    assert "Traceback" not in build.stderr + reports.stderr
    assert offline_run["network"] == "", offline_run["network"]
    # the guard was in force in the CLI and in the notebook kernels, not only in pytest
    guarded = offline_run["guarded"]
    assert "-m analysis build" in guarded and "-m analysis reports" in guarded, guarded
    assert "ipykernel" in guarded, guarded
    run = json.loads((offline_run["out"] / "run.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert len(run["reports"]) == 4  # national + Hà Nội, vi and en


def test_the_hostile_row_was_kept_with_its_citation(offline_run):
    import pandas as pd

    obs = pd.read_parquet(offline_run["data"] / "processed" / "observations.parquet")
    kept = obs[obs["source_id"] == HOSTILE_FILE]
    assert set(kept["year"]) == {2021} and set(kept["value"]) == {1200.0}
    info = json.loads((offline_run["data"] / "processed" / "build.json").read_text("utf-8"))
    assert info["sources"][HOSTILE_FILE]["citations"] == [CITATION]


def _pages(out: Path) -> list[Path]:
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 5  # index + 4 reports
    return pages


def test_hostile_text_is_shown_as_text_never_as_markup(offline_run):
    seen_escaped = False
    for page in _pages(offline_run["out"]):
        html = page.read_text(encoding="utf-8")
        for raw in HOSTILE_RAW:
            assert raw not in html, f"{page.name}: {raw}"
        assert 'href="javascript:' not in html.lower()
        seen_escaped |= "&lt;script&gt;alert(" in html
    assert seen_escaped, "the hostile source title appears in no page at all"


def _csv_downloads(html: str) -> list[str]:
    from analysis.reports.export import page_downloads

    assert "data:text/csv" not in html  # every download is packed
    return [data.decode("utf-8-sig") for name, data in page_downloads(html).items()
            if name.endswith(".csv")]


def test_csv_downloads_carry_no_formula(offline_run):
    downloads = []
    for page in _pages(offline_run["out"]):
        downloads += _csv_downloads(page.read_text(encoding="utf-8"))
    assert downloads, "no CSV download found under the charts"
    for text in downloads:
        for line in text.splitlines():
            for cell in line.split(","):
                assert not cell.lstrip('"').startswith(("=", "+", "@")), cell


def test_no_local_path_or_user_name_in_any_report(offline_run):
    tmp = str(offline_run["tmp"])
    secrets = {tmp, str(PROJECT_ROOT), str(Path.home())}
    user = getpass.getuser()
    outputs = [*_pages(offline_run["out"]), *offline_run["out"].rglob("*.ipynb")]
    assert outputs
    for path in outputs:
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{path.name} shows {secret}"
        assert "/home/" not in text and "/root/" not in text, path.name
        if user != "root":  # "root" is also an ordinary word; its home is checked above
            assert not re.search(rf"\b{re.escape(user)}\b", text), f"{path.name}: {user}"


def test_the_national_page_runs_no_injected_script_in_a_browser(offline_run):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("NQ42_REQUIRE_BROWSER") == "1":
            pytest.fail("NQ42_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    dialogs, external = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium),
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            for page_path in _pages(offline_run["out"]):
                page = browser.new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    ("file:", "data:", "blob:", "about:")) else (external.append(r.request.url),
                                                                 r.abort()))
                page.goto(page_path.as_uri())
                if page.locator(".nq42-plot").count():  # unpacked and drawn (or failed)
                    page.wait_for_selector("html[data-nq42-figures]", state="attached",
                                           timeout=30_000)
                    assert page.get_attribute("html", "data-nq42-figures") == "drawn", page_path
                page.wait_for_timeout(300)
                page.close()
        finally:
            browser.close()
    assert dialogs == []
    assert external == []
