"""The specification grids of claims C1-C8: what "reasonable" means for each claim, spelled out.

Each claim gets one :class:`~research.sweep.Grid` (in :data:`GRIDS`) that crosses the choices a
careful researcher could defend: the small/large definition (size deciles 1-3 vs 8-10, decile 1 vs
10, SMB, Russell 2000 vs S&P 500 where the dates allow), value- or equal-weighting, the sample start
(1926, 1954, 1963, 1987 where the data reach back), horizons, event rules, HAC lags, windows and
thresholds. Each specification's estimate function below is module-level (Dask pickles it by
name), takes the specification as keyword arguments and returns that specification's statistic,
interval, p-value, number of independent observations and its *own* label by the claim's verdict
rule in CLAIMS.md (calling the claim module's rule, never a copy of it).

Why the functions look the way they do:

* Data are loaded through :mod:`research.data` and :func:`research.data.sizes.small_large`, behind
  ``functools.lru_cache`` keyed by the data-defining arguments, so a Dask worker loads each
  dataset once and then runs hundreds of specifications on it.
* Bootstraps use fixed seeds, so a specification gives the same numbers serially, on a
  LocalCluster or on a remote cluster.
* A sweep re-runs each claim hundreds of times in CI, so the estimate functions call the claim
  module's *test* building blocks on pre-loaded data and skip what a specification does not need
  (figures, decile panels, the other series), with fewer bootstrap draws (``reps`` in
  ``Grid.fixed``) than the published reports. :func:`family_p_values` re-evaluates the default
  specification with the reports' own draws for the multiple-testing family.
* Combinations that cannot be tested (a sample start before the data begin, a parameter that does
  not apply to an event rule) are removed by each grid's ``valid`` hook, so every specification
  in the curve is a distinct, meaningful one; what the data still refuse becomes a "skipped" row
  (:class:`~research.errors.ParameterError`), never a crash.

A sample start that lies before a dataset begins means "from the first month of data": only the
latest such start is kept (so no specification is counted twice), and the table's ``sample``
column shows the span actually used.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import TYPE_CHECKING, Any

from research.errors import ParameterError
from research.sweep import Grid, robustness_verdict, summarize

__all__ = ["GRIDS", "Grid", "family_p_values", "robustness_verdict", "summarize"]

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NA = "—"  # a choice that does not apply to this specification (e.g. the rule's minimum cut for curated cuts)
SEED = 0

# -- the shared vocabulary of choices -----------------------------------------------------------------

#: Small/large definitions on monthly data (research.data.sizes.small_large arguments).
MONTHLY_SIZES: dict[str, dict[str, Any]] = {
    "deciles 1-3 vs 8-10": {"definition": "deciles", "small": (1, 2, 3), "large": (8, 9, 10)},
    "decile 1 vs 10": {"definition": "deciles", "small": (1,), "large": (10,)},
    "SMB": {"definition": "smb"},
    "Russell 2000 vs S&P 500": {"definition": "russell"},
}
#: Definitions whose returns change with the weighting within portfolios (the others are vw only).
WEIGHTED = {"deciles 1-3 vs 8-10", "decile 1 vs 10", "halves (2x3, below/above NYSE median)"}
HALVES = "halves (2x3, below/above NYSE median)"
RUSSELL = "Russell 2000 vs S&P 500"

#: Sample starts: the year a choice names -> its first month-end. 1987 starts in October, the
#: first full month of the Russell 2000 series, so every definition can share it.
START_DATES = {1926: "1926-07-31", 1954: "1954-07-31", 1963: "1963-07-31", 1983: "1983-01-31",
               1987: "1987-10-31"}

#: First month-end (or day) each series covers, for the ``valid`` hooks (facts from the catalog).
DATA_START = {
    "deciles": "1926-07-31", "smb": "1926-07-31", "russell_monthly": "1987-10-31",
    "russell_daily": "1987-09-11", "halves_daily": "1926-07-01", "halves_monthly": "1926-07-31",
    "fedfunds": "1954-07-31", "ff5": "1963-07-31", "me_op_25": "1963-07-31",
    "dgs2": "1976-06-30", "dgs10": "1962-01-31", "gs10": "1953-04-30", "gs2": "1985-01-31",
}


def start_kept(start: int, data_start: str, starts: tuple[int, ...]) -> bool:
    """Whether sample start ``start`` (a year) is a distinct specification for data that begin at
    ``data_start``. Starts at or before the data's first year all mean "from the first month of
    data", so only one of them is kept: the one naming that year if there is one (Russell 2000
    data and 1987), else the earliest (as the claim reports' defaults do: 1926 means "all data")."""
    first = int(data_start[:4])
    if start > first:
        return True
    same = [s for s in starts if s <= first]
    return start == (first if first in same else min(same))


def weighting_and_start_kept(spec: dict[str, Any], french_start: str, starts: tuple[int, ...], *,
                             russell: str = "russell_monthly", start_key: str = "start") -> bool:
    """Equal weighting only where it changes something (the decile definitions), and a sample start
    that is distinct for the data the specification's size definition reads (see :func:`start_kept`)."""
    if spec["weighting"] == "ew" and spec["size"] not in WEIGHTED:
        return False
    data_start = DATA_START[russell] if spec["size"] == RUSSELL else french_start
    return start_kept(spec[start_key], data_start, starts)


def start_date(start: int, data_start: str) -> str | None:
    """The first month-end of a sample start; ``None`` (all data) when the data begin that year or later."""
    return None if start <= int(data_start[:4]) else START_DATES[start]


def _clean_float(x: Any) -> float:
    return float(x) if x is not None and math.isfinite(float(x)) else float("nan")


def _row(estimate: Any, lower: Any, upper: Any, label: str, n: Any, p_value: Any = None,
         sample: str = "", **extra: Any) -> dict[str, Any]:
    """An estimate function's answer (plain Python values, NaN for missing numbers)."""
    out = {"estimate": _clean_float(estimate), "lower": _clean_float(lower), "upper": _clean_float(upper),
           "label": label, "n": float("nan") if n is None else int(n),
           "p_value": _clean_float(p_value), "sample": sample}
    out.update(extra)
    return out


def _lags(value: Any) -> int | None:
    """A HAC-lag choice: "auto" is the Newey-West plug-in rule (None for the claim modules)."""
    return None if value == "auto" else int(value)


def percentile_bootstrap(x: Any, *, reps: int, level: float, seed: int = SEED) -> tuple[float, float, float]:
    """The claims' stationary-bootstrap interval of the mean, and the p-value dual to it.

    Calls :func:`research.stats.stationary_bootstrap` exactly as the claim modules do (same data,
    draws, level and seed, so the interval is theirs) and records its draws. The p-value is the
    one the equal-tailed percentile interval inverts: twice the share of bootstrap means on the
    far side of zero, ``2 min(P*(mean* <= 0), P*(mean* >= 0))``, capped at 1. The interval at
    level L excludes zero exactly when this p-value is below 1 - L (up to the quantile's
    interpolation), so it is an honest p-value for the same verdict, not a new test.
    Returns ``(lower, upper, p_value)``.
    """
    import numpy as np

    from research import stats

    draws: list[np.ndarray] = []

    def mean_recorded(m: np.ndarray) -> np.ndarray:
        out = m.mean(axis=1)
        draws.append(out)
        return out

    with warnings.catch_warnings():  # arch's block-length estimate warns on a handful of events
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="arch")
        ci = stats.stationary_bootstrap(x, mean_recorded, reps=reps, level=level, seed=seed)
    d = np.concatenate(draws[1:])  # the first call is the estimate on the data themselves
    p = min(1.0, 2.0 * min(float(np.mean(d <= 0)), float(np.mean(d >= 0))))
    return ci.lower, ci.upper, p


