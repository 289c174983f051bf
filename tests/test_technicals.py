"""C5 technicals: moving-average crosses, record breakouts, forward returns, the HAC event study
and the verdict rule, on hand-made series whose answers are known; then the real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from research.claims import technicals
from research.claims.base import NA
from research.errors import ParameterError
from research.verdict import LABELS


def _days(values, start="2020-01-01"):
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


# -- events --------------------------------------------------------------------------------------

def test_sma_crosses_on_a_toy_series():
    # window 3: sma from day 2 on = 10, 9.67, 9, 9.67, 11, 10, 12.67
    close = _days([10, 10, 10, 9, 8, 12, 13, 5, 20])
    days = close.index
    # days 2, 3, 4 are at or below the average (day 2: 10 <= 10), day 5 closes above: a cross
    assert list(technicals.sma_crosses(close, window=3, min_days_below=2)) == [days[5]]
    assert list(technicals.sma_crosses(close, window=3, min_days_below=3)) == [days[5]]
    assert list(technicals.sma_crosses(close, window=3, min_days_below=4)) == []
    # day 7 is one day below, day 8 crosses again: counts only when one day below is enough
    assert list(technicals.sma_crosses(close, window=3, min_days_below=1)) == [days[5], days[8]]


def test_sma_crosses_rejects_bad_parameters():
    with pytest.raises(ParameterError):
        technicals.sma_crosses(_days([1, 2, 3]), window=1)
    with pytest.raises(ParameterError):
        technicals.sma_crosses(_days([1, 2, 3]), window=3, min_days_below=0)


def test_moving_average_by_hand():
    sma = technicals.moving_average(_days([1, 2, 3, 4, 5]), window=2)
    assert sma.isna().iloc[0]
    assert sma.iloc[1:].tolist() == [1.5, 2.5, 3.5, 4.5]


def _weekly_path(weekly_closes, start="2019-01-07"):
    """Five equal daily closes per week (Mon-Fri), so every week's close is the given value."""
    days = pd.bdate_range(start, periods=5 * len(weekly_closes))
    return pd.Series(np.repeat(np.asarray(weekly_closes, dtype=float), 5), index=days)


def test_weekly_closes_take_the_last_day_and_the_high():
    close = pd.Series([1.0, 5.0, 2.0, 3.0, 4.0, 6.0], index=pd.bdate_range("2024-01-01", periods=6))
    weeks = technicals.weekly_closes(close)
    assert weeks["close"].tolist() == [4.0, 6.0]
    assert weeks["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-08")]
    assert weeks["max_close"].tolist() == [5.0, 6.0]
    assert weeks["max_date"].iloc[0] == pd.Timestamp("2024-01-02")


def test_record_breakout_needs_two_weekly_closes_above_an_old_record():
    # week 0: record 100; 60 weeks below; then 101 (one week), 99 (falls back), 102, 103 -> breakout
    weekly = [100.0] + [90.0] * 60 + [101.0, 99.0, 102.0, 103.0, 104.0]
    close = _weekly_path(weekly)
    weeks = technicals.weekly_closes(close)
    out = technicals.record_breakouts(close, min_record_age_days=365, confirm_weeks=2)
    assert len(out) == 1
    assert out["date"].iloc[0] == weeks["date"].iloc[64]  # the week closing at 103
    assert out["first_week"].iloc[0] == weeks["date"].iloc[63]
    assert out["level"].iloc[0] == 100.0
    assert out["record_date"].iloc[0] == weeks["max_date"].iloc[0]
    # one confirming week is enough with confirm_weeks=1: the first close above, at 101
    one = technicals.record_breakouts(close, min_record_age_days=365, confirm_weeks=1)
    assert one["date"].iloc[0] == weeks["date"].iloc[61]
    # the record is only ~14 months old: a 500-day age requirement finds nothing
    assert technicals.record_breakouts(close, min_record_age_days=500).empty


def test_a_daily_close_above_the_record_inside_a_week_does_not_count():
    weekly = [100.0] + [90.0] * 60 + [95.0, 102.0, 103.0]
    close = _weekly_path(weekly)
    close.iloc[5 * 61 + 2] = 120.0  # Wednesday of a week that closes at 95
    weeks = technicals.weekly_closes(close)
    out = technicals.record_breakouts(close, min_record_age_days=365, confirm_weeks=2)
    # armed at the old record 100; the new 120 daily high is too recent to replace it
    assert out["date"].tolist() == [weeks["date"].iloc[63]]
    assert out["level"].iloc[0] == 100.0


