"""C5 technicals: moving-average crosses, record breakouts, forward returns, the HAC event study
and the verdict rule, on hand-made series whose answers are known; then the real data."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from research.claims import technicals
from research.claims.base import NA
from research.errors import ParameterError
from research.verdict import LABELS, verdict_sentence


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
    with pytest.raises(ParameterError, match=r"window must be >= 2 and min_days_below >= 1, got 1, 20$"):
        technicals.sma_crosses(_days([1, 2, 3]), window=1)
    with pytest.raises(ParameterError, match="got 3, 0"):
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
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated pandas spelling (a lower-case "w-fri" warns)
        weeks = technicals.weekly_closes(close)
    assert weeks["close"].tolist() == [4.0, 6.0]
    assert weeks["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-08")]
    assert weeks["max_close"].tolist() == [5.0, 6.0]
    assert weeks["max_date"].iloc[0] == pd.Timestamp("2024-01-02")
    assert weeks.index.tolist() == [pd.Period("2024-01-05", "W-FRI"), pd.Period("2024-01-12", "W-FRI")]
    # a week's high close reached twice: the later day
    tie = pd.Series([5.0, 3.0, 5.0, 2.0, 1.0], index=pd.bdate_range("2024-01-01", periods=5))
    assert technicals.weekly_closes(tie)["max_date"].tolist() == [pd.Timestamp("2024-01-03")]


def test_record_age_on_both_sides_of_the_threshold():
    """A record close on Thursday 3 Jan 2019 is exactly 365 days old on Friday 3 Jan 2020 (week 52):
    aged 365 days it is armed that evening and week 53's close above it is a breakout; aged 366 days
    it would be armed only after week 53, whose close is by then the new record."""
    close = _weekly_path([90.0] * 53 + [101.0] * 3, start="2018-12-31")
    close.iloc[3] = 100.0
    weeks = technicals.weekly_closes(close)
    assert weeks["max_date"].iloc[0] == pd.Timestamp("2019-01-03") and weeks["date"].iloc[52] == pd.Timestamp("2020-01-03")
    out = technicals.record_breakouts(close, min_record_age_days=365, confirm_weeks=1)
    assert out["date"].tolist() == [weeks["date"].iloc[53]] and out["level"].tolist() == [100.0]
    assert technicals.record_breakouts(close, min_record_age_days=366, confirm_weeks=1).empty


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
    # from the day after the date: after Thursday of week 5, its Friday (102) and week 6 (103)
    assert technicals.confirmation_date(close, 100.0, close.index[28]) == weeks["date"].iloc[6]
    # the weeks after the date, not its own: after week 5 (102) only week 6 (103) is left
    assert technicals.confirmation_date(close, 100.0, weeks["date"].iloc[5]) is None
    assert technicals.confirmation_date(close, 100.0, weeks["date"].iloc[4]) == weeks["date"].iloc[6]
    assert technicals.confirmation_date(close, 100.0, weeks["date"].iloc[0], confirm_weeks=3) == weeks["date"].iloc[6]


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


def _hand_placebo(y, pos, level):
    """The random-date placebo by hand, without the FFT: the event days moved on by k days
    (wrapping around), k = 0 .. n - 1; returns (lower, upper, p)."""
    y, pos = np.asarray(y, dtype=float), np.asarray(pos)
    shifted = np.array([y[(pos + k) % len(y)].mean() for k in range(len(y))]) - y.mean()
    actual = shifted[0]
    lo, hi = np.quantile(shifted, [(1 - level) / 2, (1 + level) / 2])
    return actual - hi, actual - lo, min(1.0, 2 * min((shifted >= actual).mean(), (shifted <= actual).mean()))


def test_event_study_difference_and_interval():
    rng = np.random.default_rng(2)
    levels = _days(100 * np.exp(np.cumsum(rng.normal(0.0005, 0.01, 600))))
    fwd = technicals.forward_returns(levels, [5])
    events = levels.index[[50, 120, 200, 260, 330, 400, 470, 540]]
    row = technicals.event_study(fwd, events, level=0.90).iloc[0]
    y = fwd[5].dropna()
    is_event = y.index.isin(events)
    assert (row["n_events"], row["n_independent"], row["shifts"]) == (8, 8, 595)
    assert row["mean_event"] == pytest.approx(y[is_event].mean())
    assert row["mean_all"] == pytest.approx(y.mean())
    assert row["excess"] == pytest.approx(y[is_event].mean() - y.mean())
    lower, upper, p = _hand_placebo(y.to_numpy(), np.flatnonzero(is_event), 0.90)
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lower, upper), rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-12)
    assert row["ci_lower"] < row["excess"] < row["ci_upper"]
    wider = technicals.event_study(fwd, events, level=0.95).iloc[0]
    assert wider["ci_lower"] < row["ci_lower"] and wider["ci_upper"] > row["ci_upper"]
    assert wider["p_value"] == row["p_value"]  # the level moves the interval, not the p-value


@pytest.mark.parametrize("events, horizon, expected", [
    ([], 21, 0),
    ([7], 21, 1),
    ([10, 50, 51, 200, 333], 21, 4),  # 51 falls inside 50's window
    ([0, 20, 21, 41, 42], 21, 3),  # 20 days apart overlaps, 21 does not: 0, 21, 42 count
    ([0, 5, 10, 15, 20, 25], 21, 2),  # a burst: each within 21 days of the last counted one
    ([0, 5, 10, 15, 20, 25], 5, 6),
])
def test_independent_events_count_non_overlapping_windows(events, horizon, expected):
    assert technicals.independent_events(np.array(events, dtype=int), horizon) == expected


def test_event_study_counts_bursts_once_and_keeps_them_in_the_placebo():
    rng = np.random.default_rng(5)
    levels = _days(100 * np.exp(np.cumsum(rng.normal(0.0005, 0.01, 600))))
    fwd = technicals.forward_returns(levels, [21])
    # 9 events in 4 bursts: 40/45/52, 150/160, 300/310/315, 500 -> 4 windows of 21 days that do not overlap
    events = levels.index[[40, 45, 52, 150, 160, 300, 310, 315, 500]]
    row = technicals.event_study(fwd, events, level=0.90).iloc[0]
    assert (row["n_events"], row["n_independent"]) == (9, 4)  # 40, 150, 300 and 500
    y = fwd[21].dropna()
    lower, upper, p = _hand_placebo(y.to_numpy(), np.flatnonzero(y.index.isin(events)), 0.90)
    assert (row["ci_lower"], row["ci_upper"], row["p_value"]) == pytest.approx((lower, upper, p), rel=1e-9)
    # one burst only: the mean difference, but no interval to rest on one observation
    burst = technicals.event_study(fwd, levels.index[[40, 45, 52]], level=0.90).iloc[0]
    assert burst["n_independent"] == 1 and math.isnan(burst["ci_lower"]) and math.isnan(burst["p_value"])
    assert burst["excess"] == pytest.approx(y[levels.index[[40, 45, 52]]].mean() - y.mean())
    assert burst["shifts"] == 0


def test_event_positions_ignore_days_outside_and_any_time_unit():
    days = pd.bdate_range("2020-01-01", periods=6)
    events = pd.DatetimeIndex(["2020-01-03", "2019-12-31", "2020-01-03", "2020-01-08", "2021-01-01"]).as_unit("s")
    assert technicals.event_positions(days, events).tolist() == [2, 5]
    assert technicals.event_positions(days, pd.DatetimeIndex([])).tolist() == []
    with pytest.raises(ParameterError, match=r"^event_positions needs days in increasing order; sort the forward "
                                             r"returns first$"):
        technicals.event_positions(days[::-1], events)


def test_event_row_with_a_shared_sample_is_the_row_without_it():
    from research import stats

    rng = np.random.default_rng(4)
    y = np.convolve(rng.normal(size=420), np.ones(21), "valid")
    events = np.array([10, 50, 51, 200, 333])
    alone = technicals.event_row(21, y, events, 0.9)
    assert technicals.event_row(21, y, events, 0.9, stats.shift_sample(y)) == alone
    with pytest.raises(ParameterError, match=r"^the prepared sample has 399 days; this row needs 400: prepare it "
                                             r"from the same returns$"):
        technicals.event_row(21, y, events, 0.9, stats.shift_sample(y[:-1]))


# -- the verdict rule ----------------------------------------------------------------------------

def _rows(*intervals, n=20, raw=40):
    return pd.DataFrame([{"excess": (lo + hi) / 2, "ci_lower": lo, "ci_upper": hi, "n_events": raw, "n_independent": n}
                         for lo, hi in intervals], index=["6m", "12m"][:len(intervals)])


@pytest.mark.parametrize("intervals, n, label", [
    (((1, 3), (2, 5)), 20, "supported"),
    (((-3, -1), (-5, 2)), 20, "contradicted"),
    (((1, 3), (-5, -2)), 20, "mixed"),
    (((-1, 3), (2, 5)), 20, "inconclusive"),
    (((1, 3), (2, 5)), 4, "inconclusive"),
    (((1, 3), (2, 5)), 9, "inconclusive"),  # 40 events, but 9 independent ones: below the minimum
    (((1, 3), (2, 5)), 10, "supported"),
])
def test_classify_each_branch(intervals, n, label):
    assert technicals.classify(_rows(*intervals, n=n), min_events=10)[0] == label


def test_classify_says_why():
    assert technicals.classify(_rows((-1, 3), (2, 5)), 10) == ("inconclusive", "the intervals straddle zero")
    assert technicals.classify(_rows((1, 3), (2, 5), n=9), 10) == (
        "inconclusive", "only 9 independent events (complete, non-overlapping forward windows; fewer than 10)")


def test_an_opposite_decisive_result_elsewhere_makes_it_mixed():
    assert technicals._combine("supported", "contradicted") == "mixed"
    assert technicals._combine("contradicted", "supported") == "mixed"
    assert technicals._combine("contradicted", "contradicted") == "contradicted"
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
    row = result.table.loc[("a", "sma_cross", "absolute", "6m")]
    assert result.verdicts[1].n == row["n_independent"] <= row["n_events"] <= len(crosses)
    assert result.verdicts[1].n_note == (f"of {int(row['n_events'])} events; n counts those whose 6m forward "
                                         "windows do not overlap")
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
def test_grid_estimate_is_the_event_study_by_hand(mirror_env, spec):
    """The sweep's shared samples and FFT placebo give what every shift by hand gives, spec by spec."""
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
    d = y.index.isin(events)
    m = int(d.sum())
    # independent events: the first, then each one at least h days after the last one counted
    k, last = 0, -h
    for pos in np.flatnonzero(d):
        if pos - last >= h:
            k, last = k + 1, pos
    assert row["n"] == k >= 2 and k <= m
    assert row["estimate"] == pytest.approx(y[d].mean() - y.mean(), rel=1e-9)
    lower, upper, p = _hand_placebo(y.to_numpy(), np.flatnonzero(d), 0.90)
    assert (row["lower"], row["upper"], row["p_value"]) == pytest.approx((lower, upper, p), rel=1e-9)
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


