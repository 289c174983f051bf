"""research.stats against statsmodels, arch, scipy and hand computations, plus fast coverage checks.

The coverage tests are the quick version of ``benchmarks/coverage.py``: a few hundred simulated
samples at one size per method with a fixed seed, so they are deterministic; the tolerance (6 pp)
is wide enough that a correct method passes whatever the seed and narrow enough that the
percentile bootstrap on a handful of events (about 80% at nominal 90%) fails it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from research import stats
from research.errors import ParameterError

MONTHS = pd.date_range("1990-01-31", periods=240, freq="ME")


def ar1(phi: float, n: int, rng: np.random.Generator) -> np.ndarray:
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -phi], rng.standard_normal(n + 100))[100:]


def bartlett_hac_var_of_mean(x: np.ndarray, lags: int) -> float:
    """Newey-West variance of a sample mean by hand, with statsmodels' n / (n - 1) correction."""
    n = len(x)
    u = x - x.mean()
    s = u @ u + 2 * sum((1 - j / (lags + 1)) * (u[j:] @ u[:-j]) for j in range(1, lags + 1))
    return s / n**2 * n / (n - 1)


# -- newey_west_lags ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 50, 99, 100, 101, 272, 273, 274, 450, 1200, 25_000])
def test_newey_west_lags_is_the_plug_in_formula(n):
    assert stats.newey_west_lags(n) == math.floor(4 * (n / 100) ** (2 / 9))


def test_newey_west_lags_known_values_and_step():
    assert stats.newey_west_lags(100) == 4  # 4 (100/100)^(2/9) = 4 exactly
    assert stats.newey_west_lags(99) == 3
    # 4 (n/100)^(2/9) reaches 5 at n = 100 (5/4)^4.5 = 273.0...
    step = 100 * (5 / 4) ** 4.5
    assert stats.newey_west_lags(math.floor(step)) == 4
    assert stats.newey_west_lags(math.ceil(step)) == 5
    assert stats.newey_west_lags(1200) == 6
    assert isinstance(stats.newey_west_lags(450), int)


# -- ols ------------------------------------------------------------------------------------------

def _regression_data(seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": ar1(0.5, 240, rng), "b": rng.standard_normal(240)}, index=MONTHS)
    y = (0.3 + 0.8 * x["a"] - 0.2 * x["b"] + ar1(0.4, 240, rng)).rename("y")
    return y, x


@pytest.mark.parametrize("level", [0.90, 0.95])
def test_ols_hac_matches_statsmodels(level):
    y, x = _regression_data()
    fit = stats.ols(y, x, level=level)
    ref = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    assert fit.maxlags == 4 == stats.newey_west_lags(240)
    assert list(fit.params.index) == ["const", "a", "b"]
    pd.testing.assert_series_equal(fit.params, ref.params)
    pd.testing.assert_series_equal(fit.bse, ref.bse)
    pd.testing.assert_series_equal(fit.pvalues, ref.pvalues)
    pd.testing.assert_series_equal(fit.tvalues, ref.tvalues)
    pd.testing.assert_frame_equal(fit.cov, ref.cov_params())
    ci = ref.conf_int(alpha=1 - level)
    np.testing.assert_allclose(fit.conf_int[["lower", "upper"]].to_numpy(), ci.to_numpy())
    # a normal-quantile interval: HAC inference in statsmodels is asymptotic
    z = sps.norm.ppf(0.5 + level / 2)
    np.testing.assert_allclose(fit.conf_int["upper"], ref.params + z * ref.bse)
    assert fit.cov_type == "HAC" and fit.level == level and fit.nobs == 240
    assert fit.rsquared == pytest.approx(ref.rsquared)
    assert fit.y_name == "y" and fit.sample == "1990-01..2009-12"


def test_ols_hac_standard_error_by_hand():
    """The slope's HAC variance from the Bartlett-weighted score autocovariances, by hand."""
    y, x = _regression_data(1)
    fit = stats.ols(y, x["a"], maxlags=3)
    X = np.column_stack([np.ones(240), x["a"]])
    beta = np.linalg.lstsq(X, y.to_numpy(), rcond=None)[0]
    g = X * (y.to_numpy() - X @ beta)[:, None]
    S = g.T @ g + sum((1 - j / 4) * (g[j:].T @ g[:-j] + g[:-j].T @ g[j:]) for j in (1, 2, 3))
    bread = np.linalg.inv(X.T @ X)
    cov = bread @ S @ bread * 240 / 238
    assert fit.maxlags == 3
    assert fit.bse["a"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-10)
    assert fit.params["a"] == pytest.approx(beta[1], rel=1e-12)


def test_ols_uniform_kernel_is_hansen_hodrick():
    y, x = _regression_data(2)
    fit = stats.ols(y, x["a"], maxlags=2, kernel="uniform", level=0.90)
    ref = sm.OLS(y, sm.add_constant(x["a"])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True, "kernel": "uniform"})
    pd.testing.assert_series_equal(fit.bse, ref.bse)
    X = np.column_stack([np.ones(240), x["a"]])
    g = X * ref.resid.to_numpy()[:, None]
    S = g.T @ g + sum(g[j:].T @ g[:-j] + g[:-j].T @ g[j:] for j in (1, 2))  # every lag weight 1
    bread = np.linalg.inv(X.T @ X)
    assert fit.bse["a"] == pytest.approx(math.sqrt((bread @ S @ bread)[1, 1] * 240 / 238), rel=1e-10)
    assert fit.kernel == "uniform" and stats.ols(y, x).kernel == "bartlett"
    assert ", 2 lags, uniform kernel, 1990-01" in str(fit)
    assert "2 lags, uniform kernel, sample" in fit._repr_html_()
    with pytest.raises(ParameterError, match="kernel must be 'bartlett' or 'uniform', got 'parzen'"):
        stats.ols(y, x, kernel="parzen")