# -- cached data (one load per worker process) ----------------------------------------------------------

def _quiet_small_large(definition: str, **kwargs: Any) -> pd.DataFrame:
    from research import data
    from research.data.sizes import small_large

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)  # excluded; the claim reports say so
        return small_large(definition, **kwargs)


@functools.lru_cache(maxsize=32)
def monthly_returns(size: str, weighting: str) -> pd.DataFrame:
    """Monthly small, large and small-minus-large returns (percent) for a :data:`MONTHLY_SIZES` name."""
    spec = dict(MONTHLY_SIZES[size])
    definition = spec.pop("definition")
    return _quiet_small_large(definition, freq="monthly", weighting=weighting, **spec)


@functools.lru_cache(maxsize=16)
def daily_returns(size: str, weighting: str) -> pd.DataFrame:
    """Daily small and large returns (percent): French's 2x3 halves or the Russell 2000 / S&P 500."""
    definition = "russell" if size == RUSSELL else "deciles"
    return _quiet_small_large(definition, freq="daily", weighting=weighting)


@functools.lru_cache(maxsize=16)
def halves_monthly(weighting: str) -> pd.DataFrame:
    """Monthly small and large legs from the 2x3 portfolios (the legs of ``small_large("smb")``)."""
    return _quiet_small_large("smb", freq="monthly", weighting=weighting)[["small", "large"]].dropna()


def returns_for(size: str, freq: str, weighting: str) -> pd.DataFrame:
    """Small/large returns for the definitions C6 and C7 use, by frequency."""
    if freq == "daily":
        if size not in (HALVES, RUSSELL):
            raise ParameterError(f"{size} has no daily series in the catalog")
        return daily_returns(size, weighting)
    if size == HALVES:
        return halves_monthly(weighting)
    return monthly_returns(size, weighting)


@functools.lru_cache(maxsize=1)
def _usrec() -> pd.Series:
    from research import data

    return data.load("usrec")["USREC"]


@functools.lru_cache(maxsize=16)
def _french(name: str, block: str) -> pd.DataFrame:
    from research import data

    return data.load(name, block=block)


@functools.lru_cache(maxsize=8)
def yield_changes(series: str) -> pd.DataFrame:
    """Monthly changes of one Treasury yield (percentage points), as :mod:`research.claims.rates` measures them."""
    from research import data
    from research.claims import rates

    return rates.monthly_yield_changes(data.load(series).iloc[:, 0]).to_frame(series)


def clear_caches() -> None:
    """Forget every cached dataset (tests that switch data folders call this)."""
    for f in (monthly_returns, daily_returns, halves_monthly, _usrec, _french, yield_changes,
              _c1_events, _technical_levels, _technical_events, _technical_forward, _seasonal, _quality_result,
              _cycle_result):
        f.cache_clear()


# == C1: easing cycles ================================================================================

def c1_valid(spec: dict[str, Any]) -> bool:
    """Drop rule parameters on curated cuts (and vice versa), ew outside the decile definitions,
    and duplicate sample starts."""
    rule = spec["first_cuts"] == "rule"
    if rule == (spec["min_cut"] == NA) or rule == (spec["hike_within"] == NA):
        return False
    return weighting_and_start_kept(spec, DATA_START["fedfunds"], C1_STARTS)


C1_STARTS = (1954, 1963, 1987)


