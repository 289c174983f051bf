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
    assert w.name == "ret_2m"  # named like window_returns' columns


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
    assert (rate.name, rate.index.name) == ("policy_rate", "date")
    # a target that begins on the first of a month covers that month in full
    from_first = easing.policy_rate(ff, target.loc["1982-10-01":])
    assert from_first.loc["1982-09-30"] == 5.1 and from_first.loc["1982-10-31"] == 10.0
    assert easing.policy_rate(ff, target.loc["1982-10-02":]).loc["1982-10-31"] == 5.2
    for alone in (easing.policy_rate(ff), easing.policy_rate(ff, target * np.nan)):
        assert alone.tolist() == ff.tolist() and (alone.name, alone.index.name) == ("policy_rate", "date")


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


# -- a readable world: every event month, group and window read by eye ---------------------------------

def calm_and_recessions():
    """Nine curated cuts (March of 1962, 1966, ..., 1994) on 40 years of noisy small-minus-large
    returns (2 decimals). USREC ends 1995-02 and has three recessions: 1967-03..08 begins exactly
    12 months after the 1966-03 cut, 1973-12..1974-06 is under way at the 1974-03 cut and
    1983-04..09 begins 13 months after the 1982-03 cut. The policy rate hikes to 3.5 (1961-06) and
    cuts to 3.25 (1962-03), hikes to 4.0 (1965-01) and cuts to 3.75 (1966-05), hikes to 4.5
    (1968-01) and cuts to 4.0 (1968-06): three rule first cuts, 9, 16 and 5 months after their hike."""
    idx = months("1960-01-31", 480)
    r = pd.Series(np.round(np.random.default_rng(5).normal(0.4, 2.0, 480), 2), index=idx)
    cuts = pd.to_datetime([f"{y}-03-15" for y in range(1962, 1998, 4)])
    curated = pd.DataFrame({"instrument": "discount rate", "rate_before": 5.0, "rate_after": 4.75,
                            "source": "test"}, index=pd.Index(cuts, name="date"))
    usrec = pd.Series(0, index=pd.date_range("1950-01-31", "1995-02-28", freq="ME"))
    for a, b in (("1967-03-31", "1967-08-31"), ("1973-12-31", "1974-06-30"), ("1983-04-30", "1983-09-30")):
        usrec.loc[a:b] = 1
    rate = pd.Series(3.0, index=idx)
    for day, level in (("1961-06-30", 3.5), ("1962-03-31", 3.25), ("1965-01-31", 4.0), ("1966-05-31", 3.75),
                       ("1968-01-31", 4.5), ("1968-06-30", 4.0)):
        rate.loc[day:] = level
    return r, usrec, rate, curated


CALM = ["1962-03", "1970-03", "1978-03", "1982-03", "1986-03", "1990-03"]


def after(r: pd.Series, month: str, h: int, *, include_cut_month: bool = False) -> float:
    """The hand-compounded return of the ``h`` months after ``month`` (from it with the cut month)."""
    first = pd.Period(month, "M") + (0 if include_cut_month else 1)
    return hand_compound(r.loc[str(first):str(first + h - 1)])


def test_events_groups_and_windows_read_by_eye():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, reps=500)
    ev = res.events
    assert [f"{m:%Y-%m}" for m in ev.index] == [f"{y}-03" for y in range(1962, 1998, 4)]
    assert ev["group"].tolist() == ["no recession", "recession", "no recession", "recession", "no recession",
                                    "no recession", "no recession", "no recession", "unknown"]
    assert ev.loc["1966-03-31", "recession_start"] == pd.Timestamp("1967-03-31")
    assert ev.loc["1974-03-31", "recession_start"] == pd.Timestamp("1973-12-31")
    assert ev["in_recession_at_cut"].tolist() == [False, False, False, True] + [False] * 5
    for m in ev.index:
        for h in (3, 6, 12):
            assert ev.loc[m, f"ret_{h}m"] == pytest.approx(after(r, f"{m:%Y-%m}", h), rel=1e-12)
    assert ev["policy_rate"].tolist() == [3.25] + [4.0] * 8
    assert (ev["first_cut"] == curated.index).all() and (ev["instrument"] == "discount rate").all()
    assert (ev["rate_before"] == 5.0).all() and (ev["rate_after"] == 4.75).all()
    assert res.verdict.n == 6 and res.verdict.sample == "1962-03..1991-03"
    assert res.no_recession_returns.index.strftime("%Y-%m").tolist() == CALM


def test_every_summary_row_by_hand():
    from scipy import stats as sps

    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, reps=500, level=0.8)
    members = {"no recession": CALM, "recession": ["1966-03", "1974-03"],
               "all": [f"{y}-03" for y in range(1962, 1998, 4)]}
    for group, events in members.items():
        for h in (3, 6, 12):
            x = np.array([after(r, m, h) for m in events])
            row = res.table.loc[(group, h)]
            lo, hi = sps.t.interval(0.8, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
            assert row["n_events"] == len(x)
            assert (row["mean"], row["median"]) == pytest.approx((x.mean(), np.median(x)), rel=1e-12)
            assert row["share_positive"] == pytest.approx((x > 0).mean())
            assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lo, hi), rel=1e-9)
            assert row["p_value"] == pytest.approx(sps.ttest_1samp(x, 0.0).pvalue, rel=1e-9)
            windows = [hand_compound(r.iloc[i:i + h]) for i in range(len(r) - h + 1)]
            assert row["placebo_mean"] == pytest.approx(np.mean(windows), rel=1e-9)
    # the placebo p of the verdict row is the share of the returned draws at least as high
    p12 = res.table.loc[("no recession", 12), "placebo_p"]
    assert p12 == pytest.approx((res.placebo_draws >= res.verdict.statistic).mean())
    assert res.placebo_draws.name == "placebo mean of 6 random 12-month windows"
    assert res.placebo_draws.mean() == pytest.approx(res.table.loc[("all", 12), "placebo_mean"], abs=0.5)
    assert res.verdict.interval_level == 0.8


def test_recession_window_ongoing_and_usrec_coverage_boundaries():
    r, usrec, rate, curated = calm_and_recessions()

    def calm(**kw):
        res = easing.test(r, usrec if "usrec" not in kw else kw.pop("usrec"), rate, curated=curated, reps=100, **kw)
        return res.no_recession_returns.index.strftime("%Y-%m").tolist()

    # 1967-03 is 12 months after the 1966-03 cut: inside a 12-month window, outside an 11-month one
    # (and an 11-month window of the 1994-03 cut closes 1995-02, where USREC ends: known, calm)
    assert calm(recession_window=11) == sorted([*CALM, "1966-03", "1994-03"])
    assert calm(recession_window=12) == CALM
    # 1983-04 is 13 months after the 1982-03 cut
    assert "1982-03" not in calm(recession_window=13)
    # the recession under way at the 1974-03 cut counts only with include_ongoing
    assert calm(include_ongoing=False) == sorted([*CALM, "1974-03"])
    # USREC to 1995-03 covers the 1994-03 cut's window: it is known, and calm
    longer = pd.concat([usrec, pd.Series(0, index=[pd.Timestamp("1995-03-31")])])
    assert calm(usrec=longer) == [*CALM, "1994-03"]
    assert "Left out" not in easing.test(r, longer, rate, curated=curated, reps=100).verdict.note


