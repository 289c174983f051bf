"""C2 (rate sensitivity): numbers against independent computations, each verdict branch, real data."""

from __future__ import annotations

from dataclasses import replace

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

@pytest.mark.parametrize("unit", ["ns", "us", "s"])  # pandas 3 reads files at any of these resolutions
def test_monthly_yield_changes_take_the_last_quote_of_each_month(unit):
    days = pd.to_datetime(["2024-01-02", "2024-01-31", "2024-02-01", "2024-02-28", "2024-02-29",
                           "2024-03-01", "2024-03-28"]).as_unit(unit)
    levels = pd.Series([4.0, 4.2, np.nan, 4.5, np.nan, 4.1, 3.9], index=days, name="DGS2")
    out = rates.monthly_yield_changes(levels)
    # month-end levels 4.2, 4.5 (the blank on Feb 29 is skipped), 3.9
    assert list(out.index) == list(pd.to_datetime(["2024-02-29", "2024-03-31"]))
    assert out.to_numpy() == pytest.approx([0.3, -0.6])


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_monthly_yield_changes_leave_monthly_averages_as_they_are(unit):
    idx = pd.date_range("2020-01-01", periods=4, freq="MS", unit=unit)  # FRED dates them on the 1st
    out = rates.monthly_yield_changes(pd.Series([1.0, 1.5, 1.25, 2.0], index=idx, name="GS10"))
    assert out.to_numpy() == pytest.approx([0.5, -0.25, 0.75])
    assert list(out.index) == list(pd.to_datetime(["2020-02-29", "2020-03-31", "2020-04-30"]))


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
    (0.5, 0.01, 0.10, "contradicted"),  # the sign, not the size, decides
    (-0.5, 0.01, 0.90, "supported"),
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
    assert "(small-minus-large yield coefficient < 0)" in v.hypothesis
    assert v.statistic_name == "small-minus-large yield coefficient, % per month per 1 pp rise in the 2-year yield"
    assert v.method.startswith("OLS of monthly excess returns on the market and the monthly change in the "
                               "2-year Treasury yield (month-end level of the daily constant-maturity yield), "
                               "Newey-West HAC errors with 4 lags; 60-month rolling")  # 4: the plug-in rule at 240
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
    with pytest.raises(ParameterError, match=r"unknown yield series \['dgs30'\]; choose from"):
        rates.run(yields=["dgs2", "dgs30"])


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


# -- display, boundaries, grid validity, and run / grid_estimate on synthetic publisher files -------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

