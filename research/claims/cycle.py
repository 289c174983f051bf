"""C8: are small caps "closely tied to business cycles", and after a decade of underperformance due
to "do better in the future"?

Three questions, one result:

1. Cyclicality: the monthly small-minus-large return in NBER recession months vs expansion months
   (USREC), a regression on a recession dummy with Newey-West (1987) HAC errors; the dummy's
   coefficient is the difference of the two means (Perez-Quiros and Timmermann, 2000, on size and
   the business cycle).
2. The trailing 10-year small-minus-large return at the article date, ranked against its history.
3. Mean reversion: does a weak trailing 10 years predict a strong next 3 and 5 years? Overlapping
   monthly regressions of the forward return on the trailing return, with errors that allow for the
   overlap (Newey-West with at least ``horizon`` lags; Hodrick (1992) 1B as a check), and
   non-overlapping regressions on every ``horizon``-th month (for every starting offset).

    >>> from research.claims import cycle
    >>> result = cycle.run()                      # loads the data, then calls cycle.test(...)
    >>> [v.label for v in result.verdicts]

Units: monthly returns in percent. Trailing and forward returns in the regressions are sums of
monthly log returns in log points (100 x log growth of the long-small/short-large position), so they
add up across months and the slope is unit-free; the trailing return shown to readers is the simple
compounded percent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import (
    DATA_START,
    NA,
    START_DATES,
    ResultMixin,
    lags_choice,
    month_end,
    span,
    spec_row,
    vintage_of,
    weighting_and_start_kept,
)
from research.data.sizes import MONTHLY_SIZES, cached, monthly_returns
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "C8"
HYPOTHESIS_CYCLE = ("Small caps are closely tied to the business cycle: the small-minus-large return "
                    "is lower in NBER recession months than in expansion months")
HYPOTHESIS_REVERSION = ("A weak trailing 10-year small-minus-large return predicts a strong one over "
                        "the next 3-5 years (negative slope of forward on trailing return)")
INFERENCE = ("newey-west", "hodrick", "non-overlapping")
ARTICLE_DATE = "2025-10-15"  # the commentary's date


# -- building blocks ----------------------------------------------------------------------------------

def _ordinal(share: float) -> str:
    """0.13 -> '13th percentile' (a tie rounds half to even: 0.125 -> '12th percentile')."""
    k = int(round(100 * share))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix} percentile"


def log_returns(returns_pct: pd.Series) -> pd.Series:
    """Monthly log returns in log points: 100 log(1 + r/100)."""
    return (100.0 * np.log1p(returns_pct.astype(float) / 100.0)).rename(returns_pct.name)


def recession_indicator(usrec: pd.Series, index: pd.DatetimeIndex) -> pd.Series:
    """USREC (1 in NBER recession months) on month-end dates, aligned to ``index``."""
    rec = usrec.dropna().astype(int)
    rec.index = rec.index.to_period("M").to_timestamp("M")
    return rec.reindex(index).rename("recession")


def cycle_phases(recession: pd.Series, *, recovery_months: int = 12) -> pd.Series:
    """Label each month: recession, early expansion (the first ``recovery_months`` after a
    recession's last month) or later expansion. Months before the first recession in the data are
    later expansion."""
    rec = recession.astype(int).to_numpy()
    since_end = np.full(len(rec), np.iinfo(np.int64).max // 2, dtype=np.int64)
    last_end = None
    for i in range(len(rec)):
        if rec[i] == 1:
            last_end = None
            continue
        if i > 0 and rec[i - 1] == 1:
            last_end = i - 1
        if last_end is not None:
            since_end[i] = i - last_end
    phase = np.where(rec == 1, "recession",
                     np.where(since_end <= recovery_months, "early expansion", "later expansion"))
    return pd.Series(phase, index=recession.index, name="phase")


def state_table(returns_pct: pd.Series, recession: pd.Series, *, recovery_months: int = 12,
                maxlags: int | None = None, level: float = 0.95) -> pd.DataFrame:
    """Mean monthly small-minus-large return by state, each with a HAC interval of the mean."""
    phases = cycle_phases(recession, recovery_months=recovery_months)
    groups = {
        "recession": phases == "recession",
        "expansion (all)": phases != "recession",
        f"early expansion (first {recovery_months} months)": phases == "early expansion",
        "later expansion": phases == "later expansion",
        "all months": phases.notna(),
    }
    rows = []
    for name, mask in groups.items():
        x = returns_pct.loc[mask.to_numpy()].dropna()
        fit = stats.hac_mean(x.rename(name), maxlags=maxlags, level=level) if len(x) > 3 else None
        rows.append({
            "state": name, "n_months": len(x), "mean": x.mean(),
            "ci_lower": fit.conf_int.loc["mean", "lower"] if fit else np.nan,
            "ci_upper": fit.conf_int.loc["mean", "upper"] if fit else np.nan,
            "std": x.std(), "share_positive": (x > 0).mean(),
            "annualized": (np.expm1(12 * np.log1p(x / 100).mean()) * 100) if len(x) else np.nan,
        })
    return pd.DataFrame(rows).set_index("state")


def trailing_forward(returns_pct: pd.Series, *, window: int = 120,
                     horizons: Sequence[int] = (36, 60)) -> pd.DataFrame:
    """Trailing ``window``-month and forward ``h``-month small-minus-large returns at each month.

    Columns: ``trailing`` (log points, months t-window+1..t), ``trailing_pct`` (the same as a
    simple compounded percent) and ``fwd_{h}`` (log points, months t+1..t+h).
    """
    lr = log_returns(returns_pct.dropna())
    out = {"trailing": lr.rolling(window, min_periods=window).sum()}
    out["trailing_pct"] = np.expm1(out["trailing"] / 100.0) * 100.0
    for h in horizons:
        out[f"fwd_{h}"] = lr[::-1].rolling(h, min_periods=h).sum()[::-1].shift(-1)
    return pd.DataFrame(out).rename_axis("date")


def hodrick_1b(r1: pd.Series, x: pd.Series, horizon: int) -> dict[str, float]:
    """Slope and Hodrick (1992) 1B standard error of a ``horizon``-period predictive regression.

    The regression is y_t = a + b x_t + e with y_t = r_{t+1} + ... + r_{t+horizon} (``r1`` are
    the one-period returns r_t). Under the null of no predictability the 1B covariance replaces the
    overlapping residuals by one-period residuals times the sum of the last ``horizon``
    regressors: S = mean(w w'), w_t = u_{t+1} (X_t + ... + X_{t-horizon+1}), X_t = (1, x_t),
    u = r - mean(r); Var = Z^-1 S Z^-1 / T with Z = mean(X X').
    """
    from scipy import stats as sps

    frame = pd.DataFrame({"x": x, "r": r1.astype(float)})  # aligned on the dates
    r, xs = frame["r"], frame["x"].to_numpy()
    y = r[::-1].rolling(horizon, min_periods=horizon).sum()[::-1].shift(-1).to_numpy()
    used = ~np.isnan(xs) & ~np.isnan(y)  # the regression's months (numpy from here: sweeps call this often)
    n = int(used.sum())
    if n < 4:
        return {"slope": np.nan, "se": np.nan, "t": np.nan, "p_value": np.nan, "n": n}
    X = np.column_stack([np.ones(n), xs[used]])
    beta = np.linalg.lstsq(X, y[used], rcond=None)[0]
    Z = X.T @ X / n
    u_next = np.append((r - r.iloc[int(np.argmax(used)):].mean()).to_numpy()[1:], np.nan)
    x_sum = frame["x"].rolling(horizon, min_periods=horizon).sum().to_numpy()
    keep = used & ~np.isnan(u_next) & ~np.isnan(x_sum)
    W = u_next[keep][:, None] * np.column_stack([np.full(int(keep.sum()), float(horizon)), x_sum[keep]])
    S = W.T @ W / len(W)
    Zi = np.linalg.inv(Z)
    cov = Zi @ S @ Zi / n
    se = float(np.sqrt(cov[1, 1]))
    t = float(beta[1] / se)
    return {"slope": float(beta[1]), "se": se, "t": t, "p_value": float(2 * sps.norm.sf(abs(t))), "n": n}


def nonoverlapping_regressions(frame: pd.DataFrame, horizon: int, *, x: str = "trailing",
                               alpha: float = 0.05) -> pd.DataFrame:
    """OLS of ``fwd_{horizon}`` on ``x`` using every ``horizon``-th month, for every offset.

    Forward windows do not overlap, so classical standard errors apply. One row per offset (0 is
    the first month with data): slope, its standard error, t, two-sided p-value and n.
    """
    from scipy import stats as sps

    data = frame[[x, f"fwd_{horizon}"]].dropna()
    xs, ys = data[x].to_numpy(), data[f"fwd_{horizon}"].to_numpy()
    rows = []
    for offset in range(min(horizon, len(data))):
        xx, yy = xs[offset::horizon], ys[offset::horizon]
        n = len(xx)
        if n < 4:
            continue
        xc = xx - xx.mean()
        slope = float(xc @ (yy - yy.mean()) / (xc @ xc))
        resid = yy - yy.mean() - slope * xc
        se = float(np.sqrt(resid @ resid / (n - 2) / (xc @ xc)))
        rows.append({"offset": offset, "first": data.index[offset], "slope": slope, "se": se,
                     "t": slope / se, "n": n})
    if rows:  # one call for every offset's p-value (a call per offset cost more than the regressions)
        t, df = np.array([r["t"] for r in rows]), np.array([r["n"] - 2 for r in rows])
        for r, p in zip(rows, 2 * sps.t.sf(np.abs(t), df), strict=True):
            r["p_value"] = float(p)
    out = pd.DataFrame(rows, columns=["offset", "first", "slope", "se", "t", "p_value", "n"])
    return out.set_index("offset").assign(significant_negative=lambda d: (d["slope"] < 0) & (d["p_value"] < alpha))


# -- verdict rules ------------------------------------------------------------------------------------

def cycle_rule_text(alpha: float = 0.05) -> str:
    return (f"supported if the recession-minus-expansion difference in the monthly small-minus-large "
            f"return is negative with HAC p < {alpha:g}; contradicted if it is positive with p < "
            f"{alpha:g} (recessions favour small caps); mixed if it is significant but fewer than half "
            "of the recession episodes share its sign (a few episodes carry it); inconclusive "
            "otherwise. n = recession episodes (the months within one are not independent)")


#: Fewer than this share of recession episodes sharing the difference's sign makes a significant
#: difference "mixed".
EPISODE_AGREEMENT = 0.5


def cycle_label(difference: float, p_value: float, *, episode_agreement: float | None = None,
                alpha: float = 0.05) -> str:
    """C8 cyclicality (:func:`cycle_rule_text`): the sign of a significant recession-minus-expansion
    difference, checked against the share of recession episodes that share that sign
    (:func:`recession_episodes`; None: not checked)."""
    if not (np.isfinite(p_value) and np.isfinite(difference)) or not p_value < alpha or difference == 0:
        return "inconclusive"
    if episode_agreement is not None and episode_agreement < EPISODE_AGREEMENT:
        return "mixed"
    return "supported" if difference < 0 else "contradicted"


def recession_episodes(sml: pd.Series, recession: pd.Series) -> pd.DataFrame:
    """One row per NBER recession episode (a run of recession months) in the sample: its first and
    last month, its months and its mean small-minus-large return minus the mean of all expansion
    months (percentage points per month)."""
    both = pd.concat([sml.rename("sml"), recession.rename("rec")], axis=1).dropna()
    rec = both["rec"].astype(int)
    run = (rec != rec.shift()).cumsum()
    expansion = both.loc[rec == 0, "sml"].mean()
    rows = [{"start": g.index[0], "end": g.index[-1], "months": len(g),
             "difference": g["sml"].mean() - expansion}
            for _, g in both.loc[rec == 1].groupby(run[rec == 1])]
    return pd.DataFrame(rows, columns=["start", "end", "months", "difference"])


def episode_agreement(episodes: pd.DataFrame, difference: float) -> float:
    """Share of the recession episodes whose difference has the sign of ``difference`` (NaN: none)."""
    if episodes.empty or not np.isfinite(difference) or difference == 0:
        return float("nan")
    return float((np.sign(episodes["difference"]) == np.sign(difference)).mean())


def agreement_text(agreement: float, episodes: int) -> str:
    """How many recessions point the way of the difference (:func:`episode_agreement`), in words."""
    if not np.isfinite(agreement):  # no recession, or a difference of exactly zero: no way to point
        return f"{episodes} recessions, none compared (the difference has no sign)" if episodes else "no recession"
    return f"{int(round(agreement * episodes))} of {episodes} recessions point the same way"


def reversion_rule_text(alpha: float = 0.05, horizons_years: Sequence[int] = (3, 5),
                        inference: str = "newey-west") -> str:
    years = " and ".join(str(y) for y in horizons_years)
    return (f"supported if the slope of the next {years}-year small-minus-large return on the trailing "
            f"return is negative with p < {alpha:g} ({inference} errors) at every horizon; mixed if "
            f"at some horizons only; contradicted if positive with p < {alpha:g} at every horizon; "
            "inconclusive if no slope is significant")


def reversion_label(slopes: Sequence[float], p_values: Sequence[float], *, alpha: float = 0.05) -> str:
    """C8 mean reversion across horizons: negative and significant everywhere -> supported."""
    neg = [np.isfinite(p) and p < alpha and b < 0 for b, p in zip(slopes, p_values, strict=True)]
    pos = [np.isfinite(p) and p < alpha and b > 0 for b, p in zip(slopes, p_values, strict=True)]
    if neg and all(neg):
        return "supported"
    if pos and all(pos):
        return "contradicted"
    if any(neg) or any(pos):
        return "mixed"
    return "inconclusive"


# -- the result ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CycleResult(ResultMixin):
    """C8 result.

    ``table``: the tests behind the verdicts, one row each (recession difference; the predictive
    slope per horizon and inference method). ``states``: mean small-minus-large by business-cycle
    state. ``current``: the trailing return at the article date, its percentile rank and the
    regression's forecast. ``series``: trailing and forward returns by month (the rolling series
    and the scatter). ``nonoverlapping``: slopes for every offset of the non-overlapping samples.
    ``recession_fit``: the HAC regression on the recession dummy; ``predictive_fits`` the
    Newey-West predictive regressions by horizon (months).
    """

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    states: pd.DataFrame
    current: pd.Series
    series: pd.DataFrame
    nonoverlapping: pd.DataFrame
    recession_fit: stats.Regression
    predictive_fits: dict[int, stats.Regression]
    recession: pd.Series
    spec: dict[str, Any] = field(default_factory=dict)

    def states_table(self) -> pd.DataFrame:
        """Mean monthly small-minus-large return by business-cycle state, rounded for reading."""
        level = f"{self.spec['level']:.0%}"
        return (self.states
                .rename(columns={"n_months": "months", "mean": "mean, % per month",
                                 "ci_lower": f"{level} CI low", "ci_upper": f"{level} CI high",
                                 "std": "std dev", "share_positive": "share > 0",
                                 "annualized": "annualized, %"})
                .round(2))

    def tests_table(self) -> pd.DataFrame:
        """The tests behind both verdicts, rounded for reading."""
        level = f"{self.spec['level']:.0%}"
        return (self.table
                .drop(columns=["horizon_years"])
                .rename(columns={"std_err": "std err", "ci_lower": f"{level} CI low",
                                 "ci_upper": f"{level} CI high", "p_value": "p",
                                 "n_months": "n months", "n_independent": "n independent"})
                .round(3))

    def nonoverlapping_summary(self) -> pd.DataFrame:
        """Slopes of the non-overlapping regressions across every starting month, per horizon."""
        alpha = self.spec["alpha"]
        return (self.nonoverlapping
                .groupby(level="horizon_years")
                .agg(samples=("slope", "size"), windows=("n", "median"),
                     slope_min=("slope", "min"), slope_median=("slope", "median"),
                     slope_max=("slope", "max"), share_negative=("slope", lambda x: (x < 0).mean()),
                     share_significant_negative=("significant_negative", "mean"))
                .rename_axis("horizon, years")
                .rename(columns={"samples": "starting months", "windows": "windows per sample",
                                 "slope_min": "slope: min", "slope_median": "median",
                                 "slope_max": "max", "share_negative": "share < 0",
                                 "share_significant_negative": f"share < 0 with p < {alpha:g}"})
                .round(3))

    def reversion_labels(self) -> pd.Series:
        """The mean-reversion label under each kind of error (Hodrick, Newey-West, non-overlapping)."""
        rows = self.table.reset_index()
        rows = rows.loc[rows["test"].str.startswith("slope")]
        out = {}
        for method in INFERENCE:
            key = {"newey-west": "newey-west", "hodrick": "hodrick 1B", "non-overlapping": "non-overlapping"}[method]
            picked = rows.loc[rows["method"].str.startswith(key)]
            out[method] = reversion_label(picked["estimate"].to_list(), picked["p_value"].to_list(),
                                          alpha=self.spec["alpha"])
        return pd.Series(out, name="label").rename_axis("inference")

    def robustness_share(self) -> float:
        """Share of the three kinds of error whose mean-reversion label is the verdict's label."""
        return float((self.reversion_labels() == self.verdicts[1].label).mean())

    def conclusion(self) -> str:
        """The closing note in Markdown: each verdict with its statistic, interval or p, and n."""
        lines = []
        for v in self.verdicts:
            interval = (f"{v.interval_level:.0%} CI [{v.interval[0]:+.2f}, {v.interval[1]:+.2f}]"
                        if v.interval else "")
            p = f"p = {v.p_value:.3f}" if v.p_value is not None else ""
            lines.append(f"- **{v.aspect}: {v.label}.** {v.statistic_name}: **{v.statistic:+.3f}** "
                         f"({'; '.join(s for s in (interval, p) if s)}; n = {v.n}; {v.sample}). "
                         f"{v.note}")
        labels = self.reversion_labels()
        lines.append("- **Mean reversion under each kind of error:** "
                     + "; ".join(f"{k}: {v}" for k, v in labels.items()) + ".")
        c = self.current
        lines.append(
            f"- **Where we stand:** the trailing {self.spec['trailing_years']}-year small-minus-large "
            f"return to {c['as_of']:%B %Y} is {c['trailing_pct']:+.1f}%, at the "
            f"{_ordinal(c['percentile_rank'])} of its history since {c['history_start']:%Y} "
            f"({c['n_independent']} non-overlapping {self.spec['trailing_years']}-year windows).")
        vintage = self.verdicts[0].vintage
        lines.append("- Vintage: " + ", ".join(f"{k} {x}" for k, x in vintage.items()) + ".")
        return "\n".join(lines)


# -- the test -------------------------------------------------------------------------------------------

def _validate(*, trailing_years, horizons_years, hac_lags, inference, alpha, level, recovery_months) -> None:
    if not isinstance(trailing_years, int | np.integer) or trailing_years < 1:
        raise ParameterError(f"trailing_years must be a positive whole number of years, got {trailing_years!r}")
    if not horizons_years or any(not isinstance(h, int | np.integer) or h < 1 for h in horizons_years):
        raise ParameterError(f"horizons_years must be positive whole years, e.g. [3, 5]; got {horizons_years!r}")
    if hac_lags is not None and (not isinstance(hac_lags, int | np.integer) or hac_lags < 0):
        raise ParameterError(f"hac_lags must be a non-negative integer or None (= the horizon in months), got {hac_lags!r}")
    if inference not in INFERENCE:
        raise ParameterError(f"inference must be one of {INFERENCE}, not {inference!r}")
    if not 0 < alpha < 1 or not 0 < level < 1:
        raise ParameterError(f"alpha and level must lie in (0, 1); got alpha={alpha}, level={level}")
    if recovery_months < 1:
        raise ParameterError(f"recovery_months must be at least 1, got {recovery_months}")


def _check_sample(sml: pd.Series, recession: pd.Series, trailing_years: int, horizons_years: Sequence[int],
                  start: str, end: str | None, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    """Check that the sample ``sml`` (``start``..``end``, month ends ``lo``..``hi``) is long
    enough for the look-back and the longest horizon and that its ``recession`` indicator has
    both recession and expansion months."""
    window, longest = 12 * trailing_years, 12 * max(horizons_years)
    if len(sml) < window + longest + 24:
        raise ParameterError(f"{len(sml)} months between {start} and {end or 'the end'} are too few for a "
                             f"{trailing_years}-year look-back and a {max(horizons_years)}-year horizon; "
                             "start earlier or shorten them")
    if recession.isna().all():
        raise ParameterError("usrec does not cover the return sample")
    if recession.nunique() < 2:
        raise ParameterError(f"the sample {lo:%Y-%m}..{hi:%Y-%m} has no {'expansion' if recession.max() else 'recession'} "
                             "months: widen start/end so both states occur")


def _trailing_history(series: pd.DataFrame, article_date: str, trailing_years: int,
                      sml: pd.Series) -> tuple[pd.Timestamp, pd.Series]:
    """The month before ``article_date`` and the trailing returns up to it (a ParameterError if
    the sample has no trailing return for that month)."""
    as_of = month_end(pd.Timestamp(article_date) - pd.offsets.MonthEnd(1))
    history = series["trailing"].loc[:as_of].dropna()
    if history.empty or history.index[-1] != as_of:
        raise ParameterError(f"no trailing {trailing_years}-year return at {as_of:%Y-%m} (article_date "
                             f"{article_date}); the returns end {sml.index.max():%Y-%m}")
    return as_of, history


def predictive_tests(series: pd.DataFrame, lr: pd.Series, horizon_years: int, *, trailing_years: int,
                     hac_lags: int | None, level: float, alpha: float,
                     ) -> tuple[list[dict[str, Any]], stats.Regression, pd.DataFrame]:
    """The predictive regression of the next ``horizon_years`` on the trailing return
    (``series`` from :func:`trailing_forward`, ``lr`` the monthly log returns) under each kind of
    error: the rows of :attr:`CycleResult.table` (Newey-West, Hodrick 1B, non-overlapping offset 0),
    the Newey-West fit and the non-overlapping regressions of every offset."""
    from scipy import stats as sps

    h, hy, window = 12 * horizon_years, horizon_years, 12 * trailing_years
    y = series[f"fwd_{h}"].rename(f"next {hy}y")
    lags = h if hac_lags is None else hac_lags
    nw = stats.ols(y, series["trailing"].rename("trailing"), maxlags=lags, level=level)
    hod = hodrick_1b(lr, series["trailing"], h)
    no = nonoverlapping_regressions(series, h, alpha=alpha)
    z = sps.norm.ppf(0.5 + level / 2)
    first = no.iloc[0] if len(no) else pd.Series(dtype=float)
    n_indep = int(first.get("n", 0))
    used = pd.concat([series["trailing"], y], axis=1).dropna().index
    base = {"horizon_years": hy, "n_months": nw.nobs, "n_independent": n_indep,
            "sample": span([used[0] - pd.offsets.MonthEnd(window - 1), used[-1] + pd.offsets.MonthEnd(h)])}
    ci = nw.conf_int.loc["trailing"]
    rows = [
        {**base, "test": f"slope, next {hy}y on trailing {trailing_years}y", "method": f"newey-west ({lags} lags)",
         "estimate": nw.params["trailing"], "std_err": nw.bse["trailing"], "ci_lower": ci["lower"],
         "ci_upper": ci["upper"], "p_value": nw.pvalues["trailing"]},
        {**base, "test": f"slope, next {hy}y on trailing {trailing_years}y", "method": "hodrick 1B",
         "estimate": hod["slope"], "std_err": hod["se"], "p_value": hod["p_value"],
         "ci_lower": hod["slope"] - z * hod["se"], "ci_upper": hod["slope"] + z * hod["se"]},
        {**base, "test": f"slope, next {hy}y on trailing {trailing_years}y",
         "method": f"non-overlapping (offset 0 of {len(no)})", "n_months": n_indep,
         "estimate": first.get("slope", np.nan), "std_err": first.get("se", np.nan),
         "p_value": first.get("p_value", np.nan),
         "ci_lower": first.get("slope", np.nan) - sps.t.ppf(0.5 + level / 2, max(n_indep - 2, 1)) * first.get("se", np.nan),
         "ci_upper": first.get("slope", np.nan) + sps.t.ppf(0.5 + level / 2, max(n_indep - 2, 1)) * first.get("se", np.nan)},
    ]
    return rows, nw, no


def test(returns: pd.DataFrame | pd.Series, usrec: pd.Series, *, start: str = "1926-07-01",
         end: str | None = None, article_date: str = ARTICLE_DATE, trailing_years: int = 10,
         horizons_years: Sequence[int] = (3, 5), hac_lags: int | None = None,
         state_lags: int | None = None, inference: str = "hodrick", alpha: float = 0.05,
         level: float = 0.95, recovery_months: int = 12, vintage: dict[str, str] | None = None,
         definition: str = "") -> CycleResult:
    """Test C8 on data already loaded; fast enough for specification sweeps.

    Parameters
    ----------
    returns : monthly small-minus-large returns in percent (a Series, or the frame of
        ``sizes.small_large`` whose ``small_minus_large`` column is used).
    usrec : FRED USREC, the monthly NBER recession indicator.
    start, end : sample bounds (ISO dates).
    article_date : the commentary's date; the trailing return is measured to the last month end
        before it.
    trailing_years, horizons_years : the look-back of the trailing return and the forward horizons.
    hac_lags : Newey-West lags of the predictive regressions (None: the horizon in months, which
        covers the h-1 months of overlap).
    state_lags : Newey-West lags of the recession regression (None: the plug-in rule).
    inference : which errors decide the mean-reversion verdict: hodrick (default: Hodrick 1992
        1B, built for overlapping long-horizon regressions, where Newey-West errors are known to
        over-reject) | newey-west | non-overlapping (offset 0).
    alpha, level : significance level of both rules and the interval level.
    recovery_months : length of the "early expansion" state in the descriptive table.
    """

    horizons_years = sorted({int(h) for h in horizons_years}) if horizons_years else []
    _validate(trailing_years=trailing_years, horizons_years=horizons_years, hac_lags=hac_lags,
              inference=inference, alpha=alpha, level=level, recovery_months=recovery_months)
    sml = returns["small_minus_large"] if isinstance(returns, pd.DataFrame) else returns
    lo = month_end(start, "start")
    hi = month_end(end, "end") if end else sml.index.max()
    sml = sml.loc[lo:hi].dropna().rename("small_minus_large")
    window = 12 * trailing_years
    horizons = [12 * h for h in horizons_years]
    recession = recession_indicator(usrec, sml.index)
    _check_sample(sml, recession, trailing_years, horizons_years, start, end, lo, hi)
    vintage = dict(vintage or {})

    # 1. cyclicality
    both = pd.concat([sml, recession], axis=1).dropna()
    fit = stats.ols(both["small_minus_large"], both[["recession"]], maxlags=state_lags, level=level)
    diff, p_diff = fit.params["recession"], fit.pvalues["recession"]
    states = state_table(both["small_minus_large"], both["recession"], recovery_months=recovery_months,
                         maxlags=state_lags, level=level)
    n_rec = int(both["recession"].sum())
    episodes = recession_episodes(both["small_minus_large"], both["recession"])
    agreement = episode_agreement(episodes, diff)
    cyc_label = cycle_label(diff, p_diff, episode_agreement=None if np.isnan(agreement) else agreement,
                            alpha=alpha)
    early = states.iloc[2]
    cyc = Verdict(
        claim=CLAIM, aspect="cyclicality", label=cyc_label, hypothesis=HYPOTHESIS_CYCLE,
        statistic=diff, statistic_name="recession minus expansion mean small-minus-large return, % per month",
        interval=tuple(fit.conf_int.loc["recession"]), interval_level=level, p_value=p_diff,
        n=len(episodes), n_note=f"of {fit.nobs} months; n counts recession episodes",
        sample=f"{span(both.index)} ({fit.nobs} months, {len(episodes)} recessions)",
        vintage=vintage,
        method=(f"OLS of the monthly small-minus-large return on an NBER recession dummy (USREC), "
                f"Newey-West HAC errors with {fit.maxlags} lags; n = recession episodes. Small/large: "
                f"{definition or 'as given'}"),
        rule=cycle_rule_text(alpha),
        note=(f"In {n_rec} recession months ({len(episodes)} recessions) small caps did {abs(diff):.2f} pp "
              f"per month {'better' if diff > 0 else 'worse'} relative to large caps than in the "
              f"{fit.nobs - n_rec} expansion months (p = {p_diff:.3f}); "
              f"{agreement_text(agreement, len(episodes))}; in the first "
              f"{recovery_months} months of expansions they beat large caps by {early['mean']:.2f}% "
              "a month on average."),
    )

    # 2. where we stand
    series = trailing_forward(sml, window=window, horizons=horizons).join(recession)
    as_of, history = _trailing_history(series, article_date, trailing_years, sml)
    now = history.iloc[-1]

    # 3. mean reversion
    rows, fits, nonover = [], {}, []
    lr = log_returns(sml)
    for hy in horizons_years:
        h_rows, fits[12 * hy], no = predictive_tests(series, lr, hy, trailing_years=trailing_years,
                                                     hac_lags=hac_lags, level=level, alpha=alpha)
        rows += h_rows
        nonover.append(no.assign(horizon_years=hy))
    pred = pd.DataFrame(rows)
    recession_row = pd.DataFrame([{
        "test": "recession minus expansion, % per month", "method": f"newey-west ({fit.maxlags} lags)",
        "horizon_years": np.nan, "estimate": diff, "std_err": fit.bse["recession"],
        "ci_lower": fit.conf_int.loc["recession", "lower"], "ci_upper": fit.conf_int.loc["recession", "upper"],
        "p_value": p_diff, "n_months": fit.nobs, "n_independent": len(episodes),
        "sample": span(both.index)}])
    table = pd.concat([recession_row, pred], ignore_index=True).set_index(["test", "method"])
    nonoverlapping = pd.concat(nonover).reset_index().set_index(["horizon_years", "offset"])

    chosen = {"newey-west": "newey-west", "hodrick": "hodrick 1B", "non-overlapping": "non-overlapping"}[inference]
    picked = pred.loc[pred["method"].str.startswith(chosen)].set_index("horizon_years")
    slopes, pvals = picked["estimate"].to_list(), picked["p_value"].to_list()
    mr_label = reversion_label(slopes, pvals, alpha=alpha)
    main = picked.loc[max(horizons_years)]
    main_fit = fits[12 * max(horizons_years)]
    forecast = main_fit.params["const"] + main_fit.params["trailing"] * now
    per_h = "; ".join(f"{hy}y slope {b:+.3f} (p = {p:.3f})"
                      for hy, b, p in zip(picked.index, slopes, pvals, strict=True))
    mr = Verdict(
        claim=CLAIM, aspect="mean reversion", label=mr_label, hypothesis=HYPOTHESIS_REVERSION,
        statistic=main["estimate"],
        statistic_name=(f"slope of the next {max(horizons_years)}-year on the trailing {trailing_years}-year "
                        "small-minus-large log return"),
        interval=((main["ci_lower"], main["ci_upper"]) if np.isfinite(main["ci_lower"]) else None),
        interval_level=level if np.isfinite(main["ci_lower"]) else None, p_value=main["p_value"],
        n=int(main["n_independent"]),
        n_note=(f"of {int(main['n_months'])} overlapping months; n counts non-overlapping "
                f"{max(horizons_years)}-year periods"),
        sample=str(main["sample"]), vintage=vintage,
        method=(f"Overlapping monthly regressions of the next {', '.join(map(str, horizons_years))}-year "
                f"small-minus-large log return on the trailing {trailing_years}-year one; verdict on "
                f"{inference} errors (Hodrick 1992 1B; Newey-West 1987 with lags = horizon in months "
                "and non-overlapping samples shown as checks). n = non-overlapping "
                f"{max(horizons_years)}-year periods. Small/large: {definition or 'as given'}"),
        rule=reversion_rule_text(alpha, horizons_years, inference),
        note=(f"{per_h}. With the trailing {trailing_years}-year return at {np.expm1(now / 100) * 100:+.1f}% "
              f"({as_of:%Y-%m}), the {max(horizons_years)}-year regression predicts "
              f"{np.expm1(forecast / 100) * 100:+.1f}% for small minus large over the next "
              f"{max(horizons_years)} years; {int(main['n_months'])} overlapping months carry only "
              f"about {int(main['n_independent'])} independent observations."),
    )

    current = pd.Series({
        "as_of": as_of, "trailing_log": now, "trailing_pct": float(np.expm1(now / 100) * 100),
        "percentile_rank": stats.percentile_rank(history, now), "history_start": history.index[0],
        "n_history_months": len(history), "n_independent": len(history) // window,
        "history_median_pct": float(np.expm1(history.median() / 100) * 100),
        "history_min_pct": float(np.expm1(history.min() / 100) * 100),
        f"forecast_next_{max(horizons_years)}y_pct": float(np.expm1(forecast / 100) * 100),
    })
    spec = {"definition": definition, "start": str(start), "end": str(end) if end else None,
            "article_date": article_date, "trailing_years": trailing_years,
            "horizons_years": horizons_years, "hac_lags": hac_lags, "state_lags": state_lags,
            "inference": inference, "alpha": alpha, "level": level, "recovery_months": recovery_months,
            "sample": span(sml.index)}
    return CycleResult(verdicts=(cyc, mr), table=table, states=states, current=current, series=series,
                       nonoverlapping=nonoverlapping, recession_fit=fit, predictive_fits=fits,
                       recession=recession, spec=spec)


@cached(maxsize=16)  # registered: clear_caches() forgets it too
def load_inputs(small_large: str = "deciles", weighting: str = "vw", small: tuple[int, ...] = (1, 2, 3),
                large: tuple[int, ...] = (8, 9, 10)) -> tuple[pd.DataFrame, pd.Series, dict, str]:
    """The inputs of :func:`test` from ``research.data``: returns, USREC, the vintage and a
    description of the small/large definition (cached per definition for sweeps)."""
    from research import data
    from research.data.sizes import small_large as small_large_returns

    returns = small_large_returns(small_large, weighting=weighting, small=small, large=large)
    usrec = data.load("usrec")["USREC"]
    names = [*returns.attrs["datasets"], "usrec"]
    return returns, usrec, vintage_of(*dict.fromkeys(names)), f"{small_large}: {returns.attrs['note']}"


def run(small_large: str = "deciles", *, weighting: str = "vw", small: Sequence[int] = (1, 2, 3),
        large: Sequence[int] = (8, 9, 10), **params: Any) -> CycleResult:
    """Load the data through ``research.data`` and :func:`research.data.sizes.small_large`, then
    :func:`test` with ``params`` (its keyword arguments)."""
    returns, usrec, vintage, definition = load_inputs(small_large, weighting, tuple(small), tuple(large))
    return test(returns, usrec, vintage=vintage, definition=definition, **params)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

@cached(maxsize=1)
def _grid_usrec() -> pd.Series:
    from research import data

    return data.load("usrec")["USREC"]


GRID_STARTS = (1926, 1954, 1963, 1987)
GRID_ASPECTS = ("cyclicality", "mean reversion")
_YEARS = {"3y": (3,), "5y": (5,), "3y+5y": (3, 5)}
GRID_HORIZON_YEARS = (3, 5)


def grid_valid(spec: dict[str, Any]) -> bool:
    """Each aspect with its own parameters only; ew only for deciles; distinct starts."""
    cyc = spec["aspect"] == "cyclicality"
    if cyc != (spec["trailing_years"] == NA) or cyc != (spec["horizons"] == NA) or cyc != (spec["inference"] == NA):
        return False
    if cyc == (spec["state_lags"] == NA):
        return False
    return weighting_and_start_kept(spec, DATA_START["deciles"], GRID_STARTS)


@cached(maxsize=64)
def _grid_sample(size: str, weighting: str, start: int) -> pd.Series:
    """The monthly small-minus-large returns from ``start``, as :func:`test` selects them."""
    sml = monthly_returns(size, weighting)["small_minus_large"]
    return sml.loc[month_end(START_DATES[start]):sml.index.max()].dropna().rename("small_minus_large")


@cached(maxsize=64)
def _grid_recession(size: str, weighting: str, start: int) -> pd.Series:
    """USREC on the sample's months."""
    return recession_indicator(_grid_usrec(), _grid_sample(size, weighting, start).index)


@cached(maxsize=64)
def _grid_states(size: str, weighting: str, start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's returns beside the recession dummy, and its recession episodes (the state
    lags do not change them)."""
    both = pd.concat([_grid_sample(size, weighting, start), _grid_recession(size, weighting, start)],
                     axis=1).dropna()
    return both, recession_episodes(both["small_minus_large"], both["recession"])


@cached(maxsize=64)
def _grid_series(size: str, weighting: str, start: int, trailing_years: int) -> pd.DataFrame:
    """:func:`trailing_forward` of the sample, for every grid horizon."""
    sml = _grid_sample(size, weighting, start)
    return trailing_forward(sml, window=12 * trailing_years, horizons=[12 * h for h in GRID_HORIZON_YEARS])


@cached(maxsize=128)
def _grid_checks(size: str, weighting: str, start: int, trailing_years: int, longest_years: int) -> None:
    """:func:`test`'s checks of the sample for a look-back of ``trailing_years`` and a longest
    horizon of ``longest_years``: its ParameterErrors, word for word."""
    sml = _grid_sample(size, weighting, start)
    start_date = START_DATES[start]
    _check_sample(sml, _grid_recession(size, weighting, start), trailing_years, (longest_years,), start_date,
                  None, month_end(start_date, "start"), sml.index.max())
    _trailing_history(_grid_series(size, weighting, start, trailing_years), ARTICLE_DATE, trailing_years, sml)


@cached(maxsize=128)
def _grid_predictive(size: str, weighting: str, start: int, trailing_years: int,
                     horizon_years: int) -> list[dict[str, Any]]:
    """:func:`predictive_tests` at one horizon with :func:`test`'s defaults (cached: the horizon
    choices and the kinds of error share them)."""
    rows, _, _ = predictive_tests(_grid_series(size, weighting, start, trailing_years),
                                  log_returns(_grid_sample(size, weighting, start)), horizon_years,
                                  trailing_years=trailing_years, hac_lags=None, level=0.95, alpha=0.05)
    return rows


def grid_estimate(*, aspect: str, size: str, weighting: str, start: int, state_lags: Any, trailing_years: Any,
                  horizons: Any, inference: Any, alpha: float = 0.05) -> dict[str, Any]:
    """C8: cyclicality (recession minus expansion mean, HAC) or mean reversion (slope of the next
    years' return on the trailing one, at the longest horizon); labels by
    :func:`research.claims.cycle.cycle_label` and :func:`~research.claims.cycle.reversion_label`.

    Each aspect runs :func:`test`'s steps for it alone, on intermediate results cached by what
    they depend on (``tests/test_sweep_grids.py`` checks that both give the same numbers)."""
    if aspect == "cyclicality":
        both, episodes = _grid_states(size, weighting, start)
        fit = stats.ols(both["small_minus_large"], both[["recession"]], maxlags=lags_choice(state_lags), level=0.95)
        ci = fit.conf_int.loc["recession"]
        diff = fit.params["recession"]
        agreement = episode_agreement(episodes, diff)
        label = cycle_label(diff, fit.pvalues["recession"], alpha=alpha,
                            episode_agreement=None if np.isnan(agreement) else agreement)
        return spec_row(diff, ci["lower"], ci["upper"], label, len(episodes), fit.pvalues["recession"],
                        f"{span(both.index)} ({fit.nobs} months, {len(episodes)} recessions)")
    years = _YEARS[horizons]
    _grid_checks(size, weighting, start, int(trailing_years), max(years))
    method = {"hodrick": "hodrick 1B", "newey-west": "newey-west", "non-overlapping": "non-overlapping"}[inference]
    picked = [row for hy in years
              for row in _grid_predictive(size, weighting, start, int(trailing_years), hy)
              if row["method"].startswith(method)]
    label = reversion_label([r["estimate"] for r in picked], [r["p_value"] for r in picked], alpha=alpha)
    main = picked[-1]  # the longest horizon
    return spec_row(main["estimate"], main["ci_lower"], main["ci_upper"], label, main["n_independent"],
                    main["p_value"], str(main["sample"]))


GRID = Grid(
    claim="C8", title="Small caps, the business cycle and mean reversion",
    choices={
        "aspect": GRID_ASPECTS, "size": tuple(MONTHLY_SIZES), "weighting": ("vw", "ew"), "start": GRID_STARTS,
        "state_lags": (NA, "auto", 6, 12), "trailing_years": (NA, 5, 10, 15),
        "horizons": (NA, "3y", "5y", "3y+5y"),
        # not Newey-West with lags = horizon: it covers 76-79% at 95% with C8's 16-28 independent
        # windows (docs/methods.md), so it may not vote in the curve (test() still shows it beside)
        "inference": (NA, "hodrick", "non-overlapping"),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid", aspect="aspect",
    aspect_labels={"cyclicality": "recession minus expansion mean small-minus-large, % per month",
                   "mean reversion": "slope of the next years' on the trailing small-minus-large return"},
    statistic_name="recession minus expansion, % per month (cyclicality); predictive slope (mean reversion)",
    default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1926},
    aspect_defaults={"cyclicality": {"state_lags": "auto", "trailing_years": NA, "horizons": NA, "inference": NA},
                     "mean reversion": {"state_lags": NA, "trailing_years": 10, "horizons": "3y+5y",
                                        "inference": "hodrick"}},
    notes=("Cyclicality: the monthly small-minus-large return regressed on the NBER recession "
           "dummy, Newey-West errors (state_lags; 'auto' = plug-in); supported if negative with p < "
           "0.05, contradicted if positive with p < 0.05, mixed if significant but against most "
           "recession episodes; n = recession episodes. Mean "
           "reversion: the next 3/5 years' small-minus-large log return on the trailing one "
           "(trailing_years), with Hodrick 1B or non-overlapping errors (not Newey-West with lags = "
           "horizon, whose intervals cover well below their level with C8's few independent windows: "
           "docs/methods.md); supported if negative with p < 0.05 at every horizon, mixed if at some."),
)