def test_ols_classical_and_without_constant():
    y, x = _regression_data()
    fit = stats.ols(y, x, hac=False, level=0.90)
    ref = sm.OLS(y, sm.add_constant(x)).fit()
    pd.testing.assert_series_equal(fit.bse, ref.bse)
    np.testing.assert_allclose(fit.conf_int.to_numpy(), ref.conf_int(alpha=0.10).to_numpy())
    assert fit.cov_type == "nonrobust" and fit.maxlags is None
    bare = stats.ols(y, x, add_constant=False, maxlags=2)
    ref2 = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True})
    assert "const" not in bare.params.index
    pd.testing.assert_series_equal(bare.bse, ref2.bse)


def test_ols_drops_nan_rows_and_accepts_a_series():
    y, x = _regression_data()
    y = y.copy()
    y.iloc[[0, 5]] = np.nan
    xa = x["a"].copy()
    xa.iloc[10] = np.nan
    fit = stats.ols(y, xa)
    keep = y.notna() & xa.notna()
    ref = sm.OLS(y[keep], sm.add_constant(xa[keep])).fit(
        cov_type="HAC", cov_kwds={"maxlags": stats.newey_west_lags(237), "use_correction": True})
    assert fit.nobs == 237
    pd.testing.assert_series_equal(fit.params, ref.params)
    pd.testing.assert_series_equal(fit.bse, ref.bse)


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_ols_defaults_names_and_a_constant_already_there():
    y, x = _regression_data()
    fit = stats.ols(y.rename(None), x)
    assert fit.level == 0.95 and fit.y_name == "y"
    z = sps.norm.ppf(0.975)
    assert fit.conf_int.loc["a", "upper"] == pytest.approx(fit.params["a"] + z * fit.bse["a"])
    # the constant is added even when a regressor is constant, so `const` is always there
    with_one = stats.ols(y, x.assign(one=1.0), maxlags=2)
    assert list(with_one.params.index) == ["const", "a", "b", "one"]
    assert stats.hac_mean(y).level == 0.95


def test_ols_needs_regressors_plus_three_rows():
    y, x = _regression_data()
    with pytest.raises(ParameterError, match="needs more observations: 4 rows for 2 regressors"):
        stats.ols(y.iloc[:4], x.iloc[:4])
    assert stats.ols(y.iloc[:5], x.iloc[:5], maxlags=0).nobs == 5


def test_regression_table_text_and_html():
    y, x = _regression_data()
    fit = stats.ols(y, x, level=0.90)
    table = fit.table
    assert list(table.columns) == ["coef", "std_err", "t", "p_value", "ci_90%_lower", "ci_90%_upper"]
    pd.testing.assert_series_equal(table["coef"], fit.params, check_names=False)
    pd.testing.assert_series_equal(table["ci_90%_upper"], fit.conf_int["upper"], check_names=False)
    pd.testing.assert_series_equal(table["std_err"], fit.bse, check_names=False)
    pd.testing.assert_series_equal(table["t"], fit.tvalues, check_names=False)
    pd.testing.assert_series_equal(table["p_value"], fit.pvalues, check_names=False)
    text = str(fit)
    assert text.endswith(fit.table.round(4).to_string())
    assert text.startswith(f"OLS of y: n=240, R²={fit.rsquared:.3f}, HAC, 4 lags, 1990-01..2009-12\n")
    assert "ci_90%_lower" in text
    html = fit._repr_html_()
    assert f"OLS of y: n=240, R²={fit.rsquared:.3f}, HAC errors, 4 lags, sample 1990-01..2009-12" in html
    assert f">{fit.params['a']:.4f}<" in html and f">{fit.bse['b']:.4f}<" in html
    plain = stats.ols(y, x, hac=False)
    assert ", nonrobust, 1990-01" in str(plain) and "lags" not in str(plain)
    assert "kernel" not in str(fit) and "kernel" not in str(stats.ols(y, x, hac=False, kernel="uniform"))
    assert "nonrobust errors, sample" in plain._repr_html_()


# -- hac_mean -------------------------------------------------------------------------------------

@pytest.mark.parametrize("maxlags", [None, 0, 7])
def test_hac_mean_matches_statsmodels_and_hand(maxlags):
    rng = np.random.default_rng(3)
    x = pd.Series(ar1(0.3, 240, rng) + 0.2, index=MONTHS, name="sml")
    fit = stats.hac_mean(x, maxlags=maxlags, level=0.90)
    lags = 4 if maxlags is None else maxlags
    ref = sm.OLS(x.to_numpy(), np.ones(240)).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    assert fit.maxlags == lags
    assert fit.params["mean"] == pytest.approx(x.mean())
    assert fit.bse["mean"] == pytest.approx(ref.bse[0], rel=1e-12)
    assert fit.bse["mean"] == pytest.approx(math.sqrt(bartlett_hac_var_of_mean(x.to_numpy(), lags)), rel=1e-10)
    assert fit.pvalues["mean"] == pytest.approx(ref.pvalues[0])
    assert fit.tvalues["mean"] == pytest.approx(ref.tvalues[0])
    z = sps.norm.ppf(0.95)
    assert fit.conf_int.loc["mean", "lower"] == pytest.approx(x.mean() - z * fit.bse["mean"])
    assert fit.conf_int.loc["mean", "upper"] == pytest.approx(x.mean() + z * fit.bse["mean"])
    assert fit.cov.loc["mean", "mean"] == pytest.approx(fit.bse["mean"] ** 2)
    assert (fit.nobs, fit.rsquared, fit.cov_type, fit.level) == (240, 0.0, "HAC", 0.90)
    assert fit.y_name == "sml" and fit.sample == "1990-01..2009-12"