def test_a_breakout_disarms_until_the_new_record_is_old_again():
    # breakout over 100 at week 62; the new record 103 (week 63) is old a year later; 104, 105 break it
    weekly = [100.0] + [90.0] * 60 + [101.0, 102.0, 103.0] + [95.0] * 60 + [104.0, 105.0]
    close = _weekly_path(weekly)
    weeks = technicals.weekly_closes(close)
    out = technicals.record_breakouts(close, min_record_age_days=365, confirm_weeks=2)
    assert out["date"].tolist() == [weeks["date"].iloc[62], weeks["date"].iloc[125]]
    assert out["level"].tolist() == [100.0, 103.0]
    assert out["record_date"].tolist() == [weeks["max_date"].iloc[0], weeks["max_date"].iloc[63]]
    assert out["close"].tolist() == [102.0, 105.0]
    # the sweep's entry point on precomputed weekly closes gives the same rows
    pd.testing.assert_frame_equal(technicals.weekly_record_breakouts(weeks, 365, 2), out)
    with pytest.raises(ParameterError, match="confirm_weeks"):
        technicals.weekly_record_breakouts(weeks, 365, 0)


def test_confirmation_date_after_a_date():
    close = _weekly_path([90.0, 95.0, 101.0, 99.0, 101.0, 102.0, 103.0])
    weeks = technicals.weekly_closes(close)
    assert technicals.confirmation_date(close, 100.0, weeks["date"].iloc[0]) == weeks["date"].iloc[5]
    assert technicals.confirmation_date(close, 200.0, weeks["date"].iloc[0]) is None


# -- forward returns and the event study ---------------------------------------------------------

def test_forward_returns_by_hand():
    fwd = technicals.forward_returns(_days([100, 110, 99, 120]), [1, 2])
    np.testing.assert_allclose(fwd[1].iloc[:3], [10.0, -10.0, 100 * (120 / 99 - 1)])
    np.testing.assert_allclose(fwd[2].iloc[:2], [-1.0, 100 * (120 / 110 - 1)])
    assert fwd[1].isna().iloc[3] and fwd[2].isna().iloc[2:].all()


@pytest.mark.parametrize("maxlags", [12, 120])  # short lags and the long ones overlapping windows need
def test_stats_ols_hac_covariance_matches_statsmodels(maxlags):
    """The event study and the downside betas read the coefficients' HAC covariance from stats.ols."""
    import statsmodels.api as sm

    from research import stats

    rng = np.random.default_rng(1)
    n = 400
    d = (rng.random(n) < 0.05).astype(float)
    y = np.convolve(rng.normal(size=n + 9), np.ones(10), "valid") + 2 * d
    X = np.column_stack([np.ones(n), d, rng.normal(size=n)])
    fit = stats.ols(pd.Series(y), pd.DataFrame({"d": X[:, 1], "x": X[:, 2]}), maxlags=maxlags)
    ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True})
    np.testing.assert_allclose(fit.params[["const", "d", "x"]], ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.cov.loc[["const", "d", "x"], ["const", "d", "x"]], ref.cov_params(), rtol=1e-8)