DECILES = ["Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]
MONTHS = pd.date_range("1980-01-31", "2025-10-31", freq="ME", name="date")


@pytest.fixture
def rates_publishers(isolated_data):
    """French's size deciles and three factors 1980-01..2025-10 (the T-bill rate follows the
    2-year yield), FRED's daily DGS2 1980-2025 and DGS10 1990-2025 (a holiday "." on some days,
    never the last of a month) and the monthly averages GS10 1980 on. vw: small caps' yield
    coefficient is -2 (2-year) against large caps' 0; ew: +2."""
    from synthetic_monthly import write_factors, write_fred, write_size_deciles

    from research.data.sizes import clear_caches

    rng = np.random.default_rng(12)
    n = len(MONTHS)
    steps = rng.normal(0, 0.25, n)
    level = {"dgs2": np.round(5 + np.cumsum(steps), 2),  # the 10-year moves with the 2-year, less
             "dgs10": np.round(6 + np.cumsum(0.8 * steps + rng.normal(0, 0.1, n)), 2)}
    dy = {s: pd.Series(np.diff(level[s], prepend=np.nan), index=MONTHS) for s in level}
    mkt = np.round(rng.normal(0.6, 4.0, n), 2)
    rf = np.round(np.clip(level["dgs2"] / 12, 0.01, None), 2)
    factors = pd.DataFrame({"Mkt-RF": mkt, "SMB": np.round(rng.normal(0, 3, n), 2),
                            "HML": np.round(rng.normal(0, 3, n), 2), "RF": rf}, index=MONTHS)
    deciles = {}
    for w, coef in (("vw", -2.0), ("ew", 2.0)):
        large = rf + mkt
        small = rf + 1.2 * mkt + coef * dy["dgs2"].fillna(0).to_numpy()
        base = np.column_stack([small] * 3 + [(small + large) / 2] * 4 + [large] * 3)
        deciles[w] = pd.DataFrame(np.round(base + rng.normal(0, 1.0, (n, 10)), 2), index=MONTHS, columns=DECILES)
    write_size_deciles(isolated_data.mirror, deciles["vw"], deciles["ew"])
    write_factors(isolated_data.mirror, "F-F_Research_Data_Factors_CSV.zip", factors)
    days = pd.bdate_range("1980-01-01", "2025-10-31")
    last = days.to_series().groupby(days.to_period("M")).transform("max") == days
    for s, file, first in (("dgs2", "DGS2.csv", "1980-01-01"), ("dgs10", "DGS10.csv", "1990-01-01")):
        month_level = pd.Series(level[s], index=MONTHS.to_period("M"))
        daily = pd.Series(month_level.reindex(days.to_period("M")).to_numpy(), index=days)
        daily = daily + np.where(last, 0.0, np.round(rng.normal(0, 0.05, len(days)), 2))  # month-ends exact
        daily[(~last) & (rng.random(len(days)) < 0.03)] = np.nan
        write_fred(isolated_data.mirror, file, s.upper() if s == "dgs10" else s, daily.loc[first:])
    gs10 = pd.Series(np.round(level["dgs10"] + rng.normal(0, 0.1, n), 2), index=MONTHS - pd.offsets.MonthBegin(1))
    write_fred(isolated_data.mirror, "GS10.csv", "GS10", gs10)
    clear_caches()
    yield {"factors": factors, "deciles": deciles, "level": level, "gs10": gs10}
    clear_caches()


def _sml(deciles: pd.DataFrame, small=DECILES[:3], large=DECILES[7:]) -> pd.Series:
    return deciles[list(small)].mean(axis=1) - deciles[list(large)].mean(axis=1)


def _hand_fit(y: pd.Series, factors: pd.DataFrame, d_yield: pd.Series, lags: int, control: bool = True):
    X = pd.concat({"mkt_excess": factors["Mkt-RF"], "d_yield": d_yield}, axis=1)[
        ["mkt_excess", "d_yield"] if control else ["d_yield"]]
    data = pd.concat([y.rename("y"), X], axis=1).dropna()
    return sm.OLS(data["y"], sm.add_constant(data[X.columns])).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}), data


def test_run_reads_the_deciles_factors_and_daily_yields(rates_publishers):
    r = rates_publishers
    res = rates.run()
    two, ten = res.verdicts
    # month-end levels are the planted ones, so the changes are their first differences
    d2 = pd.Series(np.diff(r["level"]["dgs2"]), index=MONTHS[1:])
    fit, data = _hand_fit(_sml(r["deciles"]["vw"]), r["factors"], d2, stats_lags(len(MONTHS) - 1))
    assert two.statistic == pytest.approx(fit.params["d_yield"], rel=1e-9) == pytest.approx(-2.0, abs=0.2)
    assert two.interval == pytest.approx(tuple(fit.conf_int().loc["d_yield"]), rel=1e-9)
    assert two.p_value == pytest.approx(fit.pvalues["d_yield"], rel=1e-6)
    assert (two.n, two.sample, two.label) == (549, "1980-02..2025-10", "supported")
    assert two.vintage == {"size_portfolios": "202510", "ff3_factors": "202510", "dgs2": "2025-10-31"}
    assert ten.vintage == {"size_portfolios": "202510", "ff3_factors": "202510", "dgs10": "2025-10-31"}
    assert ten.sample == "1990-02..2025-10" and ten.aspect == "10-year yield"
    d10 = pd.Series(np.diff(r["level"]["dgs10"]), index=MONTHS[1:]).loc["1990-02":]
    fit10, _ = _hand_fit(_sml(r["deciles"]["vw"]), r["factors"], d10, stats_lags(429))
    assert ten.statistic == pytest.approx(fit10.params["d_yield"], rel=1e-9)
    # small's own regression is on its excess return over the same month's RF
    small = r["deciles"]["vw"][DECILES[:3]].mean(axis=1) - r["factors"]["RF"]
    own, _ = _hand_fit(small, r["factors"], d2, 6)
    assert res.table.loc[("2-year", "small"), "yield_coef"] == pytest.approx(own.params["d_yield"], rel=1e-9)
    lo10 = r["deciles"]["vw"]["Lo 10"] - r["factors"]["RF"]
    dec, _ = _hand_fit(lo10, r["factors"], d2, 6)
    assert res.deciles.loc[("2-year", 1), "yield_coef"] == pytest.approx(dec.params["d_yield"], rel=1e-9)
    assert "month-end level of the daily constant-maturity yield" in two.method
    assert "60-month rolling" in two.method and res.rolling_summary.loc["2-year", "windows"] == 549 - 60 + 1