@functools.lru_cache(maxsize=256)
def _c1_events(size: str, weighting: str, start: int, first_cuts: str, min_cut: Any,
               hike_within: Any) -> tuple[pd.Series, pd.DatetimeIndex, pd.Series]:
    """The sample's small-minus-large returns, the first-cut months in it, and USREC, exactly as
    :func:`research.claims.easing.test` selects them (cached: many specifications share them)."""
    import pandas as pd

    from research import data
    from research.claims import easing

    spec = MONTHLY_SIZES[size]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)  # excluded; the C1 report says so
        returns, usrec, rate, _, _ = easing.load_inputs(spec["definition"], weighting,
                                                        tuple(spec.get("small", (1, 2, 3))),
                                                        tuple(spec.get("large", (8, 9, 10))))
    sml = returns["small_minus_large"]
    lo, hi = easing._month_end(START_DATES[start]), sml.index.max()
    sml = sml.loc[lo:hi].dropna().rename("small_minus_large")
    if first_cuts == "curated":
        months = pd.DatetimeIndex([easing._month_end(d) for d in easing.curated_first_cuts().index])
    else:
        rule = easing.rule_first_cuts(rate.loc[:hi], min_cut=float(min_cut), min_hike=0.25,
                                      max_months_since_hike=int(hike_within))
        months = pd.DatetimeIndex(rule.index)
    return sml, months[months.isin(sml.index)], usrec.dropna()


def c1_easing(*, size: str, weighting: str, start: int, horizon: int, first_cuts: str, min_cut: Any,
              hike_within: Any, recession_window: int, reps: int = 1000, level: float = 0.90,
              min_events: int = 5) -> dict[str, Any]:
    """C1: mean small-minus-large return over ``horizon`` months after first cuts with no recession
    under way or starting within ``recession_window`` months; label by
    :func:`research.claims.easing.verdict_label`.

    The same steps as :func:`research.claims.easing.test` (its event selection, recession flags,
    window returns, bootstrap and rule) without the placebo, the paths and the other event
    source, which a specification does not need; ``tests/test_sweep_grids.py`` checks that both
    give the same numbers.
    """
    import pandas as pd

    from research.claims import easing

    sml, months, usrec = _c1_events(size, weighting, start, first_cuts, min_cut, hike_within)
    if len(sml) <= horizon:
        raise ParameterError(f"only {len(sml)} months of returns from {start}; need more than {horizon}")
    if len(months) == 0:
        raise ParameterError(f"no {first_cuts} first cuts fall inside the sample from {start}")
    flags = easing.recession_flags(months, usrec, window=recession_window, include_ongoing=True)
    rets = easing.window_returns(sml, months, (horizon,))
    calm = ~flags["recession"].reindex(rets.index).astype(bool)
    x = rets.loc[calm.to_numpy(), f"ret_{horizon}m"].dropna()
    lower = upper = p = None
    if len(x) >= 2:
        lower, upper, p = percentile_bootstrap(x, reps=reps, level=level)
    mean = x.mean() if len(x) else float("nan")
    label = easing.verdict_label(mean, _clean_float(lower), _clean_float(upper), len(x), min_events=min_events)
    if len(x):
        sample = f"{x.index.min():%Y-%m}..{x.index.max() + pd.offsets.MonthEnd(horizon):%Y-%m}"
    else:
        sample = f"{sml.index[0]:%Y-%m}..{sml.index[-1]:%Y-%m}"
    return _row(mean, lower, upper, label, len(x), p, sample)


# == C2: rate sensitivity =============================================================================

C2_STARTS = (1926, 1954, 1963, 1987)


def c2_valid(spec: dict[str, Any]) -> bool:
    """ew only for the decile definitions; one start per distinct sample of each yield series."""
    if spec["weighting"] == "ew" and spec["size"] not in WEIGHTED:
        return False
    data_start = max(DATA_START[spec["yield_series"]],
                     DATA_START["russell_monthly"] if spec["size"] == RUSSELL else DATA_START["deciles"])
    return start_kept(spec["start"], data_start, C2_STARTS)


def c2_rates(*, size: str, weighting: str, yield_series: str, start: int, hac_lags: Any,
             control_market: bool, window: int, level: float = 0.95, alpha: float = 0.05,
             majority: float = 0.5) -> dict[str, Any]:
    """C2: the small-minus-large coefficient on monthly yield changes (market held fixed or not);
    label by :func:`research.claims.rates.verdict_label` (full-sample HAC test + rolling sign).

    The steps of :func:`research.claims.rates.test` for the small-minus-large portfolio alone,
    with the rolling coefficients' signs from ``RollingOLS(params_only=True)`` (the verdict uses
    only their signs, and their robust bands cost ten times the rest); checked against
    ``rates.test`` in the tests.
    """
    import pandas as pd
    import statsmodels.api as sm
    from statsmodels.regression.rolling import RollingOLS

    from research import stats
    from research.claims import rates

    factors = _french("ff3_factors", "monthly")
    returns = monthly_returns(size, weighting)
    excess = returns[list(rates.PORTFOLIOS)].assign(small=lambda d: d["small"] - factors["RF"],
                                                    large=lambda d: d["large"] - factors["RF"])
    X = rates._regressors(factors["Mkt-RF"], yield_changes(yield_series)[yield_series], control_market)
    lo, hi = rates._as_month_end(START_DATES[start], "start"), rates._as_month_end("2025-10-31", "end")
    sample = pd.concat([excess, X], axis=1, sort=True).loc[lo:hi].dropna().index
    if len(sample) <= window:
        raise ParameterError(f"{len(sample)} months is not more than the {window}-month rolling window")
    X = X.loc[sample]
    y = excess.loc[sample, "small_minus_large"]
    fit = stats.ols(y.rename("small_minus_large"), X, maxlags=_lags(hac_lags), level=level)
    roll = RollingOLS(y, sm.add_constant(X), window=window).fit(params_only=True).params["d_yield"].dropna()
    share_negative = float((roll < 0).mean())
    coef, p = fit.params["d_yield"], fit.pvalues["d_yield"]
    label = rates.verdict_label(coef, p, share_negative, alpha=alpha, majority=majority)
    ci = fit.conf_int.loc["d_yield"]
    return _row(coef, ci["lower"], ci["upper"], label, len(sample), p, rates._span(sample),
                share_windows_negative=share_negative)


# == C3: value and profitability tilt =================================================================