def test_hac_mean_drops_nan():
    x = pd.Series([1.0, np.nan, 2.0, 4.0, np.nan, 3.0, 5.0], name="x")
    fit = stats.hac_mean(x, maxlags=1)
    assert fit.nobs == 5 and fit.params["mean"] == pytest.approx(3.0)
    assert fit.bse["mean"] == pytest.approx(math.sqrt(bartlett_hac_var_of_mean(np.array([1.0, 2, 4, 3, 5]), 1)))
    assert fit.maxlags == 1


# -- the HAC meat by convolution and the event-dummy regression -------------------------------------

def test_kernel_weights_by_hand_and_bad_arguments():
    np.testing.assert_allclose(stats.kernel_weights(3), [1.0, 0.75, 0.5, 0.25])
    np.testing.assert_allclose(stats.kernel_weights(2, "uniform"), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(stats.kernel_weights(0), [1.0])
    with pytest.raises(ParameterError, match="kernel"):
        stats.kernel_weights(3, "parzen")
    with pytest.raises(ParameterError, match="at least 0"):
        stats.kernel_weights(-1)


@pytest.mark.parametrize(("n", "lags", "kernel"), [
    (200, 0, "bartlett"), (200, 12, "bartlett"), (200, 150, "bartlett"), (40, 39, "bartlett"),
    (40, 45, "bartlett"), (120, 20, "uniform"), (1, 5, "bartlett"),
])
def test_kernel_smooth_gives_statsmodels_hac_meat(n, lags, kernel):
    """x' W x is statsmodels' S_hac_simple (its lag loop), also with lags at or beyond the sample."""
    from statsmodels.stats.sandwich_covariance import (
        S_hac_simple,
        weights_bartlett,
        weights_uniform,
    )

    x = np.random.default_rng(n + lags).normal(size=(n, 3)) + [0.0, 1.0, -2.0]
    weights = weights_bartlett if kernel == "bartlett" else weights_uniform
    ref = S_hac_simple(x, nlags=lags, weights_func=weights)
    np.testing.assert_allclose(x.T @ stats.kernel_smooth(x, lags, kernel), ref, rtol=1e-10, atol=1e-10 * abs(ref).max())
    # one column alone, and the weight matrix written out
    w = stats.kernel_weights(lags, kernel)
    gaps = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    full = np.where(gaps <= lags, w[np.minimum(gaps, lags)], 0.0)
    np.testing.assert_allclose(stats.kernel_smooth(x[:, 1], lags, kernel), full @ x[:, 1], rtol=1e-12)
    if kernel == "bartlett":  # the default
        np.testing.assert_array_equal(stats.kernel_smooth(x, lags), stats.kernel_smooth(x, lags, "bartlett"))


@pytest.mark.parametrize(("n", "lags", "events", "kernel"), [
    (500, 5, 30, "bartlett"),  # short lags
    (500, 126, 12, "bartlett"),  # the long lags of overlapping 6-month windows, few events
    (300, 252, 40, "bartlett"),  # lags near n
    (60, 59, 4, "bartlett"),  # lags n - 1
    (60, 80, 3, "bartlett"),  # lags beyond the sample
    (30, 20, 28, "bartlett"),  # events on all but two days
    (400, 30, 25, "uniform"),
    (2500, 252, 2, "bartlett"),  # two events, the fewest the event study regresses on
    (200, 10, 1, "bartlett"),  # one event: a coefficient and a standard error all the same
])
def test_event_dummy_hac_matches_statsmodels(n, lags, events, kernel):
    rng = np.random.default_rng(n + events)
    pos = np.sort(rng.choice(n, events, replace=False))
    d = np.zeros(n)
    d[pos] = 1.0
    # overlapping sums (autocorrelated like forward returns), a mean far from zero, an event effect
    y = np.convolve(rng.normal(size=n + 20), np.ones(21), "valid") + 8.0 + 3.0 * d
    ref = sm.OLS(y, sm.add_constant(d)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True, "kernel": kernel})
    b, se = stats.event_dummy_hac(stats.event_sample(y, lags, kernel), pos)
    assert b == pytest.approx(ref.params[1], rel=1e-10)
    assert b == pytest.approx(y[pos].mean() - np.delete(y, pos).mean(), rel=1e-10)
    assert se == pytest.approx(ref.bse[1], rel=1e-10)


def test_event_sample_serves_many_event_sets():
    """One prepared sample, several event sets: each as if prepared alone, and as statsmodels."""
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.normal(size=800))[::-1].copy()  # strongly persistent
    sample = stats.event_sample(y, 60)
    for k in (2, 9, 70):
        pos = np.sort(rng.choice(800, k, replace=False))
        d = np.zeros(800)
        d[pos] = 1.0
        ref = sm.OLS(y, sm.add_constant(d)).fit(cov_type="HAC", cov_kwds={"maxlags": 60, "use_correction": True})
        assert stats.event_dummy_hac(sample, pos) == pytest.approx((ref.params[1], ref.bse[1]), rel=1e-10)


def test_event_sample_keeps_a_series_far_from_zero_accurate():
    """A mean a million times the noise: the sums work on the centred series, else the quadratic
    forms cancel and lose digits (adding the mean instead costs about 1e-4 here)."""
    rng = np.random.default_rng(3)
    n = 500
    pos = np.sort(rng.choice(n, 12, replace=False))
    d = np.zeros(n)
    d[pos] = 1.0
    y = np.convolve(rng.normal(size=n + 20), np.ones(21), "valid") + 1e6 + 3.0 * d
    ref = sm.OLS(y, sm.add_constant(d)).fit(cov_type="HAC", cov_kwds={"maxlags": 126, "use_correction": True})
    b, se = stats.event_dummy_hac(stats.event_sample(y, 126), pos)
    assert (b, se) == pytest.approx((ref.params[1], ref.bse[1]), rel=1e-8)


