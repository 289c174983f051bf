"""C2 (rate sensitivity): numbers against independent computations, each verdict branch, real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from research.claims import rates
from research.errors import ParameterError
from research.verdict import LABELS


def varying_rf(dy: np.ndarray) -> np.ndarray:
    """A monthly T-bill rate in percent that moves with the yield, as it does: a constant RF would
    hide a missing, lagged or percent-scaled subtraction in the regression's constant."""
    return np.clip(0.4 + np.cumsum(dy) / 12, 0.01, None)


def synthetic(n: int = 240, small_coef: float = -2.0, large_coef: float = 0.0, seed: int = 1,
              zero_difference: bool = False):
    """Monthly small/large returns with known yield coefficients (market beta 1.2 and 1.0)."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("1990-01-31", periods=n, freq="ME")
    mkt = rng.normal(0.6, 4.0, n)
    dy = rng.normal(0.0, 0.25, n)
    rf = varying_rf(dy)
    noise_s, noise_l = rng.normal(0, 1.5, n), rng.normal(0, 0.5, n)
    if zero_difference:  # residualise the noise difference so the fitted coefficient is exactly 0
        X = np.column_stack([np.ones(n), mkt, dy])
        d = noise_s - noise_l
        noise_s = noise_s - X @ np.linalg.lstsq(X, d, rcond=None)[0]
        small_coef = large_coef
    small = rf + 1.2 * mkt + small_coef * dy + noise_s
    large = rf + 1.0 * mkt + large_coef * dy + noise_l
    returns = pd.DataFrame({"small": small, "large": large, "small_minus_large": small - large},
                           index=idx)
    factors = pd.DataFrame({"Mkt-RF": mkt, "RF": rf}, index=idx)
    changes = pd.DataFrame({"dgs2": dy}, index=idx)
    return returns, factors, changes


# -- building blocks -----------------------------------------------------------------------------------

def test_monthly_yield_changes_take_the_last_quote_of_each_month():
    days = pd.to_datetime(["2024-01-02", "2024-01-31", "2024-02-01", "2024-02-28", "2024-02-29",
                           "2024-03-01", "2024-03-28"])
    levels = pd.Series([4.0, 4.2, np.nan, 4.5, np.nan, 4.1, 3.9], index=days, name="DGS2")
    out = rates.monthly_yield_changes(levels)
    # month-end levels 4.2, 4.5 (the blank on Feb 29 is skipped), 3.9
    assert list(out.index) == list(pd.to_datetime(["2024-02-29", "2024-03-31"]))
    assert out.to_numpy() == pytest.approx([0.3, -0.6])


def test_monthly_yield_changes_leave_monthly_averages_as_they_are():
    idx = pd.date_range("2020-01-31", periods=4, freq="ME")
    out = rates.monthly_yield_changes(pd.Series([1.0, 1.5, 1.25, 2.0], index=idx, name="GS10"))
    assert out.to_numpy() == pytest.approx([0.5, -0.25, 0.75])


def test_difference_coefficient_matches_statsmodels_hac_and_hand_ols():
    returns, factors, changes = synthetic()
    result = rates.test(returns, factors, changes, maxlags=3, window=60)
    X = sm.add_constant(pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]}))
    direct = sm.OLS(returns["small_minus_large"], X).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    row = result.table.loc[("2-year", "small_minus_large")]
    assert row["yield_coef"] == pytest.approx(direct.params["d_yield"], rel=1e-10)
    assert row["std_err"] == pytest.approx(direct.bse["d_yield"], rel=1e-10)
    assert row["p_value"] == pytest.approx(direct.pvalues["d_yield"], rel=1e-8)
    # hand OLS of small's excess return: beta = (X'X)^-1 X'y
    y = (returns["small"] - factors["RF"]).to_numpy()
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    assert result.table.loc[("2-year", "small"), "yield_coef"] == pytest.approx(beta[2], rel=1e-10)
    # OLS is linear in y: the difference regression's coefficient is small's minus large's
    small, large = (result.table.loc[("2-year", p), "yield_coef"] for p in ("small", "large"))
    assert row["yield_coef"] == pytest.approx(small - large, rel=1e-10)
    assert row["n_months"] == 240 and row["sample"] == "1990-01..2009-12"


def test_rolling_coefficient_equals_ols_on_the_last_window():
    returns, factors, changes = synthetic()
    X = pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]})
    roll = rates.rolling_yield_coefficient(returns["small_minus_large"], X, window=60)
    assert len(roll) == 240 - 60 + 1
    last = sm.OLS(returns["small_minus_large"].iloc[-60:], sm.add_constant(X.iloc[-60:])).fit(cov_type="HC0")
    assert roll["coef"].iloc[-1] == pytest.approx(last.params["d_yield"], rel=1e-8)
    assert roll["std_err"].iloc[-1] == pytest.approx(last.bse["d_yield"], rel=1e-6)
    assert (roll["lower"] < roll["coef"]).all() and (roll["coef"] < roll["upper"]).all()


@pytest.mark.parametrize(("columns", "window"), [(["mkt_excess", "d_yield"], 36), (["d_yield"], 120)])
def test_rolling_params_match_statsmodels_rolling_ols(columns, window):
    """The grid's vectorised rolling fit gives RollingOLS's coefficients (to 1e-10) window by
    window, and each window's coefficients are those of OLS on its rows alone."""
    from statsmodels.regression.rolling import RollingOLS

    returns, factors, changes = synthetic()
    X = pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]})[columns]
    y = returns["small_minus_large"]
    ours = rates.rolling_params(y.to_numpy(), X.to_numpy(), window)
    theirs = RollingOLS(y, sm.add_constant(X), window=window).fit(params_only=True).params.dropna()
    assert ours.shape == theirs.shape == (240 - window + 1, 1 + len(columns))
    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-10, atol=1e-12)
    first = np.linalg.lstsq(sm.add_constant(X.iloc[:window]), y.iloc[:window], rcond=None)[0]
    np.testing.assert_allclose(ours[0], first, rtol=1e-10)