C3_STARTS = (1963, 1987)
C3_ASPECTS = ("value tilt", "less profitable", "inferior")
_QUINTILES = {"q1": (1,), "q1-2": (1, 2), "q5": (5,), "q4-5": (4, 5)}


def c3_valid(spec: dict[str, Any]) -> bool:
    """Premium cells only for "inferior"; no SMB explained by SMB; ew only for deciles; distinct starts."""
    inferior = spec["aspect"] == "inferior"
    if inferior == (spec["premium_small"] == NA) or inferior == (spec["premium_robust"] == NA):
        return False
    if spec["size"] == "SMB" and spec["include_smb"]:
        return False  # SMB explained by a model containing SMB is circular (quality.run refuses it)
    return weighting_and_start_kept(spec, DATA_START["ff5"], C3_STARTS)


@functools.lru_cache(maxsize=64)
def _quality_result(size: str, weighting: str, start: int, include_smb: bool, hac_lags: Any,
                    premium_small: str, premium_robust: str) -> Any:
    """One five-factor test serves all three aspects of a specification (cached per worker)."""
    from research.claims import quality

    small_q = _QUINTILES.get(premium_small, (1,))
    robust_q = _QUINTILES.get(premium_robust, (5,))
    weak_q = tuple(sorted(6 - q for q in robust_q))  # the mirror image: q5 -> q1, q4-5 -> q1-2
    return quality.test(monthly_returns(size, weighting), _french("ff5_factors", "monthly"),
                        _french("me_op_25", f"{weighting}_monthly"), start=START_DATES[start],
                        end="2025-10-31", since=None, include_smb=include_smb,
                        maxlags=_lags(hac_lags), small_quintiles=small_q, big_quintiles=(5,),
                        robust_quintiles=robust_q, weak_quintiles=weak_q)


def c3_quality(*, aspect: str, size: str, weighting: str, start: int, include_smb: bool, hac_lags: Any,
               premium_small: str, premium_robust: str) -> dict[str, Any]:
    """C3: one aspect's statistic (HML loading, RMW loading, or five-factor alpha) of
    small-minus-large; label by :mod:`research.claims.quality`'s rules for that aspect."""
    result = _quality_result(size, weighting, start, include_smb, hac_lags, premium_small, premium_robust)
    v = {x.aspect: x for x in result.verdicts}[aspect]
    return _row(v.statistic, v.interval[0], v.interval[1], v.label, v.n, v.p_value, v.sample)


# == C4: froth ========================================================================================

C4_STARTS = (1963, 1987)
_JUNK_CELLS = {
    "extreme quintiles": {"weak": (1,), "robust": (5,), "aggressive": (5,), "conservative": (1,)},
    "two quintiles each side": {"weak": (1, 2), "robust": (4, 5), "aggressive": (4, 5), "conservative": (1, 2)},
}


def c4_froth(*, leg: str, window: int, weighting: str, small_caps: str, junk_cells: str, start: int,
             threshold: float, as_of: str = "2025-10-15", min_history: int = 120) -> dict[str, Any]:
    """C4: the real-time percentile (0-100) of one junk-minus-quality gauge at the article date;
    label by :func:`research.claims.froth.froth_label` on that gauge (top ``threshold`` or not)."""
    from research.claims import froth

    result = froth.test(_french("me_op_25", f"{weighting}_monthly"), _french("me_inv_25", f"{weighting}_monthly"),
                        as_of=as_of, windows=(window,), spreads=(leg,), start=START_DATES[start],
                        path_start=as_of[:7] + "-01", threshold=threshold, min_history=min_history,
                        size_quintiles=_QUINTILES[small_caps], **_JUNK_CELLS[junk_cells])
    v = result.verdict
    return _row(v.statistic, None, None, v.label, v.n, v.p_value, v.sample)


# == C5: technical breakouts ==========================================================================

C5_STARTS = (1926, 1954, 1963, 1987)
C5_ASPECTS = ("breakout above an old record", "200-day cross")
C5_SERIES = (HALVES, RUSSELL)
_HORIZON_SETS = {"6m+12m": (126, 252), "12m": (252,), "6m": (126,)}


def c5_valid(spec: dict[str, Any]) -> bool:
    """Each event with its own parameters only; ew only for French's halves; distinct starts."""
    breakout = spec["event"] == C5_ASPECTS[0]
    if breakout != (spec["sma_days"] == NA) or breakout != (spec["days_below"] == NA):
        return False
    if breakout == (spec["record_age_days"] == NA) or breakout == (spec["confirm_weeks"] == NA):
        return False
    if spec["weighting"] == "ew" and spec["series"] not in WEIGHTED:
        return False
    data_start = DATA_START["russell_daily"] if spec["series"] == RUSSELL else DATA_START["halves_daily"]
    return start_kept(spec["start"], data_start, C5_STARTS)


@functools.lru_cache(maxsize=8)
def _technical_levels(series: str, weighting: str) -> pd.DataFrame:
    """Daily small and large levels as :func:`research.claims.technicals.load_series` builds them."""
    from research.claims import technicals

    frames, _, _, _, _ = technicals.load_series("russell" if series == RUSSELL else "deciles", weighting)
    return frames[technicals.SERIES_RUSSELL if series == RUSSELL else technicals.SERIES_FRENCH]


@functools.lru_cache(maxsize=256)
def _technical_events(series: str, weighting: str, event: str, a: int, b: int) -> pd.DatetimeIndex:
    """Event days on the whole history (the average and the record need the past)."""
    import pandas as pd

    from research.claims import technicals

    small = _technical_levels(series, weighting)["small"]
    if event == C5_ASPECTS[0]:
        return pd.DatetimeIndex(technicals.record_breakouts(small, a, b)["date"])
    return technicals.sma_crosses(small, a, b)


