"""C2: are small caps "more sensitive to interest rates"?

Each size decile's excess return (and small, large, small-minus-large) is regressed on the market
excess return and on the monthly change in a Treasury yield, with Newey-West (1987) HAC errors.
The claim is tested on the small-minus-large regression: its yield coefficient *is* the difference
between small's and large's yield coefficients (same regressors, OLS is linear in ``y``), so its HAC
p-value is the test of the difference. Rolling 60-month regressions show whether the sign holds.

    >>> from research.claims import rates
    >>> result = rates.run()                      # loads the data, then calls rates.test(...)
    >>> result.verdicts[0].label

Units: returns in percent per month, yield changes in percentage points, so a coefficient is the
percent return that goes with a one-percentage-point (100 bp) rise in the yield in the same month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from research import stats
from research.claims.base import (
    DATA_START,
    PORTFOLIOS,
    START_DATES,
    ResultMixin,
    excess_returns,
    lags_choice,
    month_end,
    p_text,
    span,
    spec_row,
    start_kept,
    vintage_of,
)
from research.data.sizes import MONTHLY_SIZES, RUSSELL, WEIGHTED, cached, french, monthly_returns
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "C2"
HYPOTHESIS = ("Small caps are more sensitive to interest rates: their return falls more than large "
              "caps' when Treasury yields rise (small-minus-large yield coefficient < 0)")


@dataclass(frozen=True)
class YieldSeries:
    """A Treasury yield the claim can be tested on, and how its monthly change is measured."""

    dataset: str
    label: str  # "2-year"
    measure: str  # how the monthly level is taken


YIELDS: dict[str, YieldSeries] = {
    "dgs2": YieldSeries("dgs2", "2-year", "month-end level of the daily constant-maturity yield"),
    "dgs10": YieldSeries("dgs10", "10-year", "month-end level of the daily constant-maturity yield"),
    "gs10": YieldSeries("gs10", "10-year (monthly average)", "monthly average yield"),
    "gs2": YieldSeries("gs2", "2-year (monthly average)", "monthly average yield"),
}


def aspect_of(series: YieldSeries) -> str:
    """The aspect of the verdict on ``series`` ("2-year yield"), also the name of its view of
    the grid (:data:`GRID_VIEWS`)."""
    return f"{series.label} yield"


def rule_text(alpha: float = 0.05, majority: float = 0.5, window: int = 60) -> str:
    """The verdict rule of CLAIMS.md, with this run's thresholds filled in."""
    return (f"supported if the small-minus-large yield coefficient is < 0 with HAC p < {alpha:g} over "
            f"the full sample and < 0 in more than {majority:.0%} of the {window}-month rolling "
            f"windows; contradicted if it is > 0 with p < {alpha:g} and > 0 in more than "
            f"{majority:.0%} of the windows; mixed if the full sample and the rolling windows "
            "disagree; inconclusive if p >= "
            f"{alpha:g}")


def verdict_label(coef: float, p_value: float, share_negative: float, *, alpha: float = 0.05,
                  majority: float = 0.5) -> str:
    """The C2 rule: the full-sample sign and significance, then the sign in the rolling windows.

    ``share_negative`` is the share of rolling windows whose small-minus-large yield
    coefficient is below zero.
    """
    if not (np.isfinite(coef) and np.isfinite(p_value)) or p_value >= alpha:
        return "inconclusive"
    if coef < 0:
        return "supported" if share_negative > majority else "mixed"
    return "contradicted" if (1 - share_negative) > majority else "mixed"


def monthly_yield_changes(levels: pd.Series) -> pd.Series:
    """Month-over-month change of a yield in percentage points, on month-end dates.

    Each month's last quote: a daily series' month-end level (returns are month-end to month-end
    too), a monthly series' (FRED's monthly averages) one value as it is.
    """
    levels = levels.dropna().astype(float)
    if len(levels) < 3:
        raise ParameterError(f"yield series {levels.name!r} has {len(levels)} observations; need 3+")
    monthly = levels.groupby(levels.index.to_period("M")).last()
    monthly.index = monthly.index.to_timestamp("M")
    monthly.index.name = "date"
    return monthly.diff().dropna().rename(levels.name)