def stats_lags(n: int) -> int:
    """Newey-West's plug-in lag count floor(4 (T/100)^(2/9)), by hand."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


def test_run_equal_weighted_monthly_average_yield_without_deciles(rates_publishers):
    r = rates_publishers
    res = rates.run(weighting="ew", small=(1,), large=(10,), yields=("gs10",), decile_panel=False, maxlags=4,
                    window=36, control_market=False)
    (v,) = res.verdicts
    d = r["gs10"].diff().dropna()
    d.index = d.index + pd.offsets.MonthEnd(0)
    fit, data = _hand_fit(_sml(r["deciles"]["ew"], ["Lo 10"], ["Hi 10"]), r["factors"], d, 4, control=False)
    assert v.statistic == pytest.approx(fit.params["d_yield"], rel=1e-9)
    assert v.aspect == "10-year (monthly average) yield" and "monthly average yield" in v.method
    assert res.deciles.empty and v.vintage == {"size_portfolios": "202510", "ff3_factors": "202510",
                                               "gs10": "2025-10-31"}
    assert "the market and" not in v.method and "36-month rolling" in v.method
    with pytest.raises(ParameterError, match="unknown yield series"):
        rates.run(yields=())


@pytest.mark.parametrize("spec", [
    {"size": "deciles 1-3 vs 8-10", "weighting": "vw", "yield_series": "dgs2", "start": 1926, "hac_lags": "auto",
     "control_market": True, "window": 60},
    {"size": "decile 1 vs 10", "weighting": "ew", "yield_series": "dgs10", "start": 1987, "hac_lags": 12,
     "control_market": False, "window": 36},
])
def test_grid_estimate_against_statsmodels_and_rolling_ols(rates_publishers, spec):
    from statsmodels.regression.rolling import RollingOLS

    r = rates_publishers
    small, large = (DECILES[:3], DECILES[7:]) if spec["size"].startswith("deciles") else (["Lo 10"], ["Hi 10"])
    first = "1980-02" if spec["start"] == 1926 else "1990-02"
    d = pd.Series(np.diff(r["level"][spec["yield_series"]]), index=MONTHS[1:]).loc[first:]
    fit, data = _hand_fit(_sml(r["deciles"][spec["weighting"]], small, large), r["factors"], d,
                          12 if spec["hac_lags"] == 12 else stats_lags(len(d)), spec["control_market"])
    roll = RollingOLS(data["y"], sm.add_constant(data.drop(columns="y")), window=spec["window"]).fit(
        params_only=True).params["d_yield"].dropna()
    share = float((roll < 0).mean())
    row = rates.grid_estimate(**spec)
    assert row["estimate"] == pytest.approx(fit.params["d_yield"], rel=1e-9)
    assert (row["lower"], row["upper"]) == pytest.approx(tuple(fit.conf_int().loc["d_yield"]), rel=1e-9)
    assert row["p_value"] == pytest.approx(fit.pvalues["d_yield"], rel=1e-6)
    assert row["share_windows_negative"] == pytest.approx(share) and len(roll) == len(d) - spec["window"] + 1
    assert row["n"] == len(d) and row["sample"] == f"{first}..2025-10"
    want = rates.verdict_label(fit.params["d_yield"], fit.pvalues["d_yield"], share)
    assert row["label"] == want != "inconclusive"
    # the majority on both sides of the rolling share, and alpha at the p-value
    negative = fit.params["d_yield"] < 0
    at = share if negative else 1 - share
    assert rates.grid_estimate(**spec, majority=at)["label"] == "mixed"  # more than the majority is needed
    assert rates.grid_estimate(**spec, majority=at - 1e-9)["label"] == want
    assert rates.grid_estimate(**spec, alpha=row["p_value"])["label"] == "inconclusive"
    assert rates.grid_estimate(**spec, alpha=row["p_value"] * (1 + 1e-9))["label"] == want
    assert rates.grid_estimate(**spec, level=0.5)["upper"] - rates.grid_estimate(**spec, level=0.5)["lower"] == \
        pytest.approx(float(np.diff(fit.conf_int(alpha=0.5).loc["d_yield"])[0]), rel=1e-9)


def test_grid_estimate_refuses_a_window_as_long_as_the_sample(rates_publishers):
    base = {"size": "deciles 1-3 vs 8-10", "weighting": "vw", "yield_series": "dgs10", "hac_lags": "auto",
            "control_market": True}
    rates.grid_estimate(**base, start=1987, window=120)
    from research.data.sizes import clear_caches
    clear_caches()
    with pytest.raises(ParameterError, match="429 months is not more than the 429-month rolling window"):
        rates.grid_estimate(**base, start=1987, window=429)
    assert rates.grid_estimate(**base, start=1987, window=428)["label"] in LABELS


@pytest.mark.parametrize(("spec", "valid"), [
    ({"size": "deciles 1-3 vs 8-10", "weighting": "ew", "yield_series": "dgs2", "start": 1926}, True),
    ({"size": "SMB", "weighting": "ew", "yield_series": "dgs2", "start": 1926}, False),  # vw only
    ({"size": "Russell 2000 vs S&P 500", "weighting": "ew", "yield_series": "dgs2", "start": 1987}, False),
    ({"size": "Russell 2000 vs S&P 500", "weighting": "vw", "yield_series": "gs10", "start": 1987}, True),
    ({"size": "Russell 2000 vs S&P 500", "weighting": "vw", "yield_series": "gs10", "start": 1963}, False),
    ({"size": "SMB", "weighting": "vw", "yield_series": "dgs2", "start": 1926}, True),   # from 1976-06
    ({"size": "SMB", "weighting": "vw", "yield_series": "dgs2", "start": 1954}, False),  # the same sample
    ({"size": "SMB", "weighting": "vw", "yield_series": "dgs2", "start": 1987}, True),
    ({"size": "decile 1 vs 10", "weighting": "vw", "yield_series": "gs10", "start": 1954}, True),  # 1953-04 on
    ({"size": "decile 1 vs 10", "weighting": "vw", "yield_series": "gs10", "start": 1926}, True),
    ({"size": "decile 1 vs 10", "weighting": "vw", "yield_series": "gs2", "start": 1963}, False),  # 1985 on
])
def test_grid_valid_by_hand(spec, valid):
    assert rates.grid_valid({**spec, "hac_lags": "auto", "control_market": True, "window": 60}) is valid


def test_conclusion_and_rolling_summary_by_hand():
    returns, factors, changes = synthetic(small_coef=-1.0)  # p = 0.013; 23% of windows significantly < 0
    changes["dgs10"] = changes["dgs2"] * 0.5 + np.random.default_rng(3).normal(0, 0.1, len(changes))
    res = rates.test(returns, factors, changes, window=60, vintage={"dgs2": "a", "dgs10": "b", "ff3_factors": "c"})
    two, ten = res.verdicts
    assert two.vintage == {"dgs2": "a", "ff3_factors": "c"} and ten.vintage == {"dgs10": "b", "ff3_factors": "c"}
    text = res.conclusion().split("\n")
    assert text[0] == f"**2-year yield: {two.label}.** {two.note}" and text[1] == ""
    assert text[2] == (f"- Statistic: small-minus-large yield coefficient **{two.statistic:+.2f}** (% per month per "
                       "percentage-point rise in the yield, market held fixed)")
    lo, hi = two.interval
    assert text[3] == f"- Interval: 95% Newey-West [{lo:+.2f}, {hi:+.2f}], p = 0.013"
    assert text[4] == "- n = 240 months (1990-01..2009-12); vintage dgs2 a, ff3_factors c."
    assert text[6].startswith("**10-year yield: ") and len(text) == 12 and text[5] == text[11] == ""
    total = rates.test(returns, factors, changes[["dgs2"]], window=60, control_market=False).conclusion()
    assert "(% per month per percentage-point rise in the yield)\n" in total and "market held fixed" not in total
    assert replace(res, spec={}).conclusion() == res.conclusion()  # no spec: the claim's, market held fixed
    summary = res.rolling_summary
    assert summary.index.tolist() == ["2-year", "10-year"]
    roll = res.rolling.loc[res.rolling["yield"] == "2-year"]
    assert summary.loc["2-year", "windows"] == 181 == len(roll)
    assert summary.loc["2-year", "share_negative"] == pytest.approx((roll["coef"] < 0).mean())
    assert summary.loc["2-year", "share_significantly_negative"] == pytest.approx((roll["upper"] < 0).mean())
    assert summary.loc["2-year", "share_significantly_positive"] == pytest.approx((roll["lower"] > 0).mean())
    assert summary.loc["2-year", "median_coef"] == pytest.approx(roll["coef"].median())
    assert 0 < summary.loc["2-year", "share_significantly_negative"] < summary.loc["2-year", "share_negative"]
    assert two.note == (f"Small caps' 2-year yield coefficient is {abs(two.statistic):.2f} lower than large caps' "
                        f"(p = 0.013, n = 240 months), so in months when that yield rose small caps did worse than "
                        f"large caps; the difference is below zero in "
                        f"{summary.loc['2-year', 'share_negative']:.0%} of 181 rolling 60-month windows "
                        "(4 non-overlapping).")


def test_rule_text_states_the_rule_with_its_numbers():
    assert rates.rule_text(0.1, 0.6, 36) == (
        "supported if the small-minus-large yield coefficient is < 0 with HAC p < 0.1 over the full sample and "
        "< 0 in more than 60% of the 36-month rolling windows; contradicted if it is > 0 with p < 0.1 and > 0 "
        "in more than 60% of the windows; mixed if the full sample and the rolling windows disagree; "
        "inconclusive if p >= 0.1")


@pytest.mark.parametrize(("kwargs", "ok"), [
    ({"window": 24}, True), ({"window": 23}, False), ({"window": 60.0}, False), ({"window": np.int64(30)}, True),
    ({"maxlags": 0}, True), ({"maxlags": 1.5}, False), ({"level": 0.0}, False), ({"level": 1.0}, False),
    ({"alpha": 0.0}, False), ({"alpha": 1.0}, False), ({"alpha": 0.5}, True),
    ({"majority": 0.0}, True), ({"majority": 1.0}, False), ({"majority": -0.1}, False),
    ({"window": 239}, True), ({"window": 240}, False),  # 240 months: more than the window is needed
])
def test_parameter_boundaries(kwargs, ok):
    returns, factors, changes = synthetic()
    if ok:
        rates.test(returns, factors, changes, **kwargs)
    else:
        with pytest.raises(ParameterError):
            rates.test(returns, factors, changes, **kwargs)


def test_missing_columns_and_series_are_named():
    returns, factors, changes = synthetic()
    with pytest.raises(ParameterError, match=r"missing \['large'\]"):
        rates.test(returns.drop(columns="large"), factors, changes)
    with pytest.raises(ParameterError, match=r"^factors need French's 'Mkt-RF' and 'RF' columns \(ff3_factors, monthly\)$"):
        rates.test(returns, factors.drop(columns="RF"), changes)
    with pytest.raises(ParameterError, match="^no yield series given: pass at least one of dgs2, dgs10, gs10, gs2$"):
        rates.test(returns, factors, changes.iloc[:, :0])
    with pytest.raises(ParameterError, match="has 2 observations; need 3"):
        rates.monthly_yield_changes(pd.Series([1.0, np.nan, 2.0], index=pd.date_range("2020-01-31", periods=3,
                                                                                      freq="ME"), name="x"))
    three = rates.monthly_yield_changes(pd.Series([1.0, 1.5, 2.5], index=pd.date_range("2020-01-31", periods=3,
                                                                                       freq="ME"), name="x"))
    assert three.tolist() == [0.5, 1.0] and three.name == "x" and three.index.name == "date"


# -- every column of the tables, the interval level and HAC lags threaded through, defaults --------------

def test_tables_match_statsmodels_at_another_level_and_lag_count():
    """At level 0.9 and 3 HAC lags (the plug-in rule would pick 4 for 240 months) every number of
    the portfolio and decile tables is statsmodels' on the same regression; the rolling windows
    are the window's, not the default's."""
    returns, factors, changes = synthetic()
    deciles = pd.DataFrame({"Lo 10": returns["small"], **{c: returns["large"] for c in DECILES[1:]}})
    res = rates.test(returns, factors, changes, deciles, maxlags=3, level=0.9, window=36)
    X = sm.add_constant(pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]}))

    def fit(y):
        return sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})

    for p, y in (("small", returns["small"] - factors["RF"]), ("large", returns["large"] - factors["RF"]),
                 ("small_minus_large", returns["small_minus_large"])):
        row, direct = res.table.loc[("2-year", p)], fit(y)
        lo, hi = direct.conf_int(alpha=0.1).loc["d_yield"]
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lo, hi), rel=1e-10)
        assert row["p_value"] == pytest.approx(direct.pvalues["d_yield"], rel=1e-8)
        assert row["market_beta"] == pytest.approx(direct.params["mkt_excess"], rel=1e-10)
        assert row["alpha"] == pytest.approx(direct.params["const"], rel=1e-10)
        assert row["r2"] == pytest.approx(direct.rsquared, rel=1e-10)
        assert (row["hac_lags"], row["n_months"]) == (3, 240)
    assert 1.1 < res.table.loc[("2-year", "small"), "market_beta"] < 1.3  # the planted 1.2
    lo, hi = fit(returns["small_minus_large"]).conf_int(alpha=0.1).loc["d_yield"]
    v = res.verdicts[0]
    assert v.interval == pytest.approx((lo, hi), rel=1e-10) and v.interval_level == 0.9
    assert res.regressions["dgs2"].y_name == "small_minus_large"  # the summary's "OLS of ..."
    lo10 = fit(returns["small"] - factors["RF"])
    row = res.deciles.loc[("2-year", 1)]
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(tuple(lo10.conf_int(alpha=0.1).loc["d_yield"]),
                                                               rel=1e-10)
    assert row["p_value"] == pytest.approx(lo10.pvalues["d_yield"], rel=1e-8) and row["n_months"] == 240
    assert res.rolling_summary.loc["2-year", "windows"] == 240 - 36 + 1


def test_rolling_bands_are_hc0_intervals_at_the_level_asked():
    """Each window's band is statsmodels' HC0 interval at ``level`` (1.645 standard errors either side
    at 0.9, 1.96 at the default 0.95); the default window is 60 months; rows are on a 'date' index."""
    returns, factors, changes = synthetic()
    X = pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]})
    y = returns["small_minus_large"]
    last = sm.OLS(y.iloc[-60:], sm.add_constant(X.iloc[-60:])).fit(cov_type="HC0")
    for level, alpha in ((0.9, 0.1), (0.95, 0.05)):
        roll = rates.rolling_yield_coefficient(y, X, level=level)
        assert len(roll) == 240 - 60 + 1 and roll.index.name == "date" and roll.index[-1] == y.index[-1]
        lo, hi = last.conf_int(alpha=alpha).loc["d_yield"]
        assert (roll["lower"].iloc[-1], roll["upper"].iloc[-1]) == pytest.approx((lo, hi), rel=1e-6)
    assert roll["upper"].iloc[-1] - roll["coef"].iloc[-1] == pytest.approx(1.959964 * last.bse["d_yield"], rel=1e-6)


def test_a_yield_outside_the_catalog_is_named_by_its_column():
    returns, factors, changes = synthetic()
    (v,) = rates.test(returns, factors, changes.rename(columns={"dgs2": "my_yield"}), window=60).verdicts
    assert v.aspect == "my_yield yield"
    assert "the monthly change in the my_yield Treasury yield (as given)" in v.method
    assert v.method.endswith("Small/large: as given")  # no definition given


def test_rule_text_defaults_are_those_of_claims_md():
    text = rates.rule_text()
    assert "HAC p < 0.05 over" in text and "more than 50% of the 60-month rolling windows" in text


def test_sample_bounds_are_named_when_wrong():
    returns, factors, changes = synthetic()
    with pytest.raises(ParameterError, match="^start must be an ISO date"):
        rates.test(returns, factors, changes, start="someday")
    with pytest.raises(ParameterError, match="^end must be an ISO date"):
        rates.test(returns, factors, changes, end="someday")
    # the same month at both ends is no sample: refused as such, not as a too-short window
    with pytest.raises(ParameterError, match="start 2000-01-31 must come before end 2000-01-15"):
        rates.test(returns, factors, changes, start="2000-01-31", end="2000-01-15")
    with pytest.raises(ParameterError, match="widen start/end or shorten the window$"):
        rates.test(returns, factors, changes, start="2000-01-31", end="2000-02-29")


def test_grid_estimate_is_inconclusive_above_five_percent_by_default(monkeypatch):
    """The sweep calls grid_estimate without alpha: a specification with HAC p = 0.14 (statsmodels)
    must read inconclusive at the default 5%, and not at alpha 0.2. The data are the synthetic
    frame's, put in place of the aligned mirror sample."""
    from research.data.sizes import clear_caches

    returns, factors, changes = synthetic(small_coef=-0.5)
    y = returns["small_minus_large"]
    X = pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]})
    direct = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HAC", cov_kwds={"maxlags": 12, "use_correction": True})
    assert 0.1 < direct.pvalues["d_yield"] < 0.2 and direct.params["d_yield"] < 0
    monkeypatch.setattr(rates, "_grid_data", lambda *data: (y, X))
    spec = {"size": "synthetic", "weighting": "vw", "yield_series": "dgs2", "start": 1926, "hac_lags": 12,
            "control_market": True, "window": 60}
    clear_caches()
    try:
        row = rates.grid_estimate(**spec)
        assert row["p_value"] == pytest.approx(direct.pvalues["d_yield"], rel=1e-8)
        assert row["label"] == "inconclusive"
        assert rates.grid_estimate(**spec, alpha=0.2)["label"] in ("supported", "mixed")
    finally:
        clear_caches()