def test_rule_source_events_and_the_other_source_in_robustness():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, first_cut_source="rule", reps=100)
    ev = res.events
    assert ev.index.strftime("%Y-%m").tolist() == ["1962-03", "1966-05", "1968-06"]
    assert ev["rate_before"].tolist() == [3.5, 4.0, 4.5] and ev["rate_after"].tolist() == [3.25, 3.75, 4.0]
    assert ev["months_since_hike"].tolist() == [9, 16, 5]
    assert (ev["instrument"] == "rule on the policy rate").all()
    assert (ev["first_cut"] == ev.index).all()
    # 1966-05: the recession from 1967-03 begins 10 months later
    assert ev["group"].tolist() == ["no recession", "recession", "no recession"]
    assert res.verdict.n == 2 and res.verdict.label == "inconclusive"
    assert "there are only 2 such cycles" in res.verdict.note
    assert res.verdict.method.startswith("Event study of rule first cuts")
    rob = res.robustness
    assert set(rob.index.get_level_values("source")) == {"rule", "curated"}
    assert rob.loc[("curated", "no recession", 12), "n_events"] == 6
    assert rob.loc[("rule", "no recession", 12), "mean"] == pytest.approx(
        np.mean([after(r, "1962-03", 12), after(r, "1968-06", 12)]), rel=1e-12)

    def rule_cuts(**kw):
        res = easing.test(r, usrec, rate, curated=curated, first_cut_source="rule", reps=100, **kw)
        return res.events.index.strftime("%Y-%m").tolist()

    # the rule's thresholds reach it: a 0.5 cut finds only the 1968 cycle (4.5 -> 4.0)
    assert rule_cuts(rule_min_cut=0.5) == ["1968-06"]
    # a 0.75 hike: 3.0 -> 3.5 is not one, 3.75 -> 4.5 (1968-01) exactly is; 0.76 leaves only 1966-05
    assert rule_cuts(rule_min_hike=0.75) == ["1966-05", "1968-06"]
    assert rule_cuts(rule_min_hike=0.76) == ["1966-05"]
    # the 1966-05 cut comes 16 months after its hike
    assert rule_cuts(rule_max_months_since_hike=15) == ["1962-03", "1968-06"]
    assert rule_cuts(rule_max_months_since_hike=16) == ["1962-03", "1966-05", "1968-06"]


VINTAGE = {"size_portfolios": "202501", "usrec": "2025-01-01"}
LEFT_OUT = " Left out: 1994-03 (USREC ends 1995-02, before the 12-month recession window closes)."
METHOD = ("Event study of curated first cuts of Fed easing cycles: small-minus-large return compounded over "
          "the 12 months after the month of the cut; recession = NBER recession under way or beginning within "
          "12 months (USREC); 90% Student-t interval of the mean; placebo = means of as many random 12-month "
          "windows. Small/large: deciles: test")


def test_the_verdict_and_conclusion_as_readers_see_them():
    """The numbers in these sentences are the ones the by-hand tests above check."""
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, reps=500, vintage=VINTAGE, definition="deciles: test")
    v = res.verdict
    assert v.method == METHOD
    assert v.rule == easing.rule_text(0.9, 12, 5) == (
        "supported if the no-recession mean 12-month small-minus-large return is positive and its 90% "
        "Student-t interval excludes zero; contradicted if it is negative and the interval excludes zero; "
        "inconclusive if the interval straddles zero or there are fewer than 5 events")
    assert v.vintage == VINTAGE and v.claim == "C1" and v.hypothesis == easing.HYPOTHESIS
    assert v.statistic_name == "mean 12-month small-minus-large return after first cuts, no recession, %"
    assert res.conclusion().split("\n") == [
        "**Verdict: inconclusive.** After 6 first cuts with no recession within 12 months, small caps beat "
        "large caps by 2.5% on average over 12 months (90% CI [-2.45, +7.40]); its interval straddles zero. "
        "Placebo: 77% of random draws of 6 windows did at least as well." + LEFT_OUT,
        "",
        "- Statistic: mean 12-month small-minus-large return after first cuts with no recession within 12 "
        "months: **+2.47%** (median +5.13%, positive in 67% of cycles).",
        "- Interval: 90% Student t [-2.45%, +7.40%]; placebo p-value 0.77 against means of 6 random 12-month "
        "windows (all windows average +4.82%).",
        "- n = 6 easing cycles (1962-03..1991-03); vintage size_portfolios 202501, usrec 2025-01-01.",
        "- Fragility: the best cycle (1978-03, +7.1%) carries the mean; without it the mean is +1.55% over 5 cycles.",
        "- Cycles with a recession: mean -0.57% over 2 cycles (90% CI [-62.35%, +61.20%]).",
        "- With first cuts from the rule instead: mean +0.45% [-54.91%, +55.82%] over 2 cycles, inconclusive.",
    ]
    x = res.no_recession_returns
    assert x.drop(pd.Timestamp("1978-03-31")).mean() == pytest.approx(1.55, abs=0.005)
    assert x.idxmax() == pd.Timestamp("1978-03-31")
    up = easing.test(r + 1.0, usrec, rate, curated=curated, reps=500).verdict
    assert (up.label, up.note) == ("supported", (
        "After 6 first cuts with no recession within 12 months, small caps beat large caps by 15.4% on average "
        "over 12 months (90% CI [+9.95, +20.94]); its interval excludes zero. Placebo: 77% of random draws of "
        "6 windows did at least as well." + LEFT_OUT))
    down = easing.test(r - 1.5, usrec, rate, curated=curated, reps=500).verdict
    assert (down.label, down.note) == ("contradicted", (
        "After 6 first cuts with no recession within 12 months, small caps trailed large caps by 14.5% on "
        "average over 12 months (90% CI [-18.66, -10.33]); its interval lies below zero. Placebo: 77% of "
        "random draws of 6 windows did at least as well." + LEFT_OUT))
    assert down.statistic == pytest.approx(np.mean([after(r - 1.5, m, 12) for m in CALM]), rel=1e-12)


