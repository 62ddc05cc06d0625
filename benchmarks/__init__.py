"""Benchmarks (``make bench``): speed, memory and size goals live here, not in timed tests."""
