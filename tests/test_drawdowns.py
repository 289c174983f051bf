"""C6 drawdowns: the episode finder on a hand-made path, episode returns by hand, betas against
statsmodels, the verdict rule for each label, and the real data."""

from __future__ import annotations

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
    with pytest.raises(ParameterError):
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