def test_conclusion_of_the_rule_source_with_a_single_recession_cycle():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, first_cut_source="rule", reps=500, include_cut_month=True)
    lines = res.conclusion().split("\n")
    assert lines[0].endswith("there are only 2 such cycles. Placebo: 87% of random draws of 2 windows did at "
                             "least as well.")
    # the windows start in the cut month: the last one (1968-06) ends 1969-05
    assert res.verdict.sample == "1962-03..1969-05"
    assert res.verdict.statistic == pytest.approx(
        np.mean([after(r, m, 12, include_cut_month=True) for m in ("1962-03", "1968-06")]), rel=1e-12)
    assert lines[-2:] == ["- Cycles with a recession: mean -8.56% over 1 cycles.",
                          "- With first cuts from the curated list instead: mean +2.23% [-4.25%, +8.72%] over 6 "
                          "cycles, inconclusive."]
    assert res.events.loc["1966-05-31", "ret_12m"] == pytest.approx(-8.56, abs=0.005)
    assert not any(line.startswith("- Fragility") for line in lines)  # two cycles: no best one to drop
    # no rule cut on a flat rate: no other source, and a single no-recession cycle has no interval
    flat = pd.Series(3.0, index=r.index)
    one = easing.test(r, usrec, flat, curated=curated.iloc[[0, 1]], reps=500, min_events=2)
    assert list(one.robustness.index.get_level_values("source").unique()) == ["curated"]
    assert one.verdict.interval is None and one.verdict.p_value is None
    assert "(no interval)" in one.verdict.note and "Interval:" not in one.conclusion()
    assert "over 12 months (90% CI (no interval)); there are only 1 such cycles." in one.verdict.note
    assert one.conclusion().split("\n")[-1].startswith("- Cycles with a recession: mean -10.36% over 1 cycles")
    assert one.disagreements().index.tolist() == ["curated only", "curated only"]
    three = easing.test(r, usrec, flat, curated=curated.iloc[[0, 2, 4]], reps=100, min_events=2).conclusion()
    assert "- Fragility: the best cycle (1978-03, +7.1%) carries the mean; without it the mean is " in three
    lone = easing.test(r, usrec, rate, curated=curated, reps=100, rule_min_cut=0.5).conclusion().split("\n")[-1]
    assert lone == (f"- With first cuts from the rule instead: mean {after(r, '1968-06', 12):+.2f}% over 1 cycles, "
                    "inconclusive.")


def test_reading_tables_cycles_disagreements_summary_and_robustness():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated, reps=500)
    cycles = res.cycles_table()
    assert cycles.index.name == "first cut" and cycles.index[0] == "1962-03-15"
    assert cycles.columns.tolist() == ["instrument", "before, %", "after, %", "recession ≤ 12m", "3m, %", "6m, %",
                                       "12m, %"]
    assert cycles["recession ≤ 12m"].tolist() == ["no", "yes, from 1967-03", "no", "yes, from 1973-12"] + ["no"] * 5
    assert cycles.loc["1962-03-15"].tolist() == ["discount rate", 5.0, 4.75, "no", -1.6, -3.0, -8.3]
    assert cycles.loc["1994-03-15", "12m, %"] == round(after(r, "1994-03", 12), 1) == 12.5
    odd = easing.test(r, usrec, rate, curated=curated.assign(rate_before=7.3125, rate_after=6.8125), reps=100)
    assert odd.cycles_table().iloc[0][["before, %", "after, %"]].tolist() == [7.31, 6.81]
    dis = res.disagreements()
    assert dis.index.tolist() == ["both", "rule only"] + ["curated only"] * 7  # 1962-03 agrees: not shown
    assert dis.columns.tolist() == ["curated", "rule", "gap, months"]
    assert dis.iloc[:3].to_numpy().tolist() == [["1966-03", "1966-05", "+2"], ["—", "1968-06", "—"],
                                                ["1970-03", "—", "—"]]
    summary = res.summary_table()
    assert summary.columns.tolist() == ["cycles", "mean, %", "median, %", "share > 0", "90% CI low", "90% CI high",
                                        "p_value", "all windows: mean, %", "placebo p"]
    assert summary.index.names == ["group", "months"]
    assert summary.loc[("no recession", 12)].tolist()[:6] == [6, 2.47, 5.13, 0.67, -2.45, 7.40]
    rob = res.robustness_table()
    assert rob.columns.tolist() == ["3 months", "6 months", "12 months"]
    assert rob.index.tolist() == [("curated", g) for g in easing.GROUPS] + [("rule", g) for g in easing.GROUPS]
    assert rob.loc[("curated", "no recession"), "12 months"] == "+2.5 [-2.4, +7.4] n=6 (inconclusive)"
    assert rob.loc[("rule", "recession"), "3 months"] == "-0.2 n=1 (inconclusive)"
    assert res.robustness_share() == 1.0


def test_spec_paths_and_the_series_shown_beside_the_result():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r.to_frame("small_minus_large").assign(small=1.0), usrec, rate, curated=curated, reps=100,
                      end="1989-12-31", horizons=[12, 3], verdict_horizon=3, seed=4)
    assert res.spec == {"definition": "", "first_cut_source": "curated", "horizons": [3, 12], "verdict_horizon": 3,
                        "start": "1954-07-01", "end": "1989-12-31", "recession_window": 12,
                        "sustained_only": False, "include_ongoing": True, "include_cut_month": False,
                        "rule_min_cut": 0.25, "rule_min_hike": 0.25, "rule_max_months_since_hike": 24,
                        "match_tolerance": 6, "level": 0.9, "reps": 100, "min_events": 5, "seed": 4}
    assert res.paths.shape == (13, 7)  # months 0..12 of the seven cuts to 1986 (the sample ends 1989-12)
    assert res.paths.columns[-1] == "1986-03"
    assert res.paths.loc[12, "1962-03"] == pytest.approx(after(r, "1962-03", 12), rel=1e-12)
    assert easing.test(r, usrec, rate, curated=curated, reps=100, path_months=5).paths.shape == (6, 9)
    assert res.rate.index[[0, -1]].tolist() == [pd.Timestamp("1960-01-31"), pd.Timestamp("1989-12-31")]
    assert res.rule_events.index.strftime("%Y-%m").tolist() == ["1962-03", "1966-05", "1968-06"]
    assert res.recessions.to_numpy().tolist() == [
        [pd.Timestamp(a), pd.Timestamp(b)] for a, b in (("1967-03-31", "1967-08-31"), ("1973-12-31", "1974-06-30"),
                                                        ("1983-04-30", "1983-09-30"))]
    # the sample ends before the 1990-03 cut
    assert res.verdict.statistic == pytest.approx(np.mean([after(r, m, 3) for m in CALM[:-1]]), rel=1e-12)
    # the placebo draws use seed + horizon
    assert res.placebo_draws.tolist() == pytest.approx(easing.placebo_means(
        easing.all_windows(r.loc[:"1989-12-31"], 3).to_numpy(), 5, reps=100, rng=np.random.default_rng(7)).tolist())
    # the comparison keeps only the cuts inside the sample and pairs within match_tolerance
    tight = easing.test(r, usrec, rate, curated=curated, reps=100, match_tolerance=1, start="1961-01-01")
    assert tight.comparison["status"].tolist()[:3] == ["both", "curated only", "rule only"]
    assert easing.test(r, usrec, rate, curated=curated, reps=100, match_tolerance=2).comparison["status"].tolist()[1] == "both"


