"""C1 easing cycles: event windows, the first-cut rule, recession flags, placebo, verdict rule."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from research.claims import easing
from research.errors import ParameterError
from research.verdict import LABELS


def months(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="ME")


def hand_compound(values) -> float:
    growth = 1.0
    for v in values:
        growth *= 1 + v / 100
    return (growth - 1) * 100


# -- event windows ------------------------------------------------------------------------------------

def test_window_returns_match_hand_compounding():
    r = pd.Series([1.0, -2.0, 3.0, 0.5, -1.5, 2.0, 4.0], index=months("2000-01-31", 7))
    out = easing.window_returns(r, [pd.Timestamp("2000-02-15")], [1, 3, 5])
    # the event month is February (position 1); the window starts in March
    assert out.loc["2000-02-29", "ret_1m"] == pytest.approx(3.0)
    assert out.loc["2000-02-29", "ret_3m"] == pytest.approx(hand_compound([3.0, 0.5, -1.5]))
    assert out.loc["2000-02-29", "ret_5m"] == pytest.approx(hand_compound([3.0, 0.5, -1.5, 2.0, 4.0]))


def test_window_returns_with_cut_month_and_incomplete_windows():
    r = pd.Series([1.0, -2.0, 3.0, 0.5], index=months("2000-01-31", 4))
    out = easing.window_returns(r, ["2000-02-29", "2000-03-31", "1999-05-31"], [2, 3],
                                include_cut_month=True)
    assert out.iloc[0]["ret_2m"] == pytest.approx(hand_compound([-2.0, 3.0]))
    assert out.iloc[0]["ret_3m"] == pytest.approx(hand_compound([-2.0, 3.0, 0.5]))
    assert out.iloc[1]["ret_2m"] == pytest.approx(hand_compound([3.0, 0.5]))
    assert np.isnan(out.iloc[1]["ret_3m"])  # runs past the data
    assert out.iloc[2].isna().all()  # event month not in the data


def test_cumulative_paths_start_at_zero_and_end_at_the_window_return():
    r = pd.Series([1.0, -2.0, 3.0, 0.5, -1.5, 2.0], index=months("2000-01-31", 6))
    paths = easing.cumulative_paths(r, ["2000-01-31", "2000-04-30"], 3)
    assert list(paths.columns) == ["2000-01", "2000-04"]
    assert paths.loc[0].tolist() == [0.0, 0.0]
    assert paths.loc[3, "2000-01"] == pytest.approx(hand_compound([-2.0, 3.0, 0.5]))
    assert paths.loc[2, "2000-04"] == pytest.approx(hand_compound([-1.5, 2.0]))
    assert np.isnan(paths.loc[3, "2000-04"])


def test_all_windows_are_every_run_of_consecutive_months():
    r = pd.Series([1.0, 2.0, -1.0, 4.0], index=months("2000-01-31", 4))
    w = easing.all_windows(r, 2)
    assert w.index.tolist() == list(months("2000-01-31", 3))  # indexed by the first month
    assert w.tolist() == pytest.approx([hand_compound([1.0, 2.0]), hand_compound([2.0, -1.0]),
                                        hand_compound([-1.0, 4.0])])


def test_placebo_means_of_constant_windows_are_that_constant():
    draws = easing.placebo_means(np.full(50, 3.0), 4, reps=200)
    assert np.allclose(draws, 3.0)
    rng_draws = easing.placebo_means(np.arange(100.0), 10, reps=20_000, rng=np.random.default_rng(1))
    assert rng_draws.mean() == pytest.approx(49.5, abs=0.3)


# -- first cuts ----------------------------------------------------------------------------------------

def test_rule_finds_the_first_cut_after_each_hike():
    levels = [2.0, 2.0, 2.5, 3.0, 3.0, 2.75, 2.5, 2.0, 2.0, 2.5, 2.75, 2.5, 2.25]
    rate = pd.Series(levels, index=months("2001-01-31", len(levels)))
    cuts = easing.rule_first_cuts(rate, min_cut=0.25, min_hike=0.25)
    # hikes to 3.0 (April), first cut in June; hikes again to 2.75 (November), cut in December
    assert [d.strftime("%Y-%m") for d in cuts.index] == ["2001-06", "2001-12"]
    assert cuts.iloc[0]["peak"] == 3.0 and cuts.iloc[0]["months_since_hike"] == 2
    assert cuts.iloc[1]["peak_month"] == pd.Timestamp("2001-11-30")


def test_rule_thresholds_and_months_since_hike():
    levels = [2.0, 2.5, 2.5, 2.5, 2.5, 2.5, 2.25, 2.0]
    rate = pd.Series(levels, index=months("2001-01-31", len(levels)))
    assert len(easing.rule_first_cuts(rate, min_cut=0.25)) == 1
    assert len(easing.rule_first_cuts(rate, min_cut=0.5)) == 1
    assert easing.rule_first_cuts(rate, min_cut=0.5).index[0] == pd.Timestamp("2001-08-31")
    # the peak is 5 months old at the cut: a 4-month limit drops it
    assert easing.rule_first_cuts(rate, max_months_since_hike=4).empty
    # a rise of 0.5 is not a hike when min_hike is 0.75
    assert easing.rule_first_cuts(rate, min_hike=0.75).empty
    with pytest.raises(ParameterError):
        easing.rule_first_cuts(rate, min_cut=0)


def test_compare_first_cuts_pairs_within_tolerance():
    curated = pd.DatetimeIndex(["2000-01-15", "2005-06-10", "2010-03-01"])
    rule = pd.DatetimeIndex(["2000-03-31", "2008-01-31", "2010-03-31"])
    out = easing.compare_first_cuts(curated, rule, tolerance_months=6)
    assert out["status"].tolist() == ["both", "curated only", "rule only", "both"]
    assert out["gap_months"].iloc[0] == 2 and out["gap_months"].iloc[3] == 0


def test_policy_rate_splices_the_target_from_its_first_full_month():
    ff = pd.Series([5.0, 5.1, 5.2, 5.3], index=months("1982-08-31", 4), name="FEDFUNDS")
    days = pd.date_range("1982-09-27", "1982-11-30", freq="D")
    target = pd.Series(10.0, index=days)
    target.loc["1982-11-10":] = 9.5
    rate = easing.policy_rate(ff, target)
    assert rate.loc["1982-09-30"] == 5.1  # September is not fully covered by the target
    assert rate.loc["1982-10-31"] == 10.0 and rate.loc["1982-11-30"] == 9.5


def test_curated_first_cuts_are_a_sorted_fact_table_with_sources():
    cuts = easing.curated_first_cuts()
    assert cuts.index.is_monotonic_increasing and cuts.index.is_unique
    assert cuts.index[0].year >= 1954 and (cuts["source"].str.len() > 20).all()
    assert (cuts["rate_after"] < cuts["rate_before"]).all()


# -- recessions ------------------------------------------------------------------------------------------

def test_recession_flags_ongoing_and_within_window():
    usrec = pd.Series(0, index=months("1999-01-31", 48))
    usrec.loc["2000-06-30":"2000-12-31"] = 1
    events = ["2000-02-29", "2000-08-31", "1999-03-31", "2001-06-30"]
    flags = easing.recession_flags(events, usrec, window=12)
    assert flags["recession"].tolist() == [True, True, False, False]
    assert flags.iloc[0]["recession_start"] == pd.Timestamp("2000-06-30")
    assert flags.iloc[1]["in_recession_at_cut"]
    only_new = easing.recession_flags(events, usrec, window=12, include_ongoing=False)
    assert only_new["recession"].tolist() == [True, False, False, False]
    assert not easing.recession_flags(["2001-12-31"], usrec, window=24)["covered"].iloc[0]


# -- the verdict rule --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mean", "lower", "upper", "n", "label"), [
    (3.0, 0.5, 6.0, 8, "supported"),
    (-3.0, -6.0, -0.5, 8, "contradicted"),
    (3.0, -1.0, 6.0, 8, "inconclusive"),
    (3.0, 0.5, 6.0, 3, "inconclusive"),
    (np.nan, np.nan, np.nan, 0, "inconclusive"),
])
def test_verdict_label_branches(mean, lower, upper, n, label):
    assert easing.verdict_label(mean, lower, upper, n, min_events=5) == label


def synthetic(effect: float, noise: float = 0.0, seed: int = 0):
    """Small-minus-large = ``effect`` % per month in the 12 months after each cut, else noise."""
    idx = months("1960-01-31", 480)
    rng = np.random.default_rng(seed)
    r = pd.Series(rng.normal(0, noise, len(idx)) if noise else np.zeros(len(idx)), index=idx)
    cut_dates = pd.to_datetime([f"{y}-03-15" for y in range(1962, 1998, 4)])
    for d in cut_dates:  # the 12 months after the month of the cut
        r.loc[d + pd.offsets.MonthEnd(2): d + pd.offsets.MonthEnd(13)] += effect
    usrec = pd.Series(0, index=idx)
    usrec.loc["1974-06-30":"1975-03-31"] = 1  # the 1974 cut falls in a recession
    curated = pd.DataFrame({"instrument": "x", "rate_before": 5.0, "rate_after": 4.75, "source": "test"},
                           index=pd.Index(cut_dates, name="date"))
    rate = pd.Series(5.0, index=idx)
    return r, usrec, rate, curated


def test_synthetic_effect_is_supported_and_measured_exactly():
    r, usrec, rate, curated = synthetic(1.0)
    res = easing.test(r, usrec, rate, curated=curated, start="1960-01-01", reps=500)
    assert res.verdict.label == "supported"
    assert res.verdict.n == 8  # 9 cuts, one in a recession
    assert res.verdict.statistic == pytest.approx(hand_compound([1.0] * 12))
    assert res.table.loc[("recession", 12), "n_events"] == 1
    assert res.events["group"].value_counts()["recession"] == 1
    assert res.placebo_draws.size == 500
    assert res.robustness_share() == pytest.approx(
        (res.robustness.xs("no recession", level="group")["label"] == "supported").mean())


def test_synthetic_negative_effect_is_contradicted_and_few_events_inconclusive():
    r, usrec, rate, curated = synthetic(-1.0)
    assert easing.test(r, usrec, rate, curated=curated, reps=500).verdict.label == "contradicted"
    res = easing.test(r, usrec, rate, curated=curated, reps=500, min_events=9)
    assert res.verdict.label == "inconclusive" and "only 8" in res.verdict.note


def test_noise_without_effect_is_inconclusive():
    r, usrec, rate, curated = synthetic(0.0, noise=3.0, seed=3)
    res = easing.test(r, usrec, rate, curated=curated, reps=2000)
    lo, hi = res.verdict.interval
    assert lo < 0 < hi and res.verdict.label == "inconclusive"


def test_bootstrap_interval_of_a_known_mean():
    """The interval the verdict uses covers the known mean of the event returns' distribution."""
    from research import stats

    z = np.random.default_rng(7).normal(0.0, 1.0, 400)
    x = pd.Series(2.0 + (z - z.mean()) / z.std())  # sample mean exactly 2, sd exactly 1
    ci = stats.stationary_bootstrap(x, reps=4000, level=0.90, block=1.0, seed=1)
    assert ci.estimate == pytest.approx(2.0)
    assert ci.lower < 2.0 < ci.upper
    # iid data: the width is close to 2 x 1.645 x sd / sqrt(n)
    assert ci.upper - ci.lower == pytest.approx(2 * 1.645 / np.sqrt(400), rel=0.1)


