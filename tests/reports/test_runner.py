"""The batch runner end to end: failures isolated, timeouts, dead kernels, incremental runs.

These tests start real kernels on the fixture notebooks (tests/fixtures/notebooks) and the
synthetic data of tests.fakes; each keeps to a few reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.core.errors import ParameterError
from analysis.reports import runner
from analysis.reports.runner import run_reports
from tests.reports.conftest import notebooks_with

slow = pytest.mark.slow


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Run from the test's folder, as a user runs from the project folder."""
    monkeypatch.chdir(tmp_path)


def run(out: Path, processed: Path, notebooks: Path, **kw):
    kw.setdefault("langs", "vi")
    kw.setdefault("jobs", 2)
    kw.setdefault("timeout", 120)
    return run_reports(out=out, processed_dir=processed, notebooks_dir=notebooks,
                       show_progress=False, **kw)


def entries(out: Path) -> dict[str, dict]:
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in document["reports"]}


def no_local_paths(out: Path, *folders: Path) -> None:
    for path in out.rglob("*"):
        if path.suffix in (".html", ".json", ".ipynb"):
            text = path.read_text(encoding="utf-8")
            for folder in folders:
                assert str(folder) not in text, f"{folder} appears in {path.name}"


class NoPool:
    def __init__(self, *args, **kwargs):
        raise AssertionError("a worker pool (kernels) was started")


def test_bad_parameters_are_refused_before_anything_starts(processed, fixture_notebooks,
                                                           tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "WorkerPool", NoPool)
    out = tmp_path / "out"
    with pytest.raises(ParameterError) as info:
        run(out, processed, fixture_notebooks, provinces="01,99", langs="vi,fr", year=1990)
    message = info.value.message
    assert "'99'" in message and "'fr'" in message and "1990" in message
    assert not out.exists()