def test_sustained_only_drops_the_cycles_marked_not_sustained():
    r, usrec, rate, curated = calm_and_recessions()
    marked = curated.assign(sustained=[True, True, False] + [True] * 6)
    res = easing.test(r, usrec, rate, curated=marked, reps=100, sustained_only=True)
    assert "1970-03" not in res.events.index.strftime("%Y-%m") and res.verdict.n == 5
    assert easing.test(r, usrec, rate, curated=marked, reps=100).verdict.n == 6


@pytest.mark.parametrize(("kwargs", "ok"), [
    ({"recession_window": -1}, False), ({"recession_window": 0}, True), ({"recession_window": 1.5}, False),
    ({"level": 0.0}, False), ({"level": 1.0}, False), ({"level": 0.5}, True),
    ({"reps": 99}, False), ({"reps": 100}, True),
    ({"min_events": 1}, False), ({"min_events": 2}, True),
    ({"match_tolerance": -1}, False), ({"match_tolerance": 0}, True),
    ({"rule_max_months_since_hike": 0}, False), ({"rule_max_months_since_hike": 1}, True),
    ({"rule_max_months_since_hike": None}, True),
    ({"horizons": [3, -6], "verdict_horizon": 3}, False), ({"horizons": []}, False), ({"horizons": None}, False),
    ({"start": "1999-12-31"}, False),  # the sample's last month: no sample
])
def test_parameter_boundaries(kwargs, ok):
    r, usrec, rate, curated = calm_and_recessions()
    if ok:
        easing.test(r, usrec, rate, curated=curated, **{"reps": 100, **kwargs})
    else:
        with pytest.raises(ParameterError):
            easing.test(r, usrec, rate, curated=curated, **{"reps": 100, **kwargs})


def test_a_sample_one_month_longer_than_the_horizon_and_an_empty_usrec():
    r, usrec, rate, curated = calm_and_recessions()
    with pytest.raises(ParameterError, match="only 12 months of returns"):
        easing.test(r, usrec, rate, curated=curated, reps=100, start="1999-01-01", horizons=[12], verdict_horizon=12)
    with pytest.raises(ParameterError, match="no curated first cuts"):  # 13 months: long enough, no cut
        easing.test(r, usrec, rate, curated=curated, reps=100, start="1998-12-01", horizons=[12], verdict_horizon=12)
    with pytest.raises(ParameterError, match="usrec"):
        easing.test(r, usrec * np.nan, rate, curated=curated, reps=100)


# -- run, grid_estimate and grid_valid on synthetic publishers' files -------------------------------------
# mutmut's copy of the package cannot reach the real mirror: these files stand in for it.

NBER = (("1957-09", "1958-04"), ("1960-05", "1961-02"), ("1969-12", "1970-11"), ("1973-12", "1975-03"),
        ("1980-02", "1980-07"), ("1981-08", "1982-11"), ("1990-08", "1991-03"), ("2001-04", "2001-11"),
        ("2008-01", "2009-06"), ("2020-03", "2020-04"))
#: The curated first cuts with no NBER recession under way or beginning within 12 months, read off
#: NBER's dates: 1968-08 is 16 months before 1969-12, 1989-06 14 months before 1990-08.
CALM_CURATED = ["1967-04", "1968-08", "1971-11", "1984-09", "1987-11", "1989-06", "1995-07", "1998-09", "2024-09"]


@pytest.fixture
def c1_publishers(isolated_data):
    """Size deciles 1954-07..2025-12 (vw: deciles 1-3 beat 8-10 by ``sml``, decile 1 beats 10 by 0.8 more;
    ew: by ``sml`` + 1.5), USREC with NBER's recessions, FEDFUNDS with hikes in 1960-01 and 1967-01
    and cuts in 1960-06 (0.5) and 1967-04 (0.25), DFEDTAR hiking 1994-02-04 and cutting 1995-07-06,
    DFEDTARU hiking 2023-07-27 and cutting 2024-09-18: the rule's first cuts are 1960-06, 1967-04,
    1995-07 (17 months after its hike) and 2024-09 (14 months)."""
    from synthetic_mirror import write_fred, write_size_deciles

    from research.data.sizes import clear_caches

    idx = pd.date_range("1954-07-31", "2025-12-31", freq="ME")
    rng = np.random.default_rng(3)
    large, sml = np.round(rng.normal(0.8, 4, len(idx)), 2), np.round(rng.normal(0.2, 2, len(idx)), 2)
    vw = np.column_stack([large + sml + 0.5, large + sml - 0.5, large + sml] + [large] * 5
                         + [large + 0.3, large - 0.3])
    ew = np.column_stack([large + sml + 1.5] * 3 + [large] * 7)
    write_size_deciles(isolated_data.mirror, idx, vw, ew, vintage="202512")
    usrec = pd.Series(0, index=pd.date_range("1950-01-01", "2025-12-01", freq="MS"))
    for a, b in NBER:
        usrec.loc[a:b] = 1
    write_fred(isolated_data.mirror, "USREC", usrec)
    ff = pd.Series(3.0, index=pd.date_range("1954-07-01", "2025-12-01", freq="MS"))
    for month, level in (("1960-01", 3.5), ("1960-06", 3.0), ("1967-01", 3.5), ("1967-04", 3.25), ("1970-01", 8.0)):
        ff.loc[month:] = level
    write_fred(isolated_data.mirror, "FEDFUNDS", ff)
    target = pd.Series(8.0, index=pd.date_range("1982-09-27", "2008-12-15", freq="D"))
    target.loc["1994-02-04":], target.loc["1995-07-06":] = 8.5, 8.25
    write_fred(isolated_data.mirror, "DFEDTAR", target)
    upper = pd.Series(0.25, index=pd.date_range("2008-12-16", "2025-12-31", freq="D"))
    upper.loc["2023-07-27":], upper.loc["2024-09-18":] = 0.5, 0.25
    write_fred(isolated_data.mirror, "DFEDTARU", upper)
    clear_caches()
    yield {"vw": pd.Series(sml, index=idx), "decile 1": pd.Series(sml + 0.8, index=idx),
           "ew": pd.Series(sml + 1.5, index=idx)}
    clear_caches()