def test_event_dummy_hac_exact_fit_and_a_negative_uniform_variance():
    # y = 3 d exactly: no residual, a zero standard error (as statsmodels), not NaN
    y = np.array([0.0, 3.0, 0.0, 0.0, 3.0, 0.0])
    ref = sm.OLS(y, sm.add_constant(y / 3)).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    assert ref.bse[1] == pytest.approx(0.0, abs=1e-12)
    assert stats.event_dummy_hac(stats.event_sample(y, 3), np.array([1, 4])) == (3.0, 0.0)
    # uniform weights on an alternating series: statsmodels' variance is negative, the error NaN
    rng = np.random.default_rng(6)
    y = np.where(np.arange(40) % 2 == 0, 1.0, -1.0) + 0.1 * rng.normal(size=40)
    pos = np.sort(rng.choice(40, 3, replace=False))
    d = np.zeros(40)
    d[pos] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels' sqrt of the negative variance
        ref = sm.OLS(y, sm.add_constant(d)).fit(
            cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": True, "kernel": "uniform"})
    assert ref.cov_params()[1, 1] < 0
    b, se = stats.event_dummy_hac(stats.event_sample(y, 5, "uniform"), pos)
    assert b == pytest.approx(ref.params[1], rel=1e-10) and math.isnan(se)


def test_event_dummy_hac_rejects_bad_events_and_samples():
    sample = stats.event_sample(np.arange(10.0), 3)
    for bad in ([], [1, 1, 2], [0, 9, 10], [-1, 2], list(range(9))):
        with pytest.raises(ParameterError, match=rf"distinct event positions in 0\.\.9, got {len(bad)} \(n=10\)"):
            stats.event_dummy_hac(sample, np.array(bad, dtype=int))
    # positions given as floats (say, read from a file) are positions all the same
    assert stats.event_dummy_hac(sample, np.array([2.0, 5.0])) == stats.event_dummy_hac(sample, np.array([2, 5]))
    assert stats.event_dummy_hac(sample, np.array(range(8)))[0] == pytest.approx(3.5 - 8.5)  # n - 2 events: allowed
    with pytest.raises(ParameterError, match="without NaN"):
        stats.event_sample(np.array([1.0, np.nan, 2.0]), 1)


# -- shift_placebo ---------------------------------------------------------------------------------

def test_shift_placebo_worked_by_hand():
    # events on days 0 and 1 of y = 1, 2, 3, 4, 10 (mean 4); moved on by k = 0..4 they average
    # 1.5, 2.5, 3.5, 7 and 5.5: placebo excesses -2.5, -1.5, -0.5, 3, 1.5 (mean 0). At 50% the
    # quartiles of the sorted -2.5, -1.5, -0.5, 1.5, 3 are -1.5 and 1.5: [-2.5 - 1.5, -2.5 + 1.5].
    # p: twice the 1 of 5 at or below -2.5
    got = stats.shift_placebo(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), np.array([0, 1]), level=0.5)
    assert (got.excess, got.lower, got.upper, got.p_value, got.shifts) == pytest.approx((-2.5, -4.0, -1.0, 0.4, 5))
    # the other tail, and the cap at 1: events on the middle day, the median of the shifts
    up = stats.shift_placebo(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), np.array([3, 4]), level=0.5)
    assert (up.excess, up.p_value) == pytest.approx((3.0, 0.4))
    assert stats.shift_placebo(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2]), level=0.5).p_value == 1.0


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95])
def test_shift_placebo_is_every_shift_by_hand(level):
    rng = np.random.default_rng(11)
    y = np.convolve(rng.normal(0.1, 1.0, 830), np.ones(30), "valid")  # overlapping 30-day sums
    pos = np.array([5, 9, 40, 41, 300, 640, 700, 790])  # bunched, and near both ends
    shifted = np.array([np.roll(y, -k)[pos].mean() for k in range(len(y))]) - y.mean()
    assert shifted.mean() == pytest.approx(0.0, abs=1e-12)  # every day counts once per event
    lo, hi = np.quantile(shifted, [(1 - level) / 2, (1 + level) / 2])
    p = 2 * min((shifted >= shifted[0]).mean(), (shifted <= shifted[0]).mean())
    sample = stats.shift_sample(y)
    for given in (y, sample):  # a prepared sample gives the same numbers
        got = stats.shift_placebo(given, pos, level)
        assert got.excess == pytest.approx(y[pos].mean() - y.mean(), rel=1e-12)
        assert (got.lower, got.upper) == pytest.approx((shifted[0] - hi, shifted[0] - lo), rel=1e-9)
        assert got.p_value == pytest.approx(min(1.0, p)) and got.shifts == len(y) == 801


