"""The one exception type users can cause, and how the CLI shows it.

Every error a user can provoke (a bad file, an unknown province, a bad parameter) is an
``analysis.DataError``: its message says *what* went wrong and *where* (file, row, cell).
The CLI prints the message without a traceback and exits with status 1 (2 for network
problems in ``nq42 fetch``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class DataError(Exception):
    """A problem with the user's input, described for the user.

    Attributes:
        file: the file concerned, if any (shown relative to the working directory).
        row: 1-based row number in the file as a spreadsheet would show it, if known.
        column: column name or spreadsheet cell reference, if known.
        problem: what is wrong, in one sentence.
    """

    exit_code = 1

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.message)

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(_display_path(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" if not _is_cell_ref(self.column) else f"cell {self.column}")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:  # keep str(err) == message even after attribute changes
        return self.message


class ParameterError(DataError):
    """A command-line or notebook parameter that is not valid (unknown code, language, year)."""


class NetworkError(DataError):
    """A download that could not be made (offline, refused, timed out)."""

    exit_code = 2


class UnmatchedNamesError(DataError):
    """Province names that resolve to no province (or to more than one)."""

    def __init__(self, names: Iterable[str], *, geo_version: str, file: str | Path | None = None,
                 details: dict[str, str] | None = None) -> None:
        self.names = sorted(set(names))
        self.details = details or {}
        listed = "; ".join(
            f"{_short(n)!r} ({self.details[n]})" if n in self.details else repr(_short(n))
            for n in self.names
        )
        super().__init__(
            f"{len(self.names)} province name(s) not recognised for {geo_version}: {listed}",
            file=file,
            hint="add the spelling to src/analysis/catalogue/reference/province_aliases.csv, or check --geo",
        )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_cell_ref(text: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Z]{1,3}[0-9]{1,7}", text))


def _display_path(path: str) -> str:
    """Show a path relative to the working directory when it is inside it (no user names)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return p.name if p.is_absolute() else str(p)