def hand_mean_interval(r: pd.Series, events: list[str], h: int = 12, level: float = 0.90):
    from scipy import stats as sps

    x = np.array([after(r, m, h) for m in events])
    lo, hi = sps.t.interval(level, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    return x.mean(), lo, hi, sps.ttest_1samp(x, 0.0).pvalue


GRID_SPEC = {"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1954, "horizon": 12, "first_cuts": "curated",
             "min_cut": easing.NA, "hike_within": easing.NA, "recession_window": 12}


def test_run_reads_the_deciles_usrec_and_the_policy_rate(c1_publishers):
    res = easing.run(reps=200)
    v = res.verdict
    assert res.placebo_draws.size == 200  # the keyword arguments reach test()
    assert res.no_recession_returns.index.strftime("%Y-%m").tolist() == CALM_CURATED
    mean, lo, hi, p = hand_mean_interval(c1_publishers["vw"], CALM_CURATED)
    assert (v.statistic, *v.interval, v.p_value) == pytest.approx((mean, lo, hi, p), rel=1e-9)
    assert (v.n, v.label, v.sample) == (9, "inconclusive", "1967-04..2025-09")
    assert v.vintage == {"size_portfolios": "202512", "usrec": "2025-12-31", "fedfunds": "2025-12-31",
                         "dfedtar": "2008-12-15", "dfedtaru": "2025-12-31"}
    assert v.method.endswith("Small/large: deciles: size deciles (1, 2, 3) vs (8, 9, 10), VW within decile")
    assert res.rule_events.index.strftime("%Y-%m").tolist() == ["1960-06", "1967-04", "1995-07", "2024-09"]
    assert res.rate.loc["1982-09-30"] == 3.0 + 5.0 and res.rate.loc["1995-06-30"] == 8.5
    one = easing.run(small=[1], large=[10], reps=200).verdict
    assert one.statistic == pytest.approx(hand_mean_interval(c1_publishers["decile 1"], CALM_CURATED)[0], rel=1e-9)
    ew = easing.run(weighting="ew", reps=200).verdict
    assert ew.statistic == pytest.approx(hand_mean_interval(c1_publishers["ew"], CALM_CURATED)[0], rel=1e-9)
    assert ew.label == "supported" and ew.method.endswith("EW within decile")


@pytest.mark.parametrize(("change", "events"), [
    ({}, CALM_CURATED),
    # 18 months: 1969-12 and 1990-08 are in reach, and USREC (to 2025-12) no longer covers 2024-09's window
    ({"recession_window": 18}, [m for m in CALM_CURATED if m not in ("1968-08", "1989-06", "2024-09")]),
    ({"recession_window": 6}, sorted([*CALM_CURATED, "2019-07"])),  # 2020-03 is 8 months after 2019-07
    ({"start": 1963}, CALM_CURATED),
    ({"start": 1987}, CALM_CURATED[4:]),  # from 1987-10-31
    ({"first_cuts": "curated, sustained only"}, [m for m in CALM_CURATED if m != "1968-08"]),
    ({"first_cuts": "rule", "min_cut": 0.25, "hike_within": 24}, ["1967-04", "1995-07", "2024-09"]),
    ({"first_cuts": "rule", "min_cut": 0.25, "hike_within": 24, "start": 1987}, ["1995-07", "2024-09"]),
])
def test_grid_estimate_by_hand(c1_publishers, change, events):
    out = easing.grid_estimate(**{**GRID_SPEC, **change})
    mean, lo, hi, p = hand_mean_interval(c1_publishers["vw"], events)
    assert out["n"] == len(events)
    assert (out["estimate"], out["lower"], out["upper"], out["p_value"]) == pytest.approx((mean, lo, hi, p), rel=1e-9)
    last = pd.Period(events[-1], "M") + 12
    assert out["sample"] == f"{events[0]}..{last}"
    assert out["label"] == easing.verdict_label(mean, lo, hi, len(events))


def test_grid_estimate_sizes_horizons_levels_and_min_events(c1_publishers):
    ew = easing.grid_estimate(**{**GRID_SPEC, "weighting": "ew"})
    mean, lo, hi, _ = hand_mean_interval(c1_publishers["ew"], CALM_CURATED)
    assert (ew["estimate"], ew["lower"], ew["upper"]) == pytest.approx((mean, lo, hi), rel=1e-9)
    assert lo > 0 and ew["label"] == "supported"
    assert easing.grid_estimate(**{**GRID_SPEC, "weighting": "ew"}, min_events=9)["label"] == "supported"
    assert easing.grid_estimate(**{**GRID_SPEC, "weighting": "ew"}, min_events=10)["label"] == "inconclusive"
    five = easing.grid_estimate(**{**GRID_SPEC, "weighting": "ew", "start": 1987})  # five cycles: the default suffices
    assert (five["n"], five["label"]) == (5, "supported") and five["lower"] > 0
    one = easing.grid_estimate(**{**GRID_SPEC, "size": "decile 1 vs 10"})
    assert one["estimate"] == pytest.approx(hand_mean_interval(c1_publishers["decile 1"], CALM_CURATED)[0], rel=1e-9)
    three = easing.grid_estimate(**{**GRID_SPEC, "horizon": 3})
    mean, lo, hi, _ = hand_mean_interval(c1_publishers["vw"], CALM_CURATED, h=3)
    assert (three["estimate"], three["lower"], three["upper"]) == pytest.approx((mean, lo, hi), rel=1e-9)
    assert three["sample"] == "1967-04..2024-12"
    half = easing.grid_estimate(**GRID_SPEC, level=0.5)
    assert (half["lower"], half["upper"]) == pytest.approx(
        hand_mean_interval(c1_publishers["vw"], CALM_CURATED, level=0.5)[1:3], rel=1e-9)


def test_grid_estimate_with_one_no_or_no_rule_cut_and_a_horizon_off_the_grid(c1_publishers):
    # a 12-month limit drops 1995-07 (17 months after its hike) and 2024-09 (14): one calm cycle, no interval
    one = easing.grid_estimate(**{**GRID_SPEC, "first_cuts": "rule", "min_cut": 0.25, "hike_within": 12})
    assert one["n"] == 1 and one["sample"] == "1967-04..1968-04" and one["label"] == "inconclusive"
    assert one["estimate"] == pytest.approx(after(c1_publishers["vw"], "1967-04", 12), rel=1e-9)
    assert np.isnan(one["lower"]) and np.isnan(one["upper"]) and np.isnan(one["p_value"])
    # a 0.5 cut: only 1960-06, in a recession: no calm cycle; the sample is the returns'
    none = easing.grid_estimate(**{**GRID_SPEC, "first_cuts": "rule", "min_cut": 0.5, "hike_within": 24})
    assert none["n"] == 0 and np.isnan(none["estimate"]) and none["sample"] == "1954-07..2025-12"
    with pytest.raises(ParameterError, match="no rule first cuts fall inside the sample from 1954"):
        easing.grid_estimate(**{**GRID_SPEC, "first_cuts": "rule", "min_cut": 1.0, "hike_within": 24})
    with pytest.raises(ParameterError, match=r"horizon must be one of the grid's \(3, 6, 12\) months, got 24"):
        easing.grid_estimate(**{**GRID_SPEC, "horizon": 24})


@pytest.mark.parametrize(("spec", "valid"), [
    ({}, True),
    ({"first_cuts": "rule", "min_cut": 0.25, "hike_within": 24}, True),
    ({"first_cuts": "rule", "min_cut": 0.25}, False),
    ({"first_cuts": "rule", "hike_within": 24}, False),
    ({"min_cut": 0.25}, False),
    ({"hike_within": 12}, False),
    ({"first_cuts": "curated, sustained only"}, True),
    ({"weighting": "ew"}, True),
    ({"weighting": "ew", "size": "SMB"}, False),
    ({"size": "Russell 2000 vs S&P 500", "start": 1987}, True),
    ({"size": "Russell 2000 vs S&P 500", "start": 1963}, False),  # the Russell data begin 1987: the same sample
])
def test_grid_valid_by_hand(spec, valid):
    assert easing.grid_valid({**GRID_SPEC, **spec}) is valid


# -- boundaries and defaults (mutation run, issue 14) ---------------------------------------------------

def test_verdict_label_both_sides_of_each_boundary():
    # supported needs mean > 0 and lower > 0; contradicted needs mean < 0 and upper < 0
    assert easing.verdict_label(0.5, 0.1, 0.9, 5) == "supported"  # n = 5 meets the default minimum
    assert easing.verdict_label(0.5, 0.1, 0.9, 4) == "inconclusive"
    assert easing.verdict_label(0.0, 0.1, 0.9, 10) == "inconclusive"
    assert easing.verdict_label(0.5, 0.0, 0.9, 10) == "inconclusive"
    assert easing.verdict_label(-0.5, -0.9, -0.1, 5) == "contradicted"
    assert easing.verdict_label(0.0, -0.9, -0.1, 10) == "inconclusive"
    assert easing.verdict_label(0.5, -0.9, -0.1, 10) == "inconclusive"
    assert easing.verdict_label(-0.5, -0.9, 0.0, 10) == "inconclusive"
    assert easing.verdict_label(-0.5, -0.9, 0.5, 10) == "inconclusive"


def test_rule_text_defaults_name_the_claims_settings():
    text = easing.rule_text()
    assert "no-recession mean 12-month" in text
    assert "its 90% Student-t interval" in text
    assert text.endswith("fewer than 5 events")


def test_policy_rate_names_and_first_full_target_month():
    ff = pd.Series([5.0, 6.0, 7.0, 8.0], index=months("1982-08-31", 4), name="FEDFUNDS")
    alone = easing.policy_rate(ff)
    assert alone.name == "policy_rate" and alone.index.name == "date"
    assert alone.tolist() == [5.0, 6.0, 7.0, 8.0]
    empty = easing.policy_rate(ff, pd.Series([np.nan], index=[pd.Timestamp("1982-09-01")]))
    assert empty.name == "policy_rate" and empty.index.name == "date"
    assert empty.tolist() == [5.0, 6.0, 7.0, 8.0]
    # the target starts on 1 October: October is covered in full, so its month-end target is used
    days = pd.date_range("1982-10-01", "1982-11-30", freq="D")
    target = pd.Series(np.where(days.month == 10, 9.5, 10.0), index=days, name="DFEDTAR")
    out = easing.policy_rate(ff, target)
    assert out.name == "policy_rate" and out.index.name == "date"
    assert out.index.tolist() == list(months("1982-08-31", 4))
    assert out.tolist() == [5.0, 6.0, 9.5, 10.0]


def usrec_series(flags, start="2000-01-01"):
    return pd.Series(flags, index=pd.date_range(start, periods=len(flags), freq="MS"), name="USREC")


def test_recession_flags_recession_from_the_first_usrec_month():
    # USREC = 1 from its first month: that month starts a recession (nothing before it)
    out = easing.recession_flags([pd.Timestamp("2000-01-31")], usrec_series([1, 1, 0] + [0] * 20))
    assert out.index.name == "event_month"
    row = out.loc["2000-01-31"]
    assert bool(row["in_recession_at_cut"]) and bool(row["recession"])
    assert row["recession_start"] == pd.Timestamp("2000-01-31")


def test_recession_flags_default_window_is_12_months():
    # events in January 2000: a recession starting 12 months later (January 2001) counts, 13 does not
    at12 = usrec_series([0] * 12 + [1] + [0] * 10)
    at13 = usrec_series([0] * 13 + [1] + [0] * 10)
    assert bool(easing.recession_flags(["2000-01-31"], at12)["recession"].iloc[0])
    assert not easing.recession_flags(["2000-01-31"], at13)["recession"].iloc[0]


def test_recession_flags_start_in_the_event_month_is_not_after_it():
    usrec = usrec_series([0, 0, 1, 1] + [0] * 20)  # recession starts March 2000
    out = easing.recession_flags(["2000-03-31"], usrec, include_ongoing=False)
    assert not out["recession"].iloc[0] and bool(out["in_recession_at_cut"].iloc[0])
    out = easing.recession_flags(["2000-03-31"], usrec)
    assert bool(out["recession"].iloc[0])


def test_recession_flags_usrec_with_a_gap_in_its_dates():
    # a missing month (NaN dropped) leaves the index without a frequency; months are still months
    usrec = usrec_series([0, np.nan, 0, 1, 0] + [0] * 20)
    out = easing.recession_flags(["2000-01-31"], usrec)
    assert out["recession_start"].iloc[0] == pd.Timestamp("2000-04-30")


VALID = dict(horizons=[1, 3, 12], verdict_horizon=12, first_cut_source="curated", recession_window=12,
             level=0.9, reps=100, min_events=2, match_tolerance=0, rule_max_months_since_hike=1)


@pytest.mark.parametrize("change, words", [
    ({"horizons": [0, 12]}, "horizons must be positive whole months"),
    ({"recession_window": -1}, "recession_window must be a non-negative"),
    ({"level": 0.0}, "level must lie in (0, 1)"),
    ({"level": 1.0}, "level must lie in (0, 1)"),
    ({"level": 1.5}, "level must lie in (0, 1)"),
    ({"reps": 99}, "reps must be at least 100"),
    ({"min_events": 1}, "min_events must be at least 2"),
    ({"match_tolerance": -1}, "match_tolerance must be >= 0"),
    ({"rule_max_months_since_hike": 0}, "rule_max_months_since_hike must be at least 1 month (or None"),
])
def test_validate_rejects_each_bad_setting_with_its_name(change, words):
    easing._validate(**VALID)  # the boundary values themselves are accepted
    easing._validate(**{**VALID, "horizons": [1, 12], "level": 0.01, "rule_max_months_since_hike": None})
    with pytest.raises(ParameterError) as err:
        easing._validate(**{**VALID, **change})
    assert str(err.value).startswith(words)


def test_recession_periods_at_both_ends_of_usrec():
    # recessions in the first two months, in May-June, and in the last month
    usrec = usrec_series([1, 1, 0, 0, 1, 1, 0, 1])
    out = easing.recession_periods(usrec)
    assert list(out.columns) == ["start", "end"]
    assert out["start"].tolist() == [pd.Timestamp(d) for d in ("2000-01-31", "2000-05-31", "2000-08-31")]
    assert out["end"].tolist() == [pd.Timestamp(d) for d in ("2000-02-29", "2000-06-30", "2000-08-31")]
    gap = easing.recession_periods(usrec_series([0, np.nan, 1, 0]))  # no frequency after dropna
    assert gap["start"].tolist() == [pd.Timestamp("2000-03-31")]


def test_placebo_means_defaults_and_edge_sizes():
    w = np.array([1.0, 2.0, 4.0, 8.0])
    out = easing.placebo_means(w, 2)
    assert len(out) == 10_000
    # seed 0 by default: the same draws as numpy's generator seeded 0
    idx = np.random.default_rng(0).integers(0, 4, size=(10_000, 2))
    np.testing.assert_allclose(out, (w[idx[:, 0]] + w[idx[:, 1]]) / 2)
    assert set(np.unique(easing.placebo_means(w, 1, reps=200))) == {1.0, 2.0, 4.0, 8.0}
    assert np.all(easing.placebo_means([3.0, np.nan], 3, reps=100) == 3.0)  # one finite window
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # k = 0: NaN on purpose, not a mean of nothing
        assert np.isnan(easing.placebo_means(w, 0, reps=100).astype(float)).all()
    assert np.isnan(easing.placebo_means([], 2, reps=100)).all()


def test_cumulative_paths_cut_month_option_and_missing_events():
    r = pd.Series([1.0, -2.0, 3.0, 0.5, -1.5], index=months("2000-01-31", 5))
    paths = easing.cumulative_paths(r, ["1990-01-31", "2000-02-29"], 2, include_cut_month=True)
    assert paths.index.name == "months_after_cut"
    assert list(paths.columns) == ["2000-02"]  # 1990 is outside the data: skipped, not the end
    assert paths["2000-02"].tolist() == pytest.approx([0.0, -2.0, hand_compound([-2.0, 3.0])])
    after = easing.cumulative_paths(r, ["2000-02-29"], 2)
    assert after["2000-02"].tolist() == pytest.approx([0.0, 3.0, hand_compound([3.0, 0.5])])


def rate_series(values, start="1990-01-31"):
    return pd.Series(values, index=months(start, len(values)), name="policy_rate")


def test_rule_first_cuts_default_thresholds_at_their_boundaries():
    # a 25 bp hike then a 25 bp cut: both meet the default 0.25 thresholds
    out = easing.rule_first_cuts(rate_series([1.0, 1.25, 1.0]))
    assert out.index.tolist() == [pd.Timestamp("1990-03-31")]
    assert out.iloc[0].tolist() == [1.0, 1.25, pd.Timestamp("1990-02-28"), 1]
    # the default limit: a peak 24 months old still counts, 25 months old does not
    at24 = easing.rule_first_cuts(rate_series([1.0, 1.25] + [1.25] * 23 + [1.0]))
    assert at24["months_since_hike"].tolist() == [24]
    assert easing.rule_first_cuts(rate_series([1.0, 1.25] + [1.25] * 24 + [1.0])).empty


def test_rule_first_cuts_waits_for_a_hike_from_the_first_month():
    # falling from the start is not an easing: no hike came first
    assert easing.rule_first_cuts(rate_series([2.0, 1.0, 1.0])).empty


def test_rule_first_cuts_empty_input_and_zero_hike():
    empty = easing.rule_first_cuts(pd.Series([], dtype=float, index=pd.DatetimeIndex([])))
    assert empty.empty and empty.index.name == "date"
    assert list(empty.columns) == ["rate", "peak", "peak_month", "months_since_hike"]
    with pytest.raises(ParameterError, match="min_cut=0.25, min_hike=0"):
        easing.rule_first_cuts(rate_series([1.0, 2.0]), min_hike=0)


def test_window_returns_event_in_the_first_month_of_data():
    r = pd.Series([1.0, -2.0, 3.0], index=months("2000-01-31", 3))
    out = easing.window_returns(r, ["2000-01-31"], [2])
    assert out.index.name == "event_month"
    assert out.loc["2000-01-31", "ret_2m"] == pytest.approx(hand_compound([-2.0, 3.0]))


def test_compare_first_cuts_nearest_match_default_tolerance_and_order():
    curated = pd.DatetimeIndex(["2001-01-31", "2007-09-30", "2019-07-31"])
    # 2000-10 is 3 months before the 2001 cut, 2001-02 one month after: the nearer one pairs;
    # 2008-04 is 7 months after 2007-09 (beyond the default 6), 2020-01 exactly 6 after 2019-07
    rule = pd.DatetimeIndex(["2000-10-31", "2001-02-28", "2008-04-30", "2020-01-31"])
    out = easing.compare_first_cuts(curated, rule)
    assert list(out.columns) == ["curated", "rule", "gap_months", "status"]
    assert out.index.tolist() == [0, 1, 2, 3, 4]
    assert out["status"].tolist() == ["rule only", "both", "curated only", "rule only", "both"]
    assert [str(p) if pd.notna(p) else None for p in out["curated"]] == [
        None, "2001-01", "2007-09", None, "2019-07"]
    assert [str(p) if pd.notna(p) else None for p in out["rule"]] == [
        "2000-10", "2001-02", None, "2008-04", "2020-01"]
    assert out["gap_months"].tolist()[1] == 1 and out["gap_months"].tolist()[4] == 6
    assert out["gap_months"].isna().tolist() == [True, False, True, True, False]
    empty = easing.compare_first_cuts(pd.DatetimeIndex([]), pd.DatetimeIndex([]))
    assert empty.empty and list(empty.columns) == ["curated", "rule", "gap_months", "status"]


def test_options_threaded_through_test_and_the_sample_bounds():
    r, usrec, rate, curated = calm_and_recessions()
    # the sample starts and ends in curated cut months (1962-03, 1990-03): both ends are inside
    res = easing.test(r, usrec, rate, curated=curated, start="1962-03-01", end="1990-03-31", reps=100,
                      min_events=9, include_cut_month=True, include_ongoing=False)
    assert res.events.index.name == "event_month"
    assert res.verdict.rule.endswith("fewer than 9 events")
    rob = res.robustness
    assert (rob.loc[rob["n_events"] < 9, "label"] == "inconclusive").all()
    # paths start in the cut month: month 1 is the cut month's own return
    assert res.paths.loc[1, "1962-03"] == pytest.approx(r.loc["1962-03-31"])
    assert res.paths.loc[2, "1962-03"] == pytest.approx(hand_compound(r.loc["1962-03-31":"1962-04-30"]))
    cmp = res.comparison
    assert pd.Period("1962-03", "M") in set(cmp["curated"].dropna())
    assert pd.Period("1990-03", "M") in set(cmp["curated"].dropna())
    assert pd.Period("1962-03", "M") in set(cmp["rule"].dropna())
    assert "recession = NBER recession beginning within 12 months" in res.verdict.method
    method = easing.test(r, usrec, rate, curated=curated, reps=100).verdict.method
    assert "recession = NBER recession under way or beginning within 12 months" in method
    assert method.endswith("Small/large: as given")


# -- boundaries and texts a mutation run found untested (benchmarks/README.md, "Mutation testing") --------

def test_the_sample_errors_in_full():
    r, usrec, rate, curated = calm_and_recessions()

    def error(**kw):
        with pytest.raises(ParameterError) as err:
            easing.test(r, kw.pop("usrec", usrec), rate, curated=curated, reps=100, **kw)
        return str(err.value)

    assert error(start="not a date") == "start must be an ISO date such as '1963-07-31', got 'not a date'"
    assert error(end="soon") == "end must be an ISO date such as '1963-07-31', got 'soon'"
    # a start in the returns' last month (1999-12) leaves no sample: said so, not "only 1 month"
    assert error(start="1999-12-01") == "start 1999-12-01 must come before the end of the sample (1999-12)"
    assert error(start="1999-01-01", horizons=[12], verdict_horizon=12) == (
        "only 12 months of returns between 1999-01-01 and the end; need more than the longest horizon (12 months)")
    assert error(usrec=usrec * np.nan) == "usrec (the NBER recession indicator) is empty"


def test_the_default_placebo_draws_and_an_open_end():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated)
    assert res.placebo_draws.size == 10_000 and res.spec["reps"] == 10_000
    assert res.spec["end"] is None and res.spec["start"] == "1954-07-01"


