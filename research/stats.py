"""Statistics every claim uses: HAC regressions, the stationary bootstrap, compounding, ranks.

Each function states its estimator. Regressions return :class:`Regression`, a frozen dataclass
whose fields are labelled pandas objects (pick coefficients by name, never by position).
Bootstraps take a seed or a ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from research.errors import ParameterError

# -- regressions -------------------------------------------------------------------------------------

def newey_west_lags(nobs: int) -> int:
    """The Newey-West (1994) plug-in lag count, floor(4 (T/100)^(2/9))."""
    return int(math.floor(4 * (nobs / 100.0) ** (2.0 / 9.0)))


@dataclass(frozen=True)
class Regression:
    """An OLS fit with HAC (Newey-West) or classical standard errors, all labelled."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    conf_int: pd.DataFrame  # columns "lower", "upper"
    cov: pd.DataFrame  # covariance of the coefficients (HAC or classical), labelled both ways
    nobs: int
    rsquared: float
    cov_type: str  # "HAC" | "nonrobust"
    maxlags: int | None
    level: float
    y_name: str
    sample: str
    kernel: str = "bartlett"  # HAC weights: Bartlett (Newey-West) or uniform (Hansen-Hodrick)

    @property
    def table(self) -> pd.DataFrame:
        """The coefficient table: the main output."""
        return pd.DataFrame({
            "coef": self.params, "std_err": self.bse, "t": self.tvalues, "p_value": self.pvalues,
            f"ci_{self.level:.0%}_lower": self.conf_int["lower"],
            f"ci_{self.level:.0%}_upper": self.conf_int["upper"],
        })

    def _lags_text(self) -> str:
        if self.cov_type != "HAC":
            return ""
        return f", {self.maxlags} lags" + (", uniform kernel" if self.kernel == "uniform" else "")

    def __str__(self) -> str:
        lags = self._lags_text()
        head = f"OLS of {self.y_name}: n={self.nobs}, R²={self.rsquared:.3f}, {self.cov_type}{lags}, {self.sample}"
        return head + "\n" + self.table.round(4).to_string()

    def _repr_html_(self) -> str:
        lags = self._lags_text()
        cap = (f"OLS of {self.y_name}: n={self.nobs}, R²={self.rsquared:.3f}, "
               f"{self.cov_type} errors{lags}, sample {self.sample}")
        return self.table.style.format("{:.4f}").set_caption(cap).to_html()


def sample_text(index: pd.Index) -> str:
    """'1963-07..2025-10' for monthly data, full dates otherwise."""
    if len(index) == 0:
        return "empty"
    a, b = pd.Timestamp(index[0]), pd.Timestamp(index[-1])
    if isinstance(index, pd.DatetimeIndex) and len(index) > 2:
        step = float(np.median(np.diff(index.values) / np.timedelta64(1, "D")))
        if step > 25:
            return f"{a:%Y-%m}..{b:%Y-%m}"
    return f"{a.date()}..{b.date()}"


def ols(y: pd.Series, X: pd.DataFrame | pd.Series, *, hac: bool = True, maxlags: int | None = None,
        add_constant: bool = True, level: float = 0.95, kernel: str = "bartlett") -> Regression:
    """OLS of ``y`` on ``X`` (rows with any NaN dropped), with Newey-West HAC errors by default.

    ``maxlags=None`` uses :func:`newey_west_lags`; for overlapping k-period returns pass at least
    k - 1. The constant is named ``const``. ``kernel="uniform"`` weighs every autocovariance up to
    ``maxlags`` fully (Hansen and Hodrick 1980): with ``maxlags = k - 1`` it is unbiased for the
    MA(k - 1) errors of overlapping k-period returns, which Bartlett weights shrink (see
    docs/methods.md for the coverage of each).
    """
    import statsmodels.api as sm

    if kernel not in ("bartlett", "uniform"):
        raise ParameterError(f"HAC kernel must be 'bartlett' or 'uniform', got {kernel!r}")

    X = X.to_frame() if isinstance(X, pd.Series) else X
    data = pd.concat([y.rename(y.name or "y"), X], axis=1).dropna()
    if len(data) < X.shape[1] + 3:
        raise ParameterError(f"regression of {y.name} needs more observations: {len(data)} rows "
                             f"for {X.shape[1]} regressors")
    yy = data.iloc[:, 0]
    xx = data.iloc[:, 1:]
    if add_constant:
        xx = sm.add_constant(xx, has_constant="add")
    model = sm.OLS(yy, xx)
    if hac:
        lags = newey_west_lags(len(data)) if maxlags is None else int(maxlags)
        fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True, "kernel": kernel})
    else:
        lags = None
        fit = model.fit()
    ci = fit.conf_int(alpha=1 - level)
    ci.columns = ["lower", "upper"]
    return Regression(
        params=fit.params, bse=fit.bse, tvalues=fit.tvalues, pvalues=fit.pvalues, conf_int=ci,
        cov=fit.cov_params(), nobs=int(fit.nobs), rsquared=float(fit.rsquared),
        cov_type="HAC" if hac else "nonrobust",
        maxlags=lags, level=level, y_name=str(yy.name), sample=sample_text(data.index), kernel=kernel,
    )