def test_cli_prints_one_line_for_bad_parameters():
    from analysis.cli import app

    result = CliRunner().invoke(app, ["reports", "--provinces", "99", "--lang", "vi,xx"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "'99'" in result.output and "'xx'" in result.output


@slow
def test_a_failing_report_leaves_the_others_rendered(processed, tmp_path, monkeypatch,
                                                     capsys):
    import pytest_socket

    notebooks = notebooks_with(tmp_path / "nb", "raises.py")
    out = tmp_path / "out"

    def with_test_folders(**kw):
        return run_reports(**kw, processed_dir=processed, notebooks_dir=notebooks)

    monkeypatch.setattr(runner, "run_reports", with_test_folders)
    pytest_socket.disable_socket()  # nq42 reports uses no network (kernels talk over pipes)
    try:
        status = runner.cli_reports(lang="vi", provinces="01,79", out=out, jobs=2, timeout=120)
    finally:
        pytest_socket.enable_socket()
    assert status == 1
    printed = capsys.readouterr().out
    assert "FAILED vi/provinces/79-ho-chi-minh" in printed and "lỗi cố ý" in printed

    reports = entries(out)
    failed = reports["vi/provinces/79-ho-chi-minh"]
    assert failed["status"] == "failed"
    assert failed["error"]["kind"] == "cell_error"
    assert failed["error"]["message"] == "ValueError: lỗi cố ý cho tỉnh 79 (test)"
    assert failed["error"]["cell_index"] == 3
    assert failed["error"]["cell_source"] == 'if province_code == "79":'
    assert failed["failed_notebook"] == "vi/notebooks/province-79-ho-chi-minh.failed.ipynb"
    assert (out / failed["failed_notebook"]).is_file()
    assert not (out / failed["html"]).exists()
    for report_id in ("vi/national", "vi/provinces/01-ha-noi"):
        assert reports[report_id]["status"] == "ok"
        assert (out / reports[report_id]["html"]).is_file()
        assert (out / reports[report_id]["notebook"]).is_file()
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert document["counts"] == {"ok": 2, "skipped": 0, "failed": 1, "total": 3}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "lỗi cố ý cho tỉnh 79 (test)" in index
    assert "province-79-ho-chi-minh.failed.ipynb" in index
    assert 'href="vi/provinces/01-ha-noi.html"' in index
    no_local_paths(out, tmp_path, Path.home())


@slow
def test_second_run_skips_everything_and_changed_data_rerender(processed, fixture_notebooks,
                                                               tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run(out, processed, fixture_notebooks, provinces="01", jobs=1)
    assert first.counts == {"ok": 2, "skipped": 0, "failed": 0, "total": 2}
    html = out / "vi/provinces/01-ha-noi.html"
    stamp = html.stat().st_mtime_ns

    with monkeypatch.context() as m:
        m.setattr(runner, "WorkerPool", NoPool)
        second = run(out, processed, fixture_notebooks, provinces="01")
    assert second.counts == {"ok": 0, "skipped": 2, "failed": 0, "total": 2}
    assert html.stat().st_mtime_ns == stamp
    skipped = entries(out)["vi/provinces/01-ha-noi"]
    assert skipped["rendered_in_run"] == first.run_id and skipped["status"] == "skipped"

    build = json.loads((processed / "build.json").read_text(encoding="utf-8"))
    build["build_id"] = "fake-0002"
    (processed / "build.json").write_text(json.dumps(build), encoding="utf-8")
    third = run(out, processed, fixture_notebooks, provinces="01", jobs=1)
    assert third.counts["ok"] == 2 and html.stat().st_mtime_ns != stamp

    forced = run(out, processed, fixture_notebooks, provinces="01", force=True, jobs=1)
    assert forced.counts["ok"] == 2


@slow
def test_a_report_past_its_timeout_fails_alone(processed, tmp_path):
    notebooks = notebooks_with(tmp_path / "nb", "sleeps.py")
    out = tmp_path / "out"
    result = run(out, processed, notebooks, provinces="01,04", timeout=6)
    reports = entries(out)
    late = reports["vi/provinces/01-ha-noi"]
    assert late["status"] == "failed" and late["error"]["kind"] == "timeout"
    assert "6 s" in late["error"]["message"]
    assert late["error"]["cell_source"] == "import time"
    assert late["duration_s"] < 60
    assert reports["vi/provinces/04-cao-bang"]["status"] == "ok"
    assert reports["vi/national"]["status"] == "ok"
    assert result.exit_code == 1


@slow
def test_a_dead_kernel_is_retried_once(processed, tmp_path):
    notebooks = notebooks_with(tmp_path / "nb", "dies.py")
    out = tmp_path / "out"
    result = run(out, processed, notebooks, provinces="01,04")
    reports = entries(out)
    once = reports["vi/provinces/04-cao-bang"]
    assert once["status"] == "ok" and once["attempts"] == 2
    always = reports["vi/provinces/01-ha-noi"]
    assert always["status"] == "failed" and always["attempts"] == 2
    assert always["error"]["kind"] == "dead_kernel"
    assert "tried twice" in always["error"]["message"]
    assert reports["vi/national"]["status"] == "ok" and reports["vi/national"]["attempts"] == 1
    assert result.exit_code == 1


@slow
def test_a_reused_kernel_looks_fresh_to_the_next_report(processed, tmp_path):
    notebooks = notebooks_with(tmp_path / "nb", "state.py")
    out = tmp_path / "out"
    result = run(out, processed, notebooks, provinces="01,04", jobs=1)
    reports = entries(out)
    assert reports["vi/provinces/04-cao-bang"]["status"] == "ok", \
        reports["vi/provinces/04-cao-bang"]["error"]
    assert result.exit_code == 0
    executed = json.loads((out / "vi/notebooks/province-04-cao-bang.ipynb").read_text("utf-8"))
    counts = [c.get("execution_count") for c in executed["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # numbered as in a fresh kernel
    assert executed["metadata"]["papermill"]["input_path"] == "nb/province_report.py"


def test_a_second_run_into_the_same_folder_is_refused(processed, fixture_notebooks, tmp_path,
                                                      monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(runner, "WorkerPool", NoPool)
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".nq42-reports.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ParameterError, match="another `nq42 reports` run"):
            run(out, processed, fixture_notebooks, provinces="01")


def test_log_lines_give_the_remaining_time_readably():
    from analysis.reports.display import eta as _eta

    assert [_eta(s) for s in (4.6, 59.4, 60, 200)] == ["5 s", "59 s", "1 min 00 s", "3 min 20 s"]