def test_shift_placebo_studentized_worked_by_hand():
    # y = 1, 2, 3, 4, 10, events on days 3 and 4, local volatility 1, 1, 1, 1, 3 (variances 1, 1,
    # 1, 1, 9; the floor, 1% of the median 1, does not bind). Shifts k = 0..4: excesses 3, 1.5,
    # -2.5, -1.5, -0.5 (test_shift_placebo_worked_by_hand); root mean variances at their days
    # sqrt(5), sqrt(5), 1, 1, 1; ratios 3/sqrt(5) = 1.342, 0.671, -2.5, -1.5, -0.5. At 50% the
    # quartiles of the sorted ratios -2.5, -1.5, -0.5, 0.671, 1.342 are -1.5 and 0.671, times the
    # events' own sqrt(5): [3 - 0.671 sqrt(5), 3 + 1.5 sqrt(5)] = [1.5, 6.354]; p = 2 x 1/5
    y, scale = np.array([1.0, 2.0, 3.0, 4.0, 10.0]), np.array([1.0, 1.0, 1.0, 1.0, 3.0])
    got = stats.shift_placebo(stats.shift_sample(y, scale), np.array([3, 4]), level=0.5)
    assert (got.excess, got.lower, got.upper) == pytest.approx((3.0, 1.5, 3 + 1.5 * math.sqrt(5)))
    assert got.p_value == pytest.approx(0.4) and got.studentized
    assert not stats.shift_placebo(y, np.array([3, 4])).studentized
    # one event on day 4 (volatility 3): shifts k = 0..4 put it on days 4, 0, 1, 2, 3, excesses 6,
    # -3, -2, -1, 0 over roots 3, 1, 1, 1, 1; ratios 2, -3, -2, -1, 0, quartiles -2 and 0:
    # [6 - 0 x 3, 6 + 2 x 3]; each shift keeps its own scale (shift 1's is 1, not the events' 3)
    one = stats.shift_placebo(stats.shift_sample(y, scale), np.array([4]), level=0.5)
    assert (one.excess, one.lower, one.upper, one.p_value) == pytest.approx((6.0, 6.0, 12.0, 0.4))
    # a constant scale changes nothing
    flat = stats.shift_placebo(stats.shift_sample(y, np.full(5, 7.0)), np.array([3, 4]), level=0.5)
    plain = stats.shift_placebo(y, np.array([3, 4]), level=0.5)
    assert (flat.lower, flat.upper, flat.p_value) == pytest.approx((plain.lower, plain.upper, plain.p_value))


def test_shift_sample_floors_a_zero_volatility():
    # a flat stretch (zero volatility) is floored at 1% of the median variance: 0.01 x 4
    sample = stats.shift_sample(np.arange(5.0), np.array([0.0, 2.0, 2.0, 2.0, 3.0]))
    assert sample.variance.tolist() == pytest.approx([0.04, 4.0, 4.0, 4.0, 9.0])
    # mostly flat: the smallest positive variance
    assert stats.shift_sample(np.arange(4.0), np.array([0.0, 0.0, 0.0, 0.5])).variance.tolist() == pytest.approx(
        [0.25, 0.25, 0.25, 0.25])
    # all flat: every day weighs the same (variance 1), which is the unscaled placebo
    flat = stats.shift_sample(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), np.zeros(5))
    assert flat.variance.tolist() == [1.0] * 5
    plain = stats.shift_placebo(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), np.array([3, 4]), level=0.5)
    got = stats.shift_placebo(flat, np.array([3, 4]), level=0.5)
    assert (got.lower, got.upper, got.p_value) == pytest.approx((plain.lower, plain.upper, plain.p_value))


def test_shift_placebo_studentized_is_every_shift_by_hand():
    rng = np.random.default_rng(12)
    y = np.convolve(rng.normal(0.0, 1.0, 530), np.ones(30), "valid")
    scale = rng.uniform(0.05, 0.6, len(y))  # variances well under 1, each day its own
    pos = np.array([3, 8, 100, 101, 350, 480])
    n = len(y)
    var = np.maximum(scale ** 2, 0.01 * np.median(scale ** 2))
    excess = np.array([y[(pos + k) % n].mean() for k in range(n)]) - y.mean()
    root = np.array([math.sqrt(var[(pos + k) % n].mean()) for k in range(n)])
    ratio = excess / root
    lo, hi = np.quantile(ratio, [0.05, 0.95])
    got = stats.shift_placebo(stats.shift_sample(y, scale), pos, 0.90)
    assert (got.lower, got.upper) == pytest.approx((excess[0] - hi * root[0], excess[0] - lo * root[0]), rel=1e-9)
    assert got.p_value == pytest.approx(2 * min((ratio >= ratio[0]).mean(), (ratio <= ratio[0]).mean()))


def test_shift_placebo_rejects_bad_events_samples_and_levels():
    y = np.arange(10.0)
    for bad in ([], [1, 1, 2], [0, 10], [-1, 2]):
        with pytest.raises(ParameterError, match=r"(distinct positions in 0\.\.9|non-empty 1-d array)"):
            stats.shift_placebo(y, np.array(bad, dtype=int))
    with pytest.raises(ParameterError, match="integer positions, got float64"):
        stats.shift_placebo(y, np.array([2.0, 5.0]))
    for level in (0.0, 1.0):
        with pytest.raises(ParameterError, match="level must be in"):
            stats.shift_placebo(y, np.array([2]), level)
    for bad_y in (np.array([1.0, np.nan]), np.ones((2, 2)), np.array([])):
        with pytest.raises(ParameterError, match="non-empty 1-d series without NaN"):
            stats.shift_sample(bad_y)
    for bad_scale in (np.ones(9), np.r_[np.ones(9), np.nan], np.r_[np.ones(9), -1.0]):
        with pytest.raises(ParameterError, match="scale of 10 finite, non-negative values"):
            stats.shift_sample(y, bad_scale)


# -- sample_text ----------------------------------------------------------------------------------

