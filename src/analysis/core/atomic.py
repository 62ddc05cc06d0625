"""Atomic writes: every output goes to a temporary file beside it, then is renamed into place.

A crash, a SIGKILL or an exception part-way leaves the previous file byte-identical.
``atomic_outputs`` groups several files: all are written to temporaries first and renamed
only when every one was written, so readers never see a mix of old and new tables.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # noqa: PTH123 - need the descriptor for fsync
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would, so
        # reports copied to a shared folder or served stay readable by others.
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write text atomically (UTF-8, ``\\n`` line ends)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding, newline="\n")


def write_bytes(target: str | Path, data: bytes) -> None:
    """Write bytes atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_outputs(folder: str | Path) -> Iterator[Callable[[str], Path]]:
    """Stage several outputs of one folder and publish them together.

    Usage::

        with atomic_outputs(out_dir) as stage:
            df.to_parquet(stage("observations.parquet"))
            quarantine.to_csv(stage("quarantine.csv"))
        # both renamed into place here, only if the block raised nothing

    Renames happen one after the other (POSIX has no multi-file transaction); each file is
    itself always whole.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    staged: dict[str, Path] = {}

    def stage(name: str) -> Path:
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        staged[name] = path
        return path

    try:
        yield stage
        _pause_for_tests(staging)
        for path in staged.values():
            if path.exists():
                with open(path, "rb+") as fh:  # noqa: PTH123
                    os.fsync(fh.fileno())
        for name, path in staged.items():
            if path.exists():
                dest = folder / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
        _fsync_dir(folder)
    finally:
        for path in sorted(staging.rglob("*"), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        staging.rmdir()


def _remove_leftovers(folder: Path) -> None:
    """Staging folders and temporaries left by a killed writer (never published: safe to drop).

    One writer per folder at a time is assumed (``nq42 build`` is not run twice at once)."""
    import shutil

    for path in folder.glob(".staging-*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def _pause_for_tests(staging: Path) -> None:
    """Test hook: with ``NQ42_TEST_PAUSE_BEFORE_PUBLISH=<file>`` set, write that file once
    everything is staged and wait, so a test can SIGKILL the writer at that exact moment."""
    marker = os.environ.get("NQ42_TEST_PAUSE_BEFORE_PUBLISH")
    if marker:
        import time

        Path(marker).write_text(str(staging), encoding="utf-8")
        time.sleep(120)