def test_a_calm_cycle_whose_window_runs_past_the_returns_is_pending():
    r, usrec, rate, curated = calm_and_recessions()
    # returns to 1990-12: USREC (to 1995-02) shows no recession within 12 months of the 1990-03 cut, but
    # its 12-month window would end 1991-03; the two recession cycles have whole windows
    res = easing.test(r, usrec, rate, curated=curated, reps=100, end="1990-12-31")
    ev = res.events.loc["1990-03-31"]
    assert ev["group"] == "no recession" and np.isnan(ev["ret_12m"])
    assert res.verdict.n == 5 and res.verdict.sample == "1962-03..1987-03"
    assert res.verdict.note.endswith("did at least as well. 1 recent cycle(s) have no complete 12-month window yet.")
    # its 3-month window (1990-04..06) is complete
    three = easing.test(r, usrec, rate, curated=curated, reps=100, end="1990-12-31", verdict_horizon=3).verdict
    assert three.n == 6 and three.note.endswith("did at least as well.")


def test_the_comparison_keeps_only_the_cuts_inside_the_sample():
    r, usrec, rate, curated = calm_and_recessions()

    def months_of(res, column):
        return [str(p) for p in res.comparison[column].dropna()]

    # the sample ends in the month of the rule's 1968-06 cut, which is in; the curated cuts from 1970 are not
    early = easing.test(r, usrec, rate, curated=curated, reps=100, end="1968-06-30")
    assert months_of(early, "curated") == ["1962-03", "1966-03"]
    assert months_of(early, "rule") == ["1962-03", "1966-05", "1968-06"]
    # from 1967 the rule's 1962-03 and 1966-05 cuts are out
    late = easing.test(r, usrec, rate, curated=curated, reps=100, start="1967-01-01")
    assert months_of(late, "rule") == ["1968-06"]
    assert months_of(late, "curated") == [f"{y}-03" for y in range(1970, 1998, 4)]


