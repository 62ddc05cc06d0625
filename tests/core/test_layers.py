"""The layer contract in pyproject.toml holds, and it covers every folder of the package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "analysis"


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_every_folder_of_the_package_is_a_layer() -> None:
    folders = {f"analysis.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    assert set(layers) == folders, (
        f"add to [tool.importlinter] layers: {sorted(folders - set(layers))}; "
        f"remove: {sorted(set(layers) - folders)}")


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