def test_parameters_are_validated_up_front():
    r, usrec, rate, curated = synthetic(1.0)
    with pytest.raises(ParameterError, match="verdict_horizon"):
        easing.test(r, usrec, rate, curated=curated, horizons=[3, 6], verdict_horizon=12)
    with pytest.raises(ParameterError, match="first_cut_source"):
        easing.test(r, usrec, rate, curated=curated, first_cut_source="fomc")
    with pytest.raises(ParameterError, match="horizons"):
        easing.test(r, usrec, rate, curated=curated, horizons=[0, 12])
    with pytest.raises(ParameterError, match="no curated first cuts"):
        easing.test(r, usrec, rate, curated=curated, start="1998-01-01", horizons=[3], verdict_horizon=3)
    with pytest.raises(ParameterError, match="before the end"):
        easing.test(r, usrec, rate, curated=curated, start="2001-01-01")


# -- real data -------------------------------------------------------------------------------------------------

@pytest.mark.mirror
def test_curated_target_era_cuts_are_target_cuts_in_fred():
    from research import data

    target = pd.concat([data.load("dfedtar")["DFEDTAR"], data.load("dfedtaru")["DFEDTARU"]]).sort_index()
    changes = target.diff()
    cut_days = changes.index[changes < 0]
    cuts = easing.curated_first_cuts()
    for day in cuts.index[cuts.index >= "1984-01-01"]:
        # FRED dates the change on its effective day: the day of the action or the next one
        assert any(0 <= (d - day).days <= 1 for d in cut_days), day