def test_sample_text():
    assert stats.sample_text(pd.Index([])) == "empty"
    assert stats.sample_text(MONTHS) == "1990-01..2009-12"
    days = pd.bdate_range("2020-01-02", periods=30)
    assert stats.sample_text(days) == "2020-01-02..2020-02-12"
    # two monthly dates are too few to call the spacing monthly
    assert stats.sample_text(MONTHS[:2]) == "1990-01-31..1990-02-28"
    assert stats.sample_text(MONTHS[:3]) == "1990-01..1990-03"
    assert stats.sample_text(pd.Index([3, 7])) == "1970-01-01..1970-01-01"
    # spacing of exactly 25 days is not monthly; 26 is
    assert stats.sample_text(pd.date_range("2000-01-01", periods=4, freq="25D")) == "2000-01-01..2000-03-16"
    assert stats.sample_text(pd.date_range("2000-01-01", periods=4, freq="26D")) == "2000-01..2000-03"


# -- bootstrap ------------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_optimal_block_matches_arch():
    from arch.bootstrap import optimal_block_length

    rng = np.random.default_rng(4)
    x = ar1(0.6, 300, rng)
    expected = float(optimal_block_length(x)["stationary"].iloc[0])
    assert expected > 1.5
    assert stats.optimal_block(x) == pytest.approx(expected)
    # fewer than 10 observations: no estimate, one observation per block
    assert stats.optimal_block(x[:9]) == 1.0
    ten = x[:10]
    assert stats.optimal_block(ten) == pytest.approx(max(1.0, float(optimal_block_length(ten)["stationary"].iloc[0])))


def test_optimal_block_floors_at_one_and_handles_nan(monkeypatch):
    import arch.bootstrap

    for value, expected in [(0.4, 1.0), (1.0, 1.0), (1.7, 1.7), (np.nan, 1.0), (np.inf, 1.0)]:
        monkeypatch.setattr(arch.bootstrap, "optimal_block_length",
                            lambda x, v=value: pd.DataFrame({"stationary": [v], "circular": [v]}))
        assert stats.optimal_block(np.arange(20.0)) == expected


def test_stationary_bootstrap_indices_structure():
    rng = np.random.default_rng(5)
    n, reps = 50, 4000
    idx = stats.stationary_bootstrap_indices(n, reps, 5.0, rng)
    assert idx.shape == (reps, n) and idx.min() >= 0 and idx.max() == n - 1
    # within a block the index steps by one, wrapping at the end; a new block starts elsewhere
    cont = (idx[:, 1:] - idx[:, :-1]) % n == 1
    # each position continues the block with probability 1 - 1/5 (a fresh start lands on +1 with prob 1/n)
    assert cont.mean() == pytest.approx(0.8 + 0.2 / n, abs=0.01)
    assert np.any(idx[:, 1:] < idx[:, :-1])  # wrap-around or new block
    # the first position of every row is uniform over 0..n-1
    assert np.bincount(idx[:, 0], minlength=n).min() > 40


@pytest.mark.parametrize("block", [1.0, 0.5])
def test_stationary_bootstrap_indices_block_one_is_iid(block):
    rng = np.random.default_rng(6)
    idx = stats.stationary_bootstrap_indices(40, 3000, block, rng)
    cont = (idx[:, 1:] - idx[:, :-1]) % 40 == 1
    assert cont.mean() == pytest.approx(1 / 40, abs=0.005)  # continuation only by chance


def test_stationary_bootstrap_indices_long_block_wraps():
    rng = np.random.default_rng(7)
    idx = stats.stationary_bootstrap_indices(10, 200, 1e9, rng)
    np.testing.assert_array_equal(idx, (idx[:, :1] + np.arange(10)) % 10)


def test_stationary_bootstrap_variance_matches_arch():
    """Same block length, same scheme: the bootstrap variance of the mean agrees with arch's."""
    from arch.bootstrap import StationaryBootstrap

    rng = np.random.default_rng(8)
    x = ar1(0.5, 200, rng)
    ours = x[stats.stationary_bootstrap_indices(200, 4000, 8.0, np.random.default_rng(9))].mean(axis=1)
    bs = StationaryBootstrap(8.0, x, seed=10)
    theirs = np.array([data[0][0].mean() for data in bs.bootstrap(4000)])
    assert ours.var() == pytest.approx(theirs.var(), rel=0.1)
    assert ours.mean() == pytest.approx(x.mean(), abs=0.05)


def test_stationary_bootstrap_interval_is_the_percentiles_of_its_draws():
    x = np.random.default_rng(11).normal(0.3, 1.0, 60)
    ci = stats.stationary_bootstrap(pd.Series(x), reps=3000, level=0.80, block=3.0, seed=12)
    draws = x[stats.stationary_bootstrap_indices(60, 3000, 3.0, np.random.default_rng(12))].mean(axis=1)
    lo, hi = np.quantile(draws, [0.10, 0.90])
    assert (ci.lower, ci.upper) == pytest.approx((lo, hi), abs=1e-12)
    assert ci.estimate == pytest.approx(x.mean())
    assert (ci.level, ci.reps, ci.block_length, ci.n) == (0.80, 3000, 3.0, 60)
    assert ci.interval == (ci.lower, ci.upper)
    # a generator is used as given
    g = np.random.default_rng(12)
    assert stats.stationary_bootstrap(x, reps=3000, level=0.80, block=3.0, seed=g).lower == ci.lower


def test_stationary_bootstrap_defaults_and_custom_stat():
    x = pd.Series(np.random.default_rng(13).normal(size=80))
    x.iloc[3] = np.nan
    ci = stats.stationary_bootstrap(x)
    arr = x.dropna().to_numpy()
    assert (ci.level, ci.reps, ci.n) == (0.90, 10_000, 79)
    assert ci.block_length == stats.optimal_block(arr)
    again = stats.stationary_bootstrap(arr, seed=0)
    assert (again.lower, again.upper) == (ci.lower, ci.upper)
    med = stats.stationary_bootstrap(arr, lambda m: np.median(m, axis=1), reps=500, block=1.0)
    assert med.estimate == pytest.approx(np.median(arr))
    draws = np.median(arr[stats.stationary_bootstrap_indices(79, 500, 1.0, np.random.default_rng(0))], axis=1)
    assert med.lower == pytest.approx(np.quantile(draws, 0.05))


