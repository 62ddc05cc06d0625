"""``python -m analysis`` is the same as the ``nq42`` command."""

from analysis.cli import main

main()