@functools.lru_cache(maxsize=32)
def _technical_forward(series: str, weighting: str, measure: str) -> pd.DataFrame:
    from research.claims import technicals

    levels = _technical_levels(series, weighting)
    fwd = technicals.forward_returns(levels["small"], (126, 252))
    if measure == "relative":
        fwd = fwd - technicals.forward_returns(levels["large"], (126, 252))
    return fwd


def c5_technicals(*, event: str, series: str, weighting: str, start: int, measure: str, horizons: str,
                  sma_days: Any, days_below: Any, record_age_days: Any, confirm_weeks: Any,
                  level: float = 0.90, min_events: int = 10) -> dict[str, Any]:
    """C5: forward return after the events minus all days at the longest verdict horizon, pp
    (event-dummy regression, Newey-West lags >= horizon); label by
    :func:`research.claims.technicals.classify` on the verdict horizons. One series per
    specification, so the claim's cross-series "mixed" rule does not apply here."""
    import pandas as pd

    from research.claims import technicals

    if event == C5_ASPECTS[0]:
        dates = _technical_events(series, weighting, event, int(record_age_days), int(confirm_weeks))
    else:
        dates = _technical_events(series, weighting, event, int(sma_days), int(days_below))
    hs = _HORIZON_SETS[horizons]
    fwd = _technical_forward(series, weighting, measure)[list(hs)]
    first = start_date(start, DATA_START["russell_daily" if series == RUSSELL else "halves_daily"])
    lo = pd.Timestamp(first) if first else fwd.index[0]
    fwd = fwd.loc[lo:]
    dates = dates[dates >= lo]
    table = technicals.event_study(fwd, dates, level=level)
    rows = table.loc[[technicals.HORIZON_LABELS[h] for h in hs]]
    label, _ = technicals.classify(rows, min_events)
    last = rows.iloc[-1]
    sample = f"{fwd.index[0]:%Y-%m-%d}..{fwd.index[-1]:%Y-%m-%d}"
    return _row(last["excess"], last["ci_lower"], last["ci_upper"], label, last["n_events"],
                last["p_value"], sample)


# == C6: the pullback hedge ===========================================================================

C6_STARTS = (1926, 1954, 1963, 1987)
C6_SIZES = (HALVES, "deciles 1-3 vs 8-10", "decile 1 vs 10", RUSSELL)


def c6_valid(spec: dict[str, Any]) -> bool:
    """Daily data only where the catalog has them; ew only for French's portfolios; distinct starts."""
    if spec["freq"] == "daily" and spec["size"] not in (HALVES, RUSSELL):
        return False  # French publishes no daily size deciles
    return weighting_and_start_kept(spec, DATA_START["deciles"], C6_STARTS,
                                    russell="russell_daily" if spec["freq"] == "daily" else "russell_monthly")


def c6_drawdowns(*, size: str, freq: str, weighting: str, start: int, threshold: float,
                 include_ongoing: bool, reps: int = 1000, level: float = 0.90,
                 min_episodes: int = 10) -> dict[str, Any]:
    """C6: mean small-minus-large return over large-cap drawdowns of at least ``threshold``%,
    peak to trough; label by :func:`research.claims.drawdowns.classify` (mean, majority, interval)."""
    from research.claims import drawdowns
    from research.stats import sample_text

    returns = returns_for(size, freq, weighting)
    data_start = DATA_START[f"russell_{freq}" if size == RUSSELL else "deciles"]
    rets = returns[["small", "large"]].loc[start_date(start, data_start):].dropna()
    levels = drawdowns.levels_from_returns(rets)
    episodes = drawdowns.episode_returns(levels, drawdowns.drawdown_episodes(levels["large"], threshold))
    if not include_ongoing:
        episodes = episodes.loc[~episodes["ongoing"]]
    rel = episodes["relative_pp"]
    lower = upper = p = None
    if len(rel) >= 2:
        lower, upper, p = percentile_bootstrap(rel.to_numpy(), reps=reps, level=level)
    ci = (_clean_float(lower), _clean_float(upper))
    label, _ = drawdowns.classify(rel, ci, min_episodes)
    return _row(rel.mean() if len(rel) else None, lower, upper, label, len(rel), p, sample_text(rets.index),
                share_small_lost_less=float((rel > 0).mean()) if len(rel) else float("nan"))


# == C7: year end =====================================================================================

C7_FIRST_YEARS = (1926, 1954, 1963, 1983, 1987)
C7_SIZES = (HALVES, "deciles 1-3 vs 8-10", "decile 1 vs 10", RUSSELL)
#: Window starts: 14 October is the commentary's Tuesday; month-end data can only start a window
#: at a month end (30 Sep -> October to December, 31 Oct -> November and December).
C7_WINDOW_STARTS = ("10-01", "10-14", "10-31")


def c7_valid(spec: dict[str, Any]) -> bool:
    """Daily data only where the catalog has them; month-end data only from a month end; ew only
    for French's portfolios; distinct first years."""
    if spec["freq"] == "daily" and spec["size"] not in (HALVES, RUSSELL):
        return False
    if spec["freq"] == "monthly" and spec["window_start"] == "10-14":
        return False  # no month-end close within a week before 14 October
    return weighting_and_start_kept(spec, DATA_START["deciles"], C7_FIRST_YEARS, russell="russell_daily",
                                    start_key="first_year")


@functools.lru_cache(maxsize=64)
def _seasonal(size: str, freq: str, weighting: str, window_start: str) -> pd.DataFrame:
    """Per year: small-minus-large from ``window_start`` to 31 December (pp)."""
    from research.claims import yearend

    r = returns_for(size, freq, weighting)[["small", "large"]].dropna()
    window = yearend.window_changes(yearend._levels(r), window_start, "12-31")
    return window.assign(small_minus_large=window["small"] - window["large"])