@pytest.mark.mirror
def test_run_on_the_mirror():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = easing.run(reps=1000)
        russell = easing.run("russell", reps=500)
    v = res.verdict
    assert v.label in LABELS and v.claim == "C1"
    assert 5 <= v.n <= 17 and v.sample.startswith("19")
    assert v.interval[0] < v.statistic < v.interval[1]
    assert set(res.table.index.get_level_values("group")) == set(easing.GROUPS)
    assert "2024-09" in res.paths.columns
    assert {"both", "rule only"} <= set(res.comparison["status"])
    assert russell.events.index.min() >= pd.Timestamp("1987-10-31")
    assert 0 <= res.robustness_share() <= 1


# -- no future in the event design ---------------------------------------------------------------------

def test_a_first_cut_counts_whatever_followed_and_the_sustained_filter_is_a_variant():
    every = easing.curated_first_cuts()
    sustained = easing.curated_first_cuts(sustained_only=True)
    # August 1968 was reversed in December 1968: a first cut on the day, dropped only by the variant
    assert pd.Timestamp("1968-08-30") in every.index
    assert pd.Timestamp("1968-08-30") not in sustained.index
    assert len(every) == len(sustained) + 1
    assert "curated, sustained only" in easing.GRID.choices["first_cuts"]
    assert easing.GRID.default["first_cuts"] == "curated"