def test_stationary_bootstrap_chunks_long_series_identically():
    """Long series are resampled in chunks of at most 2 million indices: the draws are those of
    successive calls to the index generator with the same stream."""
    n, reps = 2500, 1000  # chunk = 800 draws
    x = np.random.default_rng(14).normal(size=n)
    ci = stats.stationary_bootstrap(x, reps=reps, level=0.5, block=2.0, seed=15)
    rng = np.random.default_rng(15)
    a = x[stats.stationary_bootstrap_indices(n, 800, 2.0, rng)].mean(axis=1)
    b = x[stats.stationary_bootstrap_indices(n, 200, 2.0, rng)].mean(axis=1)
    lo, hi = np.quantile(np.concatenate([a, b]), [0.25, 0.75])
    assert (ci.lower, ci.upper) == pytest.approx((lo, hi), abs=1e-12)


def test_stationary_bootstrap_needs_two_observations():
    with pytest.raises(ParameterError, match="at least 2 observations, got 1"):
        stats.stationary_bootstrap(pd.Series([1.0, np.nan]))
    assert stats.stationary_bootstrap([1.0, 3.0], reps=200).n == 2


def test_bootstrap_ci_excludes_zero_and_text():
    make = lambda lo, hi: stats.BootstrapCI(0.5, lo, hi, 0.9, 100, 2.0, 30)  # noqa: E731
    assert make(0.1, 1.0).excludes_zero() and make(-1.0, -0.1).excludes_zero()
    assert not make(0.0, 1.0).excludes_zero() and not make(-1.0, 0.0).excludes_zero()
    assert not make(-0.1, 0.1).excludes_zero()
    assert str(make(0.1, 1.0)) == ("0.500 [0.100, 1.000] (90% stationary bootstrap, 100 draws, "
                                   "mean block 2.0, n=30)")


def test_percentile_bootstrap_is_the_claims_interval_and_its_p_value():
    x = np.random.default_rng(16).normal(0.4, 1.0, 12)
    lower, upper, p = stats.percentile_bootstrap(x, reps=2000, level=0.80, seed=3)
    ci = stats.stationary_bootstrap(x, reps=2000, level=0.80, seed=3)
    assert (lower, upper) == (ci.lower, ci.upper)
    block = stats.optimal_block(x)
    draws = x[stats.stationary_bootstrap_indices(12, 2000, block, np.random.default_rng(3))].mean(axis=1)
    assert p == pytest.approx(2 * min(np.mean(draws <= 0), np.mean(draws >= 0)))
    assert 0 < p < 1
    assert (p < 0.20) == (lower > 0 or upper < 0)
    wider = stats.percentile_bootstrap(x, reps=2000, level=0.95, seed=3)
    assert wider[0] < lower and wider[1] > upper and wider[2] == p
    # the default seed is 0
    assert stats.percentile_bootstrap(x, reps=2000, level=0.90) == stats.percentile_bootstrap(
        x, reps=2000, level=0.90, seed=0)


def test_percentile_bootstrap_p_value_counts_ties_and_caps_at_one():
    lower, upper, p = stats.percentile_bootstrap(np.zeros(5), reps=300, level=0.9)
    assert (lower, upper, p) == (0.0, 0.0, 1.0)  # every draw is 0: both tails hold them all
    _, _, p_pos = stats.percentile_bootstrap(np.array([1.0, 2.0, 3.0, 4.0]), reps=300, level=0.9)
    assert p_pos == 0.0
    half = np.array([-1.0, 1.0])  # draws -1, 0, 1 with probability 1/4, 1/2, 1/4 under block 1
    _, _, p_half = stats.percentile_bootstrap(half, reps=4000, level=0.9)
    assert p_half == 1.0


def test_percentile_bootstrap_silences_arch_block_length_warnings():
    """A constant series makes arch's block-length estimate divide by zero (a RuntimeWarning
    from arch); the claims' call must stay quiet, and an unfiltered call does warn."""
    with pytest.warns(RuntimeWarning):
        stats.optimal_block(np.zeros(12))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stats.percentile_bootstrap(np.zeros(12), reps=200, level=0.9) == (0.0, 0.0, 1.0)


# -- mean_interval ------------------------------------------------------------------------------

@pytest.mark.parametrize("level", [0.90, 0.95])
def test_mean_interval_matches_scipy(level):
    x = np.array([3.1, -1.2, 4.4, 0.7, 2.2, 5.0])
    ci = stats.mean_interval(pd.Series(x), level=level)
    ref = sps.ttest_1samp(x, 0.0)
    lo, hi = ref.confidence_interval(confidence_level=level)
    assert (ci.lower, ci.upper) == pytest.approx((lo, hi), rel=1e-12)
    assert ci.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert ci.estimate == pytest.approx(x.mean())
    assert (ci.level, ci.n, ci.method) == (level, 6, "Student t")
    assert ci.interval == (ci.lower, ci.upper)
    assert str(ci) == (f"{x.mean():.3f} [{lo:.3f}, {hi:.3f}] ({level:.0%} Student t interval, n=6)")


def test_mean_interval_p_value_is_dual_to_the_interval():
    x = np.array([0.5, 1.5, -0.2, 0.9, 0.1])
    for level in (0.5, 0.8, 0.9, 0.95, 0.99):
        ci = stats.mean_interval(x, level=level)
        assert ci.excludes_zero() == (ci.p_value < 1 - level)
    negative = stats.mean_interval(-x - 1, level=0.9)
    assert negative.upper < 0 and negative.excludes_zero()
    assert stats.mean_interval(x, level=0.9).p_value == stats.mean_interval(-x, level=0.9).p_value