def c7_yearend(*, size: str, freq: str, weighting: str, window_start: str, first_year: int,
               clear_majority: float, last_year: int = 2024, reps: int = 1000, level: float = 0.90,
               min_years: int = 15) -> dict[str, Any]:
    """C7: mean small-minus-large return from ``window_start`` to 31 December across years; label
    by :func:`research.claims.yearend.classify` (mean, clear majority, interval)."""
    from research.claims import yearend

    years = _seasonal(size, freq, weighting, window_start)
    sml = years.loc[first_year:last_year, "small_minus_large"].dropna()
    lower = upper = p = None
    if len(sml) >= 2:
        lower, upper, p = percentile_bootstrap(sml.to_numpy(), reps=reps, level=level)
    label, _ = yearend.classify(sml, (_clean_float(lower), _clean_float(upper)),
                                clear_majority=clear_majority, min_years=min_years)
    sample = f"{sml.index.min()}-{sml.index.max()}" if len(sml) else "empty"
    return _row(sml.mean() if len(sml) else None, lower, upper, label, len(sml), p, sample,
                share_small_won=float((sml > 0).mean()) if len(sml) else float("nan"))


# == C8: business cycle and mean reversion ===========================================================

C8_STARTS = (1926, 1954, 1963, 1987)
C8_ASPECTS = ("cyclicality", "mean reversion")
_YEARS = {"3y": (3,), "5y": (5,), "3y+5y": (3, 5)}


def c8_valid(spec: dict[str, Any]) -> bool:
    """Each aspect with its own parameters only; ew only for deciles; distinct starts."""
    cyc = spec["aspect"] == "cyclicality"
    if cyc != (spec["trailing_years"] == NA) or cyc != (spec["horizons"] == NA) or cyc != (spec["inference"] == NA):
        return False
    if cyc == (spec["state_lags"] == NA):
        return False
    return weighting_and_start_kept(spec, DATA_START["deciles"], C8_STARTS)


@functools.lru_cache(maxsize=128)
def _cycle_result(size: str, weighting: str, start: int, state_lags: Any, trailing_years: int,
                  horizons: str) -> Any:
    from research.claims import cycle

    return cycle.test(monthly_returns(size, weighting), _usrec(), start=START_DATES[start],
                      trailing_years=trailing_years, horizons_years=_YEARS[horizons],
                      state_lags=_lags(state_lags), inference="hodrick")


def c8_cycle(*, aspect: str, size: str, weighting: str, start: int, state_lags: Any, trailing_years: Any,
             horizons: Any, inference: Any, alpha: float = 0.05) -> dict[str, Any]:
    """C8: cyclicality (recession minus expansion mean, HAC) or mean reversion (slope of the next
    years' return on the trailing one, at the longest horizon); labels by
    :func:`research.claims.cycle.cycle_label` and :func:`~research.claims.cycle.reversion_label`."""
    import pandas as pd

    from research.claims import cycle

    if aspect == "cyclicality":
        # cycle.test's first step alone: the HAC regression on the recession dummy
        from research import stats

        sml = monthly_returns(size, weighting)["small_minus_large"]
        sml = sml.loc[cycle._month_end(START_DATES[start]):].dropna().rename("small_minus_large")
        both = pd.concat([sml, cycle.recession_indicator(_usrec(), sml.index)], axis=1).dropna()
        fit = stats.ols(both["small_minus_large"], both[["recession"]], maxlags=_lags(state_lags), level=0.95)
        ci = fit.conf_int.loc["recession"]
        return _row(fit.params["recession"], ci["lower"], ci["upper"],
                    cycle.cycle_label(fit.pvalues["recession"], alpha=alpha), fit.nobs,
                    fit.pvalues["recession"], cycle._span(both.index[0], both.index[-1]))
    result = _cycle_result(size, weighting, start, "auto", int(trailing_years), horizons)
    rows = result.table.reset_index()
    method = {"hodrick": "hodrick 1B", "newey-west": "newey-west", "non-overlapping": "non-overlapping"}[inference]
    picked = rows.loc[rows["test"].str.startswith("slope") & rows["method"].str.startswith(method)]
    picked = picked.sort_values("horizon_years")
    label = cycle.reversion_label(picked["estimate"].to_list(), picked["p_value"].to_list(), alpha=alpha)
    main = picked.iloc[-1]
    return _row(main["estimate"], main["ci_lower"], main["ci_upper"], label, main["n_independent"],
                main["p_value"], str(main["sample"]))


# == the grids ========================================================================================

_MONTHLY_SIZE_NAMES = tuple(MONTHLY_SIZES)
_M = "research.sweep_grids:"

