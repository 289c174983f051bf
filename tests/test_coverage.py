"""The fast version of benchmarks/coverage.py for the claims' own interval code: the same
simulations (C5's random-date placebo, C8's Hodrick 1B, non-overlapping and recession-dummy fits) at a
few hundred replications, each against its nominal level. The benchmark runs 1,000-2,000 and its
table is in docs/methods.md; tests/test_stats.py holds the fast checks of the generic methods."""

from __future__ import annotations

import warnings

import numpy as np
import pytest


def share(one, reps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(np.mean([one(rng) for _ in range(reps)]))


# tolerances: 6 points, about 3-4 Monte Carlo standard errors at these replications


def test_c5_placebo_covers_bunched_events_in_turbulent_years(coverage_benchmark):
    """36 events in 17 bursts, as the Russell 2000's 200-day crosses come, most of them in
    turbulent spells as theirs are (the HAC t interval covered 83-86% there in the benchmark)."""
    one = coverage_benchmark.event_study_regimes_covers(9000, 36, 17, 252, 0.90, "placebo", 0.69)
    assert share(one, 250, 1) == pytest.approx(0.90, abs=0.06)


def test_burst_events_come_in_the_bursts_asked_for(coverage_benchmark):
    rng = np.random.default_rng(7)
    for _ in range(20):
        pos = coverage_benchmark.burst_events(8748, 36, 17, rng)
        gaps = np.diff(pos)
        assert len(pos) <= 36 and (gaps > 0).all() and pos.min() >= 0 and pos.max() < 8748
        # within a burst the gaps are 21-126 days: more than 126 days apart only between bursts
        # (bursts start at random, so two may run into each other; events at random would make
        # about 22 such runs of 36)
        assert (gaps > 126).sum() + 1 <= 17


def test_c8_hodrick_1b_and_non_overlapping_cover(coverage_benchmark):
    assert share(coverage_benchmark.long_horizon_covers("hodrick 1B", 1188, 120, 60, 0.95), 250, 2) == pytest.approx(0.95, abs=0.06)
    assert share(coverage_benchmark.long_horizon_covers("non-overlapping t", 1188, 120, 60, 0.95), 250, 3) == pytest.approx(
        0.95, abs=0.06)


def test_c8_newey_west_on_overlapping_windows_falls_short(coverage_benchmark):
    """Why it does not vote in C8's curve: nominal 95%, about 76% with 16 independent windows."""
    assert share(coverage_benchmark.long_horizon_covers("newey-west (lags = horizon)", 1188, 120, 60, 0.95), 250, 4) < 0.88


def test_c8_recession_dummy_regression_covers(coverage_benchmark):
    assert share(coverage_benchmark.dummy_ols_covers(1188, 0.2, 0.95), 250, 5) == pytest.approx(0.95, abs=0.06)