def test_a_window_past_the_end_of_usrec_is_unknown_not_no_recession():
    months = pd.DatetimeIndex(["2000-01-31", "2000-06-30", "2001-06-30"])
    usrec = pd.Series(0, index=pd.date_range("1999-01-31", "2001-08-31", freq="ME"))
    usrec.loc["2001-04-30":"2001-05-31"] = 1
    flags = easing.recession_flags(months, usrec, window=12)
    groups = easing.recession_groups(flags)
    # 2000-01: window to 2001-01, covered, no recession; 2000-06: recession 2001-04 within 12 months;
    # 2001-06: USREC ends 2001-08, before the window closes in 2002-06, and shows no recession yet
    assert groups.tolist() == ["no recession", "recession", "unknown"]
    note = easing.coverage_note(flags, usrec, 12)
    assert "2001-06" in note and "USREC ends 2001-08" in note
    # one month more of coverage (to the window's last month) makes it known
    longer = pd.concat([usrec, pd.Series(0, index=pd.date_range("2001-09-30", "2002-06-30", freq="ME"))])
    assert easing.recession_groups(easing.recession_flags(months, longer, window=12)).iloc[-1] == "no recession"


def test_the_verdict_interval_is_the_student_t_interval_of_the_calm_events():
    """A t interval (scipy, by hand) of the no-recession 12-month event returns, and its t-test p."""
    from scipy import stats as sps

    r, usrec, rate, curated = synthetic(0.5, noise=2.0, seed=11)
    res = easing.test(r, usrec, rate, curated=curated, reps=500)
    x = res.events.loc[res.events["group"] == "no recession", "ret_12m"].dropna().to_numpy()
    assert res.verdict.n == len(x) >= 5
    lo, hi = sps.t.interval(0.90, len(x) - 1, loc=x.mean(), scale=x.std(ddof=1) / np.sqrt(len(x)))
    assert res.verdict.interval == pytest.approx((lo, hi), rel=1e-9)
    assert res.verdict.p_value == pytest.approx(sps.ttest_1samp(x, 0.0).pvalue, rel=1e-9)