GRIDS: dict[str, Grid] = {
    "C1": Grid(
        claim="C1", title="Small caps after the Fed's first cut",
        choices={
            "size": _MONTHLY_SIZE_NAMES, "weighting": ("vw", "ew"), "start": C1_STARTS,
            "horizon": (3, 6, 12), "first_cuts": ("curated", "rule"), "min_cut": (NA, 0.25, 0.5, 1.0),
            "hike_within": (NA, 12, 24), "recession_window": (6, 12, 18),
        },
        estimate=_M + "c1_easing", valid=_M + "c1_valid", fixed={"reps": 1000},
        statistic_name="mean small-minus-large return after first cuts, no recession, %",
        default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1954, "horizon": 12,
                 "first_cuts": "curated", "min_cut": NA, "hike_within": NA, "recession_window": 12},
        notes=("First cuts from the curated FOMC list or from the rule on the policy rate (minimum cut "
               "in percentage points; the last hike within so many months). A cycle counts as 'no "
               "recession' if no NBER recession was under way or began within the recession window. "
               "Each specification's label: supported if the mean is positive and its 90% "
               "stationary-bootstrap interval excludes zero (1,000 draws), inconclusive if it "
               "straddles zero or there are fewer than 5 such cycles."),
    ),
    "C2": Grid(
        claim="C2", title="Are small caps more sensitive to interest rates?",
        choices={
            "size": _MONTHLY_SIZE_NAMES, "weighting": ("vw", "ew"),
            "yield_series": ("dgs2", "dgs10", "gs2", "gs10"), "start": C2_STARTS,
            "hac_lags": ("auto", 12), "control_market": (True, False), "window": (36, 60, 120),
        },
        estimate=_M + "c2_rates", valid=_M + "c2_valid",
        statistic_name="small-minus-large yield coefficient, % per month per 1 pp rise",
        default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "yield_series": "dgs2", "start": 1926,
                 "hac_lags": "auto", "control_market": True, "window": 60},
        notes=("Yields: dgs2/dgs10 month-end constant-maturity yields, gs2/gs10 monthly averages. "
               "HAC lags 'auto' is the Newey-West plug-in rule. Window: months per rolling regression "
               "of the sign check. Label: supported if the coefficient is below zero with HAC p < 0.05 "
               "and below zero in most rolling windows; contradicted if above zero likewise; mixed "
               "if the full sample and the windows disagree; inconclusive if p >= 0.05."),
    ),
    "C3": Grid(
        claim="C3", title="Do small caps tilt to value, junk and inferior returns?",
        choices={
            "aspect": C3_ASPECTS, "size": _MONTHLY_SIZE_NAMES, "weighting": ("vw", "ew"),
            "start": C3_STARTS, "include_smb": (True, False), "hac_lags": ("auto", 6, 12),
            "premium_small": (NA, "q1", "q1-2"), "premium_robust": (NA, "q5", "q4-5"),
        },
        estimate=_M + "c3_quality", valid=_M + "c3_valid", aspect="aspect",
        aspect_labels={"value tilt": "HML (value) loading of small-minus-large",
                       "less profitable": "RMW (profitability) loading of small-minus-large",
                       "inferior": "factor-model alpha of small-minus-large, % per month"},
        statistic_name="small-minus-large loading (HML, RMW) or five-factor alpha, % per month",
        default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1963, "include_smb": True,
                 "hac_lags": "auto"},
        aspect_defaults={"value tilt": {"premium_small": NA, "premium_robust": NA},
                         "less profitable": {"premium_small": NA, "premium_robust": NA},
                         "inferior": {"premium_small": "q1", "premium_robust": "q5"}},
        notes=("Three verdicts, three curves: value tilt (HML loading > 0), less profitable (RMW "
               "loading < 0), inferior (negative five-factor alpha and a negative size premium among "
               "robust firms). include_smb False drops SMB from the model (required for SMB itself). "
               "premium_small / premium_robust: which size and profitability quintiles of the 25 "
               "size x profitability portfolios form the size premium among robust firms (inferior "
               "only). Labels by the rules of the C3 report, p < 0.05."),
    ),
    "C4": Grid(
        claim="C4", title="Froth: junk leadership within small caps",
        choices={
            "leg": ("profitability", "investment"), "window": (1, 3, 6, 12), "weighting": ("vw", "ew"),
            "small_caps": ("q1", "q1-2"), "junk_cells": tuple(_JUNK_CELLS), "start": C4_STARTS,
            "threshold": (0.8, 0.9, 0.95),
        },
        estimate=_M + "c4_froth", reference=90.0,
        statistic_name="percentile of the junk-minus-quality gauge in its history at 2025-09",
        default={"leg": "profitability", "window": 3, "weighting": "vw", "small_caps": "q1",
                 "junk_cells": "extreme quintiles", "start": 1963, "threshold": 0.9},
        notes=("One gauge per specification: weak-minus-robust profitability or aggressive-minus-"
               "conservative investment within small caps (size quintile 1, or 1-2), compounded over "
               "the trailing window in months and ranked against its own history since the start. "
               "Label: supported if the gauge is in the top (1 - threshold) of its history at the "
               "last month-end before 15 October 2025, contradicted otherwise. The estimate is a "
               "percentile, so there is no interval; the p-value is the share of past months at or "
               "above the reading."),
    ),
    "C5": Grid(
        claim="C5", title="The 200-day cross and the breakout above an old record",
        choices={
            "event": C5_ASPECTS, "series": C5_SERIES, "weighting": ("vw", "ew"), "start": C5_STARTS,
            "measure": ("absolute", "relative"), "horizons": tuple(_HORIZON_SETS),
            "sma_days": (NA, 150, 200, 250), "days_below": (NA, 10, 20, 40),
            "record_age_days": (NA, 182, 365, 730), "confirm_weeks": (NA, 1, 2, 3),
        },
        estimate=_M + "c5_technicals", valid=_M + "c5_valid", aspect="event",
        statistic_name="forward return after events minus all days, longest verdict horizon, pp",
        default={"series": HALVES, "weighting": "vw", "start": 1926, "measure": "absolute",
                 "horizons": "6m+12m"},
        aspect_defaults={C5_ASPECTS[0]: {"record_age_days": 365, "confirm_weeks": 2, "sma_days": NA, "days_below": NA},
                         C5_ASPECTS[1]: {"sma_days": 200, "days_below": 20, "record_age_days": NA, "confirm_weeks": NA}},
        notes=("Series: French's daily small and large 2x3 halves (1926+, total return) or the "
               "Russell 2000 vs the S&P 500 (1987+, price). Breakouts: weekly closes (confirm_weeks "
               "in a row) above a record at least record_age_days old; crosses: a close above the "
               "sma_days average after days_below days at or below it. Horizons: the forward "
               "horizons the rule requires to beat all days (6m = 126, 12m = 252 trading days). "
               "Label: supported if every required horizon beats all days with a 90% HAC interval "
               "above zero; contradicted if one is below and none above; mixed if they disagree; "
               "inconclusive otherwise or with fewer than 10 events."),
    ),
    "C6": Grid(
        claim="C6", title="Are small caps a hedge in a large-cap pullback?",
        choices={
            "size": C6_SIZES, "freq": ("daily", "monthly"), "weighting": ("vw", "ew"), "start": C6_STARTS,
            "threshold": (5.0, 7.5, 10.0, 15.0, 20.0), "include_ongoing": (True, False),
        },
        estimate=_M + "c6_drawdowns", valid=_M + "c6_valid", fixed={"reps": 1000},
        statistic_name="mean small-minus-large return over large-cap drawdowns, pp",
        default={"size": HALVES, "freq": "daily", "weighting": "vw", "start": 1926, "threshold": 10.0,
                 "include_ongoing": True},
        notes=("Large-cap drawdowns of at least the threshold, from a record close to the trough; "
               "small minus large over each. Daily series: French's 2x3 halves or the Russell 2000 / "
               "S&P 500; monthly: also the size deciles. Label: supported if small lost less on "
               "average and in most episodes with a 90% stationary-bootstrap interval of the mean "
               "above zero (1,000 draws); contradicted if the opposite; mixed if the mean and the "
               "majority disagree; inconclusive if the interval straddles zero or fewer than 10 "
               "episodes."),
    ),
    "C7": Grid(
        claim="C7", title="Small caps into year end",
        choices={
            "size": C7_SIZES, "freq": ("daily", "monthly"), "weighting": ("vw", "ew"),
            "window_start": C7_WINDOW_STARTS, "first_year": C7_FIRST_YEARS,
            "clear_majority": (0.55, 0.6, 2 / 3),
        },
        estimate=_M + "c7_yearend", valid=_M + "c7_valid", fixed={"reps": 1000},
        statistic_name="mean small-minus-large return, window start to 31 Dec, pp",
        default={"size": HALVES, "freq": "daily", "weighting": "vw", "window_start": "10-14",
                 "first_year": 1926, "clear_majority": 0.6},
        notes=("Small minus large from the window start to 31 December in every year from first_year "
               "to 2024. Daily series: French's 2x3 halves or the Russell 2000 / S&P 500; monthly "
               "size deciles start at a month end (30 Sep or 31 Oct). Label: supported if the mean is "
               "positive with a 90% stationary-bootstrap interval above zero (1,000 draws) and small "
               "won in at least clear_majority of years; contradicted if the mean is negative and "
               "small lost in most years; mixed if they disagree; inconclusive if the interval "
               "straddles zero. 1983: after Keim's paper on the turn-of-year effect."),
    ),
    "C8": Grid(
        claim="C8", title="Small caps, the business cycle and mean reversion",
        choices={
            "aspect": C8_ASPECTS, "size": _MONTHLY_SIZE_NAMES, "weighting": ("vw", "ew"), "start": C8_STARTS,
            "state_lags": (NA, "auto", 6, 12), "trailing_years": (NA, 5, 10, 15),
            "horizons": (NA, "3y", "5y", "3y+5y"),
            "inference": (NA, "hodrick", "newey-west", "non-overlapping"),
        },
        estimate=_M + "c8_cycle", valid=_M + "c8_valid", aspect="aspect",
        aspect_labels={"cyclicality": "recession minus expansion mean small-minus-large, % per month",
                       "mean reversion": "slope of the next years' on the trailing small-minus-large return"},
        statistic_name="recession minus expansion, % per month (cyclicality); predictive slope (mean reversion)",
        default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1926},
        aspect_defaults={"cyclicality": {"state_lags": "auto", "trailing_years": NA, "horizons": NA, "inference": NA},
                         "mean reversion": {"state_lags": NA, "trailing_years": 10, "horizons": "3y+5y",
                                            "inference": "hodrick"}},
        notes=("Cyclicality: the monthly small-minus-large return regressed on the NBER recession "
               "dummy, Newey-West errors (state_lags; 'auto' = plug-in); supported if p < 0.05. Mean "
               "reversion: the next 3/5 years' small-minus-large log return on the trailing one "
               "(trailing_years), with Hodrick 1B, Newey-West (lags = horizon) or non-overlapping "
               "errors; supported if negative with p < 0.05 at every horizon, mixed if at some."),
    ),
}


