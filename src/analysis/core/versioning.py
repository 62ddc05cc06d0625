"""Which code made an output: the git commit and a hash of the package's code and data.

``build.json`` and ``run.json`` both record these, so one function serves both.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

from analysis.core.config import PACKAGE_DIR, PROJECT_ROOT

#: Files whose change alters what the package computes or renders.
CODE_SUFFIXES = frozenset({".py", ".yml", ".yaml", ".csv", ".json", ".j2", ".js", ".css", ".txt"})


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_hash(package_dir: Path = PACKAGE_DIR, suffixes: Iterable[str] = CODE_SUFFIXES) -> str:
    """SHA-256 over the package's code and package data (names and contents)."""
    wanted = frozenset(suffixes)
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or path.suffix not in wanted or "__pycache__" in path.parts:
            continue
        digest.update(f"{path.relative_to(package_dir).as_posix()}\0{sha256_file(path)}\n"
                      .encode())
    return digest.hexdigest()


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checked-out commit (read-only ``git rev-parse``), or ``None`` outside a git clone."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) == 40 else None