def test_run_passes_every_choice_to_the_test(rates_publishers):
    """Equal-weighted deciles 1-2 vs 9-10 (the planted +2, not vw's -2), 1995-2020, 2 HAC lags (the
    plug-in rule would give 5 for 312 months), level 0.9, alpha 0.2, 48-month windows: each choice
    reaches the numbers, against statsmodels."""
    r = rates_publishers
    res = rates.run(weighting="ew", small=(1, 2), large=(9, 10), yields=("dgs2",), start="1995-01-31",
                    end="2020-12-31", maxlags=2, window=48, level=0.9, alpha=0.2)
    (v,) = res.verdicts
    d2 = pd.Series(np.diff(r["level"]["dgs2"]), index=MONTHS[1:]).loc["1995-01":"2020-12"]
    fit, _ = _hand_fit(_sml(r["deciles"]["ew"], DECILES[:2], DECILES[8:]), r["factors"], d2, 2)
    assert v.statistic == pytest.approx(fit.params["d_yield"], rel=1e-9) == pytest.approx(2.0, abs=0.3)
    assert v.interval == pytest.approx(tuple(fit.conf_int(alpha=0.1).loc["d_yield"]), rel=1e-9)
    assert v.p_value == pytest.approx(fit.pvalues["d_yield"], rel=1e-6)
    assert (v.n, v.sample, v.interval_level) == (312, "1995-01..2020-12", 0.9)
    assert "HAC p < 0.2 over" in v.rule and "Newey-West HAC errors with 2 lags; 48-month rolling" in v.method
    assert v.method.endswith("Small/large: deciles: size deciles (1, 2) vs (9, 10), EW within decile")
    assert res.rolling_summary.loc["2-year", "windows"] == 312 - 48 + 1
    lo10, _ = _hand_fit(r["deciles"]["ew"]["Lo 10"] - r["factors"]["RF"], r["factors"], d2, 2)
    row = res.deciles.loc[("2-year", 1)]
    assert row["yield_coef"] == pytest.approx(lo10.params["d_yield"], rel=1e-9)
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(tuple(lo10.conf_int(alpha=0.1).loc["d_yield"]),
                                                               rel=1e-9)


