"""C8 business cycle and mean reversion: regressions against statsmodels and hand computations,
Hodrick errors against a loop, the verdict rules on synthetic series, and the real data."""

from __future__ import annotations

import dataclasses
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from research.claims import cycle
from research.errors import ParameterError
from research.verdict import LABELS, Verdict


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


# -- the display methods on a result written by hand ------------------------------------------------------

@pytest.mark.parametrize(("share", "text"), [
    (0.0, "0th"), (0.01, "1st"), (0.02, "2nd"), (0.03, "3rd"), (0.04, "4th"), (0.09, "9th"), (0.10, "10th"),
    (0.11, "11th"), (0.12, "12th"), (0.13, "13th"), (0.14, "14th"), (0.20, "20th"), (0.21, "21st"),
    (0.22, "22nd"), (0.23, "23rd"), (0.9, "90th"), (0.504, "50th"), (0.506, "51st"), (1.0, "100th"),
])
def test_ordinal_suffixes_and_rounding(share, text):
    assert cycle._ordinal(share) == f"{text} percentile"


def hand_result(*, mr_interval=None, cyc_p: float | None = 0.0123) -> cycle.CycleResult:
    """A CycleResult written out by hand: two verdicts, the tests table (a recession row and three
    kinds of error at 3 and 5 years), the states, the non-overlapping slopes and where we stand."""
    cyc = Verdict(claim="C8", aspect="cyclicality", label="supported", hypothesis="h", statistic=-0.36712,
                  statistic_name="recession minus expansion", interval=(-1.2345, 0.5), interval_level=0.9,
                  p_value=cyc_p, n=16, sample="1926-07..2025-09 (1191 months, 16 recessions)",
                  vintage={"size_portfolios": "202508", "usrec": "2025-09-01"}, note="Note one.")
    mr = Verdict(claim="C8", aspect="mean reversion", label="mixed", hypothesis="h", statistic=0.1,
                 statistic_name="slope", interval=mr_interval, interval_level=0.9 if mr_interval else None,
                 p_value=0.2, n=12, sample="1936-06..2025-09", note="Note two.")
    slope = "slope, next {}y on trailing 10y"
    rows = [  # test, method, horizon, estimate, std err, lower, upper, p, months, independent
        ("recession minus expansion, % per month", "newey-west (5 lags)", np.nan, 0.6, 0.1, 0.4, 0.8, 0.001, 1191, 16),
        (slope.format(3), "newey-west (36 lags)", 3, -0.21234, 0.05, -0.31, -0.11, 0.0004, 900, 25),
        (slope.format(3), "hodrick 1B", 3, -0.21234, 0.15, -0.5, 0.08, 0.16, 900, 25),
        (slope.format(3), "non-overlapping (offset 0 of 36)", 3, -0.3, 0.2, -0.7, 0.1, 0.04, 25, 25),
        (slope.format(5), "newey-west (60 lags)", 5, -0.4, 0.1, -0.6, -0.2, 0.0001, 876, 15),
        (slope.format(5), "hodrick 1B", 5, -0.4, 0.15, -0.69, -0.11, 0.0076, 876, 15),
        (slope.format(5), "non-overlapping (offset 0 of 60)", 5, 0.2, 0.3, -0.4, 0.8, 0.5, 15, 15),
    ]
    table = pd.DataFrame(rows, columns=["test", "method", "horizon_years", "estimate", "std_err", "ci_lower",
                                        "ci_upper", "p_value", "n_months", "n_independent"])
    states = pd.DataFrame({"n_months": [200, 991], "mean": [-0.12345, 0.3], "ci_lower": [-0.5, 0.1],
                           "ci_upper": [0.25555, 0.5], "std": [4.0, 3.0], "share_positive": [0.444, 0.555],
                           "annualized": [-1.5, 3.666]}, index=pd.Index(["recession", "expansion (all)"], name="state"))
    nonover = pd.DataFrame({"horizon_years": [3, 3, 3, 3, 5, 5], "offset": [0, 1, 2, 3, 0, 1],
                            "slope": [-0.5, 0.2, -0.1, -0.3, 0.0, 0.4], "n": [10, 10, 9, 9, 6, 5],
                            "significant_negative": [True, False, False, True, False, False]})
    current = pd.Series({"as_of": pd.Timestamp("2025-09-30"), "trailing_pct": -23.456, "percentile_rank": 0.031,
                         "history_start": pd.Timestamp("1936-06-30"), "n_independent": 7})
    return cycle.CycleResult(verdicts=(cyc, mr), table=table.set_index(["test", "method"]), states=states,
                             current=current, series=pd.DataFrame(),
                             nonoverlapping=nonover.set_index(["horizon_years", "offset"]), recession_fit=None,
                             predictive_fits={}, recession=pd.Series(dtype=float),
                             spec={"level": 0.9, "alpha": 0.1, "trailing_years": 10})


def test_conclusion_text_by_hand():
    lines = hand_result().conclusion().split("\n")
    assert lines == [
        "- **cyclicality: supported.** recession minus expansion: **-0.367** (90% CI [-1.23, +0.50]; p = 0.012; "
        "n = 16; 1926-07..2025-09 (1191 months, 16 recessions)). Note one.",
        "- **mean reversion: mixed.** slope: **+0.100** (p = 0.200; n = 12; 1936-06..2025-09). Note two.",
        # alpha 0.1: newey-west negative at both horizons; hodrick at 5 years only, non-overlapping at 3 only
        "- **Mean reversion under each kind of error:** newey-west: supported; hodrick: mixed; "
        "non-overlapping: mixed.",
        "- **Where we stand:** the trailing 10-year small-minus-large return to September 2025 is -23.5%, at the "
        "3rd percentile of its history since 1936 (7 non-overlapping 10-year windows).",
        "- Vintage: size_portfolios 202508, usrec 2025-09-01.",
    ]
    # an interval without p, and the other way round
    other = hand_result(mr_interval=(-0.016, 0.3), cyc_p=None).conclusion().split("\n")
    assert other[0].startswith("- **cyclicality: supported.** recession minus expansion: **-0.367** "
                               "(90% CI [-1.23, +0.50]; n = 16; 1926-07")
    assert other[1].startswith("- **mean reversion: mixed.** slope: **+0.100** (90% CI [-0.02, +0.30]; p = 0.200; n = 12;")


def test_reversion_labels_and_robustness_share_by_hand():
    res = hand_result()
    labels = res.reversion_labels()
    assert labels.to_dict() == {"newey-west": "supported", "hodrick": "mixed", "non-overlapping": "mixed"}
    assert labels.index.name == "inference" and labels.name == "label"
    assert res.robustness_share() == pytest.approx(2 / 3)  # the verdict says mixed: hodrick and non-overlapping


def test_reversion_labels_use_the_results_alpha():
    # at 0.01 the non-overlapping 3-year p of 0.04 is not significant; at 0.2 the Hodrick 3-year p of 0.16 is
    res = hand_result()
    strict = dataclasses.replace(res, spec={**res.spec, "alpha": 0.01}).reversion_labels()
    assert strict.to_dict() == {"newey-west": "supported", "hodrick": "mixed", "non-overlapping": "inconclusive"}
    loose = dataclasses.replace(res, spec={**res.spec, "alpha": 0.2}).reversion_labels()
    assert loose.to_dict() == {"newey-west": "supported", "hodrick": "supported", "non-overlapping": "mixed"}