def _regressors(market: pd.Series, d_yield: pd.Series, control_market: bool) -> pd.DataFrame:
    cols = {"mkt_excess": market, "d_yield": d_yield} if control_market else {"d_yield": d_yield}
    return pd.concat(cols, axis=1)


def rolling_yield_coefficient(y: pd.Series, X: pd.DataFrame, *, window: int = 60,
                              level: float = 0.95) -> pd.DataFrame:
    """Rolling-window OLS coefficient on ``d_yield``, with White (HC0) bands; one row per window end.

    Each window is a separate regression on non-overlapping monthly returns, so heteroskedasticity-
    robust errors are enough for the band; the verdict uses only the sign of each coefficient.
    """
    import statsmodels.api as sm
    from scipy.stats import norm
    from statsmodels.regression.rolling import RollingOLS

    data = pd.concat([y.rename("y"), X], axis=1).dropna()
    fit = RollingOLS(data["y"], sm.add_constant(data[X.columns]), window=window).fit(cov_type="HCCM")
    coef = fit.params["d_yield"]
    se = fit.bse["d_yield"]
    z = norm.ppf(0.5 + level / 2)
    return (
        pd.DataFrame({"coef": coef, "std_err": se, "lower": coef - z * se, "upper": coef + z * se})
        .dropna()
        .rename_axis("date")
    )


@dataclass(frozen=True)
class RateSensitivity(ResultMixin):
    """C2 result: yield coefficients of small, large and small-minus-large, by decile and rolling.

    ``table``: one row per (yield, portfolio) with the yield coefficient, HAC interval and p-value;
    ``deciles``: the yield coefficient of each size decile; ``rolling``: rolling small-minus-large
    yield coefficients (long: one row per yield and window end); ``regressions``: the fitted
    small-minus-large regressions by yield.
    """

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    deciles: pd.DataFrame
    rolling: pd.DataFrame
    regressions: dict[str, stats.Regression]
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def rolling_summary(self) -> pd.DataFrame:
        """Per yield: rolling windows, share with a negative small-minus-large coefficient, share
        significantly negative / positive (band excludes zero), median coefficient."""
        return (
            self.rolling
            .assign(negative=lambda d: d["coef"] < 0,
                    significantly_negative=lambda d: d["upper"] < 0,
                    significantly_positive=lambda d: d["lower"] > 0)
            .groupby("yield", sort=False)
            .agg(windows=("coef", "size"), share_negative=("negative", "mean"),
                 share_significantly_negative=("significantly_negative", "mean"),
                 share_significantly_positive=("significantly_positive", "mean"),
                 median_coef=("coef", "median"))
        )

    def conclusion(self) -> str:
        """The closing note in Markdown: each verdict with its statistic, interval and n."""
        lines = []
        for v in self.verdicts:
            lines += [
                f"**{v.aspect}: {v.label}.** {v.note}",
                "",
                f"- Statistic: small-minus-large yield coefficient **{v.statistic:+.2f}** "
                "(% per month per percentage-point rise in the yield, market held fixed)"
                if self.spec.get("control_market", True) else
                f"- Statistic: small-minus-large yield coefficient **{v.statistic:+.2f}** "
                "(% per month per percentage-point rise in the yield)",
                f"- Interval: {v.interval_level:.0%} Newey-West [{v.interval[0]:+.2f}, "
                f"{v.interval[1]:+.2f}], {p_text(v.p_value)}",
                f"- n = {v.n} months ({v.sample}); vintage "
                + ", ".join(f"{k} {x}" for k, x in v.vintage.items()) + ".",
                "",
            ]
        return "\n".join(lines)