# -- the multiple-testing family --------------------------------------------------------------------------

#: Main verdicts that carry only a bootstrap interval, and the specification of the grid that
#: reproduces each of them (the claim's report defaults) with the report's own draws.
FAMILY_SPECS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "C1": [("", {**GRIDS["C1"].default, "reps": 10_000})],
    "C6": [(f"drawdowns >= {t:g}%", {**GRIDS["C6"].default, "threshold": t, "reps": 10_000})
           for t in (10.0, 5.0)],
    "C7": [("year-end seasonality", {**GRIDS["C7"].default, "reps": 10_000})],
}


def family_p_values(claim: str) -> list[dict[str, Any]]:
    """Bootstrap p-values for the main verdicts of ``claim`` that report only an interval.

    Each is :func:`percentile_bootstrap`'s p-value at the report's default specification with the
    report's 10,000 draws and seed, so its interval is the verdict's own; the scorecard admits it
    to the multiple-testing family only when ``statistic`` matches the main report's verdict.
    Claims whose verdicts carry a p-value (C2-C5, C8) return an empty list.
    """
    grid = GRIDS[claim]
    out = []
    for aspect, spec in FAMILY_SPECS.get(claim, []):
        row = dict(_resolve(grid.estimate)(**spec))
        out.append({"claim": claim, "aspect": aspect, "statistic": row["estimate"], "lower": row["lower"],
                    "upper": row["upper"], "p_value": row["p_value"], "label": row["label"],
                    "basis": ("stationary bootstrap, 10,000 draws: twice the share of bootstrap means "
                              "on the far side of zero (the p-value the verdict's percentile interval "
                              "inverts)")})
    return out


def _resolve(path: str) -> Any:
    from research.sweep import _resolve as resolve

    return resolve(path)