# -- synthetic publishers' files: run, the grid, the commentary checks ---------------------------
# Mirror tests cannot run inside mutmut's copy of the package, so ``run``, ``grid_estimate`` and
# the commentary checks are tested here on small files in the publishers' formats.

FRENCH_DAYS = pd.bdate_range("1962-07-02", periods=7000, name="date")


def _cycles(seed, *, fall, rise, fall_days, cycle):
    """Daily percent returns (2 decimals, as French publishes them): ``fall_days`` of ``fall`` then
    ``rise`` in each ``cycle`` days, plus noise. A fall takes the index under its 200-day average
    for weeks and the rise regains the old record more than a year later: crosses and breakouts
    once a cycle, crosses followed by the rise, breakouts by the next fall within twelve months."""
    rng = np.random.default_rng(seed)
    k = np.arange(len(FRENCH_DAYS)) % cycle
    return np.round(np.where(k < fall_days, fall, rise) + rng.normal(0.0, 0.3, len(k)), 2)


def _log_path(anchors, start="2019-01-02", end="2025-12-31"):
    """Business-day closes through ``anchors`` (date -> close), log-linear in between, 2 decimals."""
    days = pd.bdate_range(start, end, name="date")
    a = pd.Series(anchors, dtype=float)
    a.index = pd.to_datetime(a.index)
    return pd.Series(np.exp(np.interp(days.asi8, a.index.asi8, np.log(a.to_numpy()))), index=days).round(2)


# The Russell 2000 the commentary describes: a record close of 2,442.74 on 8 Nov 2021 (intraday
# high 2,458.86 the next day), a low in April 2025, a 200-day cross on 2 Jul 2025, a September
# high close of 2,448.50 (18 Sep), weekly closes above the old record on 10 and 17 Oct, 2,495.50
# on Tuesday 14 Oct and +0.8% on Wednesday; weekly closes above 2,460 on 24 and 31 Oct only.
RUT_ANCHORS = {
    "2019-01-02": 1350.0, "2019-05-01": 1600.0, "2019-08-30": 1450.0, "2020-01-15": 1700.0,
    "2020-03-23": 1000.0, "2021-03-15": 2360.0, "2021-11-08": 2442.74, "2022-06-16": 1650.0,
    "2023-02-01": 1950.0, "2023-10-27": 1640.0, "2024-11-25": 2430.0, "2025-04-08": 1760.0,
    "2025-09-18": 2448.50, "2025-09-19": 2440.0, "2025-09-30": 2420.0, "2025-10-10": 2450.0,
    "2025-10-13": 2460.0, "2025-10-14": 2495.50, "2025-10-15": 2515.46, "2025-10-16": 2490.0,
    "2025-10-17": 2452.0, "2025-10-24": 2480.0, "2025-10-31": 2475.0, "2025-12-31": 2300.0,
}
SPX_ANCHORS = {"2019-01-02": 2500.0, "2020-02-19": 3380.0, "2020-03-23": 2240.0, "2022-01-03": 4800.0,
               "2022-10-12": 3580.0, "2025-10-14": 6644.31, "2025-10-15": 6670.89, "2025-12-31": 6800.0}


@functools.cache
def _c5_data():
    """French's daily small/large returns (vw, ew; percent, 2 decimals) from 1962-07-02 (7000 days;
    small caps in different cycles, large caps a noisy drift), the Russell 2000 (close and high) and
    S&P 500 closes of 2019-2025 (RUT_ANCHORS), and the levels the claim should build from them."""
    vw = _cycles(0, fall=-0.40, rise=0.15, fall_days=100, cycle=500)
    ew = _cycles(1, fall=-0.30, rise=0.15, fall_days=100, cycle=600)  # 10 events of each kind
    large = np.round(0.04 + np.random.default_rng(9).normal(0.0, 0.3, len(FRENCH_DAYS)), 2)
    rut, spx = _log_path(RUT_ANCHORS), _log_path(SPX_ANCHORS)
    high = (rut * 1.002).round(2)
    high.loc["2021-11-09"] = 2458.86

    def levels(small):
        return pd.DataFrame({"small": 100 * np.cumprod(1 + small / 100), "large": 100 * np.cumprod(1 + large / 100)},
                            index=FRENCH_DAYS)

    return {"returns": (vw, ew, large), "vw": levels(vw), "ew": levels(ew),
            "russell": pd.DataFrame({"small": rut, "large": spx}), "rut": pd.DataFrame({"close": rut, "high": high}),
            "spx": spx}


@pytest.fixture
def c5_data():
    """The synthetic series in memory (copies: tests may change them)."""
    return {k: v.copy() for k, v in _c5_data().items() if k != "returns"}


@pytest.fixture(scope="module")
def _c5_mirror(tmp_path_factory):
    """The synthetic series as the publishers' files, written once per module: French's daily 2x3
    zip and the Yahoo closes of ^RUT (with highs) and ^GSPC (yfinance's 3-line header)."""
    from synthetic_mirror import write_closes, write_french_daily_2x3

    root = tmp_path_factory.mktemp("c5")
    mirror = root / "mirror"
    mirror.mkdir()
    d = _c5_data()
    vw, ew, large = d["returns"]
    write_french_daily_2x3(mirror, FRENCH_DAYS, vw=(vw, large), ew=(ew, large))
    write_closes(mirror, "RUT.csv", d["rut"]["close"], high=d["rut"]["high"])
    write_closes(mirror, "GSPC.csv", d["spx"], yfinance=True)
    _write_ff3_daily(mirror, FRENCH_DAYS, vw - large)
    return root