def _validate(returns: pd.DataFrame, factors: pd.DataFrame, yield_changes: pd.DataFrame, *,
              window: int, maxlags: int | None, level: float, alpha: float, majority: float) -> None:
    missing = [c for c in PORTFOLIOS if c not in returns]
    if missing:
        raise ParameterError(f"returns need columns {PORTFOLIOS} (research.data.sizes.small_large); "
                             f"missing {missing}")
    if not {"Mkt-RF", "RF"} <= set(factors.columns):
        raise ParameterError("factors need French's 'Mkt-RF' and 'RF' columns (ff3_factors, monthly)")
    if yield_changes.shape[1] == 0:
        raise ParameterError("no yield series given: pass at least one of " + ", ".join(YIELDS))
    if not isinstance(window, int | np.integer) or window < 24:
        raise ParameterError(f"rolling window must be an integer of at least 24 months, got {window!r}")
    if maxlags is not None and (not isinstance(maxlags, int | np.integer) or maxlags < 0):
        raise ParameterError(f"HAC lags must be a non-negative integer or None (plug-in rule), got {maxlags!r}")
    if not 0 < level < 1 or not 0 < alpha < 1 or not 0 <= majority < 1:
        raise ParameterError(f"level and alpha must lie in (0, 1) and majority in [0, 1); got "
                             f"level={level}, alpha={alpha}, majority={majority}")


