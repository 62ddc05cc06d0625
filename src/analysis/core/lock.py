"""Output-folder locks: one run of a command writes into a folder at a time.

``nq42 build`` and ``nq42 reports`` both use :func:`exclusive`. The lock is an advisory
``flock`` on a file in the folder; the file records who holds it (pid, start time, command)
so a refused run can say so. A lock file whose holder died (SIGKILL) is free again at once:
the kernel drops the ``flock`` with the process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

from analysis.core.errors import ParameterError

__all__ = ["exclusive", "holder_of"]


@contextlib.contextmanager
def exclusive(folder: str | Path, lock_name: str, command: str, *, shown: str | None = None,
              remove_when_done: bool = False) -> Iterator[None]:
    """Hold the lock ``folder/lock_name`` for ``command`` (e.g. ``"nq42 build"``).

    Args:
        folder: the output folder (created if missing).
        lock_name: the lock file's name in ``folder``.
        command: the command named in the refusal.
        shown: how the refusal names the folder (default: the path as given).
        remove_when_done: delete the lock file when released (the folder is left as it was).

    Raises:
        ParameterError: another process holds the lock; the message names the command, the
            folder and, when recorded, the holder's pid and start time.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here
        yield
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / lock_name
    fd = _acquire(path, fcntl, command, shown if shown is not None else str(folder))
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, _record(command).encode("utf-8"), 0)
        yield
    finally:
        if remove_when_done:
            with contextlib.suppress(OSError):
                path.unlink()  # still holding the lock: nobody can hold this inode meanwhile
        else:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path, fcntl, command: str, shown: str) -> int:  # noqa: ANN001 - module
    """Open and lock ``path``; retry when the file was replaced or removed meanwhile (a
    holder that removes its lock file when done), so two runs never lock two inodes."""
    for _ in range(50):
        # O_CREAT without O_TRUNC: a refused run must not erase the holder's record
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = holder_of(fd)
            os.close(fd)
            raise ParameterError(f"another `{command}` run is writing into {shown}"
                                 + (f" ({holder})" if holder else "")
                                 + "; wait for it or choose another --out") from None
        try:
            same = os.path.samestat(os.fstat(fd), path.lstat())
        except OSError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: lock the new one
    raise ParameterError(f"could not take the lock {path.name} in {shown}; "
                         "another run keeps replacing it")


def _record(command: str) -> str:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"pid={os.getpid()}\nstarted={started}\ncommand={command}\n"


def holder_of(fd: int) -> str:
    """``pid 1234, started 2026-01-01T00:00:00Z`` from an open lock file ('' if unrecorded)."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return ""
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    parts = []
    if fields.get("pid", "").strip().isdigit():
        parts.append(f"pid {fields['pid'].strip()}")
    started = fields.get("started", "").strip()
    if re.fullmatch(r"[0-9T:+.Z-]{1,40}", started):
        parts.append(f"started {started}")
    return ", ".join(parts)