def test_excess_returns_subtract_the_same_months_rf_in_percent():
    """Small's, large's and every decile's yield coefficient is that of the return minus the same
    month's RF; the fixture's RF varies enough that a missing subtraction, last month's RF or RF
    in decimals would move the coefficient by more than 0.03."""
    returns, factors, changes = synthetic()
    rf = factors["RF"]
    assert rf.std() > 0.05  # the fixture is not a constant RF
    deciles = pd.DataFrame({"Lo 10": returns["small"], **{c: returns["large"] for c in
                            ["2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]}})
    result = rates.test(returns, factors, changes, deciles, maxlags=3, window=60)
    X = sm.add_constant(pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]}))

    def coef(y):
        keep = y.notna()
        return sm.OLS(y[keep], X[keep]).fit().params["d_yield"]

    for p in ("small", "large"):
        ours = result.table.loc[("2-year", p), "yield_coef"]
        assert ours == pytest.approx(coef(returns[p] - rf), rel=1e-10)
        for slip in (returns[p], returns[p] - rf.shift(1), returns[p] - rf / 100):
            assert abs(ours - coef(slip)) > 0.03
    assert result.deciles.loc[("2-year", 1), "yield_coef"] == pytest.approx(coef(returns["small"] - rf), rel=1e-10)
    assert result.deciles.loc[("2-year", 10), "yield_coef"] == pytest.approx(coef(returns["large"] - rf), rel=1e-10)


# -- verdict rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("coef", "p", "share_negative", "label"), [
    (-1.0, 0.01, 0.80, "supported"),
    (-1.0, 0.01, 0.40, "mixed"),        # significant, but the sign does not hold in most windows
    (1.0, 0.01, 0.10, "contradicted"),
    (1.0, 0.01, 0.90, "mixed"),
    (-1.0, 0.20, 0.90, "inconclusive"),  # the interval straddles zero
    (1.0, 0.05, 0.00, "inconclusive"),   # p must be below 0.05
    (float("nan"), 0.01, 0.9, "inconclusive"),
])
def test_verdict_label_branches(coef, p, share_negative, label):
    assert rates.verdict_label(coef, p, share_negative) == label


@pytest.mark.parametrize(("small_coef", "label"), [(-4.0, "supported"), (4.0, "contradicted")])
def test_synthetic_data_give_the_planted_verdict(small_coef, label):
    returns, factors, changes = synthetic(small_coef=small_coef)
    result = rates.test(returns, factors, changes, window=60)
    v = result.verdicts[0]
    assert v.label == label and v.claim == "C2" and v.aspect == "2-year yield"
    assert v.n == 240 and v.interval_level == 0.95
    assert v.interval[0] < v.statistic < v.interval[1]
    assert abs(v.statistic - small_coef) < 1.0