def test(returns: pd.DataFrame, factors: pd.DataFrame, yield_changes: pd.DataFrame,
         deciles: pd.DataFrame | None = None, *, start: str = "1926-07-31", end: str = "2025-10-31",
         maxlags: int | None = None, window: int = 60, control_market: bool = True,
         level: float = 0.95, alpha: float = 0.05, majority: float = 0.5,
         vintage: dict[str, str] | None = None, definition: str = "") -> RateSensitivity:
    """Test C2 on data already loaded; fast enough for specification sweeps.

    Parameters
    ----------
    returns : small, large, small_minus_large (percent per month), from ``sizes.small_large``.
    factors : French's monthly 'Mkt-RF' and 'RF' (percent).
    yield_changes : one column per yield (e.g. ``dgs2``), monthly changes in percentage points
        (:func:`monthly_yield_changes`); the first column is the headline yield.
    deciles : optional size-decile returns (columns ``Lo 10`` .. ``Hi 10``) for the decile panel.
    start, end : sample bounds (ISO dates; snapped to month ends); each yield's sample is the
        overlap of these bounds with its data.
    maxlags : Newey-West lags (None: the plug-in rule floor(4 (T/100)^(2/9))).
    window : months per rolling regression.
    control_market : include the market excess return as a regressor (the spec); False gives the
        total, not the market-adjusted, sensitivity.
    level, alpha, majority : interval level, significance level and rolling-window majority of
        the verdict rule.
    """
    _validate(returns, factors, yield_changes, window=window, maxlags=maxlags, level=level,
              alpha=alpha, majority=majority)
    lo, hi = month_end(start, "start"), month_end(end, "end")
    if lo >= hi:
        raise ParameterError(f"start {start} must come before end {end}")
    rf = factors["RF"]
    market = factors["Mkt-RF"]
    excess = excess_returns(returns, rf)
    decile_excess = None
    if deciles is not None:
        from research.data.sizes import DECILE_COLUMNS

        decile_excess = (deciles[list(DECILE_COLUMNS.values())]
                         .sub(rf, axis=0)
                         .set_axis(list(DECILE_COLUMNS), axis=1))

    rows, decile_rows, rolling, regressions, verdicts = [], [], [], {}, []
    for name in yield_changes.columns:
        series = YIELDS.get(name, YieldSeries(name, name, "as given"))
        X = _regressors(market, yield_changes[name], control_market)
        sample = pd.concat([excess, X], axis=1).loc[lo:hi].dropna().index
        n = len(sample)
        if n <= window:
            raise ParameterError(f"{series.label} yield: {n} months in {span(sample)} is not more "
                                 f"than the {window}-month rolling window; widen start/end or "
                                 "shorten the window")
        X = X.loc[sample]
        fits = {p: stats.ols(excess.loc[sample, p].rename(p), X, maxlags=maxlags, level=level)
                for p in PORTFOLIOS}
        for p, fit in fits.items():
            rows.append({
                "yield": series.label, "portfolio": p,
                "yield_coef": fit.params["d_yield"], "std_err": fit.bse["d_yield"],
                "ci_lower": fit.conf_int.loc["d_yield", "lower"],
                "ci_upper": fit.conf_int.loc["d_yield", "upper"],
                "p_value": fit.pvalues["d_yield"],
                "market_beta": fit.params.get("mkt_excess", np.nan),
                "alpha": fit.params["const"], "r2": fit.rsquared, "n_months": fit.nobs,
                "hac_lags": fit.maxlags, "sample": span(sample),
            })
        if decile_excess is not None:
            for d in decile_excess.columns:
                fit = stats.ols(decile_excess.loc[sample, d].rename(f"decile {d}"), X,
                                maxlags=maxlags, level=level)
                decile_rows.append({
                    "yield": series.label, "decile": d, "yield_coef": fit.params["d_yield"],
                    "ci_lower": fit.conf_int.loc["d_yield", "lower"],
                    "ci_upper": fit.conf_int.loc["d_yield", "upper"],
                    "p_value": fit.pvalues["d_yield"], "n_months": fit.nobs,
                })
        roll = rolling_yield_coefficient(excess.loc[sample, "small_minus_large"], X, window=window,
                                         level=level)
        rolling.append(roll.assign(yield_=series.label).rename(columns={"yield_": "yield"}))
        diff = fits["small_minus_large"]
        regressions[name] = diff
        share_negative = float((roll["coef"] < 0).mean())
        coef, p = diff.params["d_yield"], diff.pvalues["d_yield"]
        label = verdict_label(coef, p, share_negative, alpha=alpha, majority=majority)
        direction = "lower" if coef < 0 else "higher"
        verdicts.append(Verdict(
            claim=CLAIM, label=label, aspect=aspect_of(series), hypothesis=HYPOTHESIS,
            statistic=coef,
            statistic_name=("small-minus-large yield coefficient, % per month per 1 pp rise in "
                            f"the {series.label} yield"),
            interval=tuple(diff.conf_int.loc["d_yield"]), interval_level=level, p_value=p, n=n,
            sample=span(sample),
            vintage={k: v for k, v in (vintage or {}).items() if k not in YIELDS or k == name},
            method=(f"OLS of monthly excess returns on {'the market and ' if control_market else ''}"
                    f"the monthly change in the {series.label} Treasury yield ({series.measure}), "
                    f"Newey-West HAC errors with {diff.maxlags} lags; {window}-month rolling "
                    f"regressions for stability. Small/large: {definition or 'as given'}"),
            rule=rule_text(alpha, majority, window),
            note=(f"Small caps' {series.label} yield coefficient is {abs(coef):.2f} {direction} than "
                  f"large caps' ({p_text(p)}, n = {n} months), so in months when that yield rose "
                  f"small caps did {'worse' if coef < 0 else 'better'} than large caps; the "
                  f"difference is below zero in {share_negative:.0%} of {len(roll)} rolling "
                  f"{window}-month windows ({n // window} non-overlapping)."),
        ))

    table = pd.DataFrame(rows).set_index(["yield", "portfolio"])
    decile_table = (pd.DataFrame(decile_rows).set_index(["yield", "decile"]) if decile_rows
                    else pd.DataFrame())
    spec = {"definition": definition, "yields": list(yield_changes.columns), "start": start,
            "end": end, "maxlags": maxlags, "window": window, "control_market": control_market,
            "level": level, "alpha": alpha, "majority": majority}
    return RateSensitivity(verdicts=tuple(verdicts), table=table, deciles=decile_table,
                           rolling=pd.concat(rolling, sort=False), regressions=regressions, spec=spec)