def test_states_table_renames_and_rounds():
    out = hand_result().states_table()
    assert out.columns.tolist() == ["months", "mean, % per month", "90% CI low", "90% CI high", "std dev",
                                    "share > 0", "annualized, %"]
    assert out.loc["recession"].tolist() == [200, -0.12, -0.5, 0.26, 4.0, 0.44, -1.5]
    assert out.loc["expansion (all)"].tolist() == [991, 0.3, 0.1, 0.5, 3.0, 0.56, 3.67]


def test_tests_table_drops_the_horizon_renames_and_rounds():
    out = hand_result().tests_table()
    assert out.columns.tolist() == ["estimate", "std err", "90% CI low", "90% CI high", "p", "n months",
                                    "n independent"]
    row = out.loc[("slope, next 3y on trailing 10y", "newey-west (36 lags)")]
    assert row.tolist() == [-0.212, 0.05, -0.31, -0.11, 0.0, 900, 25]
    assert out.loc[("slope, next 5y on trailing 10y", "hodrick 1B"), "p"] == 0.008


def test_nonoverlapping_summary_by_hand():
    out = hand_result().nonoverlapping_summary()
    assert out.index.name == "horizon, years" and out.index.tolist() == [3, 5]
    assert out.columns.tolist() == ["starting months", "windows per sample", "slope: min", "median", "max",
                                    "share < 0", "share < 0 with p < 0.1"]
    # 3 years: slopes -0.5, 0.2, -0.1, -0.3 (median -0.2), windows 10, 10, 9, 9; two of four significant
    assert out.loc[3].tolist() == [4, 9.5, -0.5, -0.2, 0.2, 0.75, 0.5]
    assert out.loc[5].tolist() == [2, 5.5, 0.0, 0.2, 0.4, 0.0, 0.0]  # a zero slope is not below zero
    # rounded to 3 decimals: -0.5 + 0.00044 reads -0.5, not -0.4996
    res = hand_result()
    nudged = dataclasses.replace(res, nonoverlapping=res.nonoverlapping.assign(slope=res.nonoverlapping["slope"] + 0.00044))
    assert nudged.nonoverlapping_summary().loc[3, "slope: min"] == -0.5


# -- run and grid_estimate on synthetic publishers' files ----------------------------------------------------
# mutmut's copy of the package cannot reach the real mirror: these files stand in for it.

NBER = (("1957-09", "1958-04"), ("1960-05", "1961-02"), ("1969-12", "1970-11"), ("1973-12", "1975-03"),
        ("1980-02", "1980-07"), ("1981-08", "1982-11"), ("1990-08", "1991-03"), ("2001-04", "2001-11"),
        ("2008-01", "2009-06"), ("2020-03", "2020-04"))


@pytest.fixture
def c8_publishers(isolated_data):
    """Size deciles 1954-07..2025-12 and USREC with NBER's recessions since 1954. vw: deciles 1-3
    average ``vw`` above 8-10 (a 15-year sine wave, 1.5 pp a month lower in recessions), decile 1 beats decile 10 by ``decile 1``;
    ew: 1-3 beat 8-10 by ``ew``, 2 pp higher in every recession but 2008-09, when it is 20 pp lower."""
    from synthetic_mirror import write_fred, write_size_deciles

    from research.data.sizes import clear_caches

    idx = pd.date_range("1954-07-31", "2025-12-31", freq="ME")
    usrec = pd.Series(0, index=pd.date_range("1950-01-01", "2025-12-01", freq="MS"))
    for a, b in NBER:
        usrec.loc[a:b] = 1
    rec = usrec.reindex(idx.to_period("M").to_timestamp()).to_numpy()
    rng = np.random.default_rng(8)
    hundredths = lambda mean, sd: np.round(rng.normal(mean, sd, len(idx)), 2)  # noqa: E731
    wave = np.sin(2 * np.pi * np.arange(len(idx)) / 180)  # a 15-year cycle: trailing 10y and next 5y oppose
    large, sml, e = hundredths(0.8, 4), np.round(hundredths(0.2, 2) + wave, 2) - 1.5 * rec, hundredths(0, 1)
    great = (idx >= "2008-01-31") & (idx <= "2009-06-30")
    sml_ew = hundredths(0.2, 2) + np.where(great, -20.0, 2.0 * rec)
    vw = np.column_stack([large + sml + e, large + sml - e, large + sml] + [large] * 5 + [large + 0.3, large - 0.3])
    ew = np.column_stack([large + sml_ew] * 3 + [large] * 7)
    write_size_deciles(isolated_data.mirror, idx, vw, ew, vintage="202512")
    write_fred(isolated_data.mirror, "USREC", usrec)
    clear_caches()
    yield {"vw": pd.Series(sml, index=idx), "decile 1": pd.Series(sml + e + 0.3, index=idx),
           "ew": pd.Series(sml_ew, index=idx), "recession": pd.Series(rec, index=idx)}
    clear_caches()


