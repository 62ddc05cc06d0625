"""Property tests: a better latest value never gives a worse status."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue.methods import STATUS_ORDER
from analysis.progress import LINEAR, STATCAN, evaluate, needs_linear

RANK = {s: i for i, s in enumerate(STATUS_ORDER)}  # 0 = achieved (best)

values = st.floats(min_value=-500, max_value=500, allow_nan=False).map(lambda v: round(v, 3))
steps = st.floats(min_value=0, max_value=300, allow_nan=False).map(lambda v: round(v, 3))
years = st.tuples(st.integers(2015, 2024), st.integers(1, 10), st.integers(0, 15))
comparisons_up = st.sampled_from([">=", ">", "="])
comparisons_down = st.sampled_from(["<=", "<", "="])


kinds = st.sampled_from(["level", "annual"])


def status(y0: float, yi: float, target: float, comparison: str, d: int, t: tuple,
           kind: str) -> str:
    t0, gap, horizon = t
    method = LINEAR if needs_linear(y0, target, yi) else STATCAN
    return evaluate(kind=kind, method=method, comparison=comparison, direction=d,
                    base_year=t0, base_value=y0, latest_year=t0 + gap, latest_value=yi,
                    target_value=target, target_year=t0 + horizon, n_points=2).status


@settings(max_examples=400, deadline=None)
@given(values, values, values, steps, comparisons_up, years, kinds)
def test_higher_is_better_raising_the_latest_value_never_worsens_the_status(
        y0, yi, target, up, comparison, t, kind):
    before = status(y0, yi, target, comparison, 1, t, kind)
    after = status(y0, yi + up, target, comparison, 1, t, kind)
    assert RANK[after] <= RANK[before], (before, after)


@settings(max_examples=400, deadline=None)
@given(values, values, values, steps, comparisons_down, years, kinds)
def test_lower_is_better_lowering_the_latest_value_never_worsens_the_status(
        y0, yi, target, down, comparison, t, kind):
    before = status(y0, yi, target, comparison, -1, t, kind)
    after = status(y0, yi - down, target, comparison, -1, t, kind)
    assert RANK[after] <= RANK[before], (before, after)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.1, 500), st.floats(0.1, 500), st.floats(0.1, 500), steps, years)
def test_positive_series_raising_the_latest_value_never_lowers_the_ratio(y0, yi, target, up, t):
    t0, gap, horizon = t
    kw = dict(kind="level", method=STATCAN, comparison=">=", direction=1, base_year=t0,
              base_value=y0, latest_year=t0 + gap, target_value=target,
              target_year=t0 + max(horizon, 1), n_points=2)
    r1 = evaluate(latest_value=yi, **kw).progress_ratio
    r2 = evaluate(latest_value=yi + up, **kw).progress_ratio
    assert r2 >= r1 or (r1 != r1 and r2 != r2)  # NaN only when the base already equals the target