def run(small_large: str = "deciles", *, weighting: str = "vw", small: Sequence[int] = (1, 2, 3),
        large: Sequence[int] = (8, 9, 10), yields: Sequence[str] = ("dgs2", "dgs10"),
        start: str = "1926-07-31", end: str = "2025-10-31", maxlags: int | None = None,
        window: int = 60, control_market: bool = True, level: float = 0.95,
        alpha: float = 0.05, decile_panel: bool = True) -> RateSensitivity:
    """Load the data through ``research.data`` and :func:`research.data.sizes.small_large`, then
    :func:`test`. ``yields`` are keys of :data:`YIELDS`; the first one is the headline verdict.
    ``decile_panel=False`` skips the ten decile regressions (faster, for sweeps)."""
    from research import data
    from research.data.sizes import load_small_large

    unknown = [y for y in yields if y not in YIELDS]
    if unknown or not yields:
        raise ParameterError(f"unknown yield series {unknown or yields!r}; choose from {list(YIELDS)}")
    returns, definition = load_small_large(small_large, weighting=weighting, small=tuple(small),
                                           large=tuple(large))
    factors = data.load("ff3_factors", block="monthly")
    deciles = data.load("size_portfolios", block=f"{weighting}_monthly") if decile_panel else None
    changes = pd.concat({y: monthly_yield_changes(data.load(y).iloc[:, 0]) for y in yields},
                        axis=1, sort=True)
    names = [*returns.attrs["datasets"], "ff3_factors",
             *(["size_portfolios"] if decile_panel else []), *yields]
    return test(returns, factors, changes, deciles, start=start, end=end, maxlags=maxlags,
                window=window, control_market=control_market, level=level, alpha=alpha,
                vintage=vintage_of(*dict.fromkeys(names)), definition=definition)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

@cached(maxsize=8)
def yield_changes(series: str) -> pd.DataFrame:
    """Monthly changes of one Treasury yield (percentage points), loaded once per process."""
    from research import data

    return monthly_yield_changes(data.load(series).iloc[:, 0]).to_frame(series)


GRID_STARTS = (1926, 1954, 1963, 1987)


def grid_valid(spec: dict[str, Any]) -> bool:
    """ew only for the decile definitions; one start per distinct sample of each yield series."""
    if spec["weighting"] == "ew" and spec["size"] not in WEIGHTED:
        return False
    data_start = max(DATA_START[spec["yield_series"]],
                     DATA_START["russell_monthly"] if spec["size"] == RUSSELL else DATA_START["deciles"])
    return start_kept(spec["start"], data_start, GRID_STARTS)


@cached(maxsize=32)
def _grid_aligned(size: str, weighting: str, yield_series: str, control_market: bool) -> pd.DataFrame:
    """Excess returns and the regressors on the months where all of them are known (shared by the
    sample starts; cached per worker)."""
    factors = french("ff3_factors", "monthly")
    returns = monthly_returns(size, weighting)
    excess = excess_returns(returns, factors["RF"])
    X = _regressors(factors["Mkt-RF"], yield_changes(yield_series)[yield_series], control_market)
    return pd.concat([excess, X], axis=1, sort=True).dropna()


@cached(maxsize=64)
def _grid_data(size: str, weighting: str, yield_series: str, start: int,
               control_market: bool) -> tuple[pd.Series, pd.DataFrame]:
    """Small-minus-large and the regressors in the sample (as :func:`test` aligns them: dropping
    incomplete months commutes with cutting the sample), shared by the HAC lags and rolling
    windows; cached per worker."""
    aligned = _grid_aligned(size, weighting, yield_series, control_market)
    lo, hi = month_end(START_DATES[start], "start"), month_end("2025-10-31", "end")
    sample = aligned.loc[lo:hi]
    return sample["small_minus_large"], sample.drop(columns=list(PORTFOLIOS))


@cached(maxsize=128)
def _grid_fit(size: str, weighting: str, yield_series: str, start: int, control_market: bool,
              hac_lags: Any, level: float) -> stats.Regression:
    """The full-sample HAC regression (shared by the rolling windows; cached per worker)."""
    y, X = _grid_data(size, weighting, yield_series, start, control_market)
    return stats.ols(y.rename("small_minus_large"), X, maxlags=lags_choice(hac_lags), level=level)


