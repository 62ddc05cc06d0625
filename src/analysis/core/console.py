"""The rich console every command prints its output with."""

from __future__ import annotations

import sys

from rich.console import Console


def console_for_cli() -> Console:
    """A rich console for command output: full width in a terminal, 160 columns in a log."""
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, width=width)