def test_no_difference_is_inconclusive():
    returns, factors, changes = synthetic(zero_difference=True)
    result = rates.test(returns, factors, changes, window=60)
    v = result.verdicts[0]
    assert v.statistic == pytest.approx(0.0, abs=1e-9)
    assert v.label == "inconclusive"


def test_decile_panel_and_total_sensitivity():
    returns, factors, changes = synthetic()
    deciles = pd.DataFrame({col: returns["small"] if d <= 5 else returns["large"]
                            for d, col in enumerate(["Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec",
                                                     "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"], 1)})
    result = rates.test(returns, factors, changes, deciles, control_market=False)
    coefs = result.deciles.loc["2-year", "yield_coef"]
    assert list(coefs.index) == list(range(1, 11))
    assert coefs.loc[1] == pytest.approx(result.table.loc[("2-year", "small"), "yield_coef"])
    assert np.isnan(result.table.loc[("2-year", "small"), "market_beta"])  # no market regressor
    summary = result.rolling_summary.loc["2-year"]
    assert summary["windows"] == 240 - 60 + 1
    assert 0 <= summary["share_negative"] <= 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": 300}, "rolling window"),
    ({"window": 12}, "at least 24"),
    ({"start": "2010-01-31", "end": "2000-01-31"}, "must come before"),
    ({"start": "not a date"}, "ISO date"),
    ({"maxlags": -1}, "HAC lags"),
])
def test_bad_parameters_say_what_to_fix(kwargs, message):
    returns, factors, changes = synthetic()
    with pytest.raises(ParameterError, match=message):
        rates.test(returns, factors, changes, **kwargs)


def test_unknown_yield_is_rejected_before_loading():
    with pytest.raises(ParameterError, match="unknown yield"):
        rates.run(yields=["dgs30"])


# -- real data ------------------------------------------------------------------------------------------

@pytest.mark.mirror
def test_run_on_the_mirror():
    result = rates.run()
    assert [v.aspect for v in result.verdicts] == ["2-year yield", "10-year yield"]
    for v in result.verdicts:
        assert v.label in LABELS and v.label != "not testable"
        assert v.n > 500 and v.p_value is not None and v.interval is not None
        assert "dgs2" in v.vintage or "dgs10" in v.vintage
    two, ten = result.verdicts
    assert two.sample.startswith("1976-0") and two.sample.endswith("2025-10")
    assert ten.sample.startswith("1962-0")
    assert set(result.deciles.index.get_level_values("decile")) == set(range(1, 11))
    assert result.rolling_summary["windows"].min() > 400


@pytest.mark.mirror
def test_grid_estimate_shares_its_fits_and_matches_rolling_ols_on_the_mirror():
    """Specifications that differ only in the window share the HAC fit, those that differ only in
    the lags share the rolling signs; each rolling share is RollingOLS's on the real data."""
    from statsmodels.regression.rolling import RollingOLS

    from research.data.sizes import clear_caches

    clear_caches()
    rows = {}
    for lags in ("auto", 12):
        for window in (36, 60, 120):
            rows[lags, window] = rates.grid_estimate(
                size="decile 1 vs 10", weighting="ew", yield_series="gs10", start=1954, hac_lags=lags,
                control_market=True, window=window)
    assert rates._grid_data.cache_info().misses == 1
    assert rates._grid_fit.cache_info().misses == 2 and rates._grid_share_negative.cache_info().misses == 3
    y, X = rates._grid_data("decile 1 vs 10", "ew", "gs10", 1954, True)
    for window in (36, 60, 120):
        roll = RollingOLS(y, sm.add_constant(X), window=window).fit(params_only=True).params.dropna()
        ours = rates.rolling_params(y.to_numpy(), X.to_numpy(), window)
        np.testing.assert_allclose(ours, roll.to_numpy(), rtol=1e-10, atol=1e-12)
        assert rows["auto", window]["share_windows_negative"] == float((roll["d_yield"] < 0).mean())
        assert rows[12, window]["share_windows_negative"] == rows["auto", window]["share_windows_negative"]
    assert rows["auto", 36]["p_value"] != rows[12, 36]["p_value"]  # the lags do change the HAC test
    assert len({r["estimate"] for r in rows.values()}) == 1