def rolling_params(y: np.ndarray, X: np.ndarray, window: int) -> np.ndarray:
    """OLS coefficients (constant first, then the columns of ``X``) in every window of ``window``
    consecutive rows of complete data: row ``i`` is the fit on rows ``i .. i + window - 1``.

    What ``RollingOLS(y, add_constant(X), window).fit(params_only=True)`` gives without its
    leading NaN rows, solved for all windows at once (statsmodels loops in Python over the
    windows, updating X'X row by row); the tests hold the two to 1e-10.
    """
    Z = np.column_stack([np.ones(len(y)), np.asarray(X, dtype=float)])
    Zw = sliding_window_view(Z, window, axis=0)  # (windows, k, window)
    yw = sliding_window_view(np.asarray(y, dtype=float), window)  # (windows, window)
    xpx = Zw @ Zw.transpose(0, 2, 1)
    xpy = np.einsum("mkw,mw->mk", Zw, yw)
    return np.linalg.solve(xpx, xpy[..., None])[..., 0]


@cached(maxsize=128)
def _grid_share_negative(size: str, weighting: str, yield_series: str, start: int, control_market: bool,
                         window: int) -> float:
    """Share of rolling windows with a negative yield coefficient (shared by the HAC lags; cached
    per worker)."""
    y, X = _grid_data(size, weighting, yield_series, start, control_market)
    coefs = rolling_params(y.to_numpy(), X.to_numpy(), window)[:, 1 + list(X.columns).index("d_yield")]
    return float((coefs < 0).mean())


def grid_estimate(*, size: str, weighting: str, yield_series: str, start: int, hac_lags: Any,
                  control_market: bool, window: int, level: float = 0.95, alpha: float = 0.05,
                  majority: float = 0.5) -> dict[str, Any]:
    """C2: the small-minus-large coefficient on monthly yield changes (market held fixed or not);
    label by :func:`research.claims.rates.verdict_label` (full-sample HAC test + rolling sign).

    The steps of :func:`research.claims.rates.test` for the small-minus-large portfolio alone,
    with the rolling coefficients' signs from :func:`rolling_params` (the verdict uses only their
    signs, and their robust bands cost ten times the rest). The aligned data, the
    full-sample fit and the rolling share are cached per worker: specifications that differ only
    in the window share the fit, those that differ only in the lags share the rolling share.
    Checked against ``test`` in the tests.
    """
    data = (size, weighting, yield_series, start, control_market)
    y, _ = _grid_data(*data)
    if len(y) <= window:
        raise ParameterError(f"{len(y)} months is not more than the {window}-month rolling window")
    fit = _grid_fit(*data, hac_lags, level)
    share_negative = _grid_share_negative(*data, window)
    coef, p = fit.params["d_yield"], fit.pvalues["d_yield"]
    label = verdict_label(coef, p, share_negative, alpha=alpha, majority=majority)
    ci = fit.conf_int.loc["d_yield"]
    return spec_row(coef, ci["lower"], ci["upper"], label, len(y), p, span(y.index),
                    share_windows_negative=share_negative)


# The report's two verdicts (the daily series' month-end yields) each get the curve of their own
# maturity, measured either way: the monthly average is the same yield read differently.
GRID_VIEWS = {aspect_of(YIELDS[daily]): {"yield_series": (daily, average)}
              for daily, average in (("dgs2", "gs2"), ("dgs10", "gs10"))}
GRID = Grid(
    claim="C2", title="Are small caps more sensitive to interest rates?",
    choices={
        "size": tuple(MONTHLY_SIZES), "weighting": ("vw", "ew"),
        "yield_series": ("dgs2", "dgs10", "gs2", "gs10"), "start": GRID_STARTS,
        "hac_lags": ("auto", 12), "control_market": (True, False), "window": (36, 60, 120),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid",
    statistic_name="small-minus-large yield coefficient, % per month per 1 pp rise",
    default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "yield_series": "dgs2", "start": 1926,
             "hac_lags": "auto", "control_market": True, "window": 60},
    notes=("Yields: dgs2/dgs10 month-end constant-maturity yields, gs2/gs10 monthly averages. "
           "HAC lags 'auto' is the Newey-West plug-in rule. Window: months per rolling regression "
           "of the sign check. Label: supported if the coefficient is below zero with HAC p < 0.05 "
           "and below zero in most rolling windows; contradicted if above zero likewise; mixed "
           "if the full sample and the windows disagree; inconclusive if p >= 0.05."),
    views=GRID_VIEWS,
)