def test_event_study_difference_and_interval():
    import statsmodels.api as sm

    rng = np.random.default_rng(2)
    levels = _days(100 * np.exp(np.cumsum(rng.normal(0.0005, 0.01, 600))))
    fwd = technicals.forward_returns(levels, [5])
    events = levels.index[[50, 120, 200, 260, 330, 400, 470, 540]]
    row = technicals.event_study(fwd, events, level=0.90).iloc[0]
    y = fwd[5].dropna()
    is_event = y.index.isin(events)
    assert row["n_events"] == 8
    assert row["mean_event"] == pytest.approx(y[is_event].mean())
    assert row["mean_all"] == pytest.approx(y.mean())
    assert row["excess"] == pytest.approx(y[is_event].mean() - y.mean())
    fit = sm.OLS(y.to_numpy(), sm.add_constant(is_event.astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": True})
    # the HAC t-statistic referred to t(8 events - 1), not the normal (docs/methods.md, C5 coverage)
    b, se = fit.params[1], fit.bse[1]
    crit = sps.t.ppf(0.95, 7)
    assert crit == pytest.approx(1.8946, abs=1e-4)  # tables: t(7), 95th percentile
    share = 8 / len(y)
    assert row["ci_lower"] == pytest.approx((1 - share) * (b - crit * se))
    assert row["ci_upper"] == pytest.approx((1 - share) * (b + crit * se))
    assert row["p_value"] == pytest.approx(2 * sps.t.sf(abs(b / se), 7), rel=1e-6)
    assert row["p_value"] > fit.pvalues[1]  # wider than the normal's
    # the interval and p-value agree: zero lies on the interval's edge exactly when p = 1 - level
    at_edge = technicals.event_study(fwd, events, level=1 - row["p_value"]).iloc[0]
    assert min(abs(at_edge["ci_lower"]), abs(at_edge["ci_upper"])) == pytest.approx(0, abs=1e-9)
    assert row["hac_lags"] == 5


def test_event_positions_ignore_days_outside_and_any_time_unit():
    days = pd.bdate_range("2020-01-01", periods=6)
    events = pd.DatetimeIndex(["2020-01-03", "2019-12-31", "2020-01-03", "2020-01-08", "2021-01-01"]).as_unit("s")
    assert technicals.event_positions(days, events).tolist() == [2, 5]
    assert technicals.event_positions(days, pd.DatetimeIndex([])).tolist() == []
    with pytest.raises(ParameterError, match="increasing order"):
        technicals.event_positions(days[::-1], events)


def test_event_row_with_a_shared_sample_is_the_row_without_it():
    from research import stats

    rng = np.random.default_rng(4)
    y = np.convolve(rng.normal(size=420), np.ones(21), "valid")
    events = np.array([10, 50, 51, 200, 333])
    alone = technicals.event_row(21, y, events, 0.9, 21)
    assert technicals.event_row(21, y, events, 0.9, 21, stats.event_sample(y, 21)) == alone
    with pytest.raises(ParameterError, match="prepared sample has 5 lags"):
        technicals.event_row(21, y, events, 0.9, 21, stats.event_sample(y, 5))


# -- the verdict rule ----------------------------------------------------------------------------

def _rows(*intervals, n=20):
    return pd.DataFrame([{"excess": (lo + hi) / 2, "ci_lower": lo, "ci_upper": hi, "n_events": n}
                         for lo, hi in intervals], index=["6m", "12m"][:len(intervals)])


@pytest.mark.parametrize("intervals, n, label", [
    (((1, 3), (2, 5)), 20, "supported"),
    (((-3, -1), (-5, 2)), 20, "contradicted"),
    (((1, 3), (-5, -2)), 20, "mixed"),
    (((-1, 3), (2, 5)), 20, "inconclusive"),
    (((1, 3), (2, 5)), 4, "inconclusive"),
])
def test_classify_each_branch(intervals, n, label):
    assert technicals.classify(_rows(*intervals, n=n), min_events=10)[0] == label


def test_an_opposite_decisive_result_elsewhere_makes_it_mixed():
    assert technicals._combine("supported", "contradicted") == "mixed"
    assert technicals._combine("supported", None) == "supported"
    assert technicals._combine("inconclusive", "supported") == "inconclusive"


def _synthetic_series(seed, n=3000, drift=0.0004):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("1990-01-01", periods=n)
    large = 100 * np.exp(np.cumsum(rng.normal(drift, 0.01, n)))
    small = 100 * np.exp(np.cumsum(rng.normal(drift, 0.012, n)))
    return pd.DataFrame({"small": small, "large": large}, index=idx)


def test_claim_function_on_synthetic_levels():
    series = {"a": _synthetic_series(3), "b": _synthetic_series(4)}
    result = technicals.test(series, primary="a", min_events=3, horizons=(21, 63, 126),
                             verdict_horizons=(63, 126))
    assert [v.aspect for v in result.verdicts] == ["breakout above an old record", "200-day cross"]
    assert all(v.label in LABELS and v.claim == "C5" for v in result.verdicts)
    assert result.table.index.names == ["series", "event", "measure", "horizon"]
    assert set(result.table.index.get_level_values("series")) == {"a", "b"}
    crosses = technicals.sma_crosses(series["a"]["small"], 200, 20)
    assert result.verdicts[1].n == result.table.loc[("a", "sma_cross", "absolute", "6m"), "n_events"]
    assert result.verdicts[1].n <= len(crosses)
    assert result.checks.empty and result.chart.empty


def test_claim_function_validates_parameters():
    series = {"a": _synthetic_series(3, n=400)}
    with pytest.raises(ParameterError, match="primary"):
        technicals.test(series, primary="x")
    with pytest.raises(ParameterError, match="verdict_horizons"):
        technicals.test(series, primary="a", horizons=(21,), verdict_horizons=(252,))
    with pytest.raises(ParameterError, match="measure"):
        technicals.test(series, primary="a", measure="both")
    with pytest.raises(ParameterError, match="small and large"):
        technicals.test({"a": series["a"].rename(columns={"small": "x"})}, primary="a")


# -- real data -----------------------------------------------------------------------------------

@pytest.mark.mirror
@pytest.mark.parametrize("spec", [
    {"event": "breakout above an old record", "series": "halves (2x3, below/above NYSE median)",
     "weighting": "ew", "start": 1963, "measure": "relative", "horizons": "6m+12m",
     "sma_days": NA, "days_below": NA, "record_age_days": 182, "confirm_weeks": 1},
    {"event": "200-day cross", "series": "Russell 2000 vs S&P 500", "weighting": "vw", "start": 1987,
     "measure": "absolute", "horizons": "12m", "sma_days": 150, "days_below": 40,
     "record_age_days": NA, "confirm_weeks": NA},
    {"event": "200-day cross", "series": "halves (2x3, below/above NYSE median)", "weighting": "vw",
     "start": 1926, "measure": "absolute", "horizons": "6m", "sma_days": 250, "days_below": 10,
     "record_age_days": NA, "confirm_weeks": NA},
    {"event": "breakout above an old record", "series": "Russell 2000 vs S&P 500", "weighting": "vw",
     "start": 1987, "measure": "relative", "horizons": "6m+12m", "sma_days": NA, "days_below": NA,
     "record_age_days": 730, "confirm_weeks": 3},
])
def test_grid_estimate_is_the_statsmodels_event_regression(mirror_env, spec):
    """The sweep's shared samples and convolution HAC give what statsmodels gives, spec by spec."""
    import statsmodels.api as sm

    from research.claims.base import START_DATES
    from research.data.sizes import RUSSELL, clear_caches

    clear_caches()
    row = technicals.grid_estimate(**spec)
    series, _, _, _, _ = technicals.load_series("russell" if spec["series"] == RUSSELL else "deciles",
                                                spec["weighting"])
    levels = series[technicals.SERIES_RUSSELL if spec["series"] == RUSSELL else technicals.SERIES_FRENCH]
    if spec["event"].startswith("breakout"):
        events = technicals.record_breakouts(levels["small"], spec["record_age_days"], spec["confirm_weeks"])["date"]
    else:
        events = technicals.sma_crosses(levels["small"], spec["sma_days"], spec["days_below"])
    h = {"6m+12m": 252, "12m": 252, "6m": 126}[spec["horizons"]]
    fwd = technicals.forward_returns(levels["small"], [h])[h]
    if spec["measure"] == "relative":
        fwd = fwd - technicals.forward_returns(levels["large"], [h])[h]
    # a start year after the data's first year begins at its month-end (START_DATES), else all data
    y = fwd.loc[START_DATES[spec["start"]] if spec["start"] > levels.index[0].year else None:].dropna()
    d = y.index.isin(events).astype(float)
    fit = sm.OLS(y.to_numpy(), sm.add_constant(d)).fit(cov_type="HAC", cov_kwds={"maxlags": h, "use_correction": True})
    m, share = int(d.sum()), d.mean()
    b, se = fit.params[1], fit.bse[1]
    crit = sps.t.ppf(0.95, m - 1)
    assert row["n"] == m >= 2
    assert row["estimate"] == pytest.approx((1 - share) * b, rel=1e-9)
    assert (row["lower"], row["upper"]) == pytest.approx(((1 - share) * (b - crit * se), (1 - share) * (b + crit * se)),
                                                         rel=1e-9)
    assert row["p_value"] == pytest.approx(2 * sps.t.sf(abs(b / se), m - 1), rel=1e-9)
    clear_caches()


@pytest.mark.mirror
def test_run_on_the_mirror():
    result = technicals.run()
    assert {v.label for v in result.verdicts} <= set(LABELS)
    breakout = result.verdicts[0]
    assert breakout.n >= 10 and breakout.sample.startswith(technicals.SERIES_FRENCH)
    assert breakout.vintage["rut"] and breakout.vintage["me_bm_6_daily"] == "202406"
    checks = result.checks["data"]
    assert checks.iloc[0].startswith("2,442.74 on 2021-11-08")
    assert "2,495.50" in checks.loc["Tuesday 14 Oct 2025 close (2,665 target = ~7% upside)"]
    assert not result.checks.loc["cleared its 200-day average in September", "consistent"]
    assert pd.Timestamp("2025-06-30") in set(result.chart_events["date"])
    russell = technicals.run(small_large="russell")
    assert russell.verdicts[0].sample.startswith(technicals.SERIES_RUSSELL)