def hand_cyclicality(r: pd.Series, rec: pd.Series, lags: int, level: float = 0.95) -> dict:
    """The recession-minus-expansion difference with statsmodels' HAC errors, and the recession
    episodes by hand: each run of recession months, its mean minus the expansion mean."""
    fit = sm.OLS(r.to_numpy(), sm.add_constant(rec.to_numpy().astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    lo, hi = fit.conf_int(1 - level)[1]
    runs, current = [], []
    for x, flag in zip(r, rec, strict=True):
        if flag:
            current.append(x)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    expansion = r[rec == 0].mean()
    episodes = np.array([np.mean(g) - expansion for g in runs])
    return {"diff": r[rec == 1].mean() - expansion, "lower": lo, "upper": hi, "p": fit.pvalues[1], "se": fit.bse[1],
            "episodes": len(runs), "agreement": float((np.sign(episodes) == np.sign(fit.params[1])).mean())}


def hand_predictive(r: pd.Series, window: int, h: int, lags: int | None = None, level: float = 0.95) -> dict:
    """Trailing ``window``- and next ``h``-month log-point sums by cumulative sums; the slope with
    statsmodels' Newey-West (h lags), the Hodrick 1B loop and OLS on every h-th month from the first."""
    from scipy import stats as sps

    lp = log_pts(r)
    c = np.concatenate([[0.0], np.cumsum(lp)])
    n = len(lp)
    trailing = np.array([c[t + 1] - c[t + 1 - window] if t >= window - 1 else np.nan for t in range(n)])
    fwd = np.array([c[t + 1 + h] - c[t + 1] if t + h < n else np.nan for t in range(n)])
    ok = np.isfinite(trailing) & np.isfinite(fwd)
    X = sm.add_constant(trailing[ok])
    nw = sm.OLS(fwd[ok], X).fit(cov_type="HAC", cov_kwds={"maxlags": lags or h, "use_correction": True})
    slope, se = hodrick_by_loop(lp, trailing, h)
    sub = sm.OLS(fwd[ok][::h], X[::h]).fit()
    q, z = sps.t.ppf(0.5 + level / 2, sub.nobs - 2), sps.norm.ppf(0.5 + level / 2)
    return {"newey-west": (nw.params[1], *nw.conf_int(1 - level)[1], nw.pvalues[1]),
            "hodrick": (slope, slope - z * se, slope + z * se,
                        2 * sps.norm.sf(abs(slope / se))),
            "non-overlapping": (sub.params[1], sub.params[1] - q * sub.bse[1], sub.params[1] + q * sub.bse[1],
                                sub.pvalues[1]),
            "n_independent": int(sub.nobs), "n_months": int(ok.sum()), "trailing": trailing,
            "se": {"newey-west": nw.bse[1], "hodrick": se, "non-overlapping": sub.bse[1]},
            "nw_params": nw.params}


GRID_CYCLE = {"aspect": "cyclicality", "size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1954,
              "state_lags": 6, "trailing_years": cycle.NA, "horizons": cycle.NA, "inference": cycle.NA}
GRID_MR = {**GRID_CYCLE, "aspect": "mean reversion", "state_lags": cycle.NA, "trailing_years": 10, "horizons": "5y",
           "inference": "hodrick"}


@pytest.mark.parametrize(("change", "series", "first"), [
    ({}, "vw", "1954-07"),
    ({"state_lags": 12}, "vw", "1954-07"),
    ({"state_lags": "auto"}, "vw", "1954-07"),
    ({"start": 1963}, "vw", "1963-07"),
    ({"size": "decile 1 vs 10"}, "decile 1", "1954-07"),
    ({"weighting": "ew"}, "ew", "1954-07"),
])
def test_grid_estimate_cyclicality_by_hand(c8_publishers, change, series, first):
    spec = {**GRID_CYCLE, **change}
    r = c8_publishers[series].loc[f"{first}-01":]
    rec = c8_publishers["recession"].loc[f"{first}-01":]
    lags = int(np.floor(4 * (len(r) / 100) ** (2 / 9))) if spec["state_lags"] == "auto" else spec["state_lags"]
    hand = hand_cyclicality(r, rec, lags)
    out = cycle.grid_estimate(**spec)
    assert (out["estimate"], out["lower"], out["upper"], out["p_value"]) == pytest.approx(
        (hand["diff"], hand["lower"], hand["upper"], hand["p"]), rel=1e-9)
    assert out["n"] == hand["episodes"] == {"1954-07": 10, "1963-07": 8}[first]  # NBER recessions in the sample
    assert out["sample"] == f"{first}..2025-12 ({len(r)} months, {hand['episodes']} recessions)"
    significant = hand["p"] < 0.05
    expected = ("inconclusive" if not significant else "mixed" if hand["agreement"] < 0.5
                else "supported" if hand["diff"] < 0 else "contradicted")
    assert out["label"] == expected


def test_grid_estimate_cyclicality_episodes_and_alpha(c8_publishers):
    # ew: 2008-09 drags the difference below zero against the other nine recessions
    hand = hand_cyclicality(c8_publishers["ew"], c8_publishers["recession"], 6)
    assert hand["diff"] < 0 and hand["agreement"] == pytest.approx(0.1)
    vw = cycle.grid_estimate(**GRID_CYCLE)
    assert vw["label"] == "supported" and vw["estimate"] < 0
    assert hand["p"] > 0.05 and cycle.grid_estimate(**{**GRID_CYCLE, "weighting": "ew"})["label"] == "inconclusive"
    ew = cycle.grid_estimate(**{**GRID_CYCLE, "weighting": "ew"}, alpha=0.9)
    assert hand["p"] < 0.9 and ew["label"] == "mixed"


@pytest.mark.parametrize(("change", "series", "first"), [
    ({}, "vw", "1954-07"),
    ({"inference": "newey-west"}, "vw", "1954-07"),
    ({"inference": "non-overlapping"}, "vw", "1954-07"),
    ({"horizons": "3y"}, "vw", "1954-07"),
    ({"horizons": "3y+5y", "inference": "newey-west"}, "vw", "1954-07"),
    ({"trailing_years": 5, "start": 1963}, "vw", "1963-07"),
    ({"trailing_years": 15, "size": "decile 1 vs 10", "inference": "non-overlapping"}, "decile 1", "1954-07"),
    ({"weighting": "ew", "horizons": "3y+5y"}, "ew", "1954-07"),
])
def test_grid_estimate_mean_reversion_by_hand(c8_publishers, change, series, first):
    spec = {**GRID_MR, **change}
    r = c8_publishers[series].loc[f"{first}-01":]
    years = {"3y": (3,), "5y": (5,), "3y+5y": (3, 5)}[spec["horizons"]]
    hands = [hand_predictive(r, 12 * spec["trailing_years"], 12 * y) for y in years]
    main = hands[-1]
    estimate, lower, upper, p = main[spec["inference"]]
    for alpha in (0.05, 0.5, 0.999):
        out = cycle.grid_estimate(**spec, alpha=alpha)
        assert (out["estimate"], out["lower"], out["upper"], out["p_value"]) == pytest.approx(
            (estimate, lower, upper, p), rel=1e-9)
        assert out["n"] == main["n_independent"]
        assert out["sample"] == f"{first}..2025-12"
        assert out["label"] == cycle.reversion_label([h[spec["inference"]][0] for h in hands],
                                                     [h[spec["inference"]][3] for h in hands], alpha=alpha)



def test_run_reads_the_deciles_and_usrec(c8_publishers):
    r, rec = c8_publishers["vw"], c8_publishers["recession"]
    res = cycle.run(state_lags=6)  # the keyword arguments reach test()
    cyc, mr = res.verdicts
    hand = hand_cyclicality(r, rec, 6)
    assert (cyc.statistic, *cyc.interval, cyc.p_value) == pytest.approx(
        (hand["diff"], hand["lower"], hand["upper"], hand["p"]), rel=1e-9)
    assert (cyc.label, cyc.n, cyc.sample) == ("supported", 10, "1954-07..2025-12 (858 months, 10 recessions)")
    assert cyc.n_note == "of 858 months; n counts recession episodes"
    assert cyc.vintage == mr.vintage == {"size_portfolios": "202512", "usrec": "2025-12-31"}
    assert cyc.method.endswith("Small/large: deciles: size deciles (1, 2, 3) vs (8, 9, 10), VW within decile")
    # mean reversion: Hodrick errors at 3 and 5 years, the 5-year slope shown
    three, five = hand_predictive(r, 120, 36), hand_predictive(r, 120, 60)
    assert (mr.statistic, *mr.interval, mr.p_value) == pytest.approx(five["hodrick"], rel=1e-9)
    assert (mr.n, mr.sample) == (five["n_independent"], "1954-07..2025-12")
    # 858 months: the 120th is the first with a trailing 10 years, the 799th the last with 5 ahead
    assert five["n_months"] == 858 - 119 - 60
    assert mr.n_note == "of 679 overlapping months; n counts non-overlapping 5-year periods"
    assert mr.label == cycle.reversion_label([three["hodrick"][0], five["hodrick"][0]],
                                             [three["hodrick"][3], five["hodrick"][3]]) == "supported"
    assert res.current["as_of"] == pd.Timestamp("2025-09-30")
    last = r.loc["2015-10-01":"2025-09-30"]
    assert len(last) == 120 and res.current["trailing_pct"] == pytest.approx(100 * (np.prod(1 + last / 100) - 1))
    one = cycle.run(small=[1], large=[10], state_lags=6).verdicts[0]
    assert one.statistic == pytest.approx(hand_cyclicality(c8_publishers["decile 1"], rec, 6)["diff"], rel=1e-9)
    assert one.method.endswith("size deciles (1,) vs (10,), VW within decile")
    ew = cycle.run(weighting="ew", state_lags=6).verdicts[0]
    assert ew.statistic == pytest.approx(hand_cyclicality(c8_publishers["ew"], rec, 6)["diff"], rel=1e-9)
    assert ew.method.endswith("EW within decile")
    short = cycle.run(trailing_years=5, horizons_years=[3], inference="newey-west")
    assert short.verdicts[1].statistic == pytest.approx(hand_predictive(r, 60, 36)["newey-west"][0], rel=1e-9)
    assert short.spec["trailing_years"] == 5 and short.spec["horizons_years"] == [3]


def test_grid_estimate_checks_the_sample_like_test(isolated_data):
    from synthetic_mirror import write_fred, write_size_deciles

    from research.data.sizes import clear_caches

    idx = pd.date_range("2008-01-31", "2025-06-30", freq="ME")  # 210 months, ending before the article's
    rng = np.random.default_rng(9)
    deciles = np.round(rng.normal(0.8, 4, (len(idx), 10)), 2)
    write_size_deciles(isolated_data.mirror, idx, deciles, deciles, vintage="202507")
    write_fred(isolated_data.mirror, "USREC", pd.Series(np.r_[np.ones(18), np.zeros(len(idx) - 18)],
                                                        index=idx.to_period("M").to_timestamp()))
    clear_caches()
    with pytest.raises(ParameterError, match=r"no trailing 10-year return at 2025-09 \(article_date 2025-10-15\); "
                                             "the returns end 2025-06"):
        cycle.grid_estimate(**GRID_MR)
    with pytest.raises(ParameterError, match="210 months between 1954-07-31 and the end are too few for a 15-year "
                                             "look-back and a 5-year horizon"):
        cycle.grid_estimate(**{**GRID_MR, "trailing_years": 15})
    clear_caches()


def hand_states(r: pd.Series, rec: pd.Series, recovery: int, lags: int, level: float) -> pd.DataFrame:
    """Mean, HAC interval (statsmodels on a constant), std, share > 0 and compounded annual return of
    the months in each state; early expansion = the first ``recovery`` months after a recession."""
    since, phase = None, []
    for flag in rec:
        since = None if flag else (1 if since is None and phase and phase[-1] == "recession" else
                                   since + 1 if since is not None else None)
        phase.append("recession" if flag else "early" if since is not None and since <= recovery else "later")
    phase = np.array(phase)
    rows = {}
    for name, mask in (("recession", phase == "recession"), ("expansion (all)", phase != "recession"),
                       (f"early expansion (first {recovery} months)", phase == "early"),
                       ("later expansion", phase == "later"), ("all months", np.ones(len(r), bool))):
        x = r.to_numpy()[mask]
        fit = sm.OLS(x, np.ones(len(x))).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
        lo, hi = fit.conf_int(1 - level)[0]
        rows[name] = [len(x), x.mean(), lo, hi, x.std(ddof=1), (x > 0).mean(),
                      100 * (np.prod(1 + x / 100) ** (12 / len(x)) - 1)]
    return pd.DataFrame(rows, index=["n_months", "mean", "ci_lower", "ci_upper", "std", "share_positive",
                                     "annualized"]).T


def test_test_in_full_against_hand_computations(c8_publishers):
    # every parameter off its default (9 state lags: the plug-in rule gives 6 for 856 months); the sample
    # ends 2025-10 (end), two months before the data
    r = c8_publishers["vw"].loc[:"2025-10-31"]
    rec = c8_publishers["recession"].loc[:"2025-10-31"]
    usrec = c8_publishers["recession"].set_axis(c8_publishers["recession"].index.to_period("M").to_timestamp())
    res = cycle.test(r.rename("x").to_frame("small_minus_large"), usrec, start="1954-07-01", end="2025-10-31",
                     article_date="2025-06-15", trailing_years=10, horizons_years=(5, 3), hac_lags=30,
                     state_lags=9, inference="newey-west", alpha=0.1, level=0.9, recovery_months=6,
                     vintage={"size": "202512"}, definition="a test definition")
    cyc, mr = res.verdicts
    hand = hand_cyclicality(r, rec, 9, level=0.9)
    n_rec = int(rec.sum())
    states = hand_states(r, rec, 6, 9, 0.9)
    assert res.states.index.tolist() == states.index.tolist()
    for column in states.columns:
        assert res.states[column].to_numpy() == pytest.approx(states[column].to_numpy(), rel=1e-9), column
    early = states.loc["early expansion (first 6 months)", "mean"]
    assert (cyc.claim, cyc.aspect, cyc.label, cyc.hypothesis) == ("C8", "cyclicality", "supported", cycle.HYPOTHESIS_CYCLE)
    assert cyc.statistic_name == "recession minus expansion mean small-minus-large return, % per month"
    assert (cyc.statistic, *cyc.interval, cyc.p_value) == pytest.approx(
        (hand["diff"], hand["lower"], hand["upper"], hand["p"]), rel=1e-9)
    assert (cyc.interval_level, cyc.n, cyc.vintage) == (0.9, 10, {"size": "202512"})
    assert cyc.sample == f"1954-07..2025-10 ({len(r)} months, 10 recessions)"
    assert cyc.method == ("OLS of the monthly small-minus-large return on an NBER recession dummy (USREC), "
                          "Newey-West HAC errors with 9 lags; n = recession episodes. Small/large: a test definition")
    assert cyc.rule == (
        "supported if the recession-minus-expansion difference in the monthly small-minus-large return is negative "
        "with HAC p < 0.1; contradicted if it is positive with p < 0.1 (recessions favour small caps); mixed if it "
        "is significant but fewer than half of the recession episodes share its sign (a few episodes carry it); "
        "inconclusive otherwise. n = recession episodes (the months within one are not independent)")
    agree = int(round(hand["agreement"] * 10))
    assert cyc.note == (
        f"In {n_rec} recession months (10 recessions) small caps did {abs(hand['diff']):.2f} pp per month worse "
        f"relative to large caps than in the {len(r) - n_rec} expansion months (p = {hand['p']:.3f}); {agree} of 10 "
        f"recessions point the same way; in the first 6 months of expansions they beat large caps by {early:.2f}% "
        "a month on average.")
    # mean reversion: Newey-West with 30 lags at 3 and 5 years, as of 2025-05
    three, five = (hand_predictive(r, 120, h, lags=30, level=0.9) for h in (36, 60))
    assert (mr.claim, mr.aspect, mr.hypothesis) == ("C8", "mean reversion", cycle.HYPOTHESIS_REVERSION)
    assert mr.label == cycle.reversion_label([three["newey-west"][0], five["newey-west"][0]],
                                             [three["newey-west"][3], five["newey-west"][3]], alpha=0.1)
    assert (mr.statistic, *mr.interval, mr.p_value) == pytest.approx(five["newey-west"], rel=1e-9)
    assert (mr.interval_level, mr.n, mr.sample, mr.vintage) == (0.9, five["n_independent"], "1954-07..2025-10",
                                                                {"size": "202512"})
    assert mr.statistic_name == "slope of the next 5-year on the trailing 10-year small-minus-large log return"
    assert mr.method == (
        "Overlapping monthly regressions of the next 3, 5-year small-minus-large log return on the trailing "
        "10-year one; verdict on newey-west errors (Hodrick 1992 1B; Newey-West 1987 with lags = horizon in "
        "months and non-overlapping samples shown as checks). n = non-overlapping 5-year periods. Small/large: "
        "a test definition")
    assert mr.rule == (
        "supported if the slope of the next 3 and 5-year small-minus-large return on the trailing return is "
        "negative with p < 0.1 (newey-west errors) at every horizon; mixed if at some horizons only; "
        "contradicted if positive with p < 0.1 at every horizon; inconclusive if no slope is significant")
    trailing = pd.Series(five["trailing"], index=r.index).loc[:"2025-05-31"].dropna()
    now = trailing.iloc[-1]
    forecast = five["nw_params"][0] + five["nw_params"][1] * now
    pct = lambda log_points: 100 * np.expm1(log_points / 100)  # noqa: E731
    assert mr.note == (
        f"3y slope {three['newey-west'][0]:+.3f} (p = {three['newey-west'][3]:.3f}); 5y slope "
        f"{five['newey-west'][0]:+.3f} (p = {five['newey-west'][3]:.3f}). With the trailing 10-year return at "
        f"{pct(now):+.1f}% (2025-05), the 5-year regression predicts {pct(forecast):+.1f}% for small minus large "
        f"over the next 5 years; {five['n_months']} overlapping months carry only about {five['n_independent']} "
        "independent observations.")
    current = res.current.to_dict()
    assert (current.pop("as_of"), current.pop("history_start")) == (pd.Timestamp("2025-05-31"), pd.Timestamp("1964-06-30"))
    assert current == pytest.approx({
        "trailing_log": now, "trailing_pct": pct(now), "percentile_rank": (trailing <= now).mean(),
        "n_history_months": len(trailing), "n_independent": len(trailing) // 120,
        "history_median_pct": pct(trailing.median()), "history_min_pct": pct(trailing.min()),
        "forecast_next_5y_pct": pct(forecast)}, rel=1e-9)
    assert res.spec == {"definition": "a test definition", "start": "1954-07-01", "end": "2025-10-31",
                        "article_date": "2025-06-15", "trailing_years": 10, "horizons_years": [3, 5], "hac_lags": 30,
                        "state_lags": 9, "inference": "newey-west", "alpha": 0.1, "level": 0.9, "recovery_months": 6,
                        "sample": "1954-07..2025-10"}
    # the tests table: the recession row, then each horizon's three kinds of error
    slope3, slope5 = "slope, next 3y on trailing 10y", "slope, next 5y on trailing 10y"
    assert res.table.index.tolist() == [
        ("recession minus expansion, % per month", "newey-west (9 lags)"),
        (slope3, "newey-west (30 lags)"), (slope3, "hodrick 1B"), (slope3, "non-overlapping (offset 0 of 36)"),
        (slope5, "newey-west (30 lags)"), (slope5, "hodrick 1B"), (slope5, "non-overlapping (offset 0 of 60)")]
    assert res.table.columns.tolist() == ["horizon_years", "estimate", "std_err", "ci_lower", "ci_upper", "p_value",
                                          "n_months", "n_independent", "sample"]
    first = res.table.iloc[0]
    assert first[["estimate", "ci_lower", "ci_upper", "p_value"]].tolist() == pytest.approx(
        [hand["diff"], hand["lower"], hand["upper"], hand["p"]], rel=1e-9)
    assert np.isnan(first["horizon_years"]) and first["std_err"] == pytest.approx(hand["se"], rel=1e-9)
    assert first[["n_months", "n_independent", "sample"]].tolist() == [len(r), 10, "1954-07..2025-10"]
    for hy, hp in ((3, three), (5, five)):
        rows = res.table.loc[f"slope, next {hy}y on trailing 10y"]
        for method, row in zip(("newey-west", "hodrick", "non-overlapping"), rows.itertuples(), strict=True):
            assert (row.estimate, row.ci_lower, row.ci_upper, row.p_value) == pytest.approx(hp[method], rel=1e-9)
            assert row.std_err == pytest.approx(hp["se"][method], rel=1e-9)
            assert (row.horizon_years, row.n_independent, row.sample) == (hy, hp["n_independent"], "1954-07..2025-10")
            assert row.n_months == (hp["n_independent"] if method == "non-overlapping" else hp["n_months"])
    # the non-overlapping regressions of every offset, by horizon; the series and the fits
    assert res.nonoverlapping.index.names == ["horizon_years", "offset"]
    assert res.nonoverlapping.loc[3].index.tolist() == list(range(36))
    assert res.nonoverlapping.loc[5].index.tolist() == list(range(60))
    assert res.nonoverlapping.loc[(5, 0), "slope"] == pytest.approx(five["non-overlapping"][0], rel=1e-9)
    assert res.series["fwd_36"].to_numpy()[:-36] == pytest.approx(
        pd.Series(log_pts(r)[::-1]).rolling(36).sum().to_numpy()[::-1][1:len(r) - 35], rel=1e-9)
    assert res.series["recession"].tolist() == rec.tolist()
    assert res.recession.tolist() == rec.tolist()
    assert sorted(res.predictive_fits) == [36, 60] and res.recession_fit.maxlags == 9
    assert [res.predictive_fits[h].y_name for h in (36, 60)] == ["next 3y", "next 5y"]
    # every offset's non-overlapping slope flagged against alpha = 0.1 (OLS on every h-th month by statsmodels)
    lp = log_pts(r)
    for hy in (3, 5):
        h = 12 * hy
        trailing = pd.Series(lp).rolling(120).sum().to_numpy()
        fwd = np.r_[pd.Series(lp[::-1]).rolling(h).sum().to_numpy()[::-1][1:], np.nan]
        ok = np.flatnonzero(np.isfinite(trailing) & np.isfinite(fwd))
        fits = [sm.OLS(fwd[ok[k::h]], sm.add_constant(trailing[ok[k::h]])).fit() for k in range(h)]
        flags = [bool(f.params[1] < 0 and f.pvalues[1] < 0.1) for f in fits]
        assert res.nonoverlapping.loc[hy, "significant_negative"].tolist() == flags
        # offsets with 0.05 <= p < 0.1 tell alpha = 0.1 from the default
        assert sum(flags) > sum(f.params[1] < 0 and f.pvalues[1] < 0.05 for f in fits)


def test_test_with_its_defaults_a_positive_difference_and_non_overlapping_errors(c8_publishers):
    # recessions now favour small caps by about half a point a month: the note says "better"
    r = c8_publishers["vw"] + 2.0 * c8_publishers["recession"]
    rec = c8_publishers["recession"]
    res = cycle.test(r, rec, inference="non-overlapping", alpha=0.005)
    cyc, mr = res.verdicts
    diff = r[rec == 1].mean() - r[rec == 0].mean()
    assert 0 < diff < 1 and cyc.statistic == pytest.approx(diff, rel=1e-9)
    assert f"small caps did {diff:.2f} pp per month better relative to large caps" in cyc.note
    assert cyc.method.endswith("Small/large: as given") and mr.method.endswith("Small/large: as given")
    assert res.states.index[2] == "early expansion (first 12 months)"
    assert res.spec["end"] is None and res.spec["start"] == "1926-07-01"
    # the verdict on every 60th month from the first: the 3-year slope has p < 0.005, the 5-year one not
    three, five = hand_predictive(r, 120, 36), hand_predictive(r, 120, 60)
    assert (mr.statistic, *mr.interval, mr.p_value) == pytest.approx(five["non-overlapping"], rel=1e-9)
    assert three["non-overlapping"][3] < 0.005 < five["non-overlapping"][3] < 0.05
    slopes, pvalues = [three["non-overlapping"][0], five["non-overlapping"][0]], [three["non-overlapping"][3],
                                                                                 five["non-overlapping"][3]]
    assert mr.label == "mixed" and cycle.reversion_label(slopes, pvalues) == "supported"
    assert mr.rule == (
        "supported if the slope of the next 3 and 5-year small-minus-large return on the trailing return is "
        "negative with p < 0.005 (non-overlapping errors) at every horizon; mixed if at some horizons only; "
        "contradicted if positive with p < 0.005 at every horizon; inconclusive if no slope is significant")


def test_test_calls_a_difference_against_most_episodes_mixed(c8_publishers):
    # ew: 2008-09 drags the difference below zero against the other nine recessions; p is about 0.4
    ew, rec = c8_publishers["ew"], c8_publishers["recession"]
    hand = hand_cyclicality(ew, rec, 6)
    assert 0.05 < hand["p"] < 0.9 and hand["agreement"] == pytest.approx(0.1)
    cyc = cycle.test(ew, rec, state_lags=6, alpha=0.9).verdicts[0]
    assert cyc.label == "mixed" and cyc.p_value == pytest.approx(hand["p"], rel=1e-9)
    assert "; 1 of 10 recessions point the same way;" in cyc.note
    assert cycle.test(ew, rec, state_lags=6, alpha=hand["p"] * 0.99).verdicts[0].label == "inconclusive"


# -- edges of the building blocks -------------------------------------------------------------------------

def test_validate_bounds_and_messages():
    ok = {"trailing_years": 1, "horizons_years": [1], "hac_lags": 0, "inference": "hodrick", "alpha": 0.999,
          "level": 0.001, "recovery_months": 1}
    cycle._validate(**ok)
    cycle._validate(**{**ok, "trailing_years": np.int64(2), "hac_lags": np.int64(3), "alpha": 0.001, "level": 0.999})
    for change, message in [
        ({"trailing_years": 0}, "trailing_years must be a positive whole number of years, got 0"),
        ({"trailing_years": 1.5}, "trailing_years must be a positive whole number of years, got 1.5"),
        ({"hac_lags": -1}, r"hac_lags must be a non-negative integer or None \(= the horizon in months\), got -1"),
        ({"hac_lags": 2.5}, "hac_lags must be a non-negative integer or None .*, got 2.5"),
        ({"alpha": 0.0}, r"alpha and level must lie in \(0, 1\); got alpha=0.0, level=0.001"),
        ({"alpha": 1.0}, "got alpha=1.0, level"), ({"alpha": 1.5}, "got alpha=1.5, level"),
        ({"level": 0.0}, "level=0.0$"), ({"level": 1.0}, "level=1.0$"), ({"level": 1.5}, "level=1.5$"),
        ({"recovery_months": 0}, "recovery_months must be at least 1, got 0"),
    ]:
        with pytest.raises(ParameterError, match=message):
            cycle._validate(**{**ok, **change})


def test_check_sample_length_at_the_boundary_and_the_recession_messages():
    # a 1-year look-back and a 2-year horizon need 12 + 24 + 24 = 60 months
    idx = months("2000-01-31", 60)
    rec = pd.Series(np.r_[np.ones(6), np.zeros(54)], index=idx)
    lo, hi = idx[0], idx[-1]
    cycle._check_sample(pd.Series(1.0, index=idx), rec, 1, [2], "2000-01-01", None, lo, hi)
    with pytest.raises(ParameterError, match=r"^59 months between 2000-02-01 and the end are too few for a 1-year "
                                             r"look-back and a 2-year horizon; start earlier or shorten them$"):
        cycle._check_sample(pd.Series(1.0, index=idx[1:]), rec.iloc[1:], 1, [2], "2000-02-01", None, idx[1], hi)
    with pytest.raises(ParameterError, match="^59 months between 2000-01-01 and 2004-11-30 are too few"):
        cycle._check_sample(pd.Series(1.0, index=idx[:-1]), rec.iloc[:-1], 1, [1, 2], "2000-01-01", "2004-11-30",
                            lo, idx[-2])
    with pytest.raises(ParameterError, match="^usrec does not cover the return sample$"):
        cycle._check_sample(pd.Series(1.0, index=idx), rec * np.nan, 1, [2], "2000-01-01", None, lo, hi)
    with pytest.raises(ParameterError, match=r"^the sample 2000-01\.\.2004-12 has no expansion months: widen "
                                             r"start/end so both states occur$"):
        cycle._check_sample(pd.Series(1.0, index=idx), rec * 0 + 1, 1, [2], "2000-01-01", None, lo, hi)
    with pytest.raises(ParameterError, match=r"^the sample 2000-01\.\.2004-12 has no recession months"):
        cycle._check_sample(pd.Series(1.0, index=idx), rec * 0, 1, [2], "2000-01-01", None, lo, hi)


def test_test_names_a_bad_start_or_end():
    r = wave(180)
    usrec = pd.Series((np.arange(1200) % 97 < 9).astype(int), index=r.index)
    with pytest.raises(ParameterError, match="^start must be an ISO date"):
        cycle.test(r, usrec, start="soon")
    with pytest.raises(ParameterError, match="^end must be an ISO date"):
        cycle.test(r, usrec, end="later")


def test_test_too_short_or_without_a_non_overlapping_sample():
    # 60 months, a 1-year look-back and a 2-year horizon: 25 regression months, at most 2 per offset
    idx = months("2000-01-31", 60)
    r = pd.Series(np.random.default_rng(6).normal(0, 2, 60), index=idx)
    rec = pd.Series((np.arange(60) % 20 < 3).astype(int), index=idx)
    kw = {"article_date": "2005-01-15", "trailing_years": 1, "horizons_years": (2,)}
    mr = cycle.test(r, rec, start="2000-01-01", inference="non-overlapping", **kw).verdicts[1]
    assert mr.interval is None and mr.interval_level is None and np.isnan(mr.statistic)
    assert (mr.label, mr.n) == ("inconclusive", 0)
    with pytest.raises(ParameterError, match=r"^59 months between 2000-02-01 and the end are too few for a 1-year "
                                             r"look-back and a 2-year horizon; start earlier or shorten them$"):
        cycle.test(r, rec, start="2000-02-01", **kw)
    with pytest.raises(ParameterError, match="^59 months between 2000-01-01 and 2004-11-30 are too few"):
        cycle.test(r, rec, start="2000-01-01", end="2004-11-30", **kw)


def test_cycle_label_with_a_missing_difference():
    assert cycle.cycle_label(float("nan"), 0.01) == "inconclusive"
    assert cycle.cycle_label(-0.5, float("inf")) == "inconclusive"


def test_cycle_phases_at_the_edges_and_the_default_recovery():
    # a recession in the first month: the next month starts an early expansion
    assert cycle.cycle_phases(pd.Series([1, 0, 0], index=months("2000-01-31", 3)), recovery_months=1).tolist() == [
        "recession", "early expansion", "later expansion"]
    # a recession in the last month does not make the first month an early expansion
    rec = pd.Series([0, 0, 1], index=months("2000-01-31", 3))
    phases = cycle.cycle_phases(rec)
    assert phases.tolist() == ["later expansion", "later expansion", "recession"]
    assert phases.name == "phase" and phases.index.equals(rec.index)
    # the default: 12 months of early expansion
    long = cycle.cycle_phases(pd.Series([1] + [0] * 13, index=months("2000-01-31", 14)))
    assert long.tolist() == ["recession"] + ["early expansion"] * 12 + ["later expansion"]


def test_episode_agreement_without_a_sign():
    ep = pd.DataFrame({"difference": [-1.0, 2.0, 3.0]})
    assert cycle.episode_agreement(ep, 1.0) == pytest.approx(2 / 3)
    assert np.isnan(cycle.episode_agreement(ep, 0.0))
    assert np.isnan(cycle.episode_agreement(ep, float("nan")))
    assert np.isnan(cycle.episode_agreement(ep.iloc[:0], -1.0))


def test_recession_episodes_columns_dates_and_none():
    idx = months("2000-01-31", 6)
    sml = pd.Series([1.0, -2.0, -4.0, 1.0, 3.0, 1.0], index=idx)
    ep = cycle.recession_episodes(sml, pd.Series([0, 1, 1, 0, 1, 0], index=idx))
    assert ep.columns.tolist() == ["start", "end", "months", "difference"]
    assert ep["start"].tolist() == [idx[1], idx[4]] and ep["end"].tolist() == [idx[2], idx[4]]
    none = cycle.recession_episodes(sml, pd.Series(0, index=idx))
    assert none.empty and none.columns.tolist() == ["start", "end", "months", "difference"]


def test_recession_indicator_aligns_monthly_usrec_to_month_ends():
    # FRED dates months by their first day; a gap in the file leaves the month missing
    usrec = pd.Series([0.0, 1.0, 1.0, 0.0], index=pd.DatetimeIndex(["2000-01-01", "2000-02-01", "2000-04-01",
                                                                      "2000-05-01"]))
    out = cycle.recession_indicator(usrec, months("2000-02-29", 3))
    assert out.name == "recession" and out.index.equals(months("2000-02-29", 3))
    assert out.iloc[0] == 1 and np.isnan(out.iloc[1]) and out.iloc[2] == 1


def test_log_returns_and_trailing_forward_keep_their_names():
    r = pd.Series([10.0, -50.0], index=months("2000-01-31", 2), name="sml")
    lr = cycle.log_returns(r)
    assert lr.name == "sml" and lr.tolist() == pytest.approx([100 * np.log(1.1), 100 * np.log(0.5)])
    out = cycle.trailing_forward(r, window=1, horizons=(1,))
    assert out.index.name == "date" and out.columns.tolist() == ["trailing", "trailing_pct", "fwd_1"]


def test_state_table_needs_four_months_for_an_interval_and_counts_zero_as_not_positive():
    idx = months("2000-01-31", 10)
    rec = pd.Series([1, 1, 1, 0, 0, 0, 0, 1, 1, 1], index=idx)  # two 3-month recessions: 6 months
    r = pd.Series([0.0, -1.0, 2.0, 1.0, 0.0, 3.0, 1.0, -2.0, 0.0, 1.0], index=idx)
    out = cycle.state_table(r, rec, recovery_months=2)
    assert out.index.tolist() == ["recession", "expansion (all)", "early expansion (first 2 months)",
                                  "later expansion", "all months"]
    assert out["n_months"].tolist() == [6, 4, 2, 2, 10]
    assert out.loc["expansion (all)", "share_positive"] == 0.75  # 1, 0, 3, 1
    assert out.loc["recession", "share_positive"] == pytest.approx(2 / 6)  # 0, -1, 2, -2, 0, 1
    assert np.isnan(out.loc["early expansion (first 2 months)", "ci_lower"])
    three = cycle.state_table(r, rec, recovery_months=3)  # early expansion: 3 months, no interval
    assert three.loc["early expansion (first 3 months)", "n_months"] == 3
    assert three.loc["early expansion (first 3 months)", ["ci_lower", "ci_upper"]].isna().all()
    four = sm.OLS(np.array([1.0, 0.0, 3.0, 1.0]), np.ones(4)).fit(cov_type="HAC",
                                                                   cov_kwds={"maxlags": 1, "use_correction": True})
    assert out.loc["expansion (all)", ["ci_lower", "ci_upper"]].tolist() == pytest.approx(four.conf_int(0.05)[0])
    assert out.loc["later expansion", "annualized"] == pytest.approx(100 * ((1.03 * 1.01) ** 6 - 1))


def test_hodrick_1b_needs_four_months_and_reports_t_and_n():
    idx = months("2000-01-31", 7)
    r1 = pd.Series([1.0, -2.0, 3.0, 0.5, -1.5, 2.0, 1.0], index=idx)
    x = pd.Series([np.nan, 0.3, -0.2, 0.5, 0.1, -0.4, 0.2], index=idx)
    four = cycle.hodrick_1b(r1, x, 2)  # x at months 2..5 with two months ahead: 4 regression months
    slope, se = hodrick_by_loop(r1.to_numpy(), x.to_numpy(), 2)
    assert four["n"] == 4 and (four["slope"], four["se"]) == pytest.approx((slope, se))
    assert four["t"] == pytest.approx(slope / se)
    from scipy import stats as sps
    assert four["p_value"] == pytest.approx(2 * sps.norm.sf(abs(slope / se)))
    three = cycle.hodrick_1b(r1, x, 3)
    assert three["n"] == 3 and set(three) == {"slope", "se", "t", "p_value", "n"}
    assert all(np.isnan(three[k]) for k in ("slope", "se", "t", "p_value"))


def test_nonoverlapping_regressions_columns_first_month_flags_and_too_few():
    idx = months("2000-01-31", 9)
    frame = pd.DataFrame({"trailing": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
                          "fwd_2": [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1, 18.0]}, index=idx)
    out = cycle.nonoverlapping_regressions(frame, 2)  # offset 0: 5 months, offset 1: 4
    assert out.columns.tolist() == ["first", "slope", "se", "t", "p_value", "n", "significant_negative"]
    assert out["first"].tolist() == [idx[0], idx[1]] and out["n"].tolist() == [5, 4]
    direct = sm.OLS(frame["fwd_2"].iloc[1::2], sm.add_constant(frame["trailing"].iloc[1::2])).fit()
    assert out.loc[1, "t"] == pytest.approx(direct.tvalues["trailing"])
    assert out["significant_negative"].tolist() == [False, False]  # positive and significant
    neg = cycle.nonoverlapping_regressions(frame.assign(fwd_2=-frame["fwd_2"]), 2)
    assert neg["significant_negative"].tolist() == [True, True]
    weak = cycle.nonoverlapping_regressions(frame.assign(fwd_2=[1.0, 0.5, 2.0, -1.0, -1.0, 1.0, 1.5, -0.8, -0.5]), 2)
    assert (weak["slope"] < 0).all() and weak["p_value"].between(0.05, 1).all()
    assert weak["significant_negative"].tolist() == [False, False]
    assert cycle.nonoverlapping_regressions(frame, 2, alpha=0.999)["significant_negative"].tolist() == [False, False]
    shallow = cycle.nonoverlapping_regressions(frame.assign(fwd_2=frame["fwd_2"] / 4), 2)  # slope about 0.5
    assert shallow["slope"].between(0.4, 0.6).all() and (shallow["p_value"] < 0.05).all()
    assert shallow["significant_negative"].tolist() == [False, False]
    at = neg.loc[0, "p_value"]  # p equal to alpha is not below it; a hair above alpha it is
    assert cycle.nonoverlapping_regressions(frame.assign(fwd_2=-frame["fwd_2"]), 2, alpha=at)[
        "significant_negative"].tolist() == [False, neg.loc[1, "p_value"] < at]
    assert cycle.nonoverlapping_regressions(frame.assign(fwd_2=-frame["fwd_2"]), 2, alpha=at * 1.001)[
        "significant_negative"].tolist()[0]
    few = cycle.nonoverlapping_regressions(frame.iloc[:7], 2)  # offsets of 4 and 3 months: only offset 0
    assert few.index.tolist() == [0]
    none = cycle.nonoverlapping_regressions(frame.iloc[:6], 2)
    assert none.empty and none.columns.tolist() == out.columns.tolist()


def test_predictive_tests_without_a_non_overlapping_sample():
    # 54 months, a 1-year look-back and horizon: 31 regression months, at most 3 per offset
    r = pd.Series(np.random.default_rng(5).normal(0, 2, 54), index=months("2000-01-31", 54))
    series = cycle.trailing_forward(r, window=12, horizons=(12,))
    rows, fit, no = cycle.predictive_tests(series, cycle.log_returns(r), 1, trailing_years=1, hac_lags=None,
                                           level=0.95, alpha=0.05)
    assert no.empty and fit.maxlags == 12 and fit.nobs == 31
    nonover = rows[2]
    assert nonover["method"] == "non-overlapping (offset 0 of 0)"
    assert nonover["n_months"] == nonover["n_independent"] == rows[0]["n_independent"] == 0
    assert all(np.isnan(nonover[k]) for k in ("estimate", "std_err", "p_value", "ci_lower", "ci_upper"))
    assert rows[0]["sample"] == "2000-01..2004-06" and rows[0]["n_months"] == 31


@pytest.mark.parametrize(("change", "valid"), [
    ({}, True),
    ({"trailing_years": 10}, False),  # a mean-reversion parameter on the cyclicality aspect
    ({"horizons": "5y"}, False),
    ({"inference": "hodrick"}, False),
    ({"state_lags": cycle.NA}, False),
    ({"weighting": "ew", "size": "SMB"}, False),
    ({"aspect": "mean reversion", "state_lags": cycle.NA, "trailing_years": 10, "horizons": "5y",
      "inference": "hodrick"}, True),
    ({"aspect": "mean reversion", "trailing_years": 10, "horizons": "5y", "inference": "hodrick"}, False),
    ({"aspect": "mean reversion", "state_lags": cycle.NA, "horizons": "5y", "inference": "hodrick"}, False),
])
def test_grid_valid_each_aspect_with_its_own_parameters(change, valid):
    assert cycle.grid_valid({**GRID_CYCLE, "start": 1926, **change}) is valid


def test_defaults_of_the_building_blocks():
    r = wave(180, n=200)
    rec = pd.Series((np.arange(200) % 50 < 5).astype(int), index=r.index)
    assert cycle.state_table(r, rec).index[2] == "early expansion (first 12 months)"
    out = cycle.trailing_forward(r)
    assert out.columns.tolist() == ["trailing", "trailing_pct", "fwd_36", "fwd_60"]
    assert out["trailing"].first_valid_index() == r.index[119]
    assert "negative with HAC p < 0.05; contradicted if it is positive with p < 0.05" in cycle.cycle_rule_text()
    assert cycle.reversion_rule_text() == (
        "supported if the slope of the next 3 and 5-year small-minus-large return on the trailing return is "
        "negative with p < 0.05 (newey-west errors) at every horizon; mixed if at some horizons only; "
        "contradicted if positive with p < 0.05 at every horizon; inconclusive if no slope is significant")


def test_reversion_label_at_the_level_and_a_zero_slope():
    assert cycle.reversion_label([-0.3], [0.05]) == "inconclusive"  # p must be below alpha
    assert cycle.reversion_label([0.3], [0.05]) == "inconclusive"
    assert cycle.reversion_label([0.0], [0.01]) == "inconclusive"  # a zero slope points nowhere
    assert cycle.reversion_label([-0.3, 0.2], [0.01, float("nan")]) == "mixed"


def test_test_rejects_missing_horizons_bad_lags_and_a_late_article_date_by_name():
    r = wave(180)
    usrec = pd.Series((np.arange(1200) % 97 < 9).astype(int), index=r.index)
    with pytest.raises(ParameterError, match="horizons_years must be positive whole years"):
        cycle.test(r, usrec, horizons_years=None)
    with pytest.raises(ParameterError, match="hac_lags must be a non-negative integer"):
        cycle.test(r, usrec, hac_lags=-1)
    with pytest.raises(ParameterError, match=r"^no trailing 10-year return at 2029-12 \(article_date 2030-01-01\); "
                                             "the returns end 2026-06$"):
        cycle.test(r, usrec, article_date="2030-01-01")


def test_the_curve_leaves_out_the_inference_whose_intervals_undercover():
    """docs/methods.md: Newey-West with lags = horizon covers 76-79% at 95% on C8's overlapping
    windows, Hodrick 1B and the non-overlapping t 93-96%; only those two vote in the curve."""
    specs = cycle.GRID.specs()
    reversion = [s["inference"] for s in specs if s["aspect"] == "mean reversion"]
    assert set(reversion) == {"hodrick", "non-overlapping"}
    assert reversion.count("hodrick") == reversion.count("non-overlapping") == 189
    # read through the signature: mutmut's trampoline keeps it (__wrapped__), not __kwdefaults__
    assert inspect.signature(cycle.test).parameters["inference"].default == "hodrick"


@pytest.mark.parametrize(("agreement", "episodes", "text"), [
    (0.7, 10, "7 of 10 recessions point the same way"),
    (1 / 3, 3, "1 of 3 recessions point the same way"),
    (float("nan"), 4, "4 recessions, none compared (the difference has no sign)"),  # a zero difference
    (float("nan"), 0, "no recession"),
])
def test_the_note_counts_agreeing_recessions_and_survives_a_zero_difference(agreement, episodes, text):
    assert cycle.agreement_text(agreement, episodes) == text
    episodes_frame = pd.DataFrame({"difference": [0.5, -0.2, 0.1]})
    assert np.isnan(cycle.episode_agreement(episodes_frame, 0.0))  # what the note then gets
