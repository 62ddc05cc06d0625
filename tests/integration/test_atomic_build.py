"""A build killed with SIGKILL, or run with the network unplugged.

(Checksum mismatches, crashes while writing and byte-identical rebuilds are in
tests/ingest/test_build.py.)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.core.config import PROJECT_ROOT, RAW_DIR
from analysis.pipeline.build import OUTPUTS  # every table the build publishes

pytestmark = [pytest.mark.slow]


def digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in OUTPUTS}


def build_cmd(raw: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "analysis", "build", "--raw", str(raw), "--out", str(out)]


@pytest.fixture(scope="module")
def built(tmp_path_factory, default_build) -> tuple[Path, Path]:
    """data/raw copied, and a complete build of it (the session's default build, copied: the
    build is deterministic, so a build of the copy would give the same bytes)."""
    tmp = tmp_path_factory.mktemp("sigkill")
    raw = tmp / "raw"
    shutil.copytree(RAW_DIR, raw)
    out = tmp / "processed"
    shutil.copytree(default_build, out)
    return raw, out


def test_a_build_killed_while_publishing_changes_nothing(built, tmp_path):
    raw, out = built
    before = digests(out)
    marker = tmp_path / "staged"
    env = {**os.environ, "NQ42_TEST_PAUSE_BEFORE_PUBLISH": str(marker)}
    proc = subprocess.Popen(build_cmd(raw, out), env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert proc.poll() is None, "the build ended before staging its outputs"
            assert time.monotonic() < deadline, "the build never staged its outputs"
            time.sleep(0.05)
        staging = Path(marker.read_text(encoding="utf-8"))
        assert sorted(p.name for p in staging.iterdir()) == sorted(OUTPUTS)  # all written
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert digests(out) == before  # every new table was staged, none published
    assert staging.exists()  # the dead build's leftovers...

    again = subprocess.run(build_cmd(raw, out), capture_output=True, text=True, check=False,
                           cwd=PROJECT_ROOT, timeout=600)
    assert again.returncode == 0, again.stderr
    assert not staging.exists()  # ...are cleared by the next build, which does not trip on them
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    after = digests(out)
    for table in ("observations.parquet", "progress.parquet", "quarantine.csv"):
        assert after[table] == before[table], table  # same inputs, same tables


def test_a_build_killed_at_once_changes_nothing(built):
    raw, out = built
    before = digests(out)
    proc = subprocess.Popen(build_cmd(raw, out), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # mid-way through reading the sources
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert digests(out) == before


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_the_build_runs_with_sockets_blocked(built, tmp_path):
    from pytest_socket import SocketBlockedError, disable_socket, enable_socket

    from analysis.pipeline.build import run_build

    raw, out = built
    disable_socket(allow_unix_socket=True)
    try:
        import socket

        with pytest.raises(SocketBlockedError):  # the block is real
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        summary = run_build(raw, tmp_path / "offline")
    finally:
        enable_socket()
    assert digests(tmp_path / "offline")["observations.parquet"] == digests(out)[
        "observations.parquet"]
    assert summary is not None
