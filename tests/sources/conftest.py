"""Fixtures of the source tests (register, readers, boundaries, downloads)."""

# the map fixtures (tests/geo.py); isolated_cache is autouse: no test here writes data/processed
from tests.geo import (  # noqa: F401
    fake_boundaries,
    geo34_reference,
    geo63_file,
    isolated_cache,
    no_default_boundaries,
)
