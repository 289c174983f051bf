"""C6 drawdowns: the episode finder on a hand-made path, episode returns by hand, betas against
statsmodels, the verdict rule for each label, and the real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from research.claims import drawdowns
from research.errors import ParameterError
from research.verdict import LABELS

#            0    1    2    3   4    5    6    7    8    9   10
PATH = [100, 105, 100, 94, 99, 106, 110, 104, 108, 111, 100]


def _days(values, start="2021-01-04"):
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_episode_finder_on_a_hand_made_path():
    level = _days(PATH)
    d = level.index
    five = drawdowns.drawdown_episodes(level, 5.0)
    assert five["peak_date"].tolist() == [d[1], d[6], d[9]]
    assert five["trough_date"].tolist() == [d[3], d[7], d[10]]
    assert five["recovery_date"].iloc[0] == d[5] and five["recovery_date"].iloc[1] == d[9]
    assert pd.isna(five["recovery_date"].iloc[2])
    assert five["ongoing"].tolist() == [False, False, True]
    np.testing.assert_allclose(five["depth_pct"], [100 * (94 / 105 - 1), 100 * (104 / 110 - 1),
                                                   100 * (100 / 111 - 1)])
    assert five["periods_to_trough"].tolist() == [2, 1, 1]
    ten = drawdowns.drawdown_episodes(level, 10.0)
    assert ten["peak_date"].tolist() == [d[1]]  # -10.5%; the others are -5.5% and -9.9%
    assert drawdowns.drawdown_episodes(level, 20.0).empty


def test_a_decline_inside_a_drawdown_is_one_episode():
    level = _days([100, 80, 95, 70, 90, 101])  # a rally to 95 does not regain the record
    episodes = drawdowns.drawdown_episodes(level, 5.0)
    assert len(episodes) == 1
    assert episodes["trough"].iloc[0] == 70 and episodes["depth_pct"].iloc[0] == pytest.approx(-30.0)


def test_episode_finder_rejects_a_non_positive_threshold():
    with pytest.raises(ParameterError):
        drawdowns.drawdown_episodes(_days(PATH), 0)


def test_levels_from_returns_compound_by_hand():
    rets = pd.DataFrame({"small": [10.0, -10.0], "large": [0.0, 5.0]}, index=pd.bdate_range("2021-01-04", periods=2))
    levels = drawdowns.levels_from_returns(rets)
    assert levels["small"].tolist() == pytest.approx([100.0, 110.0, 99.0])
    assert levels["large"].tolist() == pytest.approx([100.0, 100.0, 105.0])


def test_episode_returns_by_hand():
    large = _days(PATH)
    small = _days([50, 50, 49, 48, 50, 52, 55, 54, 56, 60, 57])
    levels = pd.DataFrame({"small": small, "large": large})
    out = drawdowns.episode_returns(levels, drawdowns.drawdown_episodes(large, 5.0))
    np.testing.assert_allclose(out["small_pct"], [100 * (48 / 50 - 1), 100 * (54 / 55 - 1), 100 * (57 / 60 - 1)])
    np.testing.assert_allclose(out["relative_pp"], out["small_pct"] - out["large_pct"])
    assert out["small_lost_less"].tolist() == [True, True, True]


def test_in_episodes_marks_after_peak_through_trough():
    level = _days(PATH)
    inside = drawdowns.in_episodes(level.index, drawdowns.drawdown_episodes(level, 5.0))
    assert inside.tolist() == [False, False, True, True, False, False, False, True, False, False, True]


def test_beta_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    large = rng.normal(0, 1, 500)
    small = 0.3 + 1.2 * large + rng.normal(0, 0.5, 500)
    rets = pd.DataFrame({"small": small, "large": large}, index=pd.bdate_range("2020-01-01", periods=500))
    out = drawdowns.beta(rets, lags=0, hac_lags=4, level=0.90)
    fit = sm.OLS(small, sm.add_constant(large)).fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    assert out["beta"] == pytest.approx(fit.params[1])
    assert (out["ci_lower"], out["ci_upper"]) == pytest.approx(tuple(fit.conf_int(alpha=0.10)[1]))
    down = drawdowns.beta(rets, rets["large"] < 0, lags=0, hac_lags=4)
    assert down["n"] == int((large < 0).sum())
    # with one lag the Dimson beta sums both slopes (the lag adds nothing here)
    assert drawdowns.beta(rets, lags=1)["beta"] == pytest.approx(1.2, abs=0.1)


@pytest.mark.parametrize("relative, ci, label", [
    ([2, 3, -1, 4] * 3, (0.5, 3.0), "supported"),
    ([-2, -3, 1, -4] * 3, (-3.0, -0.5), "contradicted"),
    ([-1, -1, 9, -1] * 3, (0.5, 3.0), "mixed"),
    ([1, -1, 2, -1] * 3, (-0.5, 1.0), "inconclusive"),
    ([2, 3, 4], (0.5, 3.0), "inconclusive"),
])
def test_classify_each_branch(relative, ci, label):
    assert drawdowns.classify(pd.Series(relative, dtype=float), ci, min_episodes=10)[0] == label


def _synthetic(beta_small, seed=7, n=4000):
    rng = np.random.default_rng(seed)
    large = rng.normal(0.03, 1.0, n)
    small = beta_small * large + rng.normal(0, 0.3, n)
    return pd.DataFrame({"small": small, "large": large}, index=pd.bdate_range("1990-01-01", periods=n))


def test_claim_function_labels_a_hedge_and_a_leveraged_bet():
    hedge = drawdowns.test(_synthetic(0.5), thresholds=(5.0, 10.0), min_episodes=3)
    assert [v.label for v in hedge.verdicts] == ["supported", "supported"]
    assert hedge.table.index.tolist() == [10.0, 5.0]
    assert hedge.betas.loc["all periods", "beta"] == pytest.approx(0.5, abs=0.05)
    levered = drawdowns.test(_synthetic(1.5), thresholds=(5.0, 10.0), min_episodes=3)
    assert [v.label for v in levered.verdicts] == ["contradicted", "contradicted"]
    v = levered.verdicts[1]
    episodes = levered.episodes.loc[levered.episodes["threshold_pct"] == 5.0]
    assert v.n == len(episodes) and v.statistic == pytest.approx(episodes["relative_pp"].mean())
    assert v.interval[0] < v.statistic < v.interval[1]


def test_claim_function_validates_parameters():
    rets = _synthetic(1.0, n=100)
    with pytest.raises(ParameterError):
        drawdowns.test(rets, thresholds=(-5.0,))
    with pytest.raises(ParameterError, match=r"returns need columns 'small' and 'large' \(percent per period\)"):
        drawdowns.test(rets.rename(columns={"small": "s"}))
    with pytest.raises(ParameterError, match="widen"):
        drawdowns.test(rets, start="1990-01-01", end="1990-01-05")


@pytest.mark.mirror
def test_run_on_the_mirror():
    result = drawdowns.run()
    assert {v.label for v in result.verdicts} <= set(LABELS)
    assert [v.aspect for v in result.verdicts] == ["drawdowns >= 10%", "drawdowns >= 5%"]
    assert result.verdicts[0].n >= 20 and result.verdicts[0].sample.startswith("1926-07")
    assert result.verdicts[0].vintage == {"me_bm_6_daily": "202406"}
    russell = drawdowns.run(small_large="russell")
    assert russell.verdicts[0].sample.startswith("1987-09")
    covid = russell.episodes.loc[russell.episodes["peak_date"] == "2020-02-19"]
    assert len(covid) == 2 and covid["trough_date"].iloc[0] == pd.Timestamp("2020-03-23")


def test_each_threshold_interval_is_the_student_t_interval_of_its_episodes():
    """The verdict's interval and p-value: a t interval and t-test (scipy) of the episodes' relative returns."""
    from scipy import stats as sps

    res = drawdowns.test(_synthetic(0.5), thresholds=(5.0,), min_episodes=3)
    (v,) = res.verdicts
    rel = res.episodes.loc[res.episodes["threshold_pct"] == 5.0, "relative_pp"].to_numpy()
    assert v.n == len(rel) >= 3
    lo, hi = sps.t.interval(0.90, len(rel) - 1, loc=rel.mean(), scale=rel.std(ddof=1) / np.sqrt(len(rel)))
    assert v.interval == pytest.approx((lo, hi), rel=1e-9)
    assert v.p_value == pytest.approx(sps.ttest_1samp(rel, 0.0).pvalue, rel=1e-9)


# -- boundaries and hand checks the mutation run asked for (benchmarks/README.md) ------------------

def test_levels_start_one_day_before_the_first_return_and_keep_the_index_name():
    idx = pd.bdate_range("2021-01-04", periods=2, name="date")
    levels = drawdowns.levels_from_returns(pd.DataFrame({"small": [1.0, 2.0], "large": [0.0, 0.0]}, index=idx))
    assert levels.index[0] == pd.Timestamp("2021-01-03") and levels.index.name == "date"


def test_a_decline_of_exactly_the_threshold_is_an_episode():
    level = _days([128, 96, 128, 100])  # -25% exactly in binary; then -21.9%
    assert len(drawdowns.drawdown_episodes(level, 25.0)) == 1
    assert len(drawdowns.drawdown_episodes(level, 25.0001)) == 0
    assert len(drawdowns.drawdown_episodes(level, 0.5)) == 2  # a threshold under 1% is allowed


def test_episode_returns_large_leg_and_a_tie():
    large = _days([100, 90, 100])
    small = _days([50, 45, 50])  # the same -10%: not "lost less"
    out = drawdowns.episode_returns(pd.DataFrame({"small": small, "large": large}),
                                    drawdowns.drawdown_episodes(large, 5.0))
    assert out["large_pct"].tolist() == pytest.approx([-10.0])
    assert out["small_lost_less"].tolist() == [False]


def test_in_episodes_keeps_the_index():
    level = _days(PATH)
    inside = drawdowns.in_episodes(level.index, drawdowns.drawdown_episodes(level, 5.0))
    assert inside.index.equals(level.index)


def test_beta_mask_and_minimum_sample():
    rng = np.random.default_rng(3)
    n = 40
    large = rng.normal(0, 1, n)
    rets = pd.DataFrame({"small": 2 * large + rng.normal(0, 0.1, n), "large": large},
                        index=pd.bdate_range("2020-01-01", periods=n))
    half = pd.Series(True, index=rets.index[:20])  # periods the mask does not name are left out
    assert drawdowns.beta(rets, half, lags=0)["n"] == 20
    five = pd.Series(rets.index.isin(rets.index[10:15]), index=rets.index)
    assert math.isfinite(drawdowns.beta(rets, five, lags=0)["beta"])  # lags + 5 periods: estimated
    four = pd.Series(rets.index.isin(rets.index[10:14]), index=rets.index)
    out = drawdowns.beta(rets, four, lags=0)
    assert math.isnan(out["beta"]) and math.isnan(out["ci_lower"]) and math.isnan(out["ci_upper"]) and out["n"] == 4


def test_downside_betas_split_periods_by_the_sign_of_large():
    rng = np.random.default_rng(11)
    n = 1500
    large = np.round(rng.normal(0, 1, n), 1)  # some exact zeros: they count as "up"
    assert (large == 0).sum() > 10
    small = np.where(large < 0, 1.5, 0.5) * large + rng.normal(0, 0.2, n)
    rets = pd.DataFrame({"small": small, "large": large}, index=pd.bdate_range("2000-01-03", periods=n))
    inside = pd.Series(np.arange(n) % 3 == 0, index=rets.index)
    out = drawdowns.downside_betas(rets, inside, hac_lags=2, level=0.5)
    assert out.index.name == "periods"
    for name, mask in [("all periods", None), ("large caps down (return < 0)", rets["large"] < 0),
                       ("large caps up (return >= 0)", rets["large"] >= 0),
                       ("inside large-cap drawdowns (peak to trough)", inside), ("outside those drawdowns", ~inside)]:
        want = drawdowns.beta(rets, mask, lags=1, hac_lags=2, level=0.5)
        assert out.loc[name].to_dict() == pytest.approx(want, rel=1e-12), name
    assert out.loc["large caps down (return < 0)", "beta"] == pytest.approx(1.5, abs=0.05)
    assert out.loc["large caps up (return >= 0)", "beta"] == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("relative, ci, label", [
    ([0.0] * 6 + [5.0] * 4, (0.5, 3.0), "mixed"),        # a zero is not "lost less": share 0.4
    ([0.5] * 10, (0.1, 0.9), "supported"),               # every episode above zero, by less than 1
    ([2.0] * 10, (0.0, 3.0), "inconclusive"),            # an interval touching zero straddles it
    ([-2.0] * 10, (-3.0, 0.0), "inconclusive"),
    ([1.0, -1.0] * 5 + [1.0, 1.0], (0.1, 0.5), "supported"),
    ([3.0, -1.0] * 5, (0.5, 1.5), "mixed"),              # mean > 0 but exactly half: no majority
    ([1.0, -3.0] * 5, (-1.5, -0.5), "mixed"),
    ([1.0, 1.0, 1.0, -3.0] * 3, (0.5, 1.0), "mixed"),    # mean exactly 0
    ([-1.0, -1.0, -1.0, 3.0] * 3, (-1.0, -0.5), "mixed"),
    ([-1.0, -1.0, -1.0, 3.5] * 3, (0.1, 0.2), "mixed"),  # mean +0.125 with a minority above zero
    ([1.0, 1.0, 1.0, -5.0] * 3, (-1.0, -0.1), "mixed"),  # mean < 0 with a majority above zero
])
def test_classify_at_its_boundaries(relative, ci, label):
    assert drawdowns.classify(pd.Series(relative, dtype=float), ci, min_episodes=10)[0] == label


def test_classify_at_the_minimum_number_of_episodes():
    assert drawdowns.classify(pd.Series([2.0] * 10), (1.0, 3.0), min_episodes=10)[0] == "supported"
    assert drawdowns.classify(pd.Series([2.0] * 9), (1.0, 3.0), min_episodes=10)[0] == "inconclusive"


def _ending_in_a_drawdown(n=3000):
    rng = np.random.default_rng(9)
    large = rng.normal(0.08, 2.0, n)
    rets = pd.DataFrame({"small": 0.5 * large + rng.normal(0, 0.5, n), "large": large},
                        index=pd.bdate_range("1990-01-01", periods=n))
    rets.iloc[-1] = [-10.0, -25.0]  # large caps end 25% under their record: an ongoing episode
    return rets


def test_claim_table_and_verdict_by_hand():
    from scipy import stats as sps

    rets = _ending_in_a_drawdown()
    res = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3, vintage={"x": "1"})
    levels = 100 * (1 + rets / 100).cumprod()
    eps = drawdowns.drawdown_episodes(pd.concat([pd.Series([100.0], [rets.index[0] - pd.Timedelta(days=1)]),
                                                 levels["large"]]), 5.0)
    peak = levels.reindex(eps["peak_date"]).fillna(100.0).to_numpy()
    trough = levels.reindex(eps["trough_date"]).to_numpy()
    small, large = (trough[:, 0] / peak[:, 0] - 1) * 100, (trough[:, 1] / peak[:, 1] - 1) * 100
    rel = small - large
    row = res.table.loc[5.0]
    assert row["episodes"] == len(rel) >= 5 and eps["ongoing"].iloc[-1]
    assert row["mean_large_pct"] == pytest.approx(large.mean()) and row["mean_small_pct"] == pytest.approx(small.mean())
    assert row["mean_relative_pp"] == pytest.approx(rel.mean()) and row["median_relative_pp"] == pytest.approx(np.median(rel))
    lo, hi = sps.t.interval(0.90, len(rel) - 1, loc=rel.mean(), scale=rel.std(ddof=1) / np.sqrt(len(rel)))
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lo, hi))
    assert row["share_small_lost_less"] == pytest.approx((rel > 0).mean())
    (v,) = res.verdicts
    assert row["label"] == v.label == "supported"
    assert (v.claim, v.aspect, v.n, v.interval_level) == ("C6", "drawdowns >= 5%", len(rel), 0.90)
    assert v.statistic_name == "mean small-minus-large return over the episodes, pp"
    assert v.sample == f"{rets.index[0]:%Y-%m-%d}..{rets.index[-1]:%Y-%m-%d}" and v.vintage == {"x": "1"}
    assert v.rule == drawdowns.rule_text(3, 0.90)
    assert v.hypothesis == ("In large-cap drawdowns of at least 5% (peak to trough), small caps lose less than "
                            "large caps, in most episodes and on average")
    assert v.method == ("large-cap drawdowns from record levels; small and large returns over each "
                        "peak-to-trough span; mean across episodes with a Student-t interval")
    # without the ongoing episode: one fewer, and not the last
    closed = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3, include_ongoing=False)
    assert closed.verdicts[0].n == len(rel) - 1
    assert not closed.episodes["ongoing"].any()


def test_claim_defaults():
    rets = _ending_in_a_drawdown()
    res = drawdowns.test(rets)
    v = res.verdicts[0]
    assert v.rule == drawdowns.rule_text(10, 0.90) and v.interval_level == 0.90
    assert res.episodes["ongoing"].any()  # include_ongoing defaults to True
    assert res.spec == {"thresholds": [5.0, 10.0], "start": None, "end": None, "min_episodes": 10, "level": 0.90,
                        "beta_lags": 1, "hac_lags": None, "include_ongoing": True, "definition": "",
                        "betas_inside": ">= 5%"}
    assert res.levels["large"].iloc[-1] == pytest.approx(100 * (1 + rets["large"] / 100).prod())
    want = drawdowns.downside_betas(  # one Dimson lag by default, inside the widest (5%) drawdowns
        rets, drawdowns.in_episodes(rets.index, res.episodes.loc[res.episodes["threshold_pct"] == 5.0]), lags=1)
    np.testing.assert_allclose(res.betas.to_numpy(float), want.to_numpy(float), rtol=1e-12)


def test_two_episodes_give_an_interval_and_none_give_no_statistic():
    large = [0.0, -6.0, 7.0, -6.0, 7.0] + [0.1] * 20
    rets = pd.DataFrame({"small": [x / 2 for x in large], "large": large}, index=pd.bdate_range("2020-01-01", periods=25))
    two = drawdowns.test(rets, thresholds=(5.0,), min_episodes=2).verdicts[0]
    assert two.n == 2 and two.interval is not None and all(math.isfinite(x) for x in two.interval)
    none = drawdowns.test(rets, thresholds=(50.0,), min_episodes=2)
    v = none.verdicts[0]
    assert (v.n, v.statistic, v.interval, v.p_value, v.label) == (0, None, None, None, "inconclusive")
    assert v.interval_level is None and v.hypothesis.startswith("In large-cap drawdowns of at least 50% (")
    assert math.isnan(none.table.loc[50.0, "share_small_lost_less"])


@pytest.mark.parametrize("kwargs, ok", [
    ({"level": 0.0}, False), ({"level": 1.0}, False), ({"level": 0.5}, True),
    ({"min_episodes": 1}, False), ({"min_episodes": 2}, True),
    ({"thresholds": ()}, False), ({"thresholds": (0.0,)}, False), ({"thresholds": (0.5,)}, True),
])
def test_claim_parameter_boundaries(kwargs, ok):
    rets = _synthetic(1.0, n=100)
    if ok:
        drawdowns.test(rets, **kwargs)
    else:
        with pytest.raises(ParameterError, match="thresholds|level|min_episodes"):
            drawdowns.test(rets, **kwargs)


def test_twenty_periods_are_enough_nineteen_are_not():
    rets = _synthetic(1.0, n=100)
    drawdowns.test(rets.iloc[:20], min_episodes=2)
    with pytest.raises(ParameterError, match="only 19 periods"):
        drawdowns.test(rets.iloc[:19], min_episodes=2)


def test_level_and_lags_reach_the_interval_and_the_betas():
    from scipy import stats as sps

    rets = _ending_in_a_drawdown()
    res = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3, level=0.5, beta_lags=2, hac_lags=3)
    rel = res.episodes["relative_pp"].to_numpy()
    lo, hi = sps.t.interval(0.5, len(rel) - 1, loc=rel.mean(), scale=rel.std(ddof=1) / np.sqrt(len(rel)))
    assert res.verdicts[0].interval == pytest.approx((lo, hi))
    want = drawdowns.downside_betas(rets, drawdowns.in_episodes(rets.index, res.episodes), lags=2, hac_lags=3, level=0.5)
    np.testing.assert_allclose(res.betas.to_numpy(float), want.to_numpy(float), rtol=1e-12)


# -- display, grid validity, and run / grid_estimate on synthetic publisher files ------------------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

def test_conclusion_states_the_verdicts_and_the_downside_betas():
    rets = _ending_in_a_drawdown()  # small caps: beta 1.5 when large caps fall, 0.5 when they rise
    rets["small"] = np.where(rets["large"] < 0, 1.5, 0.5) * rets["large"] + np.random.default_rng(2).normal(0, 0.3, len(rets))
    res = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3)
    text = res.conclusion().splitlines()
    from research.verdict import verdict_sentence

    assert text[0] == verdict_sentence(res.verdicts[0]) and len(text) == 2
    down = res.betas.loc["large caps down (return < 0)"]
    up = res.betas.loc["large caps up (return >= 0)"]
    assert down["beta"] == pytest.approx(1.5, abs=0.1) and up["beta"] == pytest.approx(0.5, abs=0.1)
    assert abs(res.betas.loc["inside large-cap drawdowns (peak to trough)", "beta"] - up["beta"]) > 0.1
    assert text[1] == (f"- **Downside beta** (Dimson sum over 1 lag): {down['beta']:.2f} in large-cap down periods "
                       f"[{down['ci_lower']:.2f}, {down['ci_upper']:.2f}] vs {up['beta']:.2f} in up periods; "
                       "a hedge would need a beta well below 1 when large caps fall.")
    two = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3, beta_lags=2).conclusion()
    assert "(Dimson sum over 2 lags)" in two
    zero = drawdowns.test(rets, thresholds=(5.0,), min_episodes=3, beta_lags=0).conclusion()
    assert "(Dimson sum over 0 lags)" in zero


def test_episode_table_shows_one_threshold_dates_as_text_and_returns_rounded():
    rets = _ending_in_a_drawdown()
    res = drawdowns.test(rets, thresholds=(5.0, 10.0), min_episodes=3)
    eps = res.episodes.loc[res.episodes["threshold_pct"] == 10.0].reset_index(drop=True)
    table = res.episode_table(10.0)
    assert list(table.columns) == ["peak_date", "trough_date", "recovery_date", "large_pct", "small_pct",
                                   "relative_pp", "periods_to_trough", "ongoing"]
    assert table.index.tolist() == list(range(len(eps))) and 2 <= len(eps) < len(res.episode_table(5.0))
    assert table["peak_date"].tolist() == [f"{d:%Y-%m-%d}" for d in eps["peak_date"]]
    assert table["trough_date"].iloc[0] == f"{eps['trough_date'].iloc[0]:%Y-%m-%d}"
    assert table["recovery_date"].iloc[0] == f"{eps['recovery_date'].iloc[0]:%Y-%m-%d}"
    assert table["recovery_date"].iloc[-1] == "not yet" and table["ongoing"].iloc[-1]
    for col in ("large_pct", "small_pct", "relative_pp"):
        assert table[col].tolist() == [round(x, 1) for x in eps[col]]
        assert (table[col] != eps[col]).any()  # rounded, not the raw numbers
    assert table["periods_to_trough"].tolist() == eps["periods_to_trough"].tolist()


@pytest.mark.parametrize("spec, valid", [
    ({"size": "halves (2x3, below/above NYSE median)", "freq": "daily", "weighting": "vw", "start": 1926}, True),
    ({"size": "halves (2x3, below/above NYSE median)", "freq": "daily", "weighting": "ew", "start": 1963}, True),
    ({"size": "halves (2x3, below/above NYSE median)", "freq": "monthly", "weighting": "vw", "start": 1954}, True),
    ({"size": "deciles 1-3 vs 8-10", "freq": "daily", "weighting": "vw", "start": 1926}, False),  # no daily deciles
    ({"size": "decile 1 vs 10", "freq": "monthly", "weighting": "ew", "start": 1987}, True),
    ({"size": "Russell 2000 vs S&P 500", "freq": "daily", "weighting": "vw", "start": 1987}, True),
    ({"size": "Russell 2000 vs S&P 500", "freq": "daily", "weighting": "vw", "start": 1963}, False),  # = 1987
    ({"size": "Russell 2000 vs S&P 500", "freq": "monthly", "weighting": "vw", "start": 1987}, True),
    ({"size": "Russell 2000 vs S&P 500", "freq": "monthly", "weighting": "vw", "start": 1926}, False),
    ({"size": "Russell 2000 vs S&P 500", "freq": "daily", "weighting": "ew", "start": 1987}, False),  # vw only
])
def test_grid_valid_by_hand(spec, valid):
    assert drawdowns.grid_valid({**spec, "threshold": 10.0, "include_ongoing": True}) is valid


def _crash_cycles():
    """Daily large and small returns (percent, 2 decimals) with known drawdowns: ten cycles of 62
    days up 0.15% and 0.25% in turn, then 3 days down about D% a day (D = 2.5 + 0.05 k; 3.8 in cycles 3
    and 7: -11%), each regained by the next cycle's rise; then a rise and an unrecovered -7.6%.
    Small caps fall half as much."""
    rise = [0.15, 0.25] * 31
    large = []
    for k in range(10):
        d = 3.8 if k in (3, 7) else 2.5 + 0.05 * k
        large += rise + [-d - 0.1, -d, -d + 0.1]
    large = np.round(np.array(large + rise + [-2.7, -2.6, -2.5]), 2)
    small = np.round(0.5 * large + np.where(np.arange(len(large)) % 2 == 0, 0.03, -0.03), 2)
    return small, large


@pytest.fixture
def synthetic_publishers(isolated_data):
    """A mirror of synthetic files: French's daily 2x3 halves from 1962-07-02 (vw: the crash cycles;
    ew: small caps move with large caps, except on the drop days of cycles 1-4, 0.5 pp a day
    better, of cycles 5-6, 0.1 pp better and of cycles 7-9, 0.6 pp worse: cycle 0 an exact tie,
    a positive mean and majority, an interval straddling zero) and the Russell 2000 / S&P 500
    closes from 1987-09-10."""
    from synthetic_mirror import write_closes, write_french_daily_2x3

    from research.data.sizes import clear_caches

    small, large = _crash_cycles()
    days = pd.bdate_range("1962-07-02", periods=len(large), name="date")
    drop_day = np.r_[np.tile(np.arange(65) >= 62, 10), np.zeros(65, dtype=bool)]
    cycle = np.arange(len(large)) // 65
    bump = np.array([0.0, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1, -0.6, -0.6, -0.6, 0.0])[cycle]
    small_ew = np.round(large + np.where(drop_day, bump, 0.0), 2)
    write_french_daily_2x3(isolated_data.mirror, days, vw=(small, large), ew=(small_ew, large))
    closes = pd.bdate_range("1987-09-10", periods=len(large) + 1, name="date")
    rut = pd.Series(np.r_[1000.0, 1000.0 * np.cumprod(1 + small / 100)], index=closes)
    spx = pd.Series(np.r_[1000.0, 1000.0 * np.cumprod(1 + large / 100)], index=closes)
    write_closes(isolated_data.mirror, "RUT.csv", rut)
    write_closes(isolated_data.mirror, "GSPC.csv", spx, yfinance=True)
    clear_caches()
    halves = {w: pd.DataFrame({"small": s, "large": large}, index=days) for w, s in (("vw", small), ("ew", small_ew))}
    both = pd.concat({"small": rut.round(2), "large": spx.round(2)}, axis=1)
    russell = (both.pct_change() * 100).iloc[1:]
    yield {**halves, "russell": russell}
    clear_caches()


def test_run_reads_the_daily_halves_and_the_indices(synthetic_publishers):
    want = drawdowns.test(synthetic_publishers["vw"], thresholds=(5.0,), min_episodes=3)
    got = drawdowns.run(thresholds=(5.0,), min_episodes=3)
    (v,), (w,) = got.verdicts, want.verdicts
    assert (v.n, v.label, v.sample) == (w.n, w.label, w.sample) == (11, "supported", w.sample)
    assert v.statistic == pytest.approx(w.statistic, rel=1e-9) and v.interval == pytest.approx(w.interval, rel=1e-9)
    assert v.vintage == {"me_bm_6_daily": "202501"}
    assert v.note.endswith("(daily size deciles are not published in the catalog: daily small = average of "
                           "the 3 small (below NYSE median) 2x3 portfolios, large = the 3 big ones).")
    ew = drawdowns.run(weighting="ew", thresholds=(5.0,), min_episodes=3).verdicts[0]
    want_ew = drawdowns.test(synthetic_publishers["ew"], thresholds=(5.0,), min_episodes=3).verdicts[0]
    assert ew.statistic == pytest.approx(want_ew.statistic, rel=1e-9) != pytest.approx(w.statistic, rel=1e-3)
    default = drawdowns.run()  # 5% and 10%, ten episodes needed: 11 and 2
    assert [(x.aspect, x.n, x.label) for x in default.verdicts] == [
        ("drawdowns >= 10%", 2, "inconclusive"), ("drawdowns >= 5%", 11, "supported")]
    russell = drawdowns.run(small_large="russell", thresholds=(5.0,), min_episodes=3)
    want_r = drawdowns.test(synthetic_publishers["russell"], thresholds=(5.0,), min_episodes=3).verdicts[0]
    (r,) = russell.verdicts
    assert (r.n, r.sample) == (want_r.n, want_r.sample) and r.sample.startswith("1987-09-11")
    assert r.statistic == pytest.approx(want_r.statistic, rel=1e-9)
    assert set(r.vintage) == {"rut", "gspc"} and "Russell 2000 vs S&P 500 price returns" in r.note


@pytest.mark.parametrize("start, threshold, include_ongoing, n, label", [
    (1926, 5.0, True, 11, "supported"),      # all data; ten recovered episodes and the open one
    (1926, 5.0, False, 10, "supported"),     # exactly the ten episodes the label needs
    (1963, 5.0, False, 6, "inconclusive"),   # from 1963-07-31: cycles 4-9 only
    (1926, 10.0, True, 2, "inconclusive"),   # the two -11% cycles: an interval, too few episodes
    (1926, 50.0, True, 0, "inconclusive"),
])
def test_grid_estimate_is_the_claims_test_on_the_same_data(synthetic_publishers, start, threshold,
                                                           include_ongoing, n, label):
    from research.data.sizes import HALVES

    out = drawdowns.grid_estimate(size=HALVES, freq="daily", weighting="vw", start=start, threshold=threshold,
                                  include_ongoing=include_ongoing)
    res = drawdowns.test(synthetic_publishers["vw"], thresholds=(threshold,), include_ongoing=include_ongoing,
                         start="1963-07-31" if start == 1963 else None)
    (v,) = res.verdicts
    assert (out["n"], out["label"]) == (v.n, v.label) == (n, label)
    assert out["sample"] == v.sample
    if n:
        assert out["estimate"] == pytest.approx(v.statistic, rel=1e-12)
        assert out["share_small_lost_less"] == pytest.approx(res.table.loc[threshold, "share_small_lost_less"])
    else:
        assert math.isnan(out["estimate"]) and math.isnan(out["share_small_lost_less"])
    if n >= 2:
        assert (out["lower"], out["upper"]) == pytest.approx(v.interval, rel=1e-12)
        assert out["p_value"] == pytest.approx(v.p_value, rel=1e-12)
    else:
        assert math.isnan(out["lower"]) and math.isnan(out["upper"]) and math.isnan(out["p_value"])


def test_grid_estimate_level_min_episodes_and_russell_start(synthetic_publishers):
    from research.data.sizes import HALVES, RUSSELL

    base = {"size": HALVES, "freq": "daily", "weighting": "vw", "start": 1926, "threshold": 5.0,
            "include_ongoing": False}
    assert drawdowns.grid_estimate(**base, min_episodes=11)["label"] == "inconclusive"
    half = drawdowns.grid_estimate(**base, level=0.5)
    want = drawdowns.test(synthetic_publishers["vw"], thresholds=(5.0,), include_ongoing=False, level=0.5).verdicts[0]
    assert (half["lower"], half["upper"]) == pytest.approx(want.interval, rel=1e-12)
    ew = drawdowns.grid_estimate(**{**base, "weighting": "ew"})
    want_ew = drawdowns.test(synthetic_publishers["ew"], thresholds=(5.0,), include_ongoing=False).verdicts[0]
    assert ew["estimate"] == pytest.approx(want_ew.statistic, rel=1e-12) and ew["estimate"] > 0
    rel = drawdowns.test(synthetic_publishers["ew"], thresholds=(5.0,), include_ongoing=False).episodes["relative_pp"]
    assert rel.iloc[0] == 0 and ((rel > 0) & (rel < 1)).sum() == 2 and (rel > 1).sum() == 4  # a tie; two under 1 pp
    assert (ew["n"], ew["share_small_lost_less"]) == (10, pytest.approx(0.6))  # cycles 1-6 of ten
    assert ew["lower"] < 0 < ew["upper"] and ew["label"] == want_ew.label == "inconclusive"  # not "supported"
    # the Russell data begin 1987-09-11: a 1987 start is all of them (not from 1987-10-31)
    r = drawdowns.grid_estimate(**{**base, "size": RUSSELL, "start": 1987})
    want_r = drawdowns.test(synthetic_publishers["russell"], thresholds=(5.0,), include_ongoing=False).verdicts[0]
    assert r["sample"] == want_r.sample and r["sample"].startswith("1987-09-11")
    assert r["estimate"] == pytest.approx(want_r.statistic, rel=1e-12) and r["n"] == want_r.n == 10


def test_rule_text_states_the_rule_with_its_numbers():
    assert drawdowns.rule_text(12, 0.95) == (
        "supported if small caps lost less than large caps in most episodes and on average (mean "
        "small-minus-large return over the episodes > 0, 95% Student-t interval excluding zero); "
        "contradicted if they lost more in most episodes and on average; mixed if the majority and the "
        "average disagree; inconclusive if the interval straddles zero or there are fewer than 12 episodes")


def test_a_tie_and_a_small_margin_in_the_share_and_the_note():
    """Episode 1: small and large both fall 6% (a tie, not "lost less"); episode 2: large -6%,
    small -5.4% (lost less, by 0.6 pp)."""
    large = [0.0, -6.0, 7.0, -6.0, 7.0] + [0.1] * 20
    small = [0.0, -6.0, 7.0, -5.4, 7.0] + [0.1] * 20
    rets = pd.DataFrame({"small": small, "large": large}, index=pd.bdate_range("2020-01-01", periods=25))
    res = drawdowns.test(rets, thresholds=(5.0,), min_episodes=2)
    assert res.episodes["relative_pp"].tolist() == pytest.approx([0.0, 0.6], abs=1e-9)
    assert res.table.loc[5.0, "share_small_lost_less"] == 0.5
    (v,) = res.verdicts
    assert v.note == (f"{drawdowns.classify(res.episodes['relative_pp'], v.interval, 2)[1].capitalize()}: "
                      "small caps lost less than large caps in 1 of 2 episodes (50%); "
                      "mean +0.3 pp, median +0.3 pp.")  # no definition given: nothing in brackets
    assert v.note.startswith("The interval of the mean relative return straddles zero: ")
