"""Atomic writes: every output goes to a temporary file beside it, then is renamed into place.

A crash, a SIGKILL or an exception part-way leaves the previous file byte-identical.
``atomic_outputs`` groups several files: all are written to temporaries first and renamed
only when every one was written, so readers never see a mix of old and new tables.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
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

    The staging folder ``.staging-<random>`` is recorded by an ownership marker beside it,
    ``.staging-<random>.nq42-staging``, written before the folder is made. Leftovers of a
    killed writer are removed only when they carry such a marker: folders or ``.tmp`` files
    that this program did not create are never touched. One writer per folder at a time:
    callers hold :func:`analysis.core.lock.exclusive` on ``folder`` (``nq42 build`` does).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    staging, marker = _new_staging(folder)
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
        shutil.rmtree(staging, ignore_errors=True)
        if not staging.exists():
            marker.unlink(missing_ok=True)


#: Suffix of the marker that records a staging folder as ours.
STAGING_MARKER_SUFFIX = ".nq42-staging"
_STAGING_PREFIX = ".staging-"
_MARKER_TEXT = ("nq42: staging folder {name} was made by analysis.core.atomic.atomic_outputs; "
                "it and this marker are removed by the next build\n")


def _new_staging(folder: Path) -> tuple[Path, Path]:
    """A new staging folder and its ownership marker (the marker is written first)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        name = _STAGING_PREFIX + secrets.token_hex(6)
        marker = folder / (name + STAGING_MARKER_SUFFIX)
        try:
            fd = os.open(marker, flags, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_MARKER_TEXT.format(name=name))
        staging = folder / name
        try:
            staging.mkdir(mode=0o700)
        except FileExistsError:  # a folder of that name that is not ours: leave it alone
            marker.unlink(missing_ok=True)
            continue
        return staging, marker
    raise FileExistsError(f"no free staging folder name in {folder}")  # pragma: no cover


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the staging folders of killed writers: only those recorded by our marker.

    A ``.staging-x`` folder is removed only when ``.staging-x.nq42-staging`` is a regular
    file (not a link) holding exactly the text we write; ``.tmp`` files and unmarked folders
    are left alone. Returns the names of the folders removed."""
    removed = []
    with contextlib.suppress(OSError):
        names = [p.name for p in folder.iterdir()]
        for marker_name in names:
            if not (marker_name.startswith(_STAGING_PREFIX)
                    and marker_name.endswith(STAGING_MARKER_SUFFIX)):
                continue
            name = marker_name[: -len(STAGING_MARKER_SUFFIX)]
            marker = folder / marker_name
            if not _is_our_marker(marker, name):
                continue
            staging = folder / name
            if staging.is_dir() and not staging.is_symlink():
                shutil.rmtree(staging, ignore_errors=True)
                removed.append(name)
            if not staging.exists() and not staging.is_symlink():
                marker.unlink(missing_ok=True)
    return removed


def _is_our_marker(marker: Path, name: str) -> bool:
    try:
        if marker.is_symlink() or not marker.is_file() or marker.stat().st_size > 4096:
            return False
        return marker.read_text(encoding="utf-8") == _MARKER_TEXT.format(name=name)
    except (OSError, UnicodeDecodeError):
        return False


def _pause_for_tests(staging: Path) -> None:
    """Test hook: with ``NQ42_TEST_PAUSE_BEFORE_PUBLISH=<file>`` set, write that file once
    everything is staged and wait, so a test can SIGKILL the writer at that exact moment."""
    marker = os.environ.get("NQ42_TEST_PAUSE_BEFORE_PUBLISH")
    if marker:
        import time

        Path(marker).write_text(str(staging), encoding="utf-8")
        time.sleep(120)