def hac_mean(x: pd.Series, maxlags: int | None = None, level: float = 0.95) -> Regression:
    """The mean of ``x`` with a Newey-West standard error (a regression on a constant)."""
    x = x.dropna()
    import statsmodels.api as sm

    lags = newey_west_lags(len(x)) if maxlags is None else int(maxlags)
    fit = sm.OLS(x.to_numpy(), np.ones((len(x), 1))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    name = ["mean"]
    ci = pd.DataFrame(fit.conf_int(alpha=1 - level), index=name, columns=["lower", "upper"])
    return Regression(
        params=pd.Series(fit.params, index=name), bse=pd.Series(fit.bse, index=name),
        tvalues=pd.Series(fit.tvalues, index=name), pvalues=pd.Series(fit.pvalues, index=name),
        conf_int=ci, cov=pd.DataFrame(fit.cov_params(), index=name, columns=name), nobs=len(x),
        rsquared=0.0, cov_type="HAC", maxlags=lags, level=level,
        y_name=str(x.name), sample=sample_text(x.index),
    )


def kernel_weights(maxlags: int, kernel: str = "bartlett") -> np.ndarray:
    """HAC weights of lags 0..``maxlags``: Bartlett 1 - l/(maxlags + 1) (Newey-West), or uniform 1."""
    if kernel not in ("bartlett", "uniform"):
        raise ParameterError(f"HAC kernel must be 'bartlett' or 'uniform', got {kernel!r}")
    if maxlags < 0:
        raise ParameterError(f"HAC maxlags must be at least 0, got {maxlags}")
    if kernel == "uniform":
        return np.ones(maxlags + 1)
    return 1.0 - np.arange(maxlags + 1) / (maxlags + 1.0)


def kernel_smooth(x: np.ndarray, maxlags: int, kernel: str = "bartlett") -> np.ndarray:
    """``W x`` for the n x n HAC weight matrix ``W[t, s] = w(|t - s|)`` (zero beyond ``maxlags``), per column.

    ``x.T @ kernel_smooth(x, L)`` is the HAC "meat" statsmodels' ``S_hac_simple`` sums lag by lag
    in Python; this is one convolution per column in C, and ``v @ kernel_smooth(x, L)`` is the
    weighted cross-sum of two series, so a sample's smoothed series can serve many regressions.
    """
    arr = np.asarray(x, dtype=float)
    n = arr.shape[0]
    lags = min(int(maxlags), max(n - 1, 0))  # lags beyond the sample have nothing to weigh
    w = kernel_weights(int(maxlags), kernel)[:lags + 1]
    band = np.concatenate([w[:0:-1], w])  # weights of offsets -lags..lags
    if arr.ndim == 1:
        return np.convolve(arr, band)[lags:lags + n]
    return np.column_stack([np.convolve(arr[:, j], band)[lags:lags + n] for j in range(arr.shape[1])])


@dataclass(frozen=True)
class EventSample:
    """A series prepared for many event-dummy regressions with the same HAC lags (:func:`event_dummy_hac`).

    Everything here depends on the series alone; each event set then costs O(events^2), not O(n lags).
    """

    y: np.ndarray
    maxlags: int
    kernel: str
    centred: np.ndarray  # y - mean(y): keeps the quadratic forms below free of cancellation
    total: float  # sum of ``centred`` (zero up to rounding)
    smooth_y: np.ndarray  # W centred
    smooth_one: np.ndarray  # W 1
    q_yy: float  # centred' W centred
    q_y1: float  # 1' W centred
    q_11: float  # 1' W 1


def event_sample(y: np.ndarray, maxlags: int, kernel: str = "bartlett") -> EventSample:
    """Prepare ``y`` (no NaN) for :func:`event_dummy_hac` with ``maxlags`` HAC lags."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or not np.isfinite(y).all():
        raise ParameterError(f"event_sample needs a 1-d series without NaN, got shape {y.shape}")
    centred = y - y.mean()
    smooth_y = kernel_smooth(centred, maxlags, kernel)
    smooth_one = kernel_smooth(np.ones(len(y)), maxlags, kernel)
    return EventSample(y=y, maxlags=int(maxlags), kernel=kernel, centred=centred, total=float(centred.sum()),
                       smooth_y=smooth_y, smooth_one=smooth_one, q_yy=float((centred * smooth_y).sum()),
                       q_y1=float(smooth_y.sum()), q_11=float(smooth_one.sum()))


def event_dummy_hac(sample: EventSample, events: np.ndarray) -> tuple[float, float]:
    """Coefficient of an event dummy and its HAC standard error in OLS of y on a constant and the dummy.

    The same numbers as statsmodels' ``OLS(y, [1, d]).fit(cov_type="HAC", cov_kwds={"maxlags": L,
    "use_correction": True, "kernel": ...})``: ``b`` is the event mean minus the mean of the other
    days, and its variance ``n/(n-2) q' W q`` with ``q`` the dummy's row of (X'X)^-1 times the
    scores: ``q_t = -(y_t - a)/(n - m)`` off events, ``(y_t - a - b)/m`` on them (``a`` the
    non-event mean, ``m`` events). Split ``q`` into its off-event form on every day plus a
    correction on the event days: the first part's quadratic form comes from ``sample``'s sums,
    the cross term from its smoothed series at the events, the rest from pairs of events.
    ``events``: positions in ``sample.y`` (distinct). Returns ``(b, se)``; ``se`` is NaN when a
    non-Bartlett kernel makes the variance negative.
    """
    pos = np.asarray(events, dtype=np.int64)
    n, m = len(sample.y), len(pos)
    if not 1 <= m <= n - 2 or len(np.unique(pos)) != m or pos.min() < 0 or pos.max() >= n:
        raise ParameterError(f"event_dummy_hac needs 1..n-2 distinct event positions in 0..{n - 1}, "
                             f"got {m} (n={n})")
    yc = sample.centred[pos]
    events_mean = float(yc.sum()) / m
    others_mean = (sample.total - float(yc.sum())) / (n - m)
    b = events_mean - others_mean
    rest = n - m
    correction = (yc - events_mean) / m + (yc - others_mean) / rest
    base_form = (sample.q_yy - 2 * others_mean * sample.q_y1 + others_mean ** 2 * sample.q_11) / rest ** 2
    base_at_events = -(sample.smooth_y[pos] - others_mean * sample.smooth_one[pos]) / rest
    gaps = np.abs(pos[:, None] - pos[None, :])
    weights = kernel_weights(sample.maxlags, sample.kernel)
    pair_w = np.where(gaps <= sample.maxlags, weights[np.minimum(gaps, sample.maxlags)], 0.0)
    form = base_form + 2 * float(correction @ base_at_events) + float(correction @ pair_w @ correction)
    var = form * n / (n - 2)
    return b, math.sqrt(var) if var >= 0 else math.nan


# -- random-date placebo for event studies -----------------------------------------------------------

@dataclass(frozen=True)
class ShiftSample:
    """A series prepared for many :func:`shift_placebo` calls: the discrete Fourier transforms of
    the series and, when it has one, of its local variance (``scale`` squared)."""

    y: np.ndarray
    mean: float
    spectrum: np.ndarray  # rfft(y)
    variance: np.ndarray | None = None  # scale**2, floored (see shift_sample)
    variance_spectrum: np.ndarray | None = None  # rfft(variance)


#: A day's local variance is floored at this share of the median one, so that a stretch of
#: unchanged closes (a zero trailing volatility) cannot divide by zero.
VARIANCE_FLOOR = 0.01


def shift_sample(y: np.ndarray, scale: np.ndarray | None = None) -> ShiftSample:
    """Prepare ``y`` (1-d, no NaN) for :func:`shift_placebo` on many event sets; ``scale`` (same
    length, finite, not negative) is each day's local volatility, known on that day."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or not len(y) or not np.isfinite(y).all():
        raise ParameterError(f"shift_sample needs a non-empty 1-d series without NaN, got shape {y.shape}")
    variance = variance_spectrum = None
    if scale is not None:
        scale = np.asarray(scale, dtype=float)
        if scale.shape != y.shape or not np.isfinite(scale).all() or (scale < 0).any():
            raise ParameterError(f"shift_sample needs a scale of {len(y)} finite, non-negative values, one per day "
                                 f"of the series; got shape {scale.shape}")
        variance = scale ** 2
        positive = variance[variance > 0]
        floor = VARIANCE_FLOOR * float(np.median(variance)) or (float(positive.min()) if len(positive) else 1.0)
        variance = np.maximum(variance, floor)
        variance_spectrum = np.fft.rfft(variance)
    return ShiftSample(y=y, mean=float(y.mean()), spectrum=np.fft.rfft(y), variance=variance,
                       variance_spectrum=variance_spectrum)


@dataclass(frozen=True)
class ShiftPlacebo:
    """The mean of ``y`` on the event days minus its mean on all days, with the random-date
    placebo interval and p-value of :func:`shift_placebo`."""

    excess: float
    lower: float
    upper: float
    p_value: float
    shifts: int
    studentized: bool


def _shifted_means(spectrum: np.ndarray, indicator_spectrum: np.ndarray, n: int, m: int) -> np.ndarray:
    """Mean over the m events of a series at each circular shift k (the events moved k days on):
    the cross-correlation of the series with the events' indicator, by FFT."""
    return np.fft.irfft(spectrum * np.conj(indicator_spectrum), n) / m


def shift_placebo(sample: ShiftSample | np.ndarray, events: np.ndarray, level: float = 0.90) -> ShiftPlacebo:
    """Event mean minus all-days mean, against the same event days shifted to every other date.

    Shifting every event by the same k days (circularly, k = 0 .. n - 1) keeps how the events
    bunch together and how the series depends on its own past; with no event effect the actual
    excess is one draw from the n shifted ones, whose mean is exactly zero. It is for overlapping
    forward returns at clustered events, where a HAC standard error with Bartlett weights
    undercovers (docs/methods.md, "Coverage").

    With a local volatility (``shift_sample(y, scale)``), each shift's excess is divided by the
    root mean local variance at its days (studentized): events that fall in turbulent years are
    then judged against shifts scaled to their turbulence, not against calm ones. The interval is
    the excess minus the (1 + level)/2 and (1 - level)/2 quantiles of those ratios times the
    events' own scale; without a scale the quantiles of the excesses themselves. The p-value is
    twice the smaller tail share at the actual shift (shift 0 counted), capped at 1. The n sums
    come from FFT cross-correlations: a call costs O(n log n) whatever the number of events.
    """
    if not isinstance(sample, ShiftSample):
        sample = shift_sample(sample)
    n = len(sample.y)
    pos = np.asarray(events)
    if pos.ndim != 1 or not len(pos) or pos.dtype.kind not in "iu":
        raise ParameterError(f"shift_placebo needs a non-empty 1-d array of integer positions, got {pos.dtype} "
                             f"of shape {pos.shape}")
    if len(np.unique(pos)) != len(pos) or pos.min() < 0 or pos.max() >= n:
        raise ParameterError(f"shift_placebo needs distinct positions in 0..{n - 1}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), got {level}")
    indicator = np.zeros(n)
    indicator[pos] = 1.0
    indicator_spectrum = np.fft.rfft(indicator)
    placebo = _shifted_means(sample.spectrum, indicator_spectrum, n, len(pos)) - sample.mean
    actual = float(sample.y[pos].mean() - sample.mean)
    placebo[0] = actual  # shift 0 is the actual events: exactly, not up to the FFT's rounding
    scale_at = np.ones(n)
    if sample.variance is not None:
        scale_at = np.sqrt(np.maximum(_shifted_means(sample.variance_spectrum, indicator_spectrum, n, len(pos)), 0.0))
        scale_at[0] = math.sqrt(float(sample.variance[pos].mean()))
    ratio = placebo / scale_at
    lo_q, hi_q = np.quantile(ratio, [(1 - level) / 2, (1 + level) / 2])
    p = min(1.0, 2 * min(float((ratio >= ratio[0]).mean()), float((ratio <= ratio[0]).mean())))
    return ShiftPlacebo(excess=actual, lower=actual - float(hi_q) * scale_at[0],
                        upper=actual - float(lo_q) * scale_at[0], p_value=p, shifts=n,
                        studentized=sample.variance is not None)


# -- bootstrap ---------------------------------------------------------------------------------------

class _Interval:
    """What every interval result shares: ``lower``, ``upper`` as a pair, and whether 0 is outside."""

    lower: float
    upper: float

    @property
    def interval(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def excludes_zero(self) -> bool:
        return self.lower > 0 or self.upper < 0


@dataclass(frozen=True)
class BootstrapCI(_Interval):
    """A statistic with a stationary-bootstrap percentile interval (Politis and Romano, 1994)."""

    estimate: float
    lower: float
    upper: float
    level: float
    reps: int
    block_length: float
    n: int

    def __str__(self) -> str:
        return (f"{self.estimate:.3f} [{self.lower:.3f}, {self.upper:.3f}] "
                f"({self.level:.0%} stationary bootstrap, {self.reps} draws, mean block {self.block_length:.1f}, n={self.n})")


def optimal_block(x: np.ndarray) -> float:
    """Politis-White (2004, with Patton et al. 2009 correction) mean block length, at least 1."""
    from arch.bootstrap import optimal_block_length

    if len(x) < 10:
        return 1.0
    b = float(optimal_block_length(np.asarray(x, dtype=float))["stationary"].iloc[0])
    return max(1.0, b) if math.isfinite(b) else 1.0


def stationary_bootstrap_indices(n: int, reps: int, block: float, rng: np.random.Generator) -> np.ndarray:
    """Index matrix (reps x n) of the stationary bootstrap: blocks of geometric length, mean ``block``.

    Vectorised: each position starts a new block with probability 1/block, otherwise continues the
    previous one (wrapping around the end), which is exactly Politis and Romano's scheme.
    """
    p = 1.0 / max(block, 1.0)
    starts = rng.integers(0, n, size=(reps, n))
    new_block = rng.random((reps, n)) < p
    new_block[:, 0] = True
    # position within the current block: steps since the last new block
    pos = np.arange(n)
    last_start = np.where(new_block, pos, 0)
    np.maximum.accumulate(last_start, axis=1, out=last_start)
    offset = pos - last_start
    first = np.take_along_axis(starts, last_start, axis=1)
    return (first + offset) % n


def stationary_bootstrap(x: pd.Series | np.ndarray, stat: Callable[[np.ndarray], np.ndarray] | None = None,
                         *, reps: int = 10_000, level: float = 0.90, block: float | None = None,
                         seed: int | np.random.Generator | None = 0) -> BootstrapCI:
    """Percentile interval of ``stat`` (default: the mean) under the stationary bootstrap.

    ``stat`` maps a (reps x n) array of resamples to ``reps`` values; the default is the row mean.
    ``block`` defaults to the Politis-White optimal mean block length.
    """
    arr = np.asarray(pd.Series(x).dropna(), dtype=float)
    n = len(arr)
    if n < 2:
        raise ParameterError(f"a bootstrap needs at least 2 observations, got {n}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    b = optimal_block(arr) if block is None else float(block)
    stat = stat or (lambda m: m.mean(axis=1))
    estimate = float(stat(arr[None, :])[0])
    draws = np.empty(reps)
    chunk = max(1, min(reps, 2_000_000 // max(n, 1)))  # bound memory for long series
    for start in range(0, reps, chunk):
        k = min(chunk, reps - start)
        idx = stationary_bootstrap_indices(n, k, b, rng)
        draws[start:start + k] = stat(arr[idx])
    alpha = (1 - level) / 2
    lo, hi = np.quantile(draws, [alpha, 1 - alpha])
    return BootstrapCI(estimate, float(lo), float(hi), level, reps, b, n)


def percentile_bootstrap(x: pd.Series | np.ndarray, *, reps: int, level: float,
                         seed: int = 0) -> tuple[float, float, float]:
    """:func:`stationary_bootstrap`'s interval of the mean, and the p-value dual to it.

    The same data, draws, level and seed as the claim modules' call, so the interval is theirs.
    The p-value is the one the equal-tailed percentile interval inverts: twice the share of
    bootstrap means on the far side of zero, ``2 min(P*(mean* <= 0), P*(mean* >= 0))``, capped
    at 1. The interval at level L excludes zero exactly when this p-value is below 1 - L (up to
    the quantile's interpolation), so it is an honest p-value for the same verdict, not a new
    test. Returns ``(lower, upper, p_value)``.
    """
    draws: list[np.ndarray] = []

    def mean_recorded(m: np.ndarray) -> np.ndarray:
        out = m.mean(axis=1)
        draws.append(out)
        return out

    with warnings.catch_warnings():  # arch's block-length estimate warns on a handful of events
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="arch")
        ci = stationary_bootstrap(x, mean_recorded, reps=reps, level=level, seed=seed)
    d = np.concatenate(draws[1:])  # the first call is the estimate on the data themselves
    p = min(1.0, 2.0 * min(float(np.mean(d <= 0)), float(np.mean(d >= 0))))
    return ci.lower, ci.upper, p


# -- small samples ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeanInterval(_Interval):
    """The mean of a few independent observations with a Student-t interval and p-value."""

    estimate: float
    lower: float
    upper: float
    level: float
    n: int
    p_value: float  # two-sided, H0: mean = 0; below 1 - level exactly when the interval excludes 0
    method: str

    def __str__(self) -> str:
        return (f"{self.estimate:.3f} [{self.lower:.3f}, {self.upper:.3f}] "
                f"({self.level:.0%} {self.method} interval, n={self.n})")


#: How :func:`mean_interval`'s p-value is computed, in words (the multiple-testing family shows it).
STUDENT_T_BASIS = ("Student-t interval of the mean: the two-sided one-sample t-test p-value (the "
                   "p-value the verdict's interval inverts)")


def mean_interval(x: pd.Series | np.ndarray, *, level: float = 0.90, method: str = "t") -> MeanInterval:
    """Interval of the mean of independent observations: x̄ ± t_{n-1, (1+level)/2} s/√n.

    For a handful of events far apart (easing cycles, drawdown episodes, years), where a
    percentile bootstrap is too narrow: with n = 5-8 its nominal 90% covers about 80-85%, the
    Student-t interval covers 90% exactly for normal data and within 3 points for the
    skewed and fat-tailed ones ``benchmarks/coverage.py`` simulates (docs/methods.md). ``method``
    is ``"t"``, the only one so far; the p-value is the t-test's, dual to the interval.
    """
    from scipy import stats as sps

    if method != "t":
        raise ParameterError(f"mean_interval method must be 't', got {method!r}")
    if not 0 < level < 1:
        raise ParameterError(f"level must lie in (0, 1), e.g. 0.90; got {level}")
    arr = np.asarray(pd.Series(x).dropna(), dtype=float)
    n = len(arr)
    if n < 2:
        raise ParameterError(f"a t interval needs at least 2 observations, got {n}")
    mean = float(arr.mean())
    se = float(arr.std(ddof=1)) / math.sqrt(n)
    half = float(sps.t.ppf(0.5 + level / 2, n - 1)) * se
    p = float(2 * sps.t.sf(abs(mean) / se, n - 1)) if se > 0 else float(mean == 0)
    return MeanInterval(mean, mean - half, mean + half, level, n, p, "Student t")


# -- returns --------------------------------------------------------------------------------------

def compound(returns_pct: pd.Series | np.ndarray) -> float:
    """Cumulative return in percent of a sequence of percent returns: (prod(1 + r/100) - 1) * 100."""
    r = np.asarray(returns_pct, dtype=float)
    return float((np.prod(1 + r / 100.0) - 1) * 100.0)


def growth_index(returns_pct: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """The value of 100 invested at the start, after each period: 100 * cumprod(1 + r/100)."""
    return (1 + returns_pct / 100.0).cumprod() * 100.0


def forward_compound(returns_pct: pd.Series, horizon: int) -> pd.Series:
    """At each date t, the compounded return over t+1 .. t+horizon (percent); NaN near the end."""
    logs = np.log1p(returns_pct.astype(float) / 100.0)
    fwd = logs[::-1].rolling(horizon, min_periods=horizon).sum()[::-1].shift(-1)
    return (np.expm1(fwd) * 100.0).rename(f"fwd_{horizon}")


def trailing_compound(returns_pct: pd.Series, window: int) -> pd.Series:
    """At each date t, the compounded return over t-window+1 .. t (percent)."""
    logs = np.log1p(returns_pct.astype(float) / 100.0)
    return (np.expm1(logs.rolling(window, min_periods=window).sum()) * 100.0).rename(f"trail_{window}")


def percentile_rank(history: pd.Series, value: float) -> float:
    """Share of ``history`` (NaN dropped) at or below ``value``, in [0, 1]."""
    h = np.asarray(pd.Series(history).dropna(), dtype=float)
    if len(h) == 0:
        return float("nan")
    return float(np.mean(h <= value))