def test_min_events_reaches_the_robustness_labels_and_the_note():
    r, usrec, rate, curated = calm_and_recessions()

    def labels(data, n):
        res = easing.test(data, usrec, rate, curated=curated, reps=100, min_events=n)
        return res.verdict, res.robustness.loc[("curated", "no recession", 12), "label"]

    # 1 pp a month more: six calm cycles whose interval excludes zero (test_the_verdict_and_conclusion_...)
    six, rob = labels(r + 1.0, 6)
    assert (six.label, rob) == ("supported", "supported")
    seven, rob = labels(r + 1.0, 7)
    assert (seven.label, rob) == ("inconclusive", "inconclusive")
    # six cycles are enough for min_events=6: the interval, not their number, leaves it inconclusive
    assert "; its interval straddles zero." in labels(r, 6)[0].note
    assert "; there are only 6 such cycles." in labels(r, 7)[0].note


def test_a_positive_mean_under_one_percent_beats():
    r, usrec, rate, curated = calm_and_recessions()
    low = r - 0.15
    mean = np.mean([after(low, m, 12) for m in CALM])
    assert 0 < mean < 1
    note = easing.test(low, usrec, rate, curated=curated, reps=100).verdict.note
    assert f"small caps beat large caps by {mean:.1f}% on average over 12 months" in note


