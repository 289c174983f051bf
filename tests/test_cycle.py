"""C8 business cycle and mean reversion: regressions against statsmodels and hand computations,
Hodrick errors against a loop, the verdict rules on synthetic series, and the real data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from research.claims import cycle
from research.errors import ParameterError
from research.verdict import LABELS


def months(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="ME")


def log_pts(values) -> np.ndarray:
    return 100 * np.log1p(np.asarray(values, dtype=float) / 100)


# -- building blocks ----------------------------------------------------------------------------------

def test_trailing_and_forward_sums_by_hand():
    r = pd.Series([1.0, -2.0, 3.0, 0.5, -1.5, 2.0], index=months("2000-01-31", 6))
    out = cycle.trailing_forward(r, window=3, horizons=(2,))
    lp = log_pts(r)
    assert np.isnan(out["trailing"].iloc[1])
    assert out["trailing"].iloc[2] == pytest.approx(lp[:3].sum())
    assert out["trailing_pct"].iloc[2] == pytest.approx((1.01 * 0.98 * 1.03 - 1) * 100)
    assert out["fwd_2"].iloc[2] == pytest.approx(lp[3:5].sum())
    assert np.isnan(out["fwd_2"].iloc[4])


def test_cycle_phases():
    rec = pd.Series([0, 1, 1, 0, 0, 0, 0], index=months("2000-01-31", 7))
    phases = cycle.cycle_phases(rec, recovery_months=2)
    assert phases.tolist() == ["later expansion", "recession", "recession", "early expansion",
                               "early expansion", "later expansion", "later expansion"]


def test_recession_difference_is_the_difference_of_means_with_statsmodels_hac():
    rng = np.random.default_rng(0)
    idx = months("1990-01-31", 240)
    rec = pd.Series((np.arange(240) % 40 < 6).astype(int), index=idx)
    r = pd.Series(rng.normal(0.3, 2.0, 240) - 1.0 * rec, index=idx)
    usrec = rec.copy()
    res = cycle.test(r, usrec, start="1990-01-01", article_date="2009-06-15", trailing_years=5,
                     horizons_years=(1, 2), state_lags=4)
    fit = res.recession_fit
    hand = r[rec == 1].mean() - r[rec == 0].mean()
    assert fit.params["recession"] == pytest.approx(hand)
    direct = sm.OLS(r.to_numpy(), sm.add_constant(rec.to_numpy().astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    assert fit.bse["recession"] == pytest.approx(direct.bse[1])
    assert fit.pvalues["recession"] == pytest.approx(direct.pvalues[1])
    assert res.states.loc["recession", "mean"] == pytest.approx(r[rec == 1].mean())


def test_predictive_regression_matches_statsmodels_with_horizon_lags():
    rng = np.random.default_rng(1)
    idx = months("1950-01-31", 300)
    r = pd.Series(rng.normal(0.2, 3.0, 300), index=idx)
    usrec = pd.Series((np.arange(300) % 60 < 8).astype(int), index=idx)
    res = cycle.test(r, usrec, start="1950-01-01", article_date="1974-06-15", trailing_years=5,
                     horizons_years=(2,))
    frame = cycle.trailing_forward(r, window=60, horizons=(24,))[["trailing", "fwd_24"]].dropna()
    direct = sm.OLS(frame["fwd_24"], sm.add_constant(frame["trailing"])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 24, "use_correction": True})
    fit = res.predictive_fits[24]
    assert fit.params["trailing"] == pytest.approx(direct.params["trailing"])
    assert fit.bse["trailing"] == pytest.approx(direct.bse["trailing"])
    assert fit.maxlags == 24
    row = res.table.loc[("slope, next 2y on trailing 5y", "newey-west (24 lags)")]
    assert row["p_value"] == pytest.approx(direct.pvalues["trailing"])
    assert row["n_independent"] == len(frame) // 24 + (1 if len(frame) % 24 else 0)


def hodrick_by_loop(r1: np.ndarray, x: np.ndarray, h: int) -> tuple[float, float]:
    """Hodrick (1992) 1B, written out term by term."""
    T = len(r1)
    y = np.array([r1[t + 1: t + 1 + h].sum() if t + h < T else np.nan for t in range(T)])
    ok = [t for t in range(T) if np.isfinite(x[t]) and np.isfinite(y[t])]
    X = np.array([[1.0, x[t]] for t in ok])
    b = np.linalg.solve(X.T @ X, X.T @ y[ok])
    mu = r1[ok[0]:].mean()
    Z = X.T @ X / len(ok)
    S = np.zeros((2, 2))
    count = 0
    for t in ok:
        if t - h + 1 < 0 or not np.all(np.isfinite(x[t - h + 1: t + 1])) or t + 1 >= T:
            continue
        w = (r1[t + 1] - mu) * np.array([h, x[t - h + 1: t + 1].sum()])
        S += np.outer(w, w)
        count += 1
    S /= count
    V = np.linalg.inv(Z) @ S @ np.linalg.inv(Z) / len(ok)
    return float(b[1]), float(np.sqrt(V[1, 1]))


def test_hodrick_1b_matches_a_term_by_term_loop():
    rng = np.random.default_rng(2)
    idx = months("1960-01-31", 180)
    r1 = pd.Series(rng.normal(0.1, 2.0, 180), index=idx)
    x = r1.rolling(24).sum()
    out = cycle.hodrick_1b(r1, x, 12)
    slope, se = hodrick_by_loop(r1.to_numpy(), x.to_numpy(), 12)
    assert out["slope"] == pytest.approx(slope)
    assert out["se"] == pytest.approx(se)


def test_nonoverlapping_regressions_match_ols_on_every_hth_month():
    rng = np.random.default_rng(3)
    idx = months("1960-01-31", 200)
    frame = pd.DataFrame({"trailing": rng.normal(size=200), "fwd_12": rng.normal(size=200)}, index=idx)
    out = cycle.nonoverlapping_regressions(frame, 12)
    assert len(out) == 12
    sub = frame.iloc[5::12]
    direct = sm.OLS(sub["fwd_12"], sm.add_constant(sub["trailing"])).fit()
    assert out.loc[5, "slope"] == pytest.approx(direct.params["trailing"])
    assert out.loc[5, "se"] == pytest.approx(direct.bse["trailing"])
    assert out.loc[5, "p_value"] == pytest.approx(direct.pvalues["trailing"])
    assert out.loc[5, "n"] == len(sub)


# -- the verdict rules -----------------------------------------------------------------------------------

def test_cycle_label_every_label_at_each_boundary():
    # the level: just below, at and just above alpha = 0.05
    assert cycle.cycle_label(-0.5, 0.0499) == "supported"
    assert cycle.cycle_label(-0.5, 0.05) == "inconclusive"
    assert cycle.cycle_label(-0.5, 0.0501) == "inconclusive"
    # recessions significantly favouring small caps contradict the claim
    assert cycle.cycle_label(0.5, 0.0499) == "contradicted"
    assert cycle.cycle_label(0.5, 0.05) == "inconclusive"
    assert cycle.cycle_label(0.0, 0.001) == "inconclusive"
    assert cycle.cycle_label(-0.5, float("nan")) == "inconclusive"
    # the episodes: fewer than half sharing the sign -> mixed; half or more keeps the label
    assert cycle.cycle_label(-0.5, 0.01, episode_agreement=0.49) == "mixed"
    assert cycle.cycle_label(-0.5, 0.01, episode_agreement=0.5) == "supported"
    assert cycle.cycle_label(-0.5, 0.01, episode_agreement=0.51) == "supported"
    assert cycle.cycle_label(0.5, 0.01, episode_agreement=0.49) == "mixed"
    assert cycle.cycle_label(0.5, 0.01, episode_agreement=0.5) == "contradicted"
    # an insignificant difference stays inconclusive whatever the episodes say
    assert cycle.cycle_label(-0.5, 0.2, episode_agreement=1.0) == "inconclusive"


def test_recession_episodes_counts_runs_and_differences():
    idx = pd.date_range("2000-01-31", periods=10, freq="ME")
    rec = pd.Series([0, 1, 1, 0, 0, 1, 0, 0, 0, 0], index=idx)
    sml = pd.Series([1.0, -2.0, -4.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0], index=idx)
    ep = cycle.recession_episodes(sml, rec)
    assert len(ep) == 2
    assert list(ep["months"]) == [2, 1]
    # expansion mean 1.0: episode 1 mean -3.0 -> -4.0; episode 2 mean 3.0 -> +2.0
    assert ep["difference"].tolist() == pytest.approx([-4.0, 2.0])
    assert cycle.episode_agreement(ep, -0.1) == pytest.approx(0.5)
    assert cycle.episode_agreement(ep.iloc[:1], 0.3) == 0.0


@pytest.mark.parametrize(("slopes", "pvalues", "label"), [
    ([-0.3, -0.4], [0.01, 0.02], "supported"),
    ([0.3, 0.4], [0.01, 0.02], "contradicted"),
    ([-0.3, -0.4], [0.2, 0.02], "mixed"),
    ([-0.3, 0.4], [0.01, 0.01], "mixed"),
    ([-0.3, 0.1], [0.2, 0.6], "inconclusive"),
])
def test_reversion_label_branches(slopes, pvalues, label):
    assert cycle.reversion_label(slopes, pvalues) == label


def wave(period: int, n: int = 1200, noise: float = 0.5, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.Series(2.0 * np.sin(2 * np.pi * t / period) + rng.normal(0, noise, n),
                     index=months("1926-07-31", n))


def test_a_cycle_as_long_as_lookback_plus_horizon_mean_reverts():
    # trailing 10y and next 5y are half a period apart when the period is 15 years
    usrec = pd.Series((np.arange(1200) % 97 < 9).astype(int), index=months("1926-07-31", 1200))
    res = cycle.test(wave(180), usrec, article_date="2025-06-15")
    mr = res.verdicts[1]
    assert mr.aspect == "mean reversion" and mr.label == "supported"
    assert mr.statistic < 0 and mr.p_value < 0.05
    assert mr.n == res.table.xs("newey-west (60 lags)", level="method")["n_independent"].iloc[-1]
    assert res.reversion_labels()["hodrick"] == "supported" and res.robustness_share() > 0


def test_an_in_phase_cycle_contradicts_and_noise_is_inconclusive():
    usrec = pd.Series((np.arange(1200) % 97 < 9).astype(int), index=months("1926-07-31", 1200))
    # a 50-year cycle: a strong last decade goes with a strong next 5 years (momentum)
    assert cycle.test(wave(600), usrec, article_date="2025-06-15").verdicts[1].label == "contradicted"
    noise = wave(10**9, noise=4.0, seed=7)  # the sine is flat: pure noise (a seed whose draw does not reject)
    assert cycle.test(noise, usrec, article_date="2025-06-15").verdicts[1].label == "inconclusive"


def test_recession_gap_is_supported_and_the_current_rank_is_computed():
    idx = months("1926-07-31", 1200)
    rec = pd.Series((np.arange(1200) % 80 < 12).astype(int), index=idx)
    r = pd.Series(np.random.default_rng(4).normal(0.5, 2.0, 1200), index=idx) - 2.0 * rec
    res = cycle.test(r, rec, article_date="2025-06-15")
    assert res.verdicts[0].label == "supported" and res.verdicts[0].statistic < 0
    series = cycle.trailing_forward(r, window=120)
    history = series["trailing"].loc[:"2025-05-31"].dropna()
    assert res.current["as_of"] == pd.Timestamp("2025-05-31")
    assert res.current["percentile_rank"] == pytest.approx((history <= history.iloc[-1]).mean())


def test_parameters_are_validated_up_front():
    r = wave(180)
    usrec = pd.Series((np.arange(1200) % 97 < 9).astype(int), index=r.index)
    with pytest.raises(ParameterError, match="no recession"):
        cycle.test(r, usrec * 0)
    with pytest.raises(ParameterError, match="inference"):
        cycle.test(r, usrec, inference="bootstrap")
    with pytest.raises(ParameterError, match="horizons_years"):
        cycle.test(r, usrec, horizons_years=[0])
    with pytest.raises(ParameterError, match="too few"):
        cycle.test(r, usrec, start="2015-01-01")
    with pytest.raises(ParameterError, match="article_date"):
        cycle.test(r, usrec, article_date="2030-01-01")


# -- real data -------------------------------------------------------------------------------------------------

@pytest.mark.mirror
def test_run_on_the_mirror():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cycle.run()
        russell = cycle.run("russell")
    cyc, mr = res.verdicts
    assert cyc.claim == mr.claim == "C8"
    assert cyc.label in LABELS and mr.label in LABELS
    # n counts recession episodes: the 16 NBER recessions from 1926-10 to 2020 (1926, 1929, 1937,
    # 1945, 1948, 1953, 1957, 1960, 1969, 1973, 1980, 1981, 1990, 2001, 2007, 2020); months beside it
    assert cyc.n == 16 and cyc.sample.startswith("1926-07")
    assert "16 recessions" in cyc.sample and f"{len(res.recession.dropna())} months" in cyc.sample
    assert 10 <= mr.n <= 20 and mr.p_value is not None
    assert res.current["as_of"] == pd.Timestamp("2025-09-30")
    assert 0 <= res.current["percentile_rank"] <= 1
    assert russell.current["history_start"] >= pd.Timestamp("1997-01-01")
    assert set(res.reversion_labels().index) == set(cycle.INFERENCE)
