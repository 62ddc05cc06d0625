"""Outputs get the permissions an ordinary file would: readable by the team, not 0600."""

from __future__ import annotations

import os
import stat

from analysis.core.atomic import atomic_outputs, write_text


def test_atomic_writes_follow_the_umask_not_mkstemps_private_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "báo-cáo.html", "<p>Hà Nội</p>")
        with atomic_outputs(tmp_path / "out") as stage:
            stage("observations.csv").write_text("a\n", encoding="utf-8")
    finally:
        os.umask(old)
    for path in (tmp_path / "báo-cáo.html", tmp_path / "out" / "observations.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    assert (tmp_path / "báo-cáo.html").read_text(encoding="utf-8") == "<p>Hà Nội</p>"