def test_flat_returns_none_positive_and_every_placebo_draw_as_good():
    r, usrec, rate, curated = synthetic(0.0)
    row = easing.test(r, usrec, rate, curated=curated, reps=100).table.loc[("no recession", 12)]
    # every window return is exactly 0: none is positive, and every placebo mean (0) ties the events' mean
    assert (row["n_events"], row["mean"], row["share_positive"], row["placebo_p"]) == (8, 0.0, 0.0, 1.0)


def test_a_group_without_cycles_has_no_placebo_p():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec, rate, curated=curated.iloc[[0, 2, 4]], reps=100, min_events=2)  # all calm
    rec = res.table.loc[("recession", 12)]
    assert rec["n_events"] == 0
    assert rec[["mean", "median", "share_positive", "placebo_p"]].isna().all()  # a p of 0 would read as significant
    calm = res.table.loc[("no recession", 12)]
    assert calm["n_events"] == 3 and 0 < calm["placebo_p"] < 1


def test_a_policy_rate_with_a_missing_month():
    r, usrec, rate, curated = calm_and_recessions()
    gap = rate.drop(pd.Timestamp("1961-01-31"))  # before the first hike: nothing the rule reads changes
    assert gap.index.inferred_freq is None
    res = easing.test(r, usrec, gap, curated=curated, reps=100)
    assert res.events["policy_rate"].tolist() == [3.25] + [4.0] * 8
    assert res.rule_events.index.strftime("%Y-%m").tolist() == ["1962-03", "1966-05", "1968-06"]


def test_coverage_note_names_every_left_out_cut():
    r, usrec, rate, curated = calm_and_recessions()
    res = easing.test(r, usrec.loc[:"1991-02-28"], rate, curated=curated, reps=100)
    assert res.verdict.n == 5
    assert res.verdict.note.endswith(
        " Left out: 1990-03, 1994-03 (USREC ends 1991-02, before the 12-month recession window closes).")


def test_grid_estimate_on_a_sample_exactly_as_long_as_the_horizon(isolated_data):
    from synthetic_mirror import write_size_deciles

    from research.data.sizes import clear_caches

    idx = pd.date_range("1954-07-31", "1987-12-31", freq="ME")  # from the 1987 start (1987-10): three months
    write_size_deciles(isolated_data.mirror, idx, np.ones((len(idx), 10)), np.ones((len(idx), 10)))
    clear_caches()
    try:
        with pytest.raises(ParameterError, match=r"^only 3 months of returns from 1987; need more than 3$"):
            easing.grid_estimate(**{**GRID_SPEC, "start": 1987, "horizon": 3})
    finally:
        clear_caches()