def test_run_reads_the_definition_asked_and_the_decile_file_only_for_the_panel(rates_publishers, monkeypatch):
    """A definition whose returns do not come from the decile file (SMB's legs come from the 2x3
    portfolios) lists that file in the vintage only when the decile panel reads it. The SMB files
    are not among the synthetic publishers', so the deciles stand in for its returns."""
    from research.data import sizes

    asked, real = [], sizes.load_small_large

    def smb_like(definition, **kwargs):
        asked.append(definition)
        returns, note = real("deciles", **kwargs)
        returns.attrs["datasets"] = ["ff3_factors"]
        return returns, note

    monkeypatch.setattr(sizes, "load_small_large", smb_like)
    with_panel = rates.run("smb", yields=("dgs2",))
    without = rates.run("smb", yields=("dgs2",), decile_panel=False)
    assert asked == ["smb", "smb"]
    assert set(with_panel.verdicts[0].vintage) == {"ff3_factors", "size_portfolios", "dgs2"}
    assert set(without.verdicts[0].vintage) == {"ff3_factors", "dgs2"}


def test_alpha_majority_and_window_reach_the_verdict_and_its_text():
    """synthetic(-1.0): coefficient -1.35, HAC p = 0.013, below zero in 83% of 205 36-month windows
    (statsmodels' RollingOLS). Each threshold is crossed from both sides through test()."""
    from statsmodels.regression.rolling import RollingOLS

    returns, factors, changes = synthetic(small_coef=-1.0)
    X = pd.DataFrame({"mkt_excess": factors["Mkt-RF"], "d_yield": changes["dgs2"]})
    share = float((RollingOLS(returns["small_minus_large"], sm.add_constant(X), window=36).fit(
        params_only=True).params["d_yield"].dropna() < 0).mean())
    assert 0.8 < share < 0.85

    def label(**kwargs):
        return rates.test(returns, factors, changes, window=36, **kwargs).verdicts[0].label

    assert (label(), label(alpha=0.012), label(majority=share), label(majority=share - 1e-9)) == (
        "supported", "inconclusive", "mixed", "supported")
    res = rates.test(returns, factors, changes, window=36, alpha=0.1, majority=0.7, level=0.9, maxlags=2,
                     start="1985-03-15", end="2030-01-01", definition="deciles: by hand")
    assert res.spec == {"definition": "deciles: by hand", "yields": ["dgs2"], "start": "1985-03-15",
                        "end": "2030-01-01", "maxlags": 2, "window": 36, "control_market": True, "level": 0.9,
                        "alpha": 0.1, "majority": 0.7}
    v = res.verdicts[0]
    assert "HAC p < 0.1 over the full sample and < 0 in more than 70% of the 36-month rolling windows" in v.rule
    assert v.method.endswith("Small/large: deciles: by hand")
    # the rolling bands are at the verdict's level: the last window's is statsmodels' HC0 90% interval
    last = sm.OLS(returns["small_minus_large"].iloc[-36:], sm.add_constant(X.iloc[-36:])).fit(cov_type="HC0")
    band = res.rolling.iloc[-1][["lower", "upper"]].to_numpy(dtype=float)
    np.testing.assert_allclose(band, last.conf_int(alpha=0.1).loc["d_yield"].to_numpy(), rtol=1e-6)


def test_a_positive_difference_reads_higher_and_better():
    returns, factors, changes = synthetic(small_coef=1.0)  # fitted +0.65: between 0 and 1
    (v,) = rates.test(returns, factors, changes, window=60, control_market=False).verdicts
    assert 0 < v.statistic < 1
    assert v.note.startswith(f"Small caps' 2-year yield coefficient is {v.statistic:.2f} higher than large caps' (")
    assert "so in months when that yield rose small caps did better than large caps;" in v.note
    assert v.method.startswith("OLS of monthly excess returns on the monthly change in the 2-year")


def test_level_alpha_and_majority_errors_show_the_values():
    returns, factors, changes = synthetic()
    with pytest.raises(ParameterError, match=r"majority in \[0, 1\); got level=1.0, alpha=0.05, majority=0.5$"):
        rates.test(returns, factors, changes, level=1.0)
