"""Fuzzing the readers: random bytes, truncations and byte flips of valid files.

Whatever the bytes, reading either succeeds (and accounts for every row) or raises the
project's DataError naming the file — never UnicodeDecodeError, KeyError, BadZipFile,
IndexError, a pandas or pyarrow error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import DataError
from analysis.ingest import read_with_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = sorted(p for p in (FIXTURES / "ingest").iterdir()
               if p.suffix in (".csv", ".json", ".xlsx"))
SUFFIXES = (".csv", ".json", ".xlsx", ".xls", ".txt")
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=250,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def read_or_refuse(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory(prefix="nq42-fuzz-") as tmp:
        path = Path(tmp) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            result = read_with_report(path)
        except DataError as err:
            assert err.file is not None and Path(err.file).name == path.name, str(err)
            assert str(err).strip(), "an empty error message"
            return
        assert result.rows_read == (result.rows_kept + result.rows_quarantined
                                    + result.rows_dropped_as_aggregates)


def test_the_seeds_are_there():
    assert len(SEEDS) >= 20


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_read_or_raise_data_error(data: bytes, suffix: str):
    read_or_refuse(data, suffix)


@FUZZ
@given(seed=st.sampled_from(SEEDS), cut=st.floats(0.0, 1.0))
def test_truncated_files_read_or_raise_data_error(seed: Path, cut: float):
    data = seed.read_bytes()
    read_or_refuse(data[: int(len(data) * cut)], seed.suffix)


@FUZZ
@given(seed=st.sampled_from(SEEDS), flips=st.lists(st.tuples(st.floats(0.0, 1.0),
                                                             st.integers(0, 255)),
                                                   min_size=1, max_size=8))
def test_files_with_flipped_bytes_read_or_raise_data_error(seed: Path,
                                                           flips: list[tuple[float, int]]):
    data = bytearray(seed.read_bytes())
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    read_or_refuse(bytes(data), seed.suffix)


@pytest.mark.parametrize("text", ["province,year\n", "\ufeff;;;\n1;2;3\n", '{"class": 1}',
                                  "Địa phương,2024\nHà Nội,\"\n", "a\tb\n\x00\x00\n"])
def test_hand_picked_fragments(text: str):
    read_or_refuse(text.encode("utf-8"), ".csv")