def test_mean_interval_default_level_drops_nan_and_constant_data():
    ci = stats.mean_interval([1.0, np.nan, 2.0, 3.0])
    assert ci.level == 0.90 and ci.n == 3
    assert ci.upper - ci.estimate == pytest.approx(sps.t.ppf(0.95, 2) * 1 / math.sqrt(3))
    flat = stats.mean_interval([2.0, 2.0, 2.0])
    assert (flat.lower, flat.upper, flat.p_value) == (2.0, 2.0, 0.0)
    zero = stats.mean_interval([0.0, 0.0])
    assert zero.p_value == 1.0 and not zero.excludes_zero()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"method": "bootstrap"}, "method must be 't', got 'bootstrap'"),
    ({"level": 0.0}, "level must lie in"), ({"level": 1.0}, "level must lie in"),
    ({"level": 90}, "got 90"),
])
def test_mean_interval_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        stats.mean_interval([1.0, 2.0, 3.0], **kwargs)


def test_mean_interval_needs_two_observations():
    with pytest.raises(ParameterError, match="at least 2 observations, got 1"):
        stats.mean_interval([1.0, np.nan])
    assert stats.mean_interval([1.0, 2.0], level=0.01).n == 2
    assert stats.mean_interval([1.0, 2.0], level=0.99).n == 2


# -- returns --------------------------------------------------------------------------------------

def test_compound_and_growth_index():
    assert stats.compound([10.0, -10.0]) == pytest.approx(-1.0)
    assert stats.compound(pd.Series([5.0, 5.0, 5.0])) == pytest.approx((1.05**3 - 1) * 100)
    assert stats.compound([]) == 0.0
    g = stats.growth_index(pd.Series([10.0, -50.0, 100.0]))
    np.testing.assert_allclose(g, [110.0, 55.0, 110.0])
    frame = stats.growth_index(pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, -100.0]}))
    np.testing.assert_allclose(frame.to_numpy(), [[101.0, 100.0], [101.0 * 1.02, 0.0]])


def test_forward_and_trailing_compound():
    r = pd.Series([1.0, 2.0, -3.0, 4.0, 5.0], index=MONTHS[:5], name="r")
    fwd = stats.forward_compound(r, 2)
    assert fwd.name == "fwd_2"
    assert fwd.iloc[0] == pytest.approx(stats.compound([2.0, -3.0]))
    assert fwd.iloc[2] == pytest.approx(stats.compound([4.0, 5.0]))
    assert fwd.iloc[3:].isna().all()
    trail = stats.trailing_compound(r, 3)
    assert trail.name == "trail_3"
    assert trail.iloc[:2].isna().all()
    assert trail.iloc[2] == pytest.approx(stats.compound([1.0, 2.0, -3.0]))
    assert trail.iloc[4] == pytest.approx(stats.compound([-3.0, 4.0, 5.0]))
    np.testing.assert_allclose(stats.trailing_compound(r, 1), r)
    pd.testing.assert_index_equal(fwd.index, r.index)


def test_percentile_rank_counts_ties_and_ignores_nan():
    h = pd.Series([1.0, 2.0, 2.0, 3.0, np.nan])
    assert stats.percentile_rank(h, 2.0) == 0.75
    assert stats.percentile_rank(h, 1.999) == 0.25
    assert stats.percentile_rank(h, 0.5) == 0.0
    assert stats.percentile_rank(h, 3.0) == 1.0
    assert math.isnan(stats.percentile_rank(pd.Series([np.nan]), 1.0))
    assert stats.percentile_rank([5.0], 5.0) == 1.0


# -- coverage, fast ---------------------------------------------------------------------------------
# benchmarks/coverage.py runs the full simulation at every claim's sizes (docs/methods.md).

def _coverage(one, reps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(np.mean([one(rng) for _ in range(reps)]))


def test_coverage_t_interval_on_six_events():
    def one(rng):
        ci = stats.mean_interval(rng.standard_normal(6), level=0.90)
        return ci.lower <= 0 <= ci.upper
    assert _coverage(one, 600, 1) == pytest.approx(0.90, abs=0.06)


def test_coverage_percentile_bootstrap_on_six_events_falls_short():
    """Why C1 must not use it: nominal 90%, about 80% on six normal events."""
    def one(rng):
        ci = stats.stationary_bootstrap(rng.standard_normal(6), reps=500, level=0.90, seed=rng)
        return ci.lower <= 0 <= ci.upper
    assert _coverage(one, 300, 2) < 0.86


def test_coverage_stationary_bootstrap_on_a_century_of_years():
    def one(rng):
        ci = stats.stationary_bootstrap(rng.standard_normal(98), reps=500, level=0.90, seed=rng)
        return ci.lower <= 0 <= ci.upper
    assert _coverage(one, 300, 3) == pytest.approx(0.90, abs=0.06)


def test_coverage_hac_mean():
    def one(rng):
        lo, hi = stats.hac_mean(pd.Series(ar1(0.2, 400, rng)), level=0.95).conf_int.loc["mean"]
        return lo <= 0 <= hi
    assert _coverage(one, 300, 4) == pytest.approx(0.95, abs=0.06)


def test_coverage_hac_slope():
    def one(rng):
        x = ar1(0.3, 450, rng)
        lo, hi = stats.ols(pd.Series(0.5 * x + ar1(0.3, 450, rng)), pd.Series(x, name="x"),
                           level=0.95).conf_int.loc["x"]
        return lo <= 0.5 <= hi
    assert _coverage(one, 300, 5) == pytest.approx(0.95, abs=0.06)