def _write_ff3_daily(mirror, index, smb, vintage="202501"):
    """``french/F-F_Research_Data_Factors_daily_CSV.zip`` as French lays it out (one block, no
    title line); only SMB matters here (load_series("smb") reads it for the SMB factor)."""
    import io
    import zipfile

    rows = "\n".join(f"{d:%Y%m%d},{0.05:8.2f},{s:8.2f},{0.0:8.2f},{0.01:8.2f}" for d, s in zip(index, smb, strict=True))
    text = (f"This file was created by using the {vintage} CRSP database.\n"
            "Synthetic test file in the layout of the daily factors file.\n\n"
            ",Mkt-RF,SMB,HML,RF\n" + rows + "\n\nCopyright 2025 Eugene F. Fama and Kenneth R. French\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("F-F_Research_Data_Factors_daily.csv", text)
    (mirror / "french" / "F-F_Research_Data_Factors_daily_CSV.zip").write_bytes(buf.getvalue())


@pytest.fixture
def c5_publishers(_c5_mirror, c5_data, monkeypatch):
    """A temporary mirror of the synthetic files (offline; raw store and parsed cache shared by the
    module's tests). Yields the levels the claim should build from them."""
    from research.data.sizes import clear_caches

    monkeypatch.setenv("RESEARCH_DATA_DIR", str(_c5_mirror / "data"))
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", str(_c5_mirror / "mirror"))
    monkeypatch.setenv("RESEARCH_OFFLINE", "1")
    monkeypatch.setenv("RESEARCH_VINTAGES_LOCK", str(_c5_mirror / "vintages.lock"))
    for var in ("RESEARCH_DOWNLOAD_TIMEOUT", "RESEARCH_FROZEN", "RESEARCH_BASE_URL_FRENCH",
                "RESEARCH_BASE_URL_FRED", "RESEARCH_BASE_URL_YAHOO"):
        monkeypatch.delenv(var, raising=False)
    clear_caches()
    yield c5_data
    clear_caches()


def _same_verdicts(got, want):
    for v, w in zip(got.verdicts, want.verdicts, strict=True):
        assert (v.aspect, v.label, v.n, v.sample) == (w.aspect, w.label, w.n, w.sample)
        assert v.statistic == pytest.approx(w.statistic, rel=1e-9, nan_ok=True)
        assert v.interval == (pytest.approx(w.interval, rel=1e-9) if w.interval else None)


def test_run_reads_the_daily_halves_and_the_indices(c5_publishers):
    p = c5_publishers
    french, russell = technicals.SERIES_FRENCH, technicals.SERIES_RUSSELL
    got = technicals.run(min_events=3, level=0.8)  # the claim's parameters pass through
    want = technicals.test({russell: p["russell"], french: p["vw"]}, primary=french, rut=p["rut"], spx=p["spx"],
                           min_events=3, level=0.8)
    assert got.verdicts[0].interval_level == 0.8
    _same_verdicts(got, want)
    # crosses: the 12m interval is above zero, the 6m one reaches just below it (80%: -0.4 pp)
    assert [(v.label, v.n) for v in got.verdicts] == [("contradicted", 13), ("inconclusive", 13)]
    assert got.verdicts[0].sample == f"{french}, 1962-07-02..1989-04-28"
    # Yahoo closes carry no vintage: their last day stands for it
    assert got.verdicts[0].vintage == {"rut": "2025-12-31", "gspc": "2025-12-31", "me_bm_6_daily": "202501"}
    assert got.samples == {russell: "2019-01-02..2025-12-31", french: "1962-07-02..1989-04-28"}
    pd.testing.assert_frame_equal(got.checks, want.checks)
    assert len(got.checks) == 8 and not got.chart.empty
    # "russell": the Russell 2000 is the primary series, the French halves the other one
    prim = technicals.run(small_large="russell", min_events=3)
    _same_verdicts(prim, technicals.test({russell: p["russell"], french: p["vw"]}, primary=russell,
                                         rut=p["rut"], spx=p["spx"], min_events=3))
    assert prim.verdicts[1].sample == f"{russell}, 2019-01-02..2025-12-31"
    ew = technicals.run(weighting="ew", min_events=3)
    _same_verdicts(ew, technicals.test({russell: p["russell"], french: p["ew"]}, primary=french, min_events=3))
    assert ew.verdicts[1].statistic != pytest.approx(got.verdicts[1].statistic, rel=1e-3)
    with pytest.raises(ParameterError, match="'deciles', 'smb' or 'russell'"):
        technicals.run(small_large="decile")



CHECKS = {  # the commentary checks on RUT_ANCHORS, their numbers worked out by hand
    "Nov 2021 record close": (
        "about 2,442.7", "2,442.74 on 2021-11-08; not closed above until 2025-09-17", "-0.00%", True),
    "~2,460 breakout level (Nov 2021 high)": (
        "~2,460", "intraday high 2,458.86, close 2,442.74 (Nov 2021)", "+0.05%", True),
    "~2,466 final resistance (our reading: the September 2025 high close)": (
        "~2,466", "2,448.50 on 2025-09-18; highest close to 14 Oct: 2,495.50", "+0.71%", True),
    "cleared its 200-day average in September": (
        "a cross above the 200-day in 2025-09", "crosses above in 2025: 2025-07-02; after >= 20 days below: "
        "2025-07-02; above it on every day of 2025-09: True", "", False),
    "Tuesday 14 Oct 2025 close (2,665 target = ~7% upside)": (
        "~2,491 (2,665 / 1.07)", "2,495.50; 2,665 is +6.79% above it", "-0.19%", True),
    "Wednesday 15 Oct 2025 Russell 2000 gain": ("+0.8%", "+0.80% (close to close)", "+0.00 pp", True),
    "... twice the gain in the S&P 500": ("ratio ~2", "S&P 500 +0.40%; ratio 2.00", "+0.00", True),
    "breakout: 2 weekly closes above ~2,460 (after the article)": (
        "a future condition", "met in the week ending 2025-10-31", "", True),
}


def _gap(a, b):
    return (a / b - 1.0) * 100.0


def test_commentary_checks_state_each_number_with_the_data(c5_data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    checks = technicals.commentary_checks(rut, spx)
    want = pd.DataFrame([{"check": k, "commentary": a, "data": b, "difference": c, "consistent": d}
                         for k, (a, b, c, d) in CHECKS.items()]).set_index("check")
    pd.testing.assert_frame_equal(checks, want)
    # the 200-day cross of 2 Jul 2025 by hand: the first close above the mean of the last 200
    close = rut["close"].to_numpy()
    sma = np.convolve(close, np.ones(200) / 200, "valid")  # sma[i] is the mean ending on day i + 199
    above = close[199:] > sma
    day = int(np.flatnonzero(above[1:] & ~above[:-1])[-1]) + 200
    assert rut.index[day] == pd.Timestamp("2025-07-02") and not above[day - 199 - 30:day - 199].any()


@pytest.mark.parametrize(("check", "commentary", "data"), [
    ("Nov 2021 record close", 2442.7, 2442.74),
    ("~2,460 breakout level (Nov 2021 high)", 2460.0, 2458.86),
    ("~2,466 final resistance (our reading: the September 2025 high close)", 2466.0, 2448.50),
    ("Tuesday 14 Oct 2025 close (2,665 target = ~7% upside)", 2665.0 / 1.07, 2495.50),
])
def test_commentary_level_tolerance_on_both_sides(c5_data, check, commentary, data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    edge = abs(_gap(commentary, data))
    assert technicals.commentary_checks(rut, spx, level_tolerance_pct=edge).loc[check, "consistent"]
    below = technicals.commentary_checks(rut, spx, level_tolerance_pct=np.nextafter(edge, 0))
    assert not below.loc[check, "consistent"]


def test_commentary_return_and_ratio_tolerances_on_both_sides(c5_data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    gain, spx_gain = _gap(2515.46, 2495.50), _gap(6670.89, 6644.31)
    edge = abs(gain - 0.8)
    assert 0 < edge < 1e-3
    wed = "Wednesday 15 Oct 2025 Russell 2000 gain"
    assert technicals.commentary_checks(rut, spx, return_tolerance_pp=edge).loc[wed, "consistent"]
    assert not technicals.commentary_checks(rut, spx, return_tolerance_pp=np.nextafter(edge, 0)).loc[wed, "consistent"]
    twice = "... twice the gain in the S&P 500"
    edge = abs(gain / spx_gain - 2.0)
    assert 0 < edge < 1e-3
    assert technicals.commentary_checks(rut, spx, ratio_tolerance=edge).loc[twice, "consistent"]
    assert not technicals.commentary_checks(rut, spx, ratio_tolerance=np.nextafter(edge, 0)).loc[twice, "consistent"]
    # a flat S&P 500 that Wednesday: no ratio, not consistent
    flat = spx.copy()
    flat.loc["2025-10-15"] = flat.loc["2025-10-14"]
    row = technicals.commentary_checks(rut, flat).loc[twice]
    assert row["data"] == "S&P 500 +0.00%; ratio nan" and not row["consistent"] and row["difference"] == "+nan"


def test_commentary_checks_follow_the_rule_parameters_and_the_statements(c5_data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    # three weekly closes above 2,460 never happen (7 Nov closes at 2,454.26)
    three = technicals.commentary_checks(rut, spx, confirm_weeks=3)
    row = three.loc["breakout: 3 weekly closes above ~2,460 (after the article)"]
    assert row["data"] == "not met by 2025-12-31" and not row["consistent"]
    # July is the month of the cross; the 150-day average is crossed earlier, and the 2 Jul cross
    # follows fewer than 60 days below
    july = technicals.commentary_checks(rut, spx, commentary={"cross_month": "2025-07"})
    row = july.loc["cleared its 200-day average in September"]
    assert row["consistent"] and row["commentary"] == "a cross above the 200-day in 2025-07"
    assert row["data"].endswith("above it on every day of 2025-07: False")
    fast = technicals.commentary_checks(rut, spx, window=150, min_days_below=60).iloc[3]
    assert fast.name == "cleared its 150-day average in September"
    assert fast["data"].startswith("crosses above in 2025: ") and "2025-07-02" not in fast["data"]
    # statements off by more than the tolerance
    # statements off by a little more than the default tolerances (1%, 0.25 pp, 0.5)
    off = technicals.commentary_checks(rut, spx, commentary={
        "record_close": 2442.74 * 1.015, "breakout_level": 2458.86 * 0.985, "resistance": 2448.50 * 1.015,
        "target": 2495.50 * 1.07 * 1.015, "wednesday_gain_pct": 1.1, "wednesday_ratio": 3.0})
    assert not off["consistent"].iloc[[0, 1, 2, 4, 5, 6]].any()
    assert off["difference"].tolist() == ["+1.50%", "-1.50%", "+1.50%", "", "+1.50%", "+0.30 pp", "+1.00", ""]


# -- the specification grid ------------------------------------------------------------------------

def _spec(event="breakout", **kw):
    from research.data.sizes import HALVES

    if event == "breakout":
        base = {"event": technicals.GRID_ASPECTS[0], "sma_days": NA, "days_below": NA, "record_age_days": 365,
                "confirm_weeks": 2}
    else:
        base = {"event": technicals.GRID_ASPECTS[1], "sma_days": 200, "days_below": 20, "record_age_days": NA,
                "confirm_weeks": NA}
    return {**base, "series": HALVES, "weighting": "vw", "start": 1926, "measure": "absolute",
            "horizons": "6m+12m", **kw}


@pytest.mark.parametrize(("spec", "valid"), [
    (_spec(), True),
    (_spec("cross"), True),
    (_spec(sma_days=200), False),  # a breakout with a cross's parameter
    (_spec(days_below=20), False),
    (_spec(record_age_days=NA), False),  # a breakout without its own
    (_spec(confirm_weeks=NA), False),
    (_spec("cross", sma_days=NA), False),
    (_spec("cross", days_below=NA), False),
    (_spec("cross", record_age_days=365), False),
    (_spec("cross", confirm_weeks=2), False),
    (_spec(weighting="ew"), True),
    (_spec(weighting="ew", series="Russell 2000 vs S&P 500", start=1987), False),  # the indices are vw only
    (_spec(series="Russell 2000 vs S&P 500", start=1987), True),
    (_spec(series="Russell 2000 vs S&P 500", start=1963), False),  # all the Russell data: the 1987 start
    (_spec(start=1963), True),
    (_spec(start=1987), True),
])
def test_grid_valid_by_hand(spec, valid):
    assert technicals.grid_valid(spec) is valid


def _hand_row(levels, events, h, first, measure, level=0.90, last=None):
    """grid_estimate's row by hand: forward returns from the levels, the event mean minus all days,
    the placebo over every shift (:func:`_hand_placebo`). Independent events are counted here by
    dates: an event counts when it comes h or more trading days after the last counted one."""
    def fwd(x):
        return (x.shift(-h) / x - 1.0) * 100.0

    y = fwd(levels["small"]) - (fwd(levels["large"]) if measure == "relative" else 0.0)
    y = y.loc[first:last].dropna()
    d = y.index.isin(events)
    m = int(d.sum())
    counted = []
    for day in y.index[d]:
        if not counted or len(y.loc[counted[-1]:day]) - 1 >= h:
            counted.append(day)
    k = len(counted)
    estimate = y[d].mean() - y.mean() if m else math.nan
    if k < 2:
        return {"n": k, "events": m, "estimate": estimate, "lower": math.nan, "upper": math.nan, "p_value": math.nan}
    lower, upper, p = _hand_placebo(y.to_numpy(), np.flatnonzero(d), level)
    return {"n": k, "events": m, "estimate": estimate, "lower": lower, "upper": upper, "p_value": p}


@pytest.mark.parametrize(("spec", "label", "n", "sample"), [
    (_spec(), "contradicted", 13, "1962-07-02..1989-04-28"),  # 6m straddles zero, 12m below
    (_spec(horizons="6m"), "inconclusive", 13, "1962-07-02..1989-04-28"),
    (_spec("cross", weighting="ew", start=1963, measure="relative", horizons="12m"), "supported", 10,
     "1963-07-31..1989-04-28"),
    # 150-day crosses: 12m above zero, but the 6m interval reaches below it (-1.1 pp)
    (_spec("cross", sma_days=150, days_below=40, start=1954), "inconclusive", 13, "1962-07-02..1989-04-28"),
    (_spec(record_age_days=182, confirm_weeks=1, start=1987), "inconclusive", 0, "1987-11-02..1989-04-28"),
    (_spec("cross", series="Russell 2000 vs S&P 500", start=1987, sma_days=250, days_below=10, horizons="6m"),
     "inconclusive", 4, "2019-01-02..2025-12-31"),
    (_spec(series="Russell 2000 vs S&P 500", start=1987, record_age_days=730, confirm_weeks=3,
           measure="relative"), "inconclusive", 0, "2019-01-02..2025-12-31"),  # 24 Oct 2025: no 12m yet
    (_spec("cross", start=1987), "inconclusive", 1, "1987-11-02..1989-04-28"),  # one event: no interval
    (_spec(series="Russell 2000 vs S&P 500", start=1987, record_age_days=182, confirm_weeks=1, horizons="6m"),
     "inconclusive", 2, "2019-01-02..2025-12-31"),  # 29 Nov 2019 and 30 Oct 2020 over records of 1,600 and 1,700
])
def test_grid_estimate_on_synthetic_files_is_the_event_study_by_hand(c5_publishers, spec, label, n, sample):
    from research.data.sizes import RUSSELL

    levels = c5_publishers["russell" if spec["series"] == RUSSELL else spec["weighting"]]
    if spec["event"] == technicals.GRID_ASPECTS[0]:
        events = technicals.record_breakouts(levels["small"], spec["record_age_days"], spec["confirm_weeks"])["date"]
    else:
        events = technicals.sma_crosses(levels["small"], spec["sma_days"], spec["days_below"])
    first = {1926: None, 1954: None, 1963: "1963-07-31", 1987: "1987-10-31"}[spec["start"]]
    first = None if spec["series"] == RUSSELL else first
    hs = {"6m+12m": (126, 252), "12m": (252,), "6m": (126,)}[spec["horizons"]]
    want = [_hand_row(levels, events, h, first, spec["measure"]) for h in hs]
    row = technicals.grid_estimate(**spec, min_events=3)
    assert (row["label"], row["n"], row["sample"]) == (label, n, sample)
    assert row["n"] == want[-1]["n"]
    for key in ("estimate", "lower", "upper", "p_value"):
        assert row[key] == pytest.approx(want[-1][key], rel=1e-9, nan_ok=True)
    assert set(row) == {"estimate", "lower", "upper", "label", "n", "p_value", "sample"}


def test_grid_estimate_min_events_and_level_on_both_sides(c5_publishers):
    ew = _spec("cross", weighting="ew", horizons="12m")  # exactly 10 crosses with 12 months after them
    assert technicals.grid_estimate(**ew)["n"] == 10
    assert technicals.grid_estimate(**ew)["label"] == "supported"  # the default needs 10 events
    assert technicals.grid_estimate(**ew, min_events=11)["label"] == "inconclusive"
    spec = _spec()  # 13 breakouts with 12 months after them
    assert technicals.grid_estimate(**spec, min_events=13)["label"] == "contradicted"
    assert technicals.grid_estimate(**spec, min_events=14)["label"] == "inconclusive"
    events = technicals.record_breakouts(c5_publishers["vw"]["small"], 365, 2)["date"]
    want = _hand_row(c5_publishers["vw"], events, 252, None, "absolute", level=0.5)
    half = technicals.grid_estimate(**spec, level=0.5)
    assert (half["lower"], half["upper"]) == pytest.approx((want["lower"], want["upper"]), rel=1e-9)



# -- the claim function: verdicts, the indices' checks and chart, the result's tables --------------

METHOD = ("mean forward return on the event days minus all days; interval and p-value from a random-date placebo "
          "(the event days shifted together to every other date of the sample, keeping their overlap and "
          "bunching); n = events whose forward windows do not overlap; events as in Brock, Lakonishok and "
          "LeBaron (1992)")


def test_verdicts_state_the_rule_the_numbers_and_the_other_series(c5_data):
    """Series b has a's events but large caps that move twice as much (its large = small^2): after
    a cross, b's small caps trail, a decisive opposite result that makes a's "supported" mixed.
    At 50%: the fixture's cycles repeat every 500 days, so many shifted dates line up with the
    events and the placebo's 90% interval straddles zero at 6 months (-1.1 pp)."""
    vw = c5_data["vw"]
    b = vw.assign(large=vw["small"] ** 2 / 100)
    res = technicals.test({"a": vw, "b": b}, primary="a", measure="relative", min_events=3, level=0.5)
    breakout, cross = res.verdicts
    crosses = technicals.sma_crosses(vw["small"], 200, 20)
    want = _hand_row(vw, crosses, 252, None, "relative", level=0.5)
    assert (cross.label, cross.n) == ("mixed", want["n"] == 13 and 13)
    assert cross.statistic == pytest.approx(want["estimate"], rel=1e-9)
    assert cross.interval == pytest.approx((want["lower"], want["upper"]), rel=1e-9)
    assert cross.p_value == pytest.approx(want["p_value"], rel=1e-9) and cross.interval_level == 0.5
    six = _hand_row(vw, crosses, 126, None, "relative", level=0.5)
    other = _hand_row(b, crosses, 252, None, "relative", level=0.5)
    assert other["upper"] < 0
    assert cross.note == (
        f"a: every verdict horizon beats all days with an interval above zero; 6m excess {six['estimate']:+.1f} pp "
        f"[{six['lower']:+.1f}, {six['upper']:+.1f}], 12m excess {want['estimate']:+.1f} pp. Other series — "
        f"b: contradicted ({other['estimate']:+.1f} pp, n=13 of 13 events). The other series' opposite result makes it mixed.")
    assert cross.note.startswith("a: every verdict horizon beats all days with an interval above zero; 6m excess +12.7 pp")
    assert cross.hypothesis == ("After a 200-day cross (close crosses above its 200-day average after >= 20 days "
                                "below), small caps' forward 6m and 12m relative returns beat those of all days")
    assert cross.statistic_name == "12m forward relative return after events minus all days, pp"
    assert cross.method == breakout.method == METHOD
    assert cross.rule == breakout.rule == technicals.rule_text((126, 252), 3, 0.5) == (
        "supported if the forward 6m and 12m returns after events beat those of all days with 50% intervals "
        "(random-date placebo: the events shifted to every other date) excluding zero; contradicted if any is below "
        "with its interval excluding zero and none is above; mixed if they disagree; inconclusive if intervals "
        "straddle zero or there are fewer than 3 independent events (events whose forward windows do not overlap)")
    assert (cross.claim, cross.aspect, cross.sample, cross.vintage) == ("C5", "200-day cross",
                                                                        "a, 1962-07-02..1989-04-28", {})
    # breakouts: contradicted on a, not decisive on b (its 12m excess is above zero): a's label stands
    assert (breakout.label, breakout.aspect) == ("contradicted", "breakout above an old record")
    assert breakout.hypothesis == ("After a breakout above an old record (2 weekly closes above a record at least "
                                   "365 days old), small caps' forward 6m and 12m relative returns beat those of all days")
    assert breakout.note.endswith("12m excess -26.5 pp. Other series — b: inconclusive (+36.1 pp, n=13 of 13 events).")
    assert breakout.note.startswith("a: a verdict horizon is significantly below all days and none above; ")


def test_verdict_parameters_reach_the_event_study(c5_data):
    vw = c5_data["vw"]
    res = technicals.test({"a": vw}, primary="a", window=150, min_days_below=40, min_record_age_days=182,
                          confirm_weeks=1, horizons=(63, 126), verdict_horizons=(63,),
                          start="1963-07-31", end="1985-12-31", level=0.8, min_events=3, vintage={"x": "1"})
    breakout, cross = res.verdicts
    assert breakout.note == breakout.note.split(" Other series")[0]  # one series: no other series' text
    crosses = technicals.sma_crosses(vw["small"], 150, 40)
    want = _hand_row(vw, crosses, 63, "1963-07-31", "absolute", level=0.8, last="1985-12-31")
    assert (cross.n, cross.interval_level) == (want["n"], 0.8)
    assert cross.statistic == pytest.approx(want["estimate"], rel=1e-9)
    assert cross.interval == pytest.approx((want["lower"], want["upper"]), rel=1e-9)
    breakouts = technicals.record_breakouts(vw["small"], 182, 1)["date"]
    want_b = _hand_row(vw, breakouts, 63, "1963-07-31", "absolute", level=0.8, last="1985-12-31")
    assert breakout.n == want_b["n"] and breakout.statistic == pytest.approx(want_b["estimate"], rel=1e-9)
    assert breakout.sample == "a, 1963-07-31..1985-12-31" and breakout.vintage == {"x": "1"}
    assert breakout.rule.endswith("fewer than 3 independent events (events whose forward windows do not overlap)") and "forward 3m returns" in breakout.rule
    assert "80% intervals" in breakout.rule
    assert breakout.hypothesis.startswith("After a breakout above an old record (1 weekly closes above a record at "
                                          "least 182 days old)")
    assert cross.hypothesis.startswith("After a 200-day cross (close crosses above its 150-day average after >= 40")
    assert res.table.index.get_level_values("horizon").unique().tolist() == ["3m", "6m"]
    assert cross.interval == pytest.approx((want["lower"], want["upper"]), rel=1e-9)
    assert res.spec == {"primary": "a", "series": ["a"], "window": 150, "min_days_below": 40,
                        "min_record_age_days": 182, "confirm_weeks": 1, "horizons": [63, 126],
                        "verdict_horizons": [63], "measure": "absolute", "min_events": 3, "level": 0.8,
                        "start": "1963-07-31", "end": "1985-12-31"}
    # min_days_below reaches the events: 40 days below leave out the first 150-day cross (14 with 20)
    whole = technicals.test({"a": vw}, primary="a", window=150, min_days_below=40, min_events=3).verdicts[1]
    complete = [d for d in technicals.sma_crosses(vw["small"], 150, 40) if d <= vw.index[-253]]
    assert whole.n == len(complete) == 13 < len(technicals.sma_crosses(vw["small"], 150, 20))
    # min_events on both sides of the events' count (12m alone: its interval is above zero)
    assert technicals.test({"a": vw}, primary="a", min_events=13, verdict_horizons=(252,)).verdicts[1].label == "supported"
    assert technicals.test({"a": vw}, primary="a", min_events=14, verdict_horizons=(252,)).verdicts[1].label == "inconclusive"
    with pytest.raises(ParameterError, match="min_events must be at least 2"):
        technicals.test({"a": vw}, primary="a", min_events=1)
    with pytest.raises(ParameterError, match="level must be in"):
        technicals.test({"a": vw}, primary="a", level=1.0)
    with pytest.raises(ParameterError, match="horizons must be positive"):
        technicals.test({"a": vw}, primary="a", horizons=(0, 126), verdict_horizons=(126,))


def test_claim_with_the_indices_checks_the_commentary_and_charts_2025(c5_data):
    p = c5_data
    res = technicals.test({"F": p["vw"], "R": p["russell"]}, primary="R", rut=p["rut"], spx=p["spx"], min_events=3)
    pd.testing.assert_frame_equal(res.checks, technicals.commentary_checks(p["rut"], p["spx"]))
    close = p["rut"]["close"]
    sma = close.rolling(200).mean()
    assert res.chart.index[0] == pd.Timestamp("2025-01-01") and res.chart.index[-1] == pd.Timestamp("2025-12-31")
    np.testing.assert_allclose(res.chart["close"], close.loc["2025"])
    np.testing.assert_allclose(res.chart["sma"], sma.loc["2025"], rtol=1e-12)
    assert res.chart_events.to_dict("list") == {
        "event": ["cross above 200-day", "breakout (rule b)"],
        "date": [pd.Timestamp("2025-07-02"), pd.Timestamp("2025-10-17")], "close": [close["2025-07-02"], 2452.0]}
    # breakouts on R: only 17 Oct 2025, without 12 months after it: no interval, no p-value
    breakout = res.verdicts[0]
    assert (breakout.n, breakout.interval, breakout.interval_level, breakout.p_value) == (0, None, None, None)
    assert breakout.note.startswith("R: only 0 independent events (complete, non-overlapping forward windows; fewer than 3)")
    # other rule parameters reach the chart and the checks
    other = technicals.test({"R": p["russell"]}, primary="R", rut=p["rut"], spx=p["spx"], window=150,
                            min_days_below=5, confirm_weeks=3, chart_year=2023, min_events=3,
                            commentary={"cross_month": "2025-07"})
    pd.testing.assert_frame_equal(other.checks, technicals.commentary_checks(
        p["rut"], p["spx"], window=150, min_days_below=5, confirm_weeks=3, commentary={"cross_month": "2025-07"}))
    np.testing.assert_allclose(other.chart["sma"], close.rolling(150).mean().loc["2023"], rtol=1e-12)
    crosses = technicals.sma_crosses(close, 150, 1)
    assert other.chart_events["date"].tolist() == [d for d in crosses if d.year == 2023]
    assert other.chart_events["event"].eq("cross above 150-day").all() and len(other.chart_events) >= 1
    # the conclusion: each verdict, then the checks that agree and the one that does not
    text = res.conclusion().split("\n")
    assert text[:2] == [verdict_sentence(v) for v in res.verdicts]
    assert text[2] == ("- **The commentary's numbers:** 7 of 8 checks agree with the data within the stated "
                       "tolerances. They disagree on *cleared its 200-day average in September*: the data show "
                       "crosses above in 2025: 2025-07-02; after >= 20 days below: 2025-07-02; above it on every "
                       "day of 2025-09: True.")
    july = other.conclusion().split("\n")[-1]
    assert july.startswith("- **The commentary's numbers:** 5 of 8 checks agree with the data within the stated "
                           "tolerances. They disagree on *")
    assert july.endswith("; *breakout: 3 weekly closes above ~2,460 (after the article)*: the data show not met by "
                         "2025-12-31.")
    agree = technicals.test({"R": p["russell"]}, primary="R", rut=p["rut"], spx=p["spx"], min_events=3,
                            commentary={"cross_month": "2025-07", "resistance": 2217.15})  # July's high close
    assert agree.conclusion().split("\n")[-1] == ("- **The commentary's numbers:** 8 of 8 checks agree with the data "
                                                  "within the stated tolerances.")
    no_checks = technicals.test({"R": p["russell"]}, primary="R", min_events=3)
    assert no_checks.conclusion() == "\n".join(verdict_sentence(v) for v in no_checks.verdicts)
    assert no_checks.chart_events.empty and list(no_checks.chart_events.columns) == ["event", "date", "close"]


def test_result_summary_and_excess_tables(c5_data):
    res = technicals.test({"F": c5_data["vw"], "R": c5_data["russell"]}, primary="F", min_events=3)
    digits = {"n_events": None, "n_independent": None, "mean_event": 1, "mean_all": 1, "excess": 1, "ci_lower": 1, "ci_upper": 1,
              "p_value": 3, "hit_rate_event": 2, "hit_rate_all": 2}
    for measure in ("absolute", "relative"):
        summary = res.summary(measure)
        raw = res.table.xs(measure, level="measure")
        assert summary.columns.tolist() == list(digits) and summary.index.equals(raw.index)
        for col, d in digits.items():
            want = raw[col] if d is None else raw[col].round(d)
            pd.testing.assert_series_equal(summary[col], want)
            if d is not None:
                assert (raw[col].dropna() != summary[col].dropna()).any()  # rounded, not the raw numbers
        excess = res.excess(measure)
        assert excess.columns.tolist() == ["series", "event", "horizon", "horizon_days", "n_events", "n_independent",
                                           "excess", "ci_lower", "ci_upper"]
        assert excess["excess"].tolist() == pytest.approx(raw["excess"].tolist(), nan_ok=True)
        assert excess["horizon_days"].tolist() == [21, 63, 126, 252] * 4
    assert res.summary().equals(res.summary("absolute")) and res.excess().equals(res.excess("absolute"))
    assert not res.summary("relative").equals(res.summary("absolute"))


def test_events_frame_lists_each_event_with_its_forward_returns(c5_data):
    p = c5_data
    rut, spx = p["russell"]["small"], p["russell"]["large"]
    res = technicals.test({"F": p["vw"], "R": p["russell"]}, primary="F", min_events=3)
    assert res.events.index.name == "series" and res.events.index.nlevels == 1
    ev = res.events.loc["R"]
    assert ev.columns.tolist() == ["event", "date", "close", "abs_21", "abs_63", "abs_126", "abs_252",
                                   "rel_21", "rel_63", "rel_126", "rel_252", "level", "record_date"]
    crosses = ["2020-07-24", "2022-10-26", "2023-12-29", "2025-07-02"]
    assert ev["event"].tolist() == ["breakout"] + ["sma_cross"] * 4
    assert ev["date"].tolist() == [pd.Timestamp(d) for d in ["2025-10-17", *crosses]]
    assert ev["close"].tolist() == [2452.0, *rut.loc[crosses]]
    first = ev.iloc[0]
    assert (first["level"], first["record_date"]) == (2442.74, pd.Timestamp("2021-11-08"))
    assert ev["level"].iloc[1:].isna().all() and ev["record_date"].iloc[1:].isna().all()
    # 21 trading days after 17 Oct 2025 is 17 Nov; 63 days later is past the data
    day = rut.index.get_loc(pd.Timestamp("2025-10-17"))
    abs21 = (rut.iloc[day + 21] / 2452.0 - 1) * 100
    assert rut.index[day + 21] == pd.Timestamp("2025-11-17")
    assert first["abs_21"] == pytest.approx(abs21, rel=1e-12) and math.isnan(first["abs_63"])
    assert first["rel_21"] == pytest.approx(abs21 - (spx.iloc[day + 21] / spx.iloc[day] - 1) * 100, rel=1e-12)
    assert len(res.events.loc["F"]) == 14 + 13 and res.samples["F"] == "1962-07-02..1989-04-28"
    # no breakout at all: the level and record date columns are there, empty
    none = technicals.test({"R": p["russell"]}, primary="R", min_record_age_days=5000, min_events=3).events
    assert none["event"].eq("sma_cross").all() and none["level"].isna().all() and none["record_date"].isna().all()
    assert none.columns.tolist()[-2:] == ["level", "record_date"]
    # with the types they have when there are breakouts: a number and a date
    assert none["level"].dtype == ev["level"].dtype == float and none["record_date"].dtype.kind == "M"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"primary": "x"}, "primary series 'x' is not one of ['a']"),
    ({"horizons": ()}, "horizons must be positive trading-day counts, got []"),
    ({"horizons": (21, 0), "verdict_horizons": (21,)}, "horizons must be positive trading-day counts, got [21, 0]"),
    ({"horizons": (21,), "verdict_horizons": (21, 63)}, "verdict_horizons [21, 63] must be among horizons [21]"),
    ({"measure": "both"}, "measure must be 'absolute' or 'relative', not 'both'"),
    ({"min_events": 1}, "min_events must be at least 2, got 1"),
    ({"level": 0.0}, "level must be in (0, 1), e.g. 0.90; got 0.0"),
    ({"level": 1.0}, "level must be in (0, 1), e.g. 0.90; got 1.0"),
])
def test_claim_parameters_rejected_with_their_values(kwargs, message):
    import re

    series = {"a": _synthetic_series(3, n=400)}
    with pytest.raises(ParameterError, match=re.escape(message)):
        technicals.test(series, **{"primary": "a", **kwargs})


def test_claim_parameters_at_their_limits_are_accepted():
    series = {"a": _synthetic_series(3, n=400)}
    for kwargs in ({"horizons": (1,), "verdict_horizons": (1,)}, {"min_events": 2}, {"level": 0.01},
                   {"level": 0.99}, {"measure": "relative"}):
        res = technicals.test(series, primary="a", **kwargs)
        assert len(res.verdicts) == 2
    with pytest.raises(ParameterError, match=r"series 'a' needs columns small and large \(levels\); missing \{'large'\}"):
        technicals.test({"a": series["a"].drop(columns="large")}, primary="a")


# -- the defaults the claim states: 200 days, 20 days below, 365 days, 2 weeks, 90% --------------

def _cross_after_20_days():
    """219 closes at 100 then 81 at 101: the 200-day average is 100 from day 199, so days 199-218
    (20 days) are at it and day 219 closes above it."""
    return _days([100.0] * 219 + [101.0] * 81)


def _record_365_days_old():
    """A record close (100) on Thursday 3 Jan 2019, weekly closes of 90 to Friday 3 Jan 2020 (365
    days later), then 101: armed that Friday, two weekly closes above it end on 17 Jan 2020."""
    close = _weekly_path([90.0] * 53 + [101.0] * 3, start="2018-12-31")
    close.iloc[3] = 100.0
    return close


def test_event_rules_default_to_the_commentarys_numbers():
    cross = _cross_after_20_days()
    assert technicals.moving_average(cross).first_valid_index() == cross.index[199]
    assert list(technicals.sma_crosses(cross)) == [cross.index[219]]
    assert list(technicals.sma_crosses(cross, 200, 21)) == [] == list(technicals.sma_crosses(cross, 201, 20))
    record = _record_365_days_old()
    weeks = technicals.weekly_closes(record)
    assert technicals.record_breakouts(record)["date"].tolist() == [pd.Timestamp("2020-01-17")]
    assert technicals.weekly_record_breakouts(weeks)["date"].tolist() == [pd.Timestamp("2020-01-17")]
    assert technicals.record_breakouts(record, 366, 2).empty
    assert technicals.record_breakouts(record, 365, 3)["date"].tolist() == [pd.Timestamp("2020-01-24")]
    # study_series: the same events, 21-252 day horizons, 90% intervals
    events, table = technicals.study_series(pd.DataFrame({"small": cross, "large": cross}))
    assert events["date"].tolist() == [cross.index[219]] and events["event"].tolist() == ["sma_cross"]
    assert table.index.get_level_values("horizon").unique().tolist() == ["1m", "3m", "6m", "12m"]
    events, _ = technicals.study_series(pd.DataFrame({"small": record, "large": record}))
    assert events.loc[events["event"] == "breakout", "date"].tolist() == [pd.Timestamp("2020-01-17")]


def test_event_study_defaults_to_90_percent():
    rng = np.random.default_rng(2)
    levels = _days(100 * np.exp(np.cumsum(rng.normal(0.0005, 0.01, 300))))
    fwd = technicals.forward_returns(levels, [5])
    events = levels.index[[20, 90, 150, 230]]
    default = technicals.event_study(fwd, events).iloc[0]
    y = fwd[5].dropna()
    lower, upper, _ = _hand_placebo(y.to_numpy(), np.flatnonzero(y.index.isin(events)), 0.90)
    assert (default["ci_lower"], default["ci_upper"]) == pytest.approx((lower, upper), rel=1e-9)
    assert default["shifts"] == len(y) == 295


def test_claim_defaults_in_its_verdicts():
    vw = _synthetic_series(3)
    breakout, cross = technicals.test({"a": vw}, primary="a").verdicts
    assert breakout.hypothesis == ("After a breakout above an old record (2 weekly closes above a record at least 365 "
                                   "days old), small caps' forward 6m and 12m absolute returns beat those of all days")
    assert cross.hypothesis == ("After a 200-day cross (close crosses above its 200-day average after >= 20 days "
                                "below), small caps' forward 6m and 12m absolute returns beat those of all days")
    assert cross.rule == technicals.rule_text((126, 252), 10, 0.9) and cross.rule.endswith("fewer than 10 independent events (events whose forward windows do not overlap)")
    assert "with 90% intervals" in cross.rule and cross.interval_level in (0.9, None)


# -- event rows and breakout rules at their edges --------------------------------------------------

def test_event_row_hit_rates_count_gains_above_zero_only():
    # one-day returns 0, +0.5, -0.50, 0, +1.5, -0.99, +2.49 (percent); events on the 0, +0.5 and 0
    # days: a gain under 1% is a hit, no change is not
    levels = _days([100, 100, 100.5, 100, 100, 101.5, 100.5, 103])
    y = technicals.forward_returns(levels, [1])[1].dropna().to_numpy()
    assert y[[0, 3]].tolist() == [0.0, 0.0] and y[1] == pytest.approx(0.5)
    row = technicals.event_row(1, y, np.array([0, 1, 3]), 0.9)
    assert row["hit_rate_event"] == pytest.approx(1 / 3) and row["hit_rate_all"] == pytest.approx(3 / 7)
    assert (row["n_events"], row["n_days"], row["horizon"], row["horizon_days"]) == (3, 7, "1d", 1)
    assert row["excess"] == pytest.approx(0.5 / 3 - y.mean(), rel=1e-12)
    assert (row["ci_lower"], row["ci_upper"], row["p_value"]) == pytest.approx(_hand_placebo(y, [0, 1, 3], 0.9),
                                                                               rel=1e-9)


def test_event_row_needs_two_events_and_three_other_days():
    y = np.array([1.0, -2.0, 0.5, 3.0, -1.0, 2.0])
    # 3-day windows: events 0 and 3 do not overlap (two independent events), 2 overlaps 0's
    two = technicals.event_row(3, y, np.array([0, 3]), 0.9)
    assert math.isfinite(two["ci_lower"]) and math.isfinite(two["p_value"])
    assert (two["n_events"], two["n_independent"]) == (2, 2)
    three = technicals.event_row(3, y, np.array([0, 2, 3]), 0.9)  # 6 days > 3 events + 2
    assert math.isfinite(three["ci_lower"]) and (three["n_events"], three["n_independent"]) == (3, 2)
    four = technicals.event_row(3, y[:5], np.array([0, 2, 3]), 0.9)  # 5 days: too few
    overlapping = technicals.event_row(4, y, np.array([0, 3]), 0.9)  # 4-day windows overlap: one event
    assert overlapping["n_independent"] == 1 and math.isnan(overlapping["ci_lower"])
    assert overlapping["excess"] == pytest.approx(y[[0, 3]].mean() - y.mean())
    assert all(math.isnan(four[k]) for k in ("excess", "ci_lower", "ci_upper", "p_value"))
    one = technicals.event_row(5, y, np.array([3]), 0.9)
    assert one["excess"] == pytest.approx(3.0 - y.mean()) and math.isnan(one["ci_lower"])
    assert (one["mean_event"], one["hit_rate_event"]) == (3.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mean of an empty selection
        none = technicals.event_row(5, y, np.array([], dtype=int), 0.9)
    assert none["n_events"] == 0 and math.isnan(none["mean_event"]) and math.isnan(none["hit_rate_event"])
    assert math.isnan(none["excess"]) and none["mean_all"] == pytest.approx(y.mean())


def test_event_row_placebo_worked_by_hand():
    # events on days 1 and 4 of six; shifted by k = 0..5 they average 3, 0, 0, 3, 0, 0 (mean of all
    # days 1): placebo excesses 2, -1, -1, 2, -1, -1; the actual one is 2. 90%: the 5% quantile
    # is -1, the 95% one 2, so the interval is [2 - 2, 2 + 1]; p = 2 x (2 of 6 at or above 2)
    y = np.array([0.0, 3.0, 0.0, 0.0, 3.0, 0.0])
    row = technicals.event_row(1, y, np.array([1, 4]), 0.9)
    assert (row["excess"], row["ci_lower"], row["ci_upper"]) == pytest.approx((2.0, 0.0, 3.0), abs=1e-12)
    assert row["p_value"] == pytest.approx(2 / 3) and row["shifts"] == 6


def test_breakout_rule_edges():
    # armed after its first week (a record 4 days old, age 1 day), broken by weeks 1 and 2
    close = _weekly_path([100.0, 106.0, 107.0, 107.0])
    close.iloc[0] = 105.0
    out = technicals.record_breakouts(close, min_record_age_days=1, confirm_weeks=2)
    assert out["date"].tolist() == [close.index[14]] and out["level"].tolist() == [105.0]
    with pytest.raises(ParameterError, match="must be positive, got 0, 2"):
        technicals.record_breakouts(close, min_record_age_days=0)
    # weekly closes equal to the old record are not above it
    flat = _weekly_path([100.0] + [90.0] * 60 + [100.0, 100.0])
    assert technicals.record_breakouts(flat).empty
    # equalling the record a month later does not make it younger
    again = _weekly_path([100.0] + [90.0] * 29 + [100.0] + [90.0] * 40 + [101.0, 102.0])
    weeks = technicals.weekly_closes(again)
    assert technicals.record_breakouts(again)["date"].tolist() == [weeks["date"].iloc[72]]
    # missing closes are skipped
    gappy = again.copy()
    gappy.iloc[[7, 359]] = np.nan  # a Wednesday, and the Friday of week 71
    got, want = technicals.record_breakouts(gappy), technicals.record_breakouts(again)
    cols = ["date", "level", "record_date", "close"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
    assert got["first_week"].iloc[0] == want["first_week"].iloc[0] - pd.Timedelta(days=1)  # week 71 ends Thursday


def test_verdict_note_reads_the_first_and_last_of_three_horizons(c5_data):
    vw = c5_data["vw"]
    b = vw.assign(large=vw["small"] ** 2 / 100)
    # at 50%: see test_verdicts_state_the_rule_the_numbers_and_the_other_series
    res = technicals.test({"a": vw, "b": b}, primary="a", verdict_horizons=(63, 126, 252), min_events=3, level=0.5)
    cross = res.verdicts[1]
    rows = res.table.loc[("a", "sma_cross", "absolute")]
    other = res.table.loc[("b", "sma_cross", "absolute", "12m")]
    b_label, _ = technicals.classify(res.table.loc[("b", "sma_cross", "absolute")].loc[["3m", "6m", "12m"]], 3)
    assert cross.note.endswith(f"; 3m excess {rows.loc['3m', 'excess']:+.1f} pp [{rows.loc['3m', 'ci_lower']:+.1f}, "
                               f"{rows.loc['3m', 'ci_upper']:+.1f}], 12m excess {rows.loc['12m', 'excess']:+.1f} pp. "
                               f"Other series — b: {b_label} ({other['excess']:+.1f} pp, n=13 of 13 events).")
    assert cross.statistic == rows.loc["12m", "excess"] and cross.statistic_name.startswith("12m forward")
    assert rows.loc["6m", "excess"] != pytest.approx(rows.loc["12m", "excess"], abs=0.1)


def test_rule_edges_equal_values_and_limits():
    # a close equal to its average is not above it; a 2-day average is allowed
    assert list(technicals.sma_crosses(_days([10, 10, 10, 10]), window=2, min_days_below=1)) == []
    assert list(technicals.sma_crosses(_days([10, 10, 9, 12]), window=2, min_days_below=1)) == [pd.Timestamp("2020-01-06")]
    # weekly closes at the level are not above it
    at = _weekly_path([90.0, 100.0, 100.0, 100.0])
    assert technicals.confirmation_date(at, 100.0, at.index[0]) is None
    # intervals touching zero are not decisive; any margin above (below) zero is
    assert technicals.classify(_rows((0, 3), (0, 5)), 10)[0] == "inconclusive"
    assert technicals.classify(_rows((0.5, 3), (0.2, 5)), 10)[0] == "supported"
    assert technicals.classify(_rows((-3, 0), (-5, 0)), 10)[0] == "inconclusive"
    assert technicals.classify(_rows((-3, -0.5), (-5, -0.2)), 10)[0] == "contradicted"
    assert technicals.classify({"n_independent": [], "ci_lower": [], "ci_upper": []}, 2) == (
        "inconclusive", "only 0 independent events (complete, non-overlapping forward windows; fewer than 2)")


def test_commentary_checks_edge_cases(c5_data):
    rut, spx = c5_data["rut"].copy(), c5_data["spx"]
    close = rut["close"]
    # a close equal to the record is not above it; a one-day dip under the average makes a cross
    rut.loc["2025-09-16", "close"] = 2442.74
    rut.loc["2025-08-13", "close"] = 1500.0
    checks = technicals.commentary_checks(rut, spx)
    assert checks.iloc[0]["data"] == "2,442.74 on 2021-11-08; not closed above until 2025-09-17"
    assert checks.iloc[3]["data"].startswith("crosses above in 2025: 2025-07-02, 2025-08-14; after >= 20 days "
                                             "below: 2025-07-02;")
    # a record on the last day of its month (30 Sep 2021, a Thursday) broken the next day; a record
    # on the first day of its month (1 Dec 2021) after a higher close the day before
    sep = technicals.commentary_checks(rut, spx, commentary={"record_month": "2021-09"}).iloc[0]
    assert sep["data"] == f"{close['2021-09-30']:,.2f} on 2021-09-30; not closed above until 2021-10-01"
    dec = technicals.commentary_checks(rut, spx, commentary={"record_month": "2021-12"}).iloc[0]
    first_above = close.loc["2021-12-02":][close.loc["2021-12-02":] > close["2021-12-01"]].index[0]
    assert close["2021-11-30"] > close["2021-12-01"]
    assert dec["data"] == f"{close['2021-12-01']:,.2f} on 2021-12-01; not closed above until {first_above:%Y-%m-%d}"
    # the highest close between the record and a Tuesday before it was broken: the day after it
    early = technicals.commentary_checks(rut, spx, commentary={"tuesday": "2024-11-26"}).iloc[2]
    assert early["data"].endswith(f"highest close to 26 Nov: {close['2021-11-09']:,.2f}")
    assert close["2021-11-09"] > close["2021-11-10"] > close["2024-11-25"]
    # a record never closed above: nothing to add
    assert technicals.commentary_checks(rut, spx, commentary={"record_month": "2025-10"}).iloc[0]["data"] == (
        "2,515.46 on 2025-10-15")
    # the average of the window asked for: the 5-day one is above late September's falling closes
    assert technicals.commentary_checks(rut, spx, window=5).iloc[3]["data"].endswith("every day of 2025-09: False")
    # a day without a close (a bad row) does not lend its high to the intraday record
    bad = rut.copy()
    bad.loc["2021-11-15"] = [np.nan, 2470.0]
    row = technicals.commentary_checks(bad, spx).iloc[1]
    assert row["data"] == "intraday high 2,458.86, close 2,442.74 (Nov 2021)"
    # no cross that year, none after 1000 days below
    quiet = technicals.commentary_checks(rut, spx, min_days_below=1000, commentary={"cross_month": "2021-11"})
    assert quiet.iloc[3]["data"] == ("crosses above in 2021: none; after >= 1000 days below: none; above it on every "
                                     "day of 2021-11: False")  # late Nov 2021 fell below it


def test_verdict_notes_name_each_other_series(c5_data):
    vw, russell = c5_data["vw"], c5_data["russell"]
    b = vw.assign(large=vw["small"] ** 2 / 100)
    # the primary contradicted, another series supported: mixed (at 50%: the fixture's cycles repeat,
    # see test_verdicts_state_the_rule_the_numbers_and_the_other_series)
    res = technicals.test({"a": vw, "b": b}, primary="b", measure="relative", min_events=3, level=0.5)
    assert res.verdicts[1].label == "mixed" and ", 12m excess -45.9 pp. Other series — a: supported (+31.4 pp, n=13 of 13 events)." \
        " The other series' opposite result makes it mixed." in res.verdicts[1].note
    # three series: each other one in turn, with its n at the last verdict horizon (the Russell's
    # 12m count, 3, is one less than its 6m count)
    three = technicals.test({"a": vw, "b": b, "R": russell}, primary="a", verdict_horizons=(21, 126, 252),
                            min_events=3, level=0.5)
    r12 = three.table.loc[("R", "sma_cross", "absolute", "12m")]
    assert three.table.loc[("R", "sma_cross", "absolute", "6m"), "n_events"] == 4 and r12["n_events"] == 3
    b12 = three.table.loc[("b", "sma_cross", "absolute", "12m")]
    labels = {name: technicals.classify(three.table.loc[(name, "sma_cross", "absolute")].loc[["1m", "6m", "12m"]], 3)[0]
              for name in ("b", "R")}
    assert three.verdicts[1].note.endswith(
        f"Other series — b: {labels['b']} ({b12['excess']:+.1f} pp, n=13 of 13 events); R: {labels['R']} "
        f"({r12['excess']:+.1f} pp, n=3 of 3 events).")
    # one series: the note ends with its own numbers
    alone = technicals.test({"a": vw}, primary="a", min_events=3)
    assert all(v.note.endswith(" pp.") for v in alone.verdicts)


def test_a_mixed_primary_and_the_indices_needed_together(c5_data):
    vw = c5_data["vw"]
    # breakouts: 1 month significantly above all days, 12 months below: mixed on their own (at 50%:
    # see test_verdicts_state_the_rule_the_numbers_and_the_other_series)
    res = technicals.test({"a": vw}, primary="a", horizons=(21, 252), verdict_horizons=(21, 252), min_events=3,
                          level=0.5)
    breakout = res.verdicts[0]
    assert breakout.label == "mixed" and breakout.note.startswith(
        "a: one horizon is significantly above all days and another significantly below; 1m excess +2.6 pp")
    assert "opposite result" not in breakout.note
    # the commentary checks and the chart need both the Russell 2000 and the S&P 500
    only_rut = technicals.test({"a": vw}, primary="a", rut=c5_data["rut"], min_events=3)
    assert only_rut.checks.empty and only_rut.chart.empty and only_rut.chart_events.empty


def test_chart_events_follow_the_rule_parameters(c5_data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    rut.loc["2025-08-13", "close"] = 1500.0  # one day under the average: the chart shows every cross
    res = technicals.test({"R": c5_data["russell"]}, primary="R", rut=rut, spx=spx, confirm_weeks=3, min_events=3)
    events = res.chart_events
    assert events["date"].tolist() == [pd.Timestamp(d) for d in ("2025-07-02", "2025-08-14", "2025-10-24")]
    assert events["event"].tolist() == ["cross above 200-day"] * 2 + ["breakout (rule b)"]  # three weeks: 10, 17, 24 Oct
    assert events["close"].iloc[1] == rut.loc["2025-08-14", "close"]


# -- loading: each definition's series and datasets; study_series' sample edges -------------------

def test_load_series_for_each_definition(c5_publishers):
    """The French series is the 2x3 halves compounded from 100 whatever the primary is ("smb" adds
    the SMB factor's file to the datasets read); "russell" makes the indices the primary series."""
    p = c5_publishers
    french, russell = technicals.SERIES_FRENCH, technicals.SERIES_RUSSELL
    want_russell = p["russell"].rename_axis(None)
    for args, primary, weighting, extra in [
        ((), french, "vw", ["me_bm_6_daily"]),  # the defaults: deciles, value weighted
        (("smb",), french, "vw", ["ff3_factors_daily", "me_bm_6_daily"]),
        (("russell",), russell, "vw", ["me_bm_6_daily"]),
        (("russell", "ew"), russell, "ew", ["me_bm_6_daily"]),
    ]:
        series, got_primary, rut, spx, datasets = technicals.load_series(*args)
        assert (got_primary, datasets) == (primary, ["rut", "gspc", *extra]), args
        assert list(series) == [russell, french]
        np.testing.assert_allclose(series[french][["small", "large"]], p[weighting][["small", "large"]], rtol=1e-12)
        assert series[french].index.equals(FRENCH_DAYS)
        pd.testing.assert_frame_equal(series[russell].rename_axis(None), want_russell, check_freq=False,
                                      check_names=False)
        np.testing.assert_allclose(rut[["close", "high"]], p["rut"][["close", "high"]])
    assert technicals.run(small_large="smb", min_events=3).verdicts[0].vintage == {
        "rut": "2025-12-31", "gspc": "2025-12-31", "ff3_factors_daily": "202501", "me_bm_6_daily": "202501"}


def test_study_series_keeps_events_on_the_first_and_last_day_of_its_sample(c5_data):
    """The sample's first and last days are in it, for the events as for all days; events outside
    it are not listed."""
    vw = c5_data["vw"]
    crosses = technicals.sma_crosses(vw["small"], 200, 20)
    lo, hi = crosses[2], crosses[5]
    events, table = technicals.study_series(vw, start=f"{lo:%Y-%m-%d}", end=f"{hi:%Y-%m-%d}", horizons=(21,))
    listed = events.loc[events["event"] == "sma_cross", "date"]
    assert listed.tolist() == list(crosses[2:6])
    breakouts = technicals.record_breakouts(vw["small"])["date"]
    assert events.loc[events["event"] == "breakout", "date"].tolist() == [d for d in breakouts if lo <= d <= hi]
    want = _hand_row(vw, crosses, 21, lo, "absolute", last=hi)
    row = table.loc[("sma_cross", "absolute", "1m")]
    assert row["n_events"] == want["n"] == 4
    assert (row["excess"], row["ci_lower"], row["ci_upper"]) == pytest.approx(
        (want["estimate"], want["lower"], want["upper"]), rel=1e-9)


def test_study_series_defaults_to_90_percent_intervals(c5_data):
    vw = c5_data["vw"]
    _, table = technicals.study_series(vw)
    want = _hand_row(vw, technicals.sma_crosses(vw["small"], 200, 20), 252, None, "absolute", level=0.90)
    row = table.loc[("sma_cross", "absolute", "12m")]
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((want["lower"], want["upper"]), rel=1e-9)


def test_commentary_checks_a_close_on_its_average_is_not_above_it(c5_data):
    rut, spx = c5_data["rut"], c5_data["spx"]
    rut.loc["2024-11-01":"2025-09-30", "close"] = 2448.5  # flat for over 200 days: September's average is its close
    assert technicals.moving_average(rut["close"]).loc["2025-09"].eq(2448.5).all()
    row = "cleared its 200-day average in September"
    assert technicals.commentary_checks(rut, spx).loc[row, "data"].endswith("above it on every day of 2025-09: False")
    rut.loc["2025-09", "close"] = 2448.51  # a cent above it
    assert technicals.commentary_checks(rut, spx).loc[row, "data"].endswith("above it on every day of 2025-09: True")
